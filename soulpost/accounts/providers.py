"""How each platform logs in: its flow, endpoints and scopes (shared/platforms.md).

Every URL can be overridden under ``[platforms.NAME.login]`` in config.toml (a new API
version, a self-hosted instance, a test server on 127.0.0.1). The platform's *adapter* picks
the provider, so ``[platforms.work-x] adapter = "x"`` logs in like X.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

Flow = Literal["oauth2", "mastodon", "app-password"]


@dataclass(frozen=True)
class Provider:
    """One platform's login."""

    name: str
    title: str
    flow: Flow
    authorize_url: str = ""
    token_url: str = ""
    scopes: tuple[str, ...] = ()
    #: How scopes are joined in the authorization URL (Pinterest and Meta use commas).
    scope_separator: str = " "
    #: Client authentication at the token URL when the app has a secret.
    secret_auth: str = "client_secret_basic"
    #: Mastodon: the instance; Bluesky: the PDS.
    base_url: str = ""
    #: Where to register an app (Mastodon) relative to base_url.
    register_path: str = ""
    #: What a person reads to set up the app (shown when client_id is missing).
    setup: str = ""
    #: Send a PKCE challenge (Meta's Threads and Instagram logins document none).
    pkce: bool = True
    #: Meta: the short-lived token is exchanged for a long-lived one at exchange_url
    #: (``GET ?grant_type=<exchange_grant>&client_secret=...&access_token=...``), which is
    #: renewed at refresh_url (``GET ?grant_type=<refresh_grant>&access_token=...``).
    exchange_url: str = ""
    exchange_grant: str = ""
    refresh_url: str = ""
    refresh_grant: str = ""

    def with_overrides(self, login: Any, options: dict[str, Any]) -> Provider:
        """This provider with ``[platforms.NAME.login]`` (and ``options.base_url``) applied."""
        base = str(options.get("base_url") or self.base_url).rstrip("/")
        if login is not None and getattr(login, "instance", None):
            base = str(login.instance).rstrip("/")
        out = replace(self, base_url=base)
        if self.flow == "mastodon" and base:
            out = replace(
                out, authorize_url=f"{base}/oauth/authorize", token_url=f"{base}/oauth/token"
            )
        if login is None:
            return out
        changes: dict[str, Any] = {}
        if login.authorize_url:
            changes["authorize_url"] = login.authorize_url
        if login.token_url:
            changes["token_url"] = login.token_url
        for name in ("exchange_url", "refresh_url"):
            if getattr(login, name, None) and getattr(self, name):
                changes[name] = getattr(login, name)
        if login.scopes is not None:
            changes["scopes"] = tuple(login.scopes)
        return replace(out, **changes)


PROVIDERS: dict[str, Provider] = {
    "x": Provider(
        "x",
        "X",
        "oauth2",
        authorize_url="https://x.com/i/oauth2/authorize",
        token_url="https://api.x.com/2/oauth2/token",
        scopes=("tweet.read", "tweet.write", "users.read", "media.write", "offline.access"),
        setup="create an app at developer.x.com with OAuth 2.0 (type: native app) and the "
        "callback http://127.0.0.1:PORT/callback",
    ),
    "linkedin": Provider(
        "linkedin",
        "LinkedIn",
        "oauth2",
        authorize_url="https://www.linkedin.com/oauth/v2/authorization",
        token_url="https://www.linkedin.com/oauth/v2/accessToken",
        scopes=("openid", "profile", "w_member_social"),
        secret_auth="client_secret_post",
        setup="create an app at linkedin.com/developers with the product 'Share on "
        "LinkedIn' and the redirect URL http://127.0.0.1:PORT/callback",
    ),
    "pinterest": Provider(
        "pinterest",
        "Pinterest",
        "oauth2",
        authorize_url="https://www.pinterest.com/oauth/",
        token_url="https://api.pinterest.com/v5/oauth/token",
        scopes=("boards:read", "pins:read", "pins:write"),
        scope_separator=",",
        setup="create an app at developers.pinterest.com with the redirect URI "
        "http://127.0.0.1:PORT/callback",
    ),
    "facebook": Provider(
        "facebook",
        "Facebook",
        "oauth2",
        authorize_url="https://www.facebook.com/v21.0/dialog/oauth",
        token_url="https://graph.facebook.com/v21.0/oauth/access_token",
        scopes=("pages_manage_posts", "pages_read_engagement", "pages_show_list"),
        scope_separator=",",
        secret_auth="client_secret_post",
        setup="create a Meta app (Facebook Login) with the redirect URI "
        "http://127.0.0.1:PORT/callback",
    ),
    "threads": Provider(
        "threads",
        "Threads",
        "oauth2",
        authorize_url="https://threads.com/oauth/authorize",
        token_url="https://graph.threads.net/oauth/access_token",
        scopes=("threads_basic", "threads_content_publish", "threads_read_replies"),
        scope_separator=",",
        secret_auth="client_secret_post",
        setup="create a Meta app with the Threads use case; add the redirect callback URL "
        "http://127.0.0.1:PORT/callback (with a fixed redirect_port) or an https page of "
        "yours as redirect_uri",
        pkce=False,
        exchange_url="https://graph.threads.net/access_token",
        exchange_grant="th_exchange_token",
        refresh_url="https://graph.threads.net/refresh_access_token",
        refresh_grant="th_refresh_token",
    ),
    "instagram": Provider(
        "instagram",
        "Instagram",
        "oauth2",
        authorize_url="https://www.instagram.com/oauth/authorize",
        token_url="https://api.instagram.com/oauth/access_token",
        scopes=(
            "instagram_business_basic",
            "instagram_business_content_publish",
            "instagram_business_manage_comments",
        ),
        scope_separator=",",
        secret_auth="client_secret_post",
        setup="create a Meta app with the Instagram product (API setup with Instagram "
        "login) and add the OAuth redirect URI http://127.0.0.1:PORT/callback (with a fixed "
        "redirect_port) or an https page of yours as redirect_uri",
        pkce=False,
        exchange_url="https://graph.instagram.com/access_token",
        exchange_grant="ig_exchange_token",
        refresh_url="https://graph.instagram.com/refresh_access_token",
        refresh_grant="ig_refresh_token",
    ),
    "mastodon": Provider(
        "mastodon",
        "Mastodon",
        "mastodon",
        scopes=("write:statuses", "write:media"),
        secret_auth="client_secret_post",
        register_path="/api/v1/apps",
        setup="name your instance: [platforms.mastodon.options] base_url = "
        '"https://example.social" (soulpost registers its own app there)',
    ),
    "bluesky": Provider(
        "bluesky",
        "Bluesky",
        "app-password",
        base_url="https://bsky.social",
        setup="create an app password under Settings > Privacy and security > App passwords",
    ),
}


def provider_for(adapter: str) -> Provider | None:
    """The login of the platform an adapter delivers, or None (webhooks need no login)."""
    return PROVIDERS.get(adapter)
