"""A scriptable Bluesky XRPC server on 127.0.0.1 for adapter tests.

The real PDS (tests/pds.py) proves the happy paths against the official server; this fake
adds what the PDS will not do on demand: expired tokens, 429 with Retry-After, 5xx and
dropped answers. Records are checked against the lexicons as the PDS would.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from datetime import UTC, datetime
from typing import Any

from soulpost.publish.wire import bluesky as bsky
from tests.fakes.lexicon import Lexicons
from tests.fakes.server import FakeServer, Request, Response

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
DID = "did:plc:alice0000000000000000000"
HANDLE = "alice.test"
PASSWORD = "app-pass-1234-abcd"
ENV = {"SP_BSKY_HANDLE": HANDLE, "SP_BSKY_PASSWORD": PASSWORD}
LEX = Lexicons()


def xrpc_error(status: int, name: str, message: str = "") -> Response:
    return Response.json(status, {"error": name, "message": message})


class BlueskyFake(FakeServer):
    """Sessions, handle resolution, blobs and post records for one account."""

    name = "bluesky"

    def __init__(self) -> None:
        super().__init__()
        self.handles = {HANDLE: DID, "bob.test": "did:plc:bob00000000000000000000"}
        self.records: dict[str, dict[str, Any]] = {}  # rkey -> {"uri","cid","value"}
        self.blobs: dict[str, bytes] = {}
        self.access: set[str] = set()
        self.expired: set[str] = set()
        self.refresh: set[str] = set()
        self.sessions = 0
        self.resolve_any = False  # resolve every handle X to did:fake:X (as upstream tests do)
        self.lexicon_problems: list[str] = []
        self._n = itertools.count(1)
        self.route("POST", r"/xrpc/com\.atproto\.server\.createSession", self._create_session)
        self.route("POST", r"/xrpc/com\.atproto\.server\.refreshSession", self._refresh)
        self.route("GET", r"/xrpc/com\.atproto\.identity\.resolveHandle", self._resolve)
        self.route("POST", r"/xrpc/com\.atproto\.repo\.uploadBlob", self._upload)
        self.route("POST", r"/xrpc/com\.atproto\.repo\.createRecord", self._create)
        self.route("GET", r"/xrpc/com\.atproto\.repo\.getRecord", self._get)

    def not_found(self, request: Request, path_exists: bool) -> Response:
        return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")

    def expire_all(self) -> None:
        """Every access token issued so far has expired."""
        self.expired |= self.access
        self.access.clear()

    def _pair(self) -> dict[str, str]:
        n = next(self._n)
        access, refresh = f"access-jwt-{n}", f"refresh-jwt-{n}"
        self.access.add(access)
        self.refresh.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "did": DID, "handle": HANDLE}

    def _create_session(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json or {}
        if body.get("identifier") not in (HANDLE, DID) or body.get("password") != PASSWORD:
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        self.sessions += 1
        return Response.json(200, {**self._pair(), "active": True})

    def _refresh(self, request: Request, _: re.Match[str]) -> Response:
        if request.bearer not in self.refresh:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        self.refresh.discard(request.bearer)
        return Response.json(200, self._pair())

    def _authorised(self, request: Request) -> Response | None:
        token = request.bearer
        if token is None:
            return xrpc_error(401, "AuthMissing", "Authentication Required")
        if token in self.expired:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        if token not in self.access:
            return xrpc_error(400, "InvalidToken", "Malformed token")
        return None

    def _resolve(self, request: Request, _: re.Match[str]) -> Response:
        handle = (request.query.get("handle") or [""])[0]
        did = self.handles.get(handle) or (f"did:fake:{handle}" if self.resolve_any else None)
        if did is None:
            return xrpc_error(400, "InvalidRequest", "Unable to resolve handle")
        return Response.json(200, {"did": did})

    def _upload(self, request: Request, _: re.Match[str]) -> Response:
        refused = self._authorised(request)
        if refused:
            return refused
        link = "bafkrei" + hashlib.sha256(request.body).hexdigest()[:52]
        self.blobs[link] = request.body
        blob = {
            "$type": "blob",
            "ref": {"$link": link},
            "mimeType": request.headers.get("Content-Type", "application/octet-stream"),
            "size": len(request.body),
        }
        return Response.json(200, {"blob": blob})

    def _create(self, request: Request, _: re.Match[str]) -> Response:
        refused = self._authorised(request)
        if refused:
            return refused
        body = request.json or {}
        problems = LEX.validate("com.atproto.repo.createRecord", body)
        problems += LEX.validate("app.bsky.feed.post", body.get("record"))
        if problems:
            self.lexicon_problems += problems
            return xrpc_error(400, "InvalidRequest", "; ".join(problems))
        if body["repo"] != DID:
            return xrpc_error(403, "AccountNotFound", "Could not find repo")
        rkey = body.get("rkey") or bsky.tid_at(T0, next(self._n))
        if rkey in self.records:
            return xrpc_error(500, "InternalServerError", "Internal Server Error")
        uri = f"at://{DID}/{bsky.POST_COLLECTION}/{rkey}"
        cid = "bafyrei" + hashlib.sha256(json.dumps(body["record"]).encode()).hexdigest()[:52]
        self.records[rkey] = {"uri": uri, "cid": cid, "value": body["record"]}
        return Response.json(
            200,
            {
                "uri": uri,
                "cid": cid,
                "commit": {"cid": "bafyc", "rev": rkey},
                "validationStatus": "valid",
            },
        )

    def _get(self, request: Request, _: re.Match[str]) -> Response:
        rkey = (request.query.get("rkey") or [""])[0]
        repo = (request.query.get("repo") or [""])[0]
        found = self.records.get(rkey)
        if found is None or repo != DID:
            uri = f"at://{repo}/{bsky.POST_COLLECTION}/{rkey}"
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return Response.json(200, found)
