"""Facebook Pages (Graph API): feed and photo bodies, post ids and error codes.

Facts from ``shared/platforms.md`` §5. Errors are
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`` and the *code*
decides: 506 duplicate status (probably already published), 190 token problems, and
4/17/32/613/80001 throttling, which Facebook typically answers with HTTP 400/403 rather than
429, so the status code alone cannot be trusted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

MAX_LENGTH = 63_206
DUPLICATE = 506
TOKEN = 190
THROTTLING = frozenset({4, 17, 32, 613, 80001})
PERMISSION = frozenset({10, 200})

Kind = Literal["duplicate", "auth", "throttled", "rejected"]


def feed_body(message: str, *, link: str | None = None, published: bool = True) -> dict[str, str]:
    """Form fields of ``POST /{page-id}/feed`` (a text or link post)."""
    if len(message) > MAX_LENGTH:
        raise ValueError(f"message is {len(message)} characters; Facebook allows {MAX_LENGTH}")
    body = {"message": message}
    if link is not None:
        body["link"] = link
    if not published:
        body["published"] = "false"
    return body


def photo_body(
    *,
    caption: str = "",
    alt_text: str | None = None,
    url: str | None = None,
    published: bool = True,
) -> dict[str, str]:
    """Form fields of ``POST /{page-id}/photos``; send the file as the ``source`` part
    unless *url* is given. ``published=False`` uploads it for a multi-photo post."""
    body: dict[str, str] = {}
    if caption:
        body["message"] = caption
    if alt_text:
        body["alt_text_custom"] = alt_text
    if url is not None:
        body["url"] = url
    if not published:
        body["published"] = "false"
    return body


def multi_photo_body(message: str, photo_ids: Sequence[str]) -> dict[str, str]:
    """Form fields of ``POST /{page-id}/feed`` attaching photos uploaded unpublished."""
    body = feed_body(message)
    body["attached_media"] = json.dumps([{"media_fbid": str(p)} for p in photo_ids])
    return body


def comment_body(message: str) -> dict[str, str]:
    """Form fields of ``POST /{post-id}/comments`` (a follow-up; Pages have no threads)."""
    return {"message": message}


@dataclass(frozen=True)
class PagePost:
    """A created post: ``{page}_{post}`` id (for photos, ``post_id``)."""

    id: str

    @property
    def web_url(self) -> str:
        """A link that opens the post."""
        return f"https://www.facebook.com/{self.id}"


def parse_post(body: Mapping[str, Any]) -> PagePost:
    """Read ``{"id": ...}`` or, for a photo, ``{"id": photo, "post_id": ...}``."""
    post_id = body.get("post_id") or body.get("id")
    if not post_id:
        raise ValueError(f"not a Graph API post reply: {dict(body)!r:.200}")
    return PagePost(str(post_id))


@dataclass(frozen=True)
class FacebookError:
    """A Graph API error reduced to what an adapter decides on."""

    status: int
    code: int | None
    subcode: int | None
    message: str
    type: str = ""
    fbtrace_id: str = ""

    @property
    def kind(self) -> Kind:
        """duplicate (506), auth (190 and permission codes), throttled, or rejected."""
        if self.code == DUPLICATE:
            return "duplicate"
        if self.code == TOKEN or self.code in PERMISSION:
            return "auth"
        if self.code in THROTTLING or self.status == 429:
            return "throttled"
        return "rejected"


def parse_error(status: int, body: Mapping[str, Any] | None) -> FacebookError:
    """Read ``{"error": {...}}``, tolerating an odd body."""
    error = (body or {}).get("error")
    if not isinstance(error, Mapping):
        return FacebookError(status, None, None, f"HTTP {status}")

    def number(key: str) -> int | None:
        value = error.get(key)
        return value if isinstance(value, int) else None

    return FacebookError(
        status,
        number("code"),
        number("error_subcode"),
        str(error.get("message") or f"HTTP {status}"),
        str(error.get("type") or ""),
        str(error.get("fbtrace_id") or ""),
    )
