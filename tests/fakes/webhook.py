"""One fake for the three webhook flavours: soulpost's generic signed JSON, Discord, Slack.

- ``POST /hook``: the generic webhook. With ``secret`` set, the HMAC-SHA256 signature over
  ``"<timestamp>." + body`` is checked independently here (401 when wrong); a repeated
  ``Idempotency-Key`` is answered 200 without storing a second delivery.
- ``POST /api/webhooks/<id>/<token>``: Discord. ``?wait=true`` gives 200 with the message,
  otherwise 204; JSON or multipart (``payload_json`` + ``files[n]``); 400 ``{code, message}``
  for an empty or over-long message (50006 / 50035); 401 50027 for a wrong token.
- ``POST /services/<T>/<B>/<secret>``: Slack. 200 ``ok`` as plain text; 400 ``no_text`` /
  ``invalid_payload``; 403 ``invalid_token`` for a wrong secret.

Discord's 429 ``{"retry_after", "global"}`` is scripted with :meth:`WebhookFake.discord_429`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
from typing import Any

from tests.fakes.server import FakeServer, Request, Response


class WebhookFake(FakeServer):
    """``fake.deliveries`` (generic), ``fake.discord`` and ``fake.slack`` hold messages."""

    name = "webhook"

    def __init__(
        self,
        *,
        secret: str | None = "hook-secret",
        discord_token: str = "discord-token",
        slack_secret: str = "slack-secret",
    ) -> None:
        super().__init__()
        self.secret = secret
        self.discord_token = discord_token
        self.slack_secret = slack_secret
        self.deliveries: dict[str, dict[str, Any]] = {}
        self.discord: list[dict[str, Any]] = []
        self.slack: list[dict[str, Any]] = []
        self._ids = itertools.count(1180000000000000000, 7919)
        self.route("POST", r"/hook", self._generic)
        self.route("POST", r"/api/webhooks/(?P<id>\d+)/(?P<token>[^/]+)", self._discord)
        self.route("POST", r"/services/(?P<team>\w+)/(?P<bot>\w+)/(?P<secret>[^/]+)", self._slack)

    # --- generic --------------------------------------------------------------------------

    @property
    def hook_url(self) -> str:
        """The generic webhook's URL."""
        return f"{self.url}/hook"

    def _generic(self, request: Request, _: re.Match[str]) -> Response:
        if self.secret is not None:
            timestamp = request.headers.get("X-Soulpost-Timestamp", "")
            mac = hmac.new(
                self.secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
            )
            expected = "sha256=" + mac.hexdigest()
            if not hmac.compare_digest(expected, request.headers.get("X-Soulpost-Signature", "")):
                return Response.json(401, {"error": "bad signature"})
        if not isinstance(request.json, dict) or "text" not in request.json:
            return Response.json(400, {"error": "expected JSON with text"})
        key = request.headers.get("Idempotency-Key") or f"auto-{len(self.requests)}"
        replay = key in self.deliveries
        if not replay:
            self.deliveries[key] = request.json
        return Response.json(200, {"received": request.json.get("id"), "replay": replay})

    # --- Discord --------------------------------------------------------------------------

    def discord_url(self, webhook_id: str = "1234567890") -> str:
        """The Discord webhook URL (without ``wait``)."""
        return f"{self.url}/api/webhooks/{webhook_id}/{self.discord_token}"

    def discord_429(
        self, retry_after: float = 0.5, *, is_global: bool = False, times: int = 1
    ) -> None:
        """Script Discord's rate-limit answer for the next *times* Discord requests."""
        self.fail(
            429,
            {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": is_global,
            },
            headers={
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "1796083200.5",
                "X-RateLimit-Reset-After": str(retry_after),
                "X-RateLimit-Bucket": "fakebucket",
                "X-RateLimit-Scope": "shared" if not is_global else "global",
            },
            times=times,
            path=r"^/api/webhooks/",
        )

    def _discord(self, request: Request, match: re.Match[str]) -> Response:
        if match["token"] != self.discord_token:
            return Response.json(401, {"message": "Invalid Webhook Token", "code": 50027})
        payload: Any = request.json
        files = []
        if request.parts is not None:
            raw = request.field("payload_json")
            payload = json.loads(raw) if raw else {}
            files = [p for p in request.parts if p.filename is not None]
        if not isinstance(payload, dict):
            return Response.json(
                400, {"code": 50109, "message": "The request body contains invalid JSON."}
            )
        content = str(payload.get("content") or "")
        if not content and not files and not payload.get("embeds"):
            return Response.json(400, {"message": "Cannot send an empty message", "code": 50006})
        if len(content) > 2000:
            return Response.json(
                400,
                {
                    "message": "Invalid Form Body",
                    "code": 50035,
                    "errors": {
                        "content": {
                            "_errors": [
                                {
                                    "code": "BASE_TYPE_MAX_LENGTH",
                                    "message": "Must be 2000 or fewer in length.",
                                }
                            ]
                        }
                    },
                },
            )
        message = {
            "id": str(next(self._ids)),
            "type": 0,
            "content": content,
            "channel_id": "1100000000000000001",
            "webhook_id": match["id"],
            "attachments": [
                {"id": str(i), "filename": f.filename, "size": len(f.data)}
                for i, f in enumerate(files)
            ],
            "timestamp": "2026-12-01T08:00:00.000000+00:00",
        }
        self.discord.append({**message, "payload": payload, "files": files})
        if request.query.get("wait") == ["true"]:
            return Response.json(200, message)
        return Response(204)

    # --- Slack ----------------------------------------------------------------------------

    def slack_url(self) -> str:
        """The Slack incoming-webhook URL."""
        return f"{self.url}/services/T000FAKE/B000FAKE/{self.slack_secret}"

    def _slack(self, request: Request, match: re.Match[str]) -> Response:
        if match["secret"] != self.slack_secret:
            return Response.text(403, "invalid_token")
        if not isinstance(request.json, dict):
            return Response.text(400, "invalid_payload")
        if not request.json.get("text") and not request.json.get("blocks"):
            return Response.text(400, "no_text")
        self.slack.append(request.json)
        return Response.text(200, "ok")
