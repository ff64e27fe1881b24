"""A real OAuth 2.0 authorization server on 127.0.0.1, built from Authlib's server grants.

Authlib's Flask ``AuthorizationServer`` with its ``AuthorizationCodeGrant``, PKCE
(``CodeChallenge(required=True)``: the S256 check is Authlib's, not ours) and
``RefreshTokenGrant`` with rotation (a used refresh token is revoked). Everything is kept in
memory. It auto-approves: ``GET /authorize`` redirects straight to the client's
``redirect_uri`` with a code, as a browser would after the person clicked "allow".

Extras for the tests:

* ``/api/v1/apps`` registers a client as Mastodon does (``/oauth/authorize`` and
  ``/oauth/token`` are the same endpoints under Mastodon's paths);
* ``/xrpc/com.atproto.server.createSession`` accepts one Bluesky handle/app password;
* ``refresh_requests`` counts refresh grants that reached the token endpoint;
* ``hold_refresh`` makes a refresh wait for ``release`` (two processes at once);
* ``revoke_all()`` revokes every refresh token, as a person revoking the app would.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, jsonify, request
from werkzeug.serving import make_server


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    scope: str
    #: Registered through /api/v1/apps: tokens as Mastodon gives them (no expiry, no refresh).
    mastodon: bool = False

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # RFC 8252 section 7.3: a loopback redirect may use any port.
        if redirect_uri.startswith("http://127.0.0.1:") and any(
            u == "http://127.0.0.1/callback" for u in self.redirect_uris
        ):
            return redirect_uri.endswith("/callback")
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(self.client_secret) and secrets.compare_digest(
            client_secret, self.client_secret
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if endpoint != "token":
            return True
        return method == ("none" if not self.client_secret else method)

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class Token:
    client_id: str
    access_token: str
    refresh_token: str | None
    scope: str
    expires_in: int
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return False

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> str:
        return "alice"

    def get_client(self) -> Any:
        return None


class OAuthServer:
    """The server; ``with OAuthServer() as server: server.url``."""

    def __init__(self, *, expires_in: int = 7200) -> None:
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: list[Token] = []
        self.refresh_requests = 0
        self.token_requests: list[dict[str, str]] = []
        self.hold_refresh = False
        self.release = threading.Event()
        self.refresh_arrived = threading.Event()
        self.bluesky: dict[str, str] = {}
        #: Facebook: long-lived user tokens issued, and the Pages /me/accounts lists.
        self.long_lived: set[str] = set()
        self.pages: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.app = self._build(expires_in)
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- control ------------------------------------------------------------------------

    def add_client(self, client_id: str, secret: str = "", scope: str = "") -> Client:
        client = Client(client_id, secret, ["http://127.0.0.1/callback"], scope)
        self.clients[client_id] = client
        return client

    def revoke_all(self) -> None:
        for token in self.tokens:
            token.revoked = True

    def valid_access_tokens(self) -> set[str]:
        return {t.access_token for t in self.tokens if not t.revoked}

    def __enter__(self) -> OAuthServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._thread.join()

    # --- the app --------------------------------------------------------------------------

    def _build(self, expires_in: int) -> Flask:
        os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain HTTP on loopback
        app = Flask("oauthserver")
        app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True
        app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {
            "authorization_code": expires_in,
            "refresh_token": expires_in,
        }
        outer = self

        def save_token(token: dict[str, Any], req: Any) -> None:
            outer.tokens.append(
                Token(
                    req.client.client_id,
                    token["access_token"],
                    token.get("refresh_token"),
                    token.get("scope", ""),
                    int(token.get("expires_in", expires_in)),
                )
            )

        server = AuthorizationServer(app, query_client=outer.clients.get, save_token=save_token)
        server.register_grant(_code_grant(self), [CodeChallenge(required=True)])
        server.register_grant(_refresh_grant(self))
        self._routes(app, server)
        return app

    def _routes(self, app: Flask, server: AuthorizationServer) -> None:
        outer = self

        @app.get("/authorize")
        @app.get("/oauth/authorize")
        def authorize() -> Any:
            grant = server.get_consent_grant(end_user="alice")
            return server.create_authorization_response(grant=grant, grant_user="alice")

        @app.post("/token")
        @app.post("/oauth/token")
        @app.post("/graph/oauth/access_token")
        def token() -> Any:
            form = request.form.to_dict()
            with outer.lock:
                outer.token_requests.append(form)
            if form.get("grant_type") == "refresh_token":
                with outer.lock:
                    outer.refresh_requests += 1
                outer.refresh_arrived.set()
                if outer.hold_refresh:
                    outer.release.wait(30)
            answer = server.create_token_response()
            client = outer.clients.get(form.get("client_id", ""))
            if client is not None and client.mastodon and answer.status_code == 200:
                body = answer.get_json()
                for name in ("expires_in", "refresh_token"):
                    body.pop(name, None)
                body["created_at"] = int(time.time())
                answer.set_data(json.dumps(body))
            return answer

        @app.get("/graph/oauth/access_token")
        def fb_exchange() -> Any:
            args = request.args
            client = outer.clients.get(args.get("client_id", ""))
            if (
                client is None
                or not client.check_client_secret(args.get("client_secret", ""))
                or args.get("fb_exchange_token") not in outer.valid_access_tokens()
            ):
                return jsonify(error={"message": "Invalid OAuth access token", "code": 190}), 400
            long = "long-" + secrets.token_urlsafe(16)
            outer.long_lived.add(long)
            return jsonify(access_token=long, token_type="bearer")

        @app.get("/graph/me/accounts")
        def pages() -> Any:
            if request.args.get("access_token") not in outer.long_lived:
                return jsonify(error={"message": "Invalid OAuth access token", "code": 190}), 400
            return jsonify(data=[dict(page) for page in outer.pages])

        @app.post("/api/v1/apps")
        def register() -> Any:
            client_id = secrets.token_urlsafe(12)
            client = Client(
                client_id,
                secrets.token_urlsafe(24),
                request.form["redirect_uris"].split(),
                request.form.get("scopes", "read"),
                mastodon=True,
            )
            outer.clients[client_id] = client
            return jsonify(
                id="1",
                name=request.form.get("client_name"),
                redirect_uri=request.form["redirect_uris"],
                client_id=client_id,
                client_secret=client.client_secret,
            )

        @app.post("/xrpc/com.atproto.server.createSession")
        def create_session() -> Any:
            body = request.get_json(force=True)
            if outer.bluesky.get(body.get("identifier")) != body.get("password"):
                return jsonify(error="AuthenticationRequired", message="Invalid password"), 401
            return jsonify(
                did="did:plc:alice", handle=body["identifier"], accessJwt="a", refreshJwt="r"
            )


def _code_grant(outer: OAuthServer) -> type[grants.AuthorizationCodeGrant]:
    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ]

        def save_authorization_code(self, code: str, req: Any) -> None:
            outer.codes[code] = Code(
                code,
                req.client.client_id,
                req.payload.redirect_uri,
                req.scope or "",
                req.payload.data.get("code_challenge"),
                req.payload.data.get("code_challenge_method"),
            )

        def query_authorization_code(self, code: str, client: Client) -> Code | None:
            item = outer.codes.get(code)
            return item if item and item.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code: Code) -> None:
            outer.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: Code) -> str:
            return "alice"

    return CodeGrant


def _refresh_grant(outer: OAuthServer) -> type[grants.RefreshTokenGrant]:
    class RefreshGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ]
        INCLUDE_NEW_REFRESH_TOKEN = True  # rotation: each refresh token is good once

        def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
            for token in outer.tokens:
                if token.refresh_token == refresh_token and not token.revoked:
                    return token
            return None

        def authenticate_user(self, refresh_token: Token) -> str:
            return "alice"

        def revoke_old_credential(self, refresh_token: Token) -> None:
            refresh_token.revoked = True

    return RefreshGrant
