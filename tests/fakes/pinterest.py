"""A fake Pinterest API v5: ``POST /v5/pins`` with limits, ``{code, message}`` errors.

Shapes follow ``shared/platforms.md`` §6. The numeric ``code`` values are the fake's own
(Pinterest documents the shape, not a stable list); adapters should decide on the HTTP status.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from typing import Any

from tests.fakes.server import FakeServer, Request, Response

LIMITS = {"title": 100, "description": 800, "alt_text": 500, "link": 2048}


class PinterestFake(FakeServer):
    """``fake.pins`` maps id -> the created Pin; ``fake.boards`` are the writable boards."""

    name = "pinterest"

    def __init__(
        self, *, token: str = "test-token", boards: tuple[str, ...] = ("549755885175",)
    ) -> None:
        super().__init__()
        self.token = token
        self.boards = set(boards)
        self.pins: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(813744226420795884, 7919)
        self.route("POST", r"/v5/pins", self._create)
        self.route("GET", r"/v5/pins/(?P<id>\d+)", self._get)

    def dispatch(self, request: Request) -> Response:
        if request.bearer != self.token:
            return Response.json(401, {"code": 2, "message": "Authentication failed."})
        return super().dispatch(request)

    def not_found(self, request: Request, path_exists: bool) -> Response:
        return Response.json(404, {"code": 404, "message": "Resource not found"})

    def _invalid(self, message: str) -> Response:
        return Response.json(400, {"code": 1, "message": message})

    def _create(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            return self._invalid("Invalid request body")
        board = body.get("board_id")
        if not board:
            return self._invalid("board_id is required")
        if board not in self.boards:
            return Response.json(404, {"code": 2001, "message": "Board not found."})
        for name, limit in LIMITS.items():
            value = body.get(name)
            if value is not None and len(str(value)) > limit:
                return self._invalid(f"'{value[:20]}...' is too long - '{name}' (max {limit})")
        source = body.get("media_source") or {}
        kind = source.get("source_type")
        if kind == "image_base64":
            if source.get("content_type") not in ("image/jpeg", "image/png"):
                return self._invalid("media_source.content_type must be image/jpeg or image/png")
            try:
                base64.b64decode(str(source.get("data") or ""), validate=True)
            except (binascii.Error, ValueError):
                return self._invalid("media_source.data is not valid base64")
        elif kind != "image_url":
            return self._invalid("media_source is required")
        pin_id = str(next(self._ids))
        pin = {
            "id": pin_id,
            "created_at": "2026-12-01T08:00:00",
            "board_id": board,
            "board_section_id": body.get("board_section_id"),
            "title": body.get("title"),
            "description": body.get("description"),
            "link": body.get("link"),
            "alt_text": body.get("alt_text"),
            "dominant_color": "#6E7874",
            "media": {"media_type": "image", "images": {}},
            "creative_type": "REGULAR",
            "is_owner": True,
        }
        self.pins[pin_id] = pin
        return Response.json(201, pin)

    def _get(self, request: Request, match: re.Match[str]) -> Response:
        pin = self.pins.get(match["id"])
        return Response.json(200, pin) if pin else self.not_found(request, True)
