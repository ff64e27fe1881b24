"""Facebook Pages wire format: bodies, post ids and error classification."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from soulpost.publish.http import reset_time
from soulpost.publish.wire import facebook as fb


def test_bodies() -> None:
    assert fb.feed_body("Hello", link="https://example.com") == {
        "message": "Hello",
        "link": "https://example.com",
    }
    assert fb.feed_body("x", published=False)["published"] == "false"
    with pytest.raises(ValueError, match="63206"):
        fb.feed_body("a" * 63_207)
    assert fb.photo_body(caption="Look", alt_text="A red bike") == {
        "message": "Look",
        "alt_text_custom": "A red bike",
    }
    assert fb.photo_body(url="https://img/x.png", published=False) == {
        "url": "https://img/x.png",
        "published": "false",
    }
    multi = fb.multi_photo_body("Two", ["11", "12"])
    assert json.loads(multi["attached_media"]) == [{"media_fbid": "11"}, {"media_fbid": "12"}]
    assert fb.comment_body("more") == {"message": "more"}


def test_post_ids() -> None:
    post = fb.parse_post({"id": "1234_5678"})
    assert post.id == "1234_5678" and post.web_url == "https://www.facebook.com/1234_5678"
    assert fb.parse_post({"id": "999", "post_id": "1234_999"}).id == "1234_999"
    with pytest.raises(ValueError):
        fb.parse_post({})


def _error(code: int, subcode: int | None = None, message: str = "m") -> dict[str, object]:
    return {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_subcode": subcode,
            "fbtrace_id": "AbC",
        }
    }


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, 506, "duplicate"),
        (400, 190, "auth"),
        (403, 200, "auth"),
        (403, 4, "throttled"),
        (400, 17, "throttled"),
        (400, 32, "throttled"),
        (400, 613, "throttled"),
        (400, 80001, "throttled"),
        (400, 100, "rejected"),
    ],
)
def test_error_kinds(status: int, code: int, kind: str) -> None:
    assert fb.parse_error(status, _error(code)).kind == kind


def test_error_fields() -> None:
    error = fb.parse_error(
        400, _error(190, 463, "Error validating access token: Session has expired")
    )
    assert (error.code, error.subcode, error.fbtrace_id) == (190, 463, "AbC")
    assert error.message.startswith("Error validating")
    assert fb.parse_error(500, {"oops": 1}).message == "HTTP 500"
    assert fb.parse_error(429, None).kind == "throttled"


def test_regain_access_from_usage_header() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    header = json.dumps(
        {
            "1234": [
                {"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 12},
                {"type": "pages", "call_count": 10, "estimated_time_to_regain_access": 3},
            ]
        }
    )
    assert reset_time({"X-Business-Use-Case-Usage": header}, now) == now + timedelta(minutes=12)
    assert reset_time({"X-Business-Use-Case-Usage": "{bad"}, now) is None
    assert reset_time({}, now) is None
