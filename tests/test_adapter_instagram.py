"""The Instagram adapter against the fake Instagram Graph API on 127.0.0.1: one JPEG or a
carousel fetched from a local media host, captions and alt text, the daily publishing
limit as a rate limit, text-only and PNG posts refused before anything is sent, and a lost
answer settled through the container."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.errors import ConfigError
from soulpost.posts import Post, build_post
from soulpost.publish.adapters.instagram import InstagramAdapter
from soulpost.publish.base import AdapterConfig, RateLimited, Rejected, UnknownOutcome
from tests.fakes.images import png
from tests.fakes.meta import InstagramFake, MediaHost, jpeg

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TOKEN = "ig-token-123"
USER = "17841400000000001"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def fake(clock: ManualClock) -> Iterator[InstagramFake]:
    with InstagramFake(token=TOKEN, user_id=USER, now=clock.now, publish_limit=3) as server:
        yield server


@pytest.fixture
def host(tmp_path: Path) -> Iterator[MediaHost]:
    (tmp_path / "media").mkdir()
    for n in range(3):
        (tmp_path / "media" / f"{n}.jpg").write_bytes(jpeg(3 + n, 3))
    (tmp_path / "media" / "chart.png").write_bytes(png(3, 3))
    with MediaHost(tmp_path) as served:
        yield served


def adapter(
    tmp_path: Path, fake: InstagramFake, clock: ManualClock, **options: Any
) -> InstagramAdapter:
    return InstagramAdapter(
        AdapterConfig(
            platform="instagram",
            state_dir=tmp_path / ".soulpost",
            root=tmp_path,
            clock=clock,
            options={
                "base_url": fake.url,
                "user_id": USER,
                "read_timeout": 1,
                "poll_interval": 0,
                **options,
            },
            credentials={"token": "IG_TOKEN"},
            environ={"IG_TOKEN": TOKEN},
        )
    )


def post(text: str, *paths: str) -> Post:
    data = {
        "id": "p1",
        "text": text,
        "platforms": ["instagram"],
        "media": [{"path": p, "alt": f"alt of {p}"} for p in paths],
    }
    return build_post(data, Path("queue/p1.toml"), {"platforms": {"instagram"}})


def test_one_jpeg_with_caption_and_alt_text(
    tmp_path: Path, fake: InstagramFake, clock: ManualClock, host: MediaHost
) -> None:
    ad = adapter(tmp_path, fake, clock, media_base_url=host.url)
    p = post("Behind the scenes of our workshop #Design", "media/0.jpg")
    assert ad.validate(p) == []
    receipt = ad.publish(ad.compose(p).parts[0], "k0")
    (created,) = fake.received("POST", r"/media$")
    assert created.path == f"/v23.0/{USER}/media"
    assert created.field("caption") == "Behind the scenes of our workshop #Design"
    assert created.field("alt_text") == "alt of media/0.jpg"
    assert fake.fetched[0] == (
        host.url + "media/0.jpg",
        (tmp_path / "media" / "0.jpg").read_bytes(),
    )
    assert fake.posts[receipt.remote_id]["text"] == "Behind the scenes of our workshop #Design"
    assert receipt.url and receipt.remote_id in receipt.url


def test_carousel(tmp_path: Path, fake: InstagramFake, clock: ManualClock, host: MediaHost) -> None:
    ad = adapter(tmp_path, fake, clock, media_base_url=host.url)
    p = post("Three moments", "media/0.jpg", "media/1.jpg", "media/2.jpg")
    receipt = ad.publish(ad.compose(p).parts[0], "k0")
    shown = fake.posts[receipt.remote_id]
    assert shown["media_type"] == "CAROUSEL"
    assert [u for u, _ in shown["images"]] == [host.url + f"media/{n}.jpg" for n in range(3)]


def test_refusals_are_explained_before_sending(
    tmp_path: Path, fake: InstagramFake, clock: ManualClock, host: MediaHost
) -> None:
    ad = adapter(tmp_path, fake, clock)
    problems = ad.validate(post("Only words"))
    assert problems == ["Instagram posts need at least one image"]
    problems = ad.validate(post("A chart", "media/chart.png"))
    assert any("media_base_url" in p for p in problems), problems
    assert any("image/png; Instagram takes JPEG" in p for p in problems), problems
    tags = " ".join(f"#tag{n}" for n in range(31))
    assert any("31 hashtags" in p for p in ad.validate(post(tags, "media/0.jpg")))
    with pytest.raises(Rejected, match="media_base_url"):
        ad.publish(ad.compose(post("A chart", "media/0.jpg")).parts[0], "k0")
    assert fake.requests == []


def test_png_is_refused_by_the_platform_too(
    tmp_path: Path, fake: InstagramFake, clock: ManualClock, host: MediaHost
) -> None:
    ad = adapter(tmp_path, fake, clock, media_base_url=host.url)
    with pytest.raises(Rejected, match="image format is not supported"):
        ad.publish(ad.compose(post("A chart", "media/chart.png")).parts[0], "k0")


def test_daily_publishing_limit_is_a_wait(
    tmp_path: Path, fake: InstagramFake, clock: ManualClock, host: MediaHost
) -> None:
    ad = adapter(tmp_path, fake, clock, media_base_url=host.url)
    for n in range(3):
        ad.publish(ad.compose(post(f"Post {n}", "media/0.jpg")).parts[0], f"k{n}")
    with pytest.raises(RateLimited):
        ad.publish(ad.compose(post("One too many", "media/0.jpg")).parts[0], "k3")


def test_lost_answer_is_settled_through_the_container(
    tmp_path: Path, fake: InstagramFake, clock: ManualClock, host: MediaHost
) -> None:
    ad = adapter(tmp_path, fake, clock, media_base_url=host.url)
    payload = ad.compose(post("Did it go out?", "media/1.jpg")).parts[0]
    fake.drop(processed=True, path="media_publish")
    with pytest.raises(UnknownOutcome):
        ad.publish(payload, "k0")
    (made,) = fake.posts
    found = ad.lookup("k0", payload)
    assert found is not None and found.remote_id == made


def test_needs_the_account_id(tmp_path: Path, fake: InstagramFake, clock: ManualClock) -> None:
    with pytest.raises(ConfigError, match="numeric id"):
        adapter(tmp_path, fake, clock, user_id=None)
