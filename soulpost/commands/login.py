"""``soulpost login PLATFORM [--account NAME]``: connect an account, store its tokens.

X, LinkedIn, Pinterest, Facebook: OAuth 2.0 with PKCE; the browser is sent back to a
one-shot server on 127.0.0.1 (``--headless``: paste the address back instead). Threads,
Instagram: Meta's authorization code, then its short-lived token exchanged for a 60-day one
that renews itself. Mastodon:
soulpost registers an app on the instance first. Bluesky: an app password, proved with a
session on the PDS. The tokens go to the token store outside the workspace
(``soulpost accounts`` lists them); nothing secret is printed.

Exit codes: 0 connected; 2 the login failed or was refused (the message says why).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soulpost.accounts.flows import Client, Prompt
    from soulpost.accounts.providers import Provider
    from soulpost.accounts.store import Record
    from soulpost.config import LoginSettings, Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("platform", metavar="PLATFORM", help="platform name, as in config.toml")
    parser.add_argument(
        "--account",
        metavar="NAME",
        help="which account (default: the one in [platforms.NAME] account, else 'default')",
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="print the URL and read the "
        "address the browser was sent to (or the code) from standard input",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="do not open a browser; still wait for the loopback redirect",
    )
    parser.add_argument(
        "--client-id",
        metavar="ID",
        help="the OAuth app's client id (default: [platforms.NAME.login] client_id)",
    )
    parser.add_argument("--handle", metavar="HANDLE", help="Bluesky: the account's handle")
    parser.add_argument(
        "--password-env",
        metavar="VAR",
        help="Bluesky: read the app password from this environment variable instead of a prompt",
    )


def _settings(args: argparse.Namespace) -> tuple[Settings, Any]:
    """The workspace settings when there is a workspace (login works without one)."""
    from soulpost.commands import open_workspace
    from soulpost.config import Settings
    from soulpost.errors import WorkspaceNotFound

    try:
        ws = open_workspace(args)
    except WorkspaceNotFound:
        return Settings(), None
    return ws.settings, ws.root


def run(args: argparse.Namespace) -> int:
    from soulpost.accounts import account_name
    from soulpost.accounts.providers import provider_for
    from soulpost.accounts.store import Store
    from soulpost.errors import UsageError

    settings, root = _settings(args)
    platform = args.platform
    conf = settings.platforms.get(platform)
    adapter = settings.adapter_for(platform)
    base = provider_for(adapter)
    if base is None:
        raise UsageError(
            f"{platform} (adapter {adapter}) has no login: its credentials come from "
            "environment variables named under env in config.toml (`soulpost adapters "
            f"{adapter}`)"
        )
    login = conf.login if conf else None
    provider = base.with_overrides(login, dict(conf.options) if conf else {})
    account = account_name(args.account or (conf.account if conf else None))
    store = Store()
    if root is not None and store.root.resolve().is_relative_to(root.resolve()):
        raise UsageError(
            f"the token store {store.root} lies inside the workspace {root}; tokens must "
            "never be committed: set XDG_CONFIG_HOME to a folder outside it"
        )
    options = dict(conf.options) if conf else {}
    record = _login(args, platform, account, provider, login, options=options)
    with store.locked():
        record.backend = ""
        store.save(record)
    where = "the system keyring" if record.backend == "keyring" else str(store.root)
    print(f"{provider.title}: connected {platform} account {account}; tokens stored in {where}")
    if record.expires_at is not None:
        import time

        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(record.expires_at))
        renew = "refreshes itself" if record.refreshable else "run login again before then"
        print(f"the access token expires at {when} ({renew})")
    return 0


def _prompt(args: argparse.Namespace) -> Prompt:
    from soulpost.accounts.flows import Prompt

    opener = None
    if not (args.headless or args.no_browser):
        import webbrowser

        opener = webbrowser.open
    return Prompt(out=sys.stdout, read_line=sys.stdin.readline, open_browser=opener)


def _login(
    args: argparse.Namespace,
    platform: str,
    account: str,
    provider: Provider,
    login: LoginSettings | None,
    *,
    options: dict[str, Any],
) -> Record:
    from soulpost.accounts import flows

    if provider.flow == "app-password":
        return _bluesky(args, platform, account, provider)
    port = login.redirect_port if login else 0
    client: Client | Any
    if provider.flow == "mastodon":
        if not provider.base_url:
            from soulpost.errors import UsageError

            raise UsageError(f"{platform}: {provider.setup}")
        client = lambda uri: flows.register_mastodon_app(provider, uri)  # noqa: E731
    else:
        client = _client(args, platform, provider, login)
    token, used = flows.oauth2(
        provider,
        client,
        _prompt(args),
        headless=args.headless,
        port=port,
        redirect_uri=login.redirect_uri if login else None,
    )
    if provider.exchange_grant:
        token = flows.meta_long_lived(provider, used, token)
    record = flows.record_from_token(
        token, platform=platform, account=account, provider=provider, client=used
    )
    if provider.name == "facebook":
        _page(record, provider, used, options)
    if provider.refresh_grant:
        _meta(record, provider, token, platform, options)
    return record


def _meta(
    record: Record, provider: Provider, token: dict[str, Any], platform: str, opts: dict[str, Any]
) -> None:
    """Threads, Instagram: the long-lived token renews itself at refresh_url (no refresh
    token; Meta renews the access token itself)."""
    record.token_url = provider.refresh_url
    record.refresh_grant = provider.refresh_grant
    user_id = str(token.get("user_id") or "")
    if user_id:
        record.roles["user_id"] = user_id
    if provider.name == "instagram" and str(opts.get("user_id") or user_id) != user_id:
        print(
            f"Instagram: this login is the account {user_id}, but options.user_id under "
            f"[platforms.{platform}] names another; remove it to post as {user_id}"
        )


def _page(record: Record, provider: Provider, client: Client, options: dict[str, Any]) -> None:
    """Facebook: store the Page's token (what the adapter posts with), not the user's."""
    from soulpost.accounts import flows

    page_id = options.get("page_id")
    page = flows.facebook_page(
        provider, client, record.access_token, str(page_id) if page_id else None
    )
    record.access_token = page["access_token"]
    record.refresh_token = None
    if page["lasting"]:
        record.expires_at = None  # Page tokens of a long-lived user token do not expire
    record.roles["page_id"] = page["id"]
    print(f"Facebook: posting as the Page {page['name']} ({page['id']})")


def _client(
    args: argparse.Namespace, platform: str, provider: Provider, login: LoginSettings | None
) -> Client:
    from soulpost.accounts.flows import Client
    from soulpost.errors import UsageError

    client_id = args.client_id or (login.client_id if login else None)
    if not client_id:
        raise UsageError(
            f"{platform}: no OAuth client id: {provider.setup}, then set client_id under "
            f"[platforms.{platform}.login] in config.toml (or pass --client-id)"
        )
    secret = None
    if provider.exchange_grant and not (login and login.client_secret_env):
        raise UsageError(
            f"{platform}: {provider.title} needs the app secret to exchange the login for a "
            f"long-lived token: set client_secret_env under [platforms.{platform}.login] to "
            "the NAME of the variable holding it"
        )
    if login and login.client_secret_env:
        secret = os.environ.get(login.client_secret_env)
        if not secret:
            raise UsageError(
                f"{platform}: [platforms.{platform}.login] client_secret_env names "
                f"${login.client_secret_env}, which is not set"
            )
    return Client(client_id, secret)


def _bluesky(args: argparse.Namespace, platform: str, account: str, provider: Provider) -> Record:
    import time

    from soulpost.accounts import flows
    from soulpost.accounts.store import Record
    from soulpost.errors import UsageError

    handle = args.handle or (account if account != "default" else None)
    if not handle:
        raise UsageError(f"{platform}: pass --handle NAME.bsky.social (the account's handle)")
    if args.password_env:
        password = os.environ.get(args.password_env, "")
        if not password:
            raise UsageError(f"--password-env names ${args.password_env}, which is not set")
    elif sys.stdin.isatty():
        import getpass

        password = getpass.getpass(f"App password for {handle} ({provider.setup}): ")
    else:
        password = sys.stdin.readline().strip()
    session = flows.bluesky_session(provider.base_url, handle, password)
    return Record(
        platform=platform,
        account=account,
        provider=provider.name,
        roles={"handle": handle, "did": str(session.get("did", ""))},
        password=password,
        token_url=None,
        obtained_at=time.time(),
    )
