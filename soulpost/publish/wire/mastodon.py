"""Mastodon: the ``POST /api/v1/statuses`` body and what the server answers.

Facts from ``shared/platforms.md`` §1 and the recorded Mastodon.py cassettes: a status may
be sent form-encoded (``media_ids[]`` repeated) or as JSON; the reply is a Status whose
``id`` is a string that must never be cast to an integer; every reply carries
``X-RateLimit-Limit/Remaining/Reset`` where Reset is an ISO-8601 timestamp, and a 429 has no
``Retry-After``. Errors are ``{"error": "..."}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Visibility = Literal["public", "unlisted", "private", "direct"]
VISIBILITIES: frozenset[str] = frozenset({"public", "unlisted", "private", "direct"})


@dataclass(frozen=True)
class StatusRequest:
    """One status to post; turn it into a body with :meth:`form` or :meth:`json`."""

    status: str
    in_reply_to_id: str | None = None
    media_ids: tuple[str, ...] = ()
    visibility: Visibility | None = None
    language: str | None = None
    spoiler_text: str | None = None
    sensitive: bool | None = None

    def __post_init__(self) -> None:
        if not self.status.strip() and not self.media_ids:
            raise ValueError("a Mastodon status needs text or media")
        if self.visibility is not None and self.visibility not in VISIBILITIES:
            raise ValueError(
                f"visibility {self.visibility!r}: expected one of {', '.join(sorted(VISIBILITIES))}"
            )

    def json(self) -> dict[str, Any]:
        """The JSON body (``Content-Type: application/json``)."""
        body: dict[str, Any] = {"status": self.status}
        if self.in_reply_to_id is not None:
            body["in_reply_to_id"] = self.in_reply_to_id
        if self.media_ids:
            body["media_ids"] = list(self.media_ids)
        for name in ("visibility", "language", "spoiler_text", "sensitive"):
            value = getattr(self, name)
            if value is not None:
                body[name] = value
        return body

    def form(self) -> list[tuple[str, str]]:
        """The form body as ordered pairs; ``media_ids[]`` repeats once per id."""
        pairs: list[tuple[str, str]] = []
        for key, value in self.json().items():
            if key == "media_ids":
                pairs.extend(("media_ids[]", media_id) for media_id in value)
            elif isinstance(value, bool):
                pairs.append((key, "true" if value else "false"))
            else:
                pairs.append((key, str(value)))
        return pairs


def media_form(
    description: str | None = None, focus: tuple[float, float] | None = None
) -> dict[str, str]:
    """Non-file fields of ``POST /api/v2/media`` (send the image as the ``file`` part)."""
    fields: dict[str, str] = {}
    if description is not None:
        fields["description"] = description
    if focus is not None:
        x, y = focus
        if not (-1 <= x <= 1 and -1 <= y <= 1):
            raise ValueError("focus x and y must be between -1.0 and 1.0")
        fields["focus"] = f"{x:g},{y:g}"
    return fields


@dataclass(frozen=True)
class Status:
    """The parts of a Status soulpost keeps: ids and where to see it."""

    id: str
    url: str | None
    uri: str | None
    created_at: str | None = None


def parse_status(body: Mapping[str, Any]) -> Status:
    """Read a Status entity (the reply to a post, or an Idempotency-Key replay)."""
    status_id = body.get("id")
    if not isinstance(status_id, str | int) or isinstance(status_id, bool) or status_id == "":
        raise ValueError(f"not a Mastodon Status: {dict(body)!r:.200}")
    return Status(
        id=str(status_id),
        url=_str_or_none(body.get("url")),
        uri=_str_or_none(body.get("uri")),
        created_at=_str_or_none(body.get("created_at")),
    )


@dataclass(frozen=True)
class Media:
    """A MediaAttachment; ``ready`` is False while the server still processes it (202/206)."""

    id: str
    url: str | None
    description: str | None

    @property
    def ready(self) -> bool:
        """Whether it can be attached now (attaching an unprocessed file gives 422)."""
        return self.url is not None


def parse_media(body: Mapping[str, Any]) -> Media:
    """Read a MediaAttachment (``/api/v2/media`` or ``/api/v1/media/:id``)."""
    media_id = body.get("id")
    if media_id is None:
        raise ValueError(f"not a Mastodon MediaAttachment: {dict(body)!r:.200}")
    return Media(
        str(media_id), _str_or_none(body.get("url")), _str_or_none(body.get("description"))
    )


@dataclass(frozen=True)
class MastodonError:
    """An error reply; ``message`` is the server's text (it may be localised)."""

    status: int
    message: str

    @property
    def media_not_ready(self) -> bool:
        """422 because an attached file is still processing (poll the media, then retry).

        Mastodon's English text: "Cannot attach files that have not finished processing.
        Try again in a moment!"."""
        return self.status == 422 and "processing" in self.message.lower()


def parse_error(status: int, body: Mapping[str, Any] | None) -> MastodonError:
    """Read ``{"error": ..., "error_description"?: ...}``, tolerating an odd body."""
    body = body or {}
    message = str(body.get("error") or f"HTTP {status}")
    if body.get("error_description"):
        message = f"{message}: {body['error_description']}"
    return MastodonError(status, message)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
