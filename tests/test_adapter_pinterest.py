"""The Pinterest adapter against the fake API v5 on 127.0.0.1: a Pin with its image as
base64 and alt text, the link from the text, limits, errors and no lookup."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.errors import ConfigError
from soulpost.posts import Post, build_post
from soulpost.publish.adapters.pinterest import PinterestAdapter
from soulpost.publish.base import (
    AdapterConfig,
    AuthError,
    RateLimited,
    Rejected,
    UnknownOutcome,
)
from tests.fakes.pinterest import PinterestFake
from tests.fakes.server import Request, Response

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TOKEN = "pin-secret-789"
BOARD = "549755885175"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 40


class PinFake(PinterestFake):
    """The shared fake plus ``GET /v5/user_account`` for the online check."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN, boards=(BOARD,))
        self.route("GET", r"/v5/user_account", self._account)

    def _account(self, request: Request, match: re.Match[str]) -> Response:
        return Response.json(200, {"username": "soulpost", "account_type": "BUSINESS"})


@pytest.fixture
def fake() -> Any:
    with PinFake() as server:
        yield server


def adapter(
    tmp_path: Path, fake: PinFake, *, env: dict[str, str] | None = None, **options: Any
) -> PinterestAdapter:
    return PinterestAdapter(
        AdapterConfig(
            platform="pinterest",
            state_dir=tmp_path / ".soulpost",
            root=tmp_path,
            clock=ManualClock(T0),
            options={"base_url": fake.url, "board_id": BOARD, "read_timeout": 0.5, **options},
            credentials={"token": "PIN_TOKEN"},
            environ={"PIN_TOKEN": TOKEN} if env is None else env,
        )
    )


def post(text: str, media: list[dict[str, str]] | None = None) -> Post:
    data: dict[str, Any] = {"id": "p1", "text": text, "platforms": ["pinterest"]}
    if media is not None:
        data["media"] = media
    return build_post(data, Path("queue/p1.toml"), {"platforms": {"pinterest"}})


@pytest.fixture
def image(tmp_path: Path) -> list[dict[str, str]]:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "pin.png").write_bytes(PNG)
    return [{"path": "media/pin.png", "alt": "A hand-drawn checklist"}]


def test_pin_with_base64_image_alt_and_link(
    tmp_path: Path, fake: PinFake, image: list[dict[str, str]]
) -> None:
    ad = adapter(tmp_path, fake)
    p = post("Free checklist for better alt text: https://example.org/alt.", image)
    assert ad.validate(p) == []
    receipt = ad.publish(ad.compose(p).parts[0], "k0")
    pin = fake.pins[receipt.remote_id]
    assert receipt.url == f"https://www.pinterest.com/pin/{receipt.remote_id}/"
    assert pin["alt_text"] == "A hand-drawn checklist"
    assert pin["link"] == "https://example.org/alt"
    assert pin["board_id"] == BOARD
    sent = fake.received("POST", "/v5/pins")[0].json
    assert sent["media_source"]["source_type"] == "image_base64"
    assert sent["media_source"]["content_type"] == "image/png"
    assert base64.b64decode(sent["media_source"]["data"]) == PNG
    assert fake.received("POST", "/v5/pins")[0].bearer == TOKEN


def test_render_is_pure_and_shows_no_image_bytes(
    tmp_path: Path, fake: PinFake, image: list[dict[str, str]]
) -> None:
    ad = adapter(tmp_path, fake, link="https://example.org/board")
    rendered = ad.compose(post("Hi", image))
    assert rendered.parts[0]["pin"]["link"] == "https://example.org/board"
    assert rendered.parts[0]["media"] == image
    assert fake.requests == []


def test_a_pin_needs_one_jpeg_or_png(tmp_path: Path, fake: PinFake) -> None:
    ad = adapter(tmp_path, fake)
    assert any("needs an image" in p for p in ad.validate(post("No picture")))
    (tmp_path / "a.gif").write_bytes(b"GIF89a")
    (tmp_path / "b.png").write_bytes(PNG)
    two = [{"path": "a.gif", "alt": "a"}, {"path": "b.png", "alt": "b"}]
    problems = ad.validate(post("Two", two))
    assert "the post has 2 images; Pinterest allows 1" in problems
    assert any("JPEG or PNG" in p for p in problems)


def test_description_limit(tmp_path: Path, fake: PinFake, image: list[dict[str, str]]) -> None:
    ad = adapter(tmp_path, fake)
    assert any("800" in p for p in ad.validate(post("x" * 801, image)))


def test_bad_token_names_the_variable(
    tmp_path: Path, fake: PinFake, image: list[dict[str, str]]
) -> None:
    ad = adapter(tmp_path, fake, env={"PIN_TOKEN": "revoked-value-1"})
    with pytest.raises(AuthError) as caught:
        ad.publish(ad.compose(post("Hi", image)).parts[0], "k0")
    assert "$PIN_TOKEN" in caught.value.message and "Pinterest" in caught.value.message
    assert "revoked-value-1" not in caught.value.message


def test_unknown_board_is_rejected_with_pinterests_message(
    tmp_path: Path, fake: PinFake, image: list[dict[str, str]]
) -> None:
    ad = adapter(tmp_path, fake, board_id="999")
    with pytest.raises(Rejected, match="Board not found"):
        ad.publish(ad.compose(post("Hi", image)).parts[0], "k0")


def test_429_uses_reset_headers(tmp_path: Path, fake: PinFake, image: list[dict[str, str]]) -> None:
    ad = adapter(tmp_path, fake)
    fake.fail(429, {"code": 8, "message": "Rate limit exceeded"}, headers={"Retry-After": "30"})
    with pytest.raises(RateLimited) as caught:
        ad.publish(ad.compose(post("Hi", image)).parts[0], "k0")
    assert caught.value.reset_at == T0 + timedelta(seconds=30)


def test_unknown_outcome_is_held_for_a_person(
    tmp_path: Path, fake: PinFake, image: list[dict[str, str]]
) -> None:
    ad = adapter(tmp_path, fake)
    fake.fail(503, {"code": 0, "message": "Service unavailable"})
    with pytest.raises(UnknownOutcome):
        ad.publish(ad.compose(post("Hi", image)).parts[0], "k0")
    assert not ad.supports_lookup


def test_board_is_required(tmp_path: Path, fake: PinFake) -> None:
    with pytest.raises(ConfigError, match="board"):
        adapter(tmp_path, fake, board_id=None)


def test_online_check(tmp_path: Path, fake: PinFake) -> None:
    assert "soulpost" in adapter(tmp_path, fake).check()
