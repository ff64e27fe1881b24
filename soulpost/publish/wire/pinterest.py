"""Pinterest API v5: the ``POST /v5/pins`` body, the Pin reply and ``{code, message}`` errors.

Facts from ``shared/platforms.md`` §6: title ≤ 100, description ≤ 800, alt_text ≤ 500,
link ≤ 2048; the image comes as base64 (used in tests: a URL source makes Pinterest fetch it
from its own servers) or as a URL. No threads, no idempotency.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LIMITS = {"title": 100, "description": 800, "alt_text": 500, "link": 2048}
CONTENT_TYPES = frozenset({"image/jpeg", "image/png"})


def pin_body(
    board_id: str,
    *,
    description: str = "",
    title: str | None = None,
    link: str | None = None,
    alt_text: str | None = None,
    image: bytes | None = None,
    content_type: str = "image/png",
    image_url: str | None = None,
    board_section_id: str | None = None,
) -> dict[str, Any]:
    """The JSON body of ``POST /v5/pins``; exactly one of *image* or *image_url*."""
    if (image is None) == (image_url is None):
        raise ValueError("a Pin needs exactly one image: bytes or a URL")
    body: dict[str, Any] = {"board_id": board_id}
    fields = {
        "title": title,
        "description": description or None,
        "link": link,
        "alt_text": alt_text,
    }
    for name, value in fields.items():
        if value is None:
            continue
        if len(value) > LIMITS[name]:
            raise ValueError(f"{name} is {len(value)} characters; Pinterest allows {LIMITS[name]}")
        body[name] = value
    if board_section_id is not None:
        body["board_section_id"] = board_section_id
    if image is not None:
        if content_type not in CONTENT_TYPES:
            raise ValueError(
                f"image type {content_type!r}: Pinterest takes image/jpeg or image/png"
            )
        body["media_source"] = {
            "source_type": "image_base64",
            "content_type": content_type,
            "data": base64.b64encode(image).decode("ascii"),
        }
    else:
        body["media_source"] = {"source_type": "image_url", "url": image_url}
    return body


@dataclass(frozen=True)
class Pin:
    """A created Pin."""

    id: str

    @property
    def web_url(self) -> str:
        """``https://www.pinterest.com/pin/<id>/``."""
        return f"https://www.pinterest.com/pin/{self.id}/"


def parse_pin(body: Mapping[str, Any]) -> Pin:
    """Read the 201 Pin reply."""
    pin_id = body.get("id")
    if not pin_id:
        raise ValueError(f"not a Pin: {dict(body)!r:.200}")
    return Pin(str(pin_id))


@dataclass(frozen=True)
class PinterestError:
    """``{"code": int, "message": str}`` with the HTTP status."""

    status: int
    code: int | None
    message: str


def parse_error(status: int, body: Mapping[str, Any] | None) -> PinterestError:
    """Read ``{code, message}``, tolerating an odd body."""
    body = body or {}
    code = body.get("code")
    return PinterestError(
        status,
        code if isinstance(code, int) else None,
        str(body.get("message") or f"HTTP {status}"),
    )
