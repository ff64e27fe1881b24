"""Webhooks: soulpost's generic signed JSON, Discord and Slack.

Facts from ``shared/platforms.md`` §7.

- **Generic** (soulpost defines it): JSON ``{"id", "text", "media": [{"url", "alt"}],
  "scheduled_for"}``, an ``Idempotency-Key`` header, and an HMAC-SHA256 signature over
  ``"<timestamp>." + body`` so the receiver can check origin and freshness.
- **Discord**: ``{"content": ≤ 2000}`` posted to the webhook URL with ``?wait=true`` so the
  reply is 200 with the message (its ``id``) instead of an empty 204; 429 carries
  ``retry_after`` (seconds, float) in the body.
- **Slack**: ``{"text": ...}``; success is 200 with the plain-text body ``ok``, failures are
  plain-text codes such as ``invalid_payload``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SIGNATURE_HEADER = "X-Soulpost-Signature"
TIMESTAMP_HEADER = "X-Soulpost-Timestamp"
DISCORD_MAX = 2000


# --- generic ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaLink:
    """An image the receiver can fetch, with its alt text."""

    url: str
    alt: str = ""


def generic_body(
    post_id: str,
    text: str,
    *,
    media: Sequence[MediaLink] = (),
    scheduled_for: datetime | None = None,
    part: int = 0,
) -> dict[str, Any]:
    """The generic webhook JSON for one post (or thread part)."""
    body: dict[str, Any] = {
        "id": post_id,
        "text": text,
        "media": [{"url": m.url, "alt": m.alt} for m in media],
    }
    if scheduled_for is not None:
        if scheduled_for.tzinfo is None:
            raise ValueError("scheduled_for must be timezone-aware")
        body["scheduled_for"] = scheduled_for.isoformat()
    if part:
        body["part"] = part
    return body


def encode(body: Mapping[str, Any]) -> bytes:
    """The exact bytes to send and sign (compact, UTF-8)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, ``"<timestamp>." + body``)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(
    secret: str, timestamp: int, body: bytes, idempotency_key: str
) -> dict[str, str]:
    """Headers for a generic webhook request carrying *body*."""
    return {
        "Content-Type": "application/json",
        "Idempotency-Key": idempotency_key,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: int, tolerance: int = 300
) -> bool:
    """What a receiver does: check the signature and that the timestamp is fresh."""
    raw_ts = headers.get(TIMESTAMP_HEADER, "")
    if not raw_ts.isdigit() or abs(now - int(raw_ts)) > tolerance:
        return False
    expected = signature(secret, int(raw_ts), body)
    return hmac.compare_digest(expected, headers.get(SIGNATURE_HEADER, ""))


# --- Discord ----------------------------------------------------------------------------------


def discord_body(
    text: str, *, username: str | None = None, with_files: bool = False
) -> dict[str, Any]:
    """The JSON body of a Discord webhook message; files, if any, travel beside it."""
    if not text.strip() and not with_files:
        raise ValueError("a Discord message needs text or a file")
    if len(text) > DISCORD_MAX:
        raise ValueError(f"text is {len(text)} characters; Discord allows {DISCORD_MAX}")
    body: dict[str, Any] = {"content": text, "allowed_mentions": {"parse": []}}
    if username:
        body["username"] = username
    return body


def discord_url(webhook_url: str, *, thread_id: str | None = None) -> str:
    """*webhook_url* with ``wait=true`` (and ``thread_id``), keeping other query items."""
    parts = urlsplit(webhook_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("wait", "thread_id")]
    query.append(("wait", "true"))
    if thread_id is not None:
        query.append(("thread_id", thread_id))
    return urlunsplit(parts._replace(query=urlencode(query)))


def parse_discord_message(body: Mapping[str, Any]) -> str:
    """The message id from the ``?wait=true`` reply."""
    message_id = body.get("id")
    if not message_id:
        raise ValueError(f"not a Discord message: {dict(body)!r:.200}")
    return str(message_id)


@dataclass(frozen=True)
class DiscordError:
    """``{"code", "message"}``; for 429, ``retry_after`` seconds and ``global``."""

    status: int
    code: int | None
    message: str
    retry_after: float | None = None
    is_global: bool = False


def parse_discord_error(
    status: int, body: Mapping[str, Any] | None, headers: Mapping[str, str] | None = None
) -> DiscordError:
    """Read a Discord error; ``retry_after`` falls back to the ``Retry-After`` header."""
    body = body or {}
    retry = body.get("retry_after")
    retry_after = float(retry) if isinstance(retry, int | float) else None
    if retry_after is None and headers is not None and headers.get("Retry-After"):
        try:
            retry_after = float(headers["Retry-After"])
        except ValueError:
            retry_after = None
    code = body.get("code")
    return DiscordError(
        status,
        code if isinstance(code, int) else None,
        str(body.get("message") or f"HTTP {status}"),
        retry_after,
        bool(body.get("global", False)),
    )


# --- Slack ------------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """*text* as Slack shows it literally: ``&``, ``<`` and ``>`` are Slack's own markup
    (``<!channel>`` pings a channel, ``<@U123>`` a person, ``<url|label>`` disguises a link),
    so they are sent as ``&amp;``, ``&lt;`` and ``&gt;``, the only escapes Slack defines."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(text: str, *, image_url: str | None = None, alt: str = "") -> dict[str, Any]:
    """The JSON body of a Slack incoming webhook; an image goes in by URL as a block. The
    text is escaped (:func:`slack_escape`): a post can never ping or hide a link."""
    if not text.strip():
        raise ValueError("a Slack message needs text")
    text = slack_escape(text)
    body: dict[str, Any] = {"text": text}
    if image_url is not None:
        body["blocks"] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "image", "image_url": image_url, "alt_text": alt or "image"},
        ]
    return body


def slack_result(status: int, text: str) -> str | None:
    """None when Slack accepted the message (200 ``ok``), else its error code."""
    reply = text.strip()
    if status == 200 and reply == "ok":
        return None
    return reply or f"HTTP {status}"
