"""A fake Mastodon: statuses, media (sync and async), Idempotency-Key replay, rate limits.

Shapes follow ``shared/platforms.md`` §1 and the recorded Mastodon.py cassettes: Status
entities with string ids, ``{"error": ...}`` bodies (401 "The access token is invalid", 422
"Validation failed: Text can't be blank", 404 "Not Found"), and ``X-RateLimit-Limit/
Remaining/Reset`` on every answer with an ISO-8601 Reset (microseconds, ``Z``). When the
allowance is used up the answer is 429 ``{"error": "Too many requests"}`` with Remaining 0
and **no** Retry-After, as in Mastodon's rack-attack configuration.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import regex

from tests.fakes.server import FakeServer, Request, Response

_URL = re.compile(r"https?://\S+")
_REMOTE_MENTION = re.compile(r"(@\w+)@[\w.-]+\w")
_GRAPHEME = regex.compile(r"\X")


class MastodonFake(FakeServer):
    """``fake.token`` is the valid access token; ``fake.statuses`` holds what was posted."""

    name = "mastodon"

    def __init__(
        self,
        *,
        token: str = "test-token",
        max_characters: int = 500,
        rate_limit: int = 300,
        media_polls: int = 1,
        now: datetime | None = None,
    ) -> None:
        super().__init__()
        self.token = token
        self.max_characters = max_characters
        self.rate_limit = rate_limit
        self.remaining = rate_limit
        self.media_polls = media_polls  # 206 answers before an async upload is ready
        self.now = now or datetime(2026, 12, 1, 8, 0, 0, 627625, tzinfo=UTC)
        self.statuses: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[str, str] = {}
        self._polls: dict[str, int] = {}
        self._ids = itertools.count(117020585924712638, 7919)
        self.route("POST", r"/api/v1/statuses", self._post_status)
        self.route("GET", r"/api/v1/statuses/(?P<id>[^/]+)", self._get_status)
        self.route("DELETE", r"/api/v1/statuses/(?P<id>[^/]+)", self._delete_status)
        self.route("POST", r"/api/v2/media", self._post_media)
        self.route("GET", r"/api/v1/media/(?P<id>[^/]+)", self._get_media)
        self.route("GET", r"/api/v2/instance/?", self._instance)
        self.route("GET", r"/api/v1/accounts/verify_credentials", self._me)

    # --- cross-cutting ---------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        public = request.path.startswith("/api/v2/instance")
        if not public and request.bearer != self.token:
            return Response.json(401, {"error": "The access token is invalid"})
        if self.remaining <= 0:
            return Response.json(429, {"error": "Too many requests"})
        self.remaining -= 1
        return super().dispatch(request)

    def decorate(self, request: Request, response: Response) -> Response:
        reset = (self.now + timedelta(minutes=5)).replace(second=0)
        response.headers.setdefault("X-RateLimit-Limit", str(self.rate_limit))
        response.headers.setdefault("X-RateLimit-Remaining", str(max(self.remaining, 0)))
        response.headers.setdefault("X-RateLimit-Reset", reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        response.headers.setdefault("X-Request-Id", f"fake-{len(self.requests)}")
        return response

    def not_found(self, request: Request, path_exists: bool) -> Response:
        return Response.json(404, {"error": "Not Found"})

    # --- statuses -------------------------------------------------------------------------

    def _params(self, request: Request) -> dict[str, Any]:
        if isinstance(request.json, dict):
            params = dict(request.json)
            params["media_ids"] = [str(m) for m in params.get("media_ids") or []]
            return params
        params = {k: v for k, v in request.form or () if not k.endswith("[]")}
        params["media_ids"] = request.fields("media_ids[]")
        if request.parts is not None:
            params.update({p.name: p.text for p in request.parts if p.filename is None})
        return params

    def countable_length(self, text: str, spoiler: str = "") -> int:
        """Mastodon's count: each URL is 23, ``@user@domain`` counts as ``@user``."""
        text = _URL.sub("x" * 23, text)
        text = _REMOTE_MENTION.sub(r"\1", text)
        return len(_GRAPHEME.findall(spoiler + text))

    def _post_status(self, request: Request, _: re.Match[str]) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key and key in self.idempotency:
            return Response.json(200, self.statuses[self.idempotency[key]])
        params = self._params(request)
        text = str(params.get("status") or "")
        media_ids = params["media_ids"]
        if not text.strip() and not media_ids:
            return Response.json(422, {"error": "Validation failed: Text can't be blank"})
        if self.countable_length(text, str(params.get("spoiler_text") or "")) > self.max_characters:
            return Response.json(
                422,
                {
                    "error": f"Validation failed: Text character limit of {self.max_characters} exceeded"
                },
            )
        for media_id in media_ids:
            media = self.media.get(media_id)
            if media is None:
                return Response.json(
                    422, {"error": "Validation failed: Media attachments are invalid"}
                )
            if media["url"] is None:
                return Response.json(
                    422,
                    {
                        "error": "Cannot attach files that have not finished processing. Try again in a moment!"
                    },
                )
        reply_to = params.get("in_reply_to_id")
        if reply_to is not None and str(reply_to) not in self.statuses:
            return Response.json(404, {"error": "Record not found"})
        status_id = str(next(self._ids))
        status = {
            "id": status_id,
            "created_at": self.now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "in_reply_to_id": str(reply_to) if reply_to is not None else None,
            "in_reply_to_account_id": "117020565966271181" if reply_to is not None else None,
            "sensitive": _truthy(params.get("sensitive")) or bool(params.get("spoiler_text")),
            "spoiler_text": str(params.get("spoiler_text") or ""),
            "visibility": str(params.get("visibility") or "public"),
            "language": params.get("language") or "en",
            "uri": f"{self.url}/users/soulpost/statuses/{status_id}",
            "url": f"{self.url}/@soulpost/{status_id}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "edited_at": None,
            "content": f"<p>{_html(text)}</p>",
            "reblog": None,
            "account": self._account(),
            "media_attachments": [self.media[m] for m in media_ids],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        self.statuses[status_id] = status
        if key:
            self.idempotency[key] = status_id
        return Response.json(200, status)

    def _get_status(self, request: Request, match: re.Match[str]) -> Response:
        status = self.statuses.get(match["id"])
        return Response.json(200, status) if status else Response.json(404, {"error": "Not Found"})

    def _delete_status(self, request: Request, match: re.Match[str]) -> Response:
        status = self.statuses.pop(match["id"], None)
        return Response.json(200, status) if status else Response.json(404, {"error": "Not Found"})

    # --- media ----------------------------------------------------------------------------

    def _post_media(self, request: Request, _: re.Match[str]) -> Response:
        upload = request.file("file")
        if upload is None or upload.filename is None:
            return Response.json(422, {"error": "Validation failed: File can't be blank"})
        media_id = str(next(self._ids))
        kind = (upload.content_type or "").split("/")[0]
        processing = kind in ("video", "audio") or upload.content_type == "image/gif"
        url = f"{self.url}/system/media_attachments/files/{media_id}/original/upload"
        media = {
            "id": media_id,
            "type": "image" if kind == "image" and not processing else (kind or "unknown"),
            "url": None if processing else url,
            "preview_url": f"{self.url}/system/media_attachments/files/{media_id}/small/upload",
            "remote_url": None,
            "text_url": None,
            "meta": {"focus": _focus(request.field("focus"))} if request.field("focus") else {},
            "description": request.field("description"),
            "blurhash": None,
        }
        self.media[media_id] = media
        if processing:
            self._polls[media_id] = self.media_polls
            return Response.json(202, media)
        return Response.json(200, media)

    def _get_media(self, request: Request, match: re.Match[str]) -> Response:
        media = self.media.get(match["id"])
        if media is None:
            return Response.json(404, {"error": "Record not found"})
        if media["url"] is None:
            left = self._polls.get(match["id"], 0)
            if left > 0:
                self._polls[match["id"]] = left - 1
                return Response.json(206, media)
            media["url"] = (
                f"{self.url}/system/media_attachments/files/{media['id']}/original/upload"
            )
            media["type"] = "video" if media["type"] != "audio" else "audio"
        return Response.json(200, media)

    # --- account and instance -------------------------------------------------------------

    def _account(self) -> dict[str, Any]:
        return {
            "id": "117020565966271181",
            "username": "soulpost",
            "acct": "soulpost",
            "display_name": "soulpost test",
            "url": f"{self.url}/@soulpost",
        }

    def _me(self, request: Request, _: re.Match[str]) -> Response:
        return Response.json(200, self._account())

    def _instance(self, request: Request, _: re.Match[str]) -> Response:
        return Response.json(
            200,
            {
                "domain": "127.0.0.1",
                "title": "soulpost fake Mastodon",
                "version": "4.5.0",
                "configuration": {
                    "statuses": {
                        "max_characters": self.max_characters,
                        "max_media_attachments": 4,
                        "characters_reserved_per_url": 23,
                    },
                    "media_attachments": {
                        "supported_mime_types": [
                            "image/jpeg",
                            "image/png",
                            "image/gif",
                            "video/mp4",
                        ],
                        "description_limit": 1500,
                        "image_size_limit": 16777216,
                    },
                },
            },
        )


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _focus(value: str | None) -> dict[str, float]:
    x, _, y = (value or "0,0").partition(",")
    return {"x": float(x), "y": float(y or 0)}
