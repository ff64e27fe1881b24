"""The login flows: OAuth 2.0 with PKCE and a loopback redirect, Mastodon app registration,
Bluesky app passwords. Authlib does the OAuth (state, PKCE S256, the token requests).

The loopback redirect follows RFC 8252: a one-shot HTTP server on 127.0.0.1 (never
``localhost``, which may resolve elsewhere) takes the redirect. Headless (``--headless``,
CI or a server without a browser): the URL is printed, and the person pastes back the URL
the browser was sent to (or just the code).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, TextIO
from urllib.parse import parse_qs, urlencode, urlsplit

from soulpost.accounts.providers import Provider
from soulpost.accounts.store import Record
from soulpost.errors import SoulpostError

TIMEOUT = (10.0, 30.0)


class LoginError(SoulpostError):
    """A login did not complete; the message says what the platform said and what to do."""


@dataclass
class Client:
    """The app soulpost logs in as."""

    client_id: str
    client_secret: str | None = None

    def auth_method(self, provider: Provider) -> str:
        return provider.secret_auth if self.client_secret else "none"


@dataclass
class Prompt:
    """Where the flow talks to the person: output, input, and a browser opener."""

    out: TextIO
    read_line: Callable[[], str]
    open_browser: Callable[[str], object] | None = None
    wait_seconds: float = 300.0


class _Callback(BaseHTTPRequestHandler):
    """Takes the one redirect to ``/callback`` and tells the browser it may close."""

    server: _LoopbackServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != "/callback":
            self.send_error(404)
            return
        self.server.answer = f"{self.server.redirect_uri}?{parts.query}"
        body = b"soulpost: login received; you can close this window.\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.done.set()

    def log_message(self, format: str, *args: Any) -> None:
        return None  # the query holds the code: never log it


class _LoopbackServer(HTTPServer):
    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Callback)
        self.done = threading.Event()
        self.answer: str | None = None
        self.redirect_uri = f"http://127.0.0.1:{self.server_address[1]}/callback"


def oauth2(
    provider: Provider,
    client: Client | Callable[[str], Client],
    prompt: Prompt,
    *,
    headless: bool,
    port: int = 0,
    redirect_uri: str | None = None,
) -> tuple[dict[str, Any], Client]:
    """Authorization code (+ PKCE S256 where the platform takes it): the token response
    and the client it was issued to. *client* may be a function of the redirect URI
    (Mastodon registers an app first). A fixed *redirect_uri* (an https page the app
    registered) cannot be listened on: the person pastes the address back."""
    from authlib.common.security import generate_token

    server = None if redirect_uri else _listen(port)
    uri = redirect_uri or (server.redirect_uri if server else "")
    try:
        if not isinstance(client, Client):
            client = client(uri)
        session = _session(provider, client, uri)
        extra = {"code_verifier": generate_token(64)} if provider.pkce else {}
        url, state = session.create_authorization_url(provider.authorize_url, **extra)
        answer = _wait_for_redirect(server, uri, url, prompt, headless=headless)
    finally:
        if server is not None:
            server.server_close()
    answer = _as_redirect(answer, uri, state)
    query = parse_qs(urlsplit(answer).query)
    if query.get("error"):
        raise LoginError(f"{provider.title} refused the login: {query['error'][0]}")
    if query.get("state", [state]) != [state]:
        raise LoginError(
            "the pasted address belongs to another login attempt (its state differs): run "
            "`soulpost login` again and paste the address of this one"
        )
    token = _token_call(
        provider,
        lambda: session.fetch_token(
            provider.token_url, authorization_response=answer, state=state, timeout=TIMEOUT, **extra
        ),
    )
    return token, client


def _listen(port: int) -> _LoopbackServer:
    try:
        return _LoopbackServer(port)
    except OSError as exc:
        raise LoginError(
            f"cannot listen on 127.0.0.1:{port} for the redirect ({exc.strerror}); set "
            "another [platforms.NAME.login] redirect_port"
        ) from None


def _session(provider: Provider, client: Client, redirect_uri: str) -> Any:
    from authlib.integrations.requests_client import OAuth2Session

    session = OAuth2Session(
        client.client_id,
        client.client_secret,
        scope=provider.scope_separator.join(provider.scopes) or None,
        redirect_uri=redirect_uri,
        code_challenge_method="S256" if provider.pkce else None,
        token_endpoint_auth_method=client.auth_method(provider),
    )
    if provider.exchange_grant:
        session.register_compliance_hook("access_token_response", meta_token_answer)
    return session


def meta_token_answer(answer: Any) -> Any:
    """Authlib compliance hook: Meta's code exchange answers in its own shapes. Instagram's
    Business Login wraps the token in ``{"data": [{access_token, user_id, permissions}]}``;
    errors come as Graph's ``{"error": {message, type, code}}`` or the older
    ``{error_type, code, error_message}``; no ``token_type`` is given. Rewritten to RFC 6749's
    shape so Authlib reads it (and raises its error with Meta's words)."""
    import json

    from soulpost.accounts.refresh import meta_error

    try:
        body = answer.json()
    except ValueError:
        return answer
    if not isinstance(body, dict):
        return answer
    data = body.get("data")
    if isinstance(data, list) and data and isinstance(data[0], dict):
        body = dict(data[0])
    if answer.status_code != 200 or "access_token" not in body:
        said = meta_error(body, []) or f"HTTP {answer.status_code}"
        error = body.get("error")
        kind = error.get("type") if isinstance(error, dict) else body.get("error_type")
        body = {"error": str(kind or "error"), "error_description": said}
    else:
        body.setdefault("token_type", "bearer")
    answer._content = json.dumps(body).encode()
    return answer


def meta_long_lived(provider: Provider, client: Client, short: dict[str, Any]) -> dict[str, Any]:
    """Exchange Meta's short-lived (1 hour) token for a long-lived (60 days) one:
    ``GET exchange_url?grant_type=th_exchange_token|ig_exchange_token&client_secret=...
    &access_token=...`` answers ``{access_token, token_type, expires_in}``."""
    long = _graph_get(
        provider,
        provider.exchange_url,
        {
            "grant_type": provider.exchange_grant,
            "client_secret": client.client_secret or "",
            "access_token": str(short.get("access_token") or ""),
        },
        "exchange the short-lived token for a long-lived one",
    )
    if not long.get("access_token"):
        raise LoginError(f"{provider.title}: the long-lived token answer had no access token")
    return {**long, "user_id": short.get("user_id")}


def _wait_for_redirect(
    server: _LoopbackServer | None, redirect_uri: str, url: str, prompt: Prompt, *, headless: bool
) -> str:
    print("Open this URL in a browser and allow soulpost:", file=prompt.out)
    print(url, file=prompt.out, flush=True)
    if headless or server is None:
        print(
            "Then paste the whole address the browser was sent to (it starts with "
            f"{redirect_uri}), or just the code:",
            file=prompt.out,
            flush=True,
        )
        return prompt.read_line().strip()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        if prompt.open_browser is not None and not prompt.open_browser(url):
            print(
                "(no browser could be opened here: open the URL by hand, or run again with "
                "--headless)",
                file=prompt.out,
            )
        print(f"Waiting for the redirect to {server.redirect_uri} ...", file=prompt.out, flush=True)
        if not server.done.wait(prompt.wait_seconds):
            raise LoginError(
                f"no redirect arrived within {prompt.wait_seconds:g} s; run again, or use "
                "--headless and paste the address back"
            )
    finally:
        server.shutdown()
        thread.join()
    return server.answer or ""


def _as_redirect(answer: str, redirect_uri: str, state: str) -> str:
    """A pasted bare code becomes a redirect URL (the person copied it from the page)."""
    answer = answer.split("#", 1)[0]  # Meta appends "#_", which is not part of the code
    if not answer:
        raise LoginError("nothing was pasted: run `soulpost login` again")
    if "://" in answer or answer.startswith("?"):
        query = urlsplit(answer).query if "://" in answer else answer[1:]
        return f"{redirect_uri}?{query}"
    return f"{redirect_uri}?{urlencode({'code': answer, 'state': state})}"


def _token_call(provider: Provider, call: Callable[[], Any]) -> dict[str, Any]:
    """Run one token request; LoginError with the platform's words on failure."""
    import requests
    from authlib.common.errors import AuthlibBaseError

    try:
        token = call()
    except AuthlibBaseError as exc:
        said = exc.error + (f": {exc.description}" if exc.description else "")
        raise LoginError(f"{provider.title} refused the token request ({said})") from None
    except requests.RequestException as exc:
        raise LoginError(
            f"{provider.title}: the token request failed ({type(exc).__name__}); check the "
            "network and [platforms.NAME.login] token_url"
        ) from None
    except ValueError as exc:
        raise LoginError(f"{provider.title}: unexpected token answer ({exc})") from None
    return dict(token)


def record_from_token(
    token: dict[str, Any], *, platform: str, account: str, provider: Provider, client: Client
) -> Record:
    """The store record of a fresh token response."""
    now = time.time()
    expires_at = token.get("expires_at")
    if expires_at is None and token.get("expires_in") is not None:
        expires_at = now + float(token["expires_in"])
    return Record(
        platform=platform,
        account=account,
        provider=provider.name,
        access_token=str(token.get("access_token") or ""),
        refresh_token=token.get("refresh_token"),
        expires_at=float(expires_at) if expires_at is not None else None,
        token_url=provider.token_url,
        client_id=client.client_id,
        client_secret=client.client_secret,
        token_auth=client.auth_method(provider),
        scope=token.get("scope"),
        obtained_at=now,
    )


def register_mastodon_app(provider: Provider, redirect_uri: str) -> Client:
    """``POST /api/v1/apps`` on the instance: a client id and secret of soulpost's own."""
    import requests

    url = provider.base_url + provider.register_path
    try:
        answer = requests.post(
            url,
            data={
                "client_name": "soulpost",
                "redirect_uris": redirect_uri,
                "scopes": " ".join(provider.scopes),
                "website": "https://pypi.org/project/soulpost/",
            },
            timeout=TIMEOUT,
        )
    except requests.RequestException as exc:
        raise LoginError(
            f"Mastodon: cannot reach {provider.base_url} to register soulpost "
            f"({type(exc).__name__}); check options.base_url"
        ) from None
    body: Any = (
        answer.json()
        if answer.headers.get("content-type", "").startswith("application/json")
        else {}
    )
    if answer.status_code != 200 or not isinstance(body, dict) or "client_id" not in body:
        said = body.get("error") if isinstance(body, dict) else None
        raise LoginError(
            f"Mastodon at {provider.base_url} refused to register soulpost "
            f"(HTTP {answer.status_code}{': ' + str(said) if said else ''})"
        )
    return Client(str(body["client_id"]), str(body.get("client_secret") or "") or None)


def bluesky_session(pds: str, handle: str, password: str) -> dict[str, Any]:
    """``createSession`` on the PDS: proves the app password before it is stored."""
    import requests

    url = f"{pds}/xrpc/com.atproto.server.createSession"
    try:
        answer = requests.post(
            url, json={"identifier": handle, "password": password}, timeout=TIMEOUT
        )
    except requests.RequestException as exc:
        raise LoginError(
            f"Bluesky: cannot reach the PDS {pds} ({type(exc).__name__}); check options.base_url"
        ) from None
    try:
        body = answer.json()
    except ValueError:
        body = {}
    if answer.status_code != 200 or not isinstance(body, dict) or "did" not in body:
        said = body.get("message") or body.get("error") if isinstance(body, dict) else None
        raise LoginError(
            f"Bluesky at {pds} refused the app password for {handle} "
            f"(HTTP {answer.status_code}{': ' + str(said) if said else ''}); create an app "
            "password under Settings > Privacy and security > App passwords"
        )
    return body


def facebook_page(
    provider: Provider, client: Client, user_token: str, page_id: str | None
) -> dict[str, str]:
    """The Page the adapter posts as: ``{id, name, access_token, lasting}``.

    Facebook Login gives a short-lived *user* token. Exchanged for a long-lived one
    (``fb_exchange_token``, needs the app secret), the Page tokens ``/me/accounts`` returns
    for it do not expire; without the secret they last about as long as the user token.
    """
    graph = provider.token_url.rsplit("/oauth/", 1)[0]
    token, lasting = user_token, False
    if client.client_secret:
        long = _graph_get(
            provider,
            f"{graph}/oauth/access_token",
            {
                "grant_type": "fb_exchange_token",
                "client_id": client.client_id,
                "client_secret": client.client_secret,
                "fb_exchange_token": user_token,
            },
            "exchange the user token for a long-lived one",
        )
        token, lasting = str(long.get("access_token") or token), "access_token" in long
    pages = _graph_get(
        provider,
        f"{graph}/me/accounts",
        {"fields": "id,name,access_token", "access_token": token},
        "list your Pages",
    ).get("data")
    pages = [p for p in pages or [] if isinstance(p, dict) and p.get("access_token")]
    chosen = [p for p in pages if str(p.get("id")) == page_id] if page_id else pages
    if len(chosen) != 1:
        names = ", ".join(f"{p.get('id')} ({p.get('name')})" for p in pages) or "none"
        wanted = f"Page {page_id} is not" if page_id else "several Pages are"
        raise LoginError(
            f"Facebook: {wanted} among the Pages this login may manage: {names}; set "
            "options.page_id under [platforms.facebook] to one of them"
            if pages
            else "Facebook: this login manages no Page (grant pages_show_list and "
            "pages_manage_posts for the Page)"
        )
    page = chosen[0]
    return {
        "id": str(page.get("id")),
        "name": str(page.get("name") or ""),
        "access_token": str(page["access_token"]),
        "lasting": "yes" if lasting else "",
    }


def _graph_get(provider: Provider, url: str, params: dict[str, str], what: str) -> dict[str, Any]:
    import requests

    try:
        answer = requests.get(url, params=params, timeout=TIMEOUT)
        body = answer.json()
    except (requests.RequestException, ValueError) as exc:
        raise LoginError(f"{provider.title}: could not {what} ({type(exc).__name__})") from None
    if answer.status_code != 200 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        said = error.get("message") if isinstance(error, dict) else None
        raise LoginError(
            f"{provider.title}: could not {what} (HTTP {answer.status_code}"
            f"{': ' + str(said) if said else ''})"
        )
    return body
