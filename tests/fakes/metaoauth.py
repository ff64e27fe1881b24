"""Fake Meta login servers for Threads and Instagram (Instagram API with Instagram Login).

Built from Meta's documented requests and answers (docs/adapters.md, "Threads and Instagram
login", has the sources):

* ``GET /oauth/authorize?client_id&redirect_uri&scope&response_type=code&state``: approves
  at once, as a browser would after the person clicked "allow", and redirects to
  ``redirect_uri?code=...&state=...#_`` (Meta appends ``#_``, which is not part of the code).
  The redirect URI must be one the app registered, exactly; ``http://127.0.0.1/callback``
  registered also admits any loopback port (RFC 8252; real apps register a fixed port).
* ``POST /oauth/access_token`` (form: client_id, client_secret, code, grant_type,
  redirect_uri): a short-lived (1 hour) token. Threads answers ``{access_token, user_id}``;
  Instagram's Business Login ``{"data": [{access_token, user_id, permissions}]}``. A code is
  good once, for an hour.
* ``GET /access_token?grant_type=th_exchange_token|ig_exchange_token&client_secret&
  access_token``: a long-lived token, ``{access_token, token_type, expires_in}`` (60 days).
* ``GET /refresh_access_token?grant_type=th_refresh_token|ig_refresh_token&access_token``:
  a long-lived token at least 24 hours old and not expired gets a fresh 60 days.

Errors are Graph errors (``{"error": {message, type, code, fbtrace_id}}``, HTTP 400), code
190 for a bad token; Instagram's code exchange answers in its older shape
``{error_type, code, error_message}``. The exact wording Meta uses for a token refreshed too
young is not documented; the fake's is its own.

The fake keeps time by ``clock`` (epoch seconds), so a test moves it with the CLI's
``SOULPOST_NOW``. ``hold_refresh``/``release``/``refresh_arrived`` hold a refresh at the
server (two processes at once); ``revoke_all()`` is the person removing the app.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from tests.fakes.server import FakeServer, Request, Response

SHORT = 3600
LONG = 60 * 86400
DAY = 86400


@dataclass
class Issued:
    token: str
    long: bool
    issued: float
    expires: float
    revoked: bool = False


@dataclass
class App:
    client_id: str
    secret: str
    redirect_uris: list[str]


class MetaOAuthFake(FakeServer):
    """``MetaOAuthFake("threads")`` or ``MetaOAuthFake("instagram")``."""

    def __init__(self, kind: str, *, user_id: str = "17841400000000001") -> None:
        super().__init__()
        self.kind = kind
        self.prefix = "th" if kind == "threads" else "ig"
        self.basic_scope = "threads_basic" if kind == "threads" else "instagram_business_basic"
        self.user_id = user_id
        self.clock: Callable[[], float] = time.time
        self.apps: dict[str, App] = {}
        self.codes: dict[str, tuple[str, str, float, str]] = {}
        self.tokens: dict[str, Issued] = {}
        self.refresh_requests = 0
        self.hold_refresh = False
        self.release = threading.Event()
        self.refresh_arrived = threading.Event()
        self.route("GET", r"/oauth/authorize", self._authorize)
        self.route("POST", r"/oauth/access_token", self._code)
        self.route("GET", r"/access_token", self._exchange)
        self.route("GET", r"/refresh_access_token", self._refresh)

    # --- control ------------------------------------------------------------------------

    def add_app(self, client_id: str, secret: str, *redirect_uris: str) -> None:
        uris = list(redirect_uris) or ["http://127.0.0.1/callback"]
        self.apps[client_id] = App(client_id, secret, uris)

    def revoke_all(self) -> None:
        for issued in self.tokens.values():
            issued.revoked = True

    def valid_access_tokens(self) -> set[str]:
        now = self.clock()
        return {t for t, i in self.tokens.items() if not i.revoked and i.expires > now}

    def stop(self) -> None:
        self.release.set()
        super().stop()

    # --- answers ------------------------------------------------------------------------

    @staticmethod
    def graph_error(message: str, code: int = 190, kind: str = "OAuthException") -> Response:
        return Response.json(
            400,
            {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": "Afake"}},
        )

    def _issue(self, long: bool) -> Issued:
        now = self.clock()
        token = ("TH" if self.kind == "threads" else "IG") + secrets.token_urlsafe(24)
        issued = Issued(token, long, now, now + (LONG if long else SHORT))
        self.tokens[token] = issued
        return issued

    def _allowed(self, app: App, uri: str) -> bool:
        if uri in app.redirect_uris:
            return True
        loopback = re.fullmatch(r"http://127\.0\.0\.1:\d+/callback", uri)
        return bool(loopback) and "http://127.0.0.1/callback" in app.redirect_uris

    def _authorize(self, request: Request, match: re.Match[str]) -> Response:
        q = {k: v[0] for k, v in request.query.items()}
        app = self.apps.get(q.get("client_id", ""))
        uri = q.get("redirect_uri", "")
        if app is None or not self._allowed(app, uri):
            return Response.text(400, "Invalid redirect_uri or app id")
        scopes = re.split(r"[,\s]+", q.get("scope", ""))
        if q.get("response_type") != "code" or self.basic_scope not in scopes:
            return Response.text(400, f"response_type=code and {self.basic_scope} are required")
        code = secrets.token_urlsafe(32)
        self.codes[code] = (app.client_id, uri, self.clock(), q.get("scope", ""))
        answer = {"code": code, **({"state": q["state"]} if "state" in q else {})}
        return Response(302, b"", {"Location": f"{uri}?{urlencode(answer)}#_"})

    def _code_error(self, message: str) -> Response:
        if self.kind == "instagram":
            return Response.json(
                400, {"error_type": "OAuthException", "code": 400, "error_message": message}
            )
        return self.graph_error(message, 100)

    def _code(self, request: Request, match: re.Match[str]) -> Response:
        form = dict(request.form or ())
        app = self.apps.get(form.get("client_id", ""))
        if app is None or not secrets.compare_digest(form.get("client_secret", ""), app.secret):
            return self._code_error("Invalid client_id or client_secret")
        if form.get("grant_type") != "authorization_code":
            return self._code_error("Invalid grant_type")
        code = self.codes.pop(form.get("code", ""), None)
        if code is None or code[0] != app.client_id or self.clock() - code[2] > SHORT:
            return self._code_error("Invalid authorization code")
        if form.get("redirect_uri") != code[1]:
            return self._code_error("Error validating verification code redirect_uri")
        issued = self._issue(long=False)
        if self.kind == "instagram":
            row = {"access_token": issued.token, "user_id": self.user_id, "permissions": code[3]}
            return Response.json(200, {"data": [row]})
        return Response.json(200, {"access_token": issued.token, "user_id": int(self.user_id)})

    def _query(self, request: Request) -> dict[str, str]:
        return {k: v[0] for k, v in request.query.items()}

    def _exchange(self, request: Request, match: re.Match[str]) -> Response:
        q = self._query(request)
        if q.get("grant_type") != f"{self.prefix}_exchange_token":
            return self.graph_error("Unsupported grant_type", 100)
        if not any(
            secrets.compare_digest(q.get("client_secret", ""), a.secret) for a in self.apps.values()
        ):
            return self.graph_error("Error validating client secret.", 1)
        short = self.tokens.get(q.get("access_token", ""))
        if short is None or short.long or short.revoked or short.expires <= self.clock():
            return self.graph_error("Error validating access token: Session has expired.")
        issued = self._issue(long=True)
        return Response.json(
            200, {"access_token": issued.token, "token_type": "bearer", "expires_in": LONG - 56}
        )

    def _refresh(self, request: Request, match: re.Match[str]) -> Response:
        q = self._query(request)
        with self.locked():
            self.refresh_requests += 1
        self.refresh_arrived.set()
        if self.hold_refresh:
            self.release.wait(30)
        if q.get("grant_type") != f"{self.prefix}_refresh_token":
            return self.graph_error("Unsupported grant_type", 100)
        old = self.tokens.get(q.get("access_token", ""))
        now = self.clock()
        if old is None or not old.long or old.revoked:
            return self.graph_error(
                "Error validating access token: The session has been invalidated because "
                "the user changed their password or Facebook has changed the session for "
                "security reasons."
            )
        if old.expires <= now:
            return self.graph_error("Error validating access token: Session has expired.")
        if now - old.issued < DAY:
            return self.graph_error("The access token is too new to be refreshed.", 100)
        issued = self._issue(long=True)
        return Response.json(
            200, {"access_token": issued.token, "token_type": "bearer", "expires_in": LONG}
        )
