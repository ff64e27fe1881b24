"""Pinterest wire format: the PinCreate body, limits and replies."""

from __future__ import annotations

import base64

import pytest

from soulpost.publish.http import outcome_for
from soulpost.publish.wire import pinterest as pin

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def test_pin_body_with_base64_image() -> None:
    body = pin.pin_body(
        "549755885175",
        title="Onboarding",
        description="Three lessons",
        link="https://example.com",
        alt_text="Bar chart",
        image=PNG,
    )
    assert body == {
        "board_id": "549755885175",
        "title": "Onboarding",
        "description": "Three lessons",
        "link": "https://example.com",
        "alt_text": "Bar chart",
        "media_source": {
            "source_type": "image_base64",
            "content_type": "image/png",
            "data": base64.b64encode(PNG).decode(),
        },
    }


def test_pin_body_with_url() -> None:
    body = pin.pin_body("1", description="d", image_url="https://img.example/x.jpg")
    assert body["media_source"] == {"source_type": "image_url", "url": "https://img.example/x.jpg"}
    assert "title" not in body


@pytest.mark.parametrize(
    ("field", "limit"), [("title", 100), ("description", 800), ("alt_text", 500), ("link", 2048)]
)
def test_limits(field: str, limit: int) -> None:
    pin.pin_body("1", image=PNG, **{field: "a" * limit})
    with pytest.raises(ValueError, match=f"{field} is {limit + 1}"):
        pin.pin_body("1", image=PNG, **{field: "a" * (limit + 1)})


def test_image_rules() -> None:
    with pytest.raises(ValueError, match="exactly one image"):
        pin.pin_body("1")
    with pytest.raises(ValueError, match="image/gif"):
        pin.pin_body("1", image=PNG, content_type="image/gif")


def test_replies() -> None:
    created = pin.parse_pin({"id": "813744226420795884", "board_id": "1", "title": "t"})
    assert created.web_url == "https://www.pinterest.com/pin/813744226420795884/"
    with pytest.raises(ValueError):
        pin.parse_pin({"code": 1})
    error = pin.parse_error(429, {"code": 8, "message": "Rate limit exceeded"})
    assert (
        outcome_for(error.status) == "rate-limited"
        and error.code == 8
        and error.message == "Rate limit exceeded"
    )
    assert (
        outcome_for(pin.parse_error(401, {"code": 2, "message": "Authentication failed."}).status)
        == "auth"
    )
    assert pin.parse_error(500, None).message == "HTTP 500"
