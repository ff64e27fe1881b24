"""Webhook wire formats: the signed generic JSON, Discord and Slack."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from soulpost.publish.wire import webhook as wh


def test_generic_body_and_signature() -> None:
    body = wh.generic_body(
        "2026-12-01-hello",
        "Grüße",
        media=[wh.MediaLink("https://cdn.example/a.png", "A chart")],
        scheduled_for=datetime(2026, 12, 1, 8, tzinfo=UTC),
    )
    raw = wh.encode(body)
    assert json.loads(raw) == {
        "id": "2026-12-01-hello",
        "text": "Grüße",
        "media": [{"url": "https://cdn.example/a.png", "alt": "A chart"}],
        "scheduled_for": "2026-12-01T08:00:00+00:00",
    }
    assert "Grüße".encode() in raw  # UTF-8, not \\u escapes
    headers = wh.signed_headers("s3cret", 1796083200, raw, "2026-12-01-hello:webhook:0")
    expected = hmac.new(b"s3cret", b"1796083200." + raw, hashlib.sha256).hexdigest()
    assert headers[wh.SIGNATURE_HEADER] == f"sha256={expected}"
    assert headers["Idempotency-Key"] == "2026-12-01-hello:webhook:0"
    assert wh.verify("s3cret", headers, raw, now=1796083260)
    assert not wh.verify("other", headers, raw, now=1796083260)
    assert not wh.verify("s3cret", headers, raw + b" ", now=1796083260)
    assert not wh.verify("s3cret", headers, raw, now=1796083200 + 301)  # stale
    assert wh.generic_body("a", "b", part=2)["part"] == 2
    with pytest.raises(ValueError, match="timezone"):
        wh.generic_body("a", "b", scheduled_for=datetime(2026, 1, 1))


def test_discord() -> None:
    assert wh.discord_body("hi") == {"content": "hi", "allowed_mentions": {"parse": []}}
    assert wh.discord_body("hi", username="soulpost")["username"] == "soulpost"
    wh.discord_body("a" * 2000)
    with pytest.raises(ValueError, match="2001"):
        wh.discord_body("a" * 2001)
    with pytest.raises(ValueError, match="needs text or a file"):
        wh.discord_body("  ")
    assert wh.discord_body("", with_files=True)["content"] == ""  # an image alone is fine
    assert (
        wh.discord_url("https://discord.com/api/webhooks/1/tok")
        == "https://discord.com/api/webhooks/1/tok?wait=true"
    )
    assert (
        wh.discord_url("http://127.0.0.1:9/api/webhooks/1/tok?wait=false&x=1", thread_id="7")
        == "http://127.0.0.1:9/api/webhooks/1/tok?x=1&wait=true&thread_id=7"
    )
    assert wh.parse_discord_message({"id": "1180000000000000000", "channel_id": "5"}) == (
        "1180000000000000000"
    )
    limited = wh.parse_discord_error(
        429, {"message": "You are being rate limited.", "retry_after": 0.64, "global": False}
    )
    assert limited.retry_after == 0.64 and not limited.is_global
    assert wh.parse_discord_error(429, None, {"Retry-After": "2"}).retry_after == 2.0
    invalid = wh.parse_discord_error(400, {"code": 50035, "message": "Invalid Form Body"})
    assert invalid.code == 50035


def test_slack() -> None:
    assert wh.slack_body("hi") == {"text": "hi"}
    with_image = wh.slack_body("hi", image_url="https://cdn.example/a.png", alt="A chart")
    assert with_image["blocks"][1] == {
        "type": "image",
        "image_url": "https://cdn.example/a.png",
        "alt_text": "A chart",
    }
    assert wh.slack_result(200, "ok") is None
    assert wh.slack_result(400, "invalid_payload") == "invalid_payload"
    assert wh.slack_result(500, "") == "HTTP 500"
