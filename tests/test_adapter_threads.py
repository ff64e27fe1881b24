"""The Threads adapter against the fake Threads API on 127.0.0.1: containers then publish,
images fetched by URL from a local media host, carousels, reply chains, Graph error codes,
and settling a lost answer by asking the container, never by guessing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.posts import Post, build_post
from soulpost.publish.adapters.threads import ThreadsAdapter
from soulpost.publish.base import (
    AdapterConfig,
    AuthError,
    NotSent,
    RateLimited,
    Rejected,
    UnknownOutcome,
)
from tests.fakes.images import png
from tests.fakes.meta import MediaHost, ThreadsFake

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TOKEN = "threads-token-123"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def fake(clock: ManualClock) -> Iterator[ThreadsFake]:
    with ThreadsFake(token=TOKEN, media_polls=2, now=clock.now) as server:
        yield server


@pytest.fixture
def host(tmp_path: Path) -> Iterator[MediaHost]:
    (tmp_path / "media").mkdir()
    with MediaHost(tmp_path) as served:
        yield served


def adapter(
    tmp_path: Path, fake: ThreadsFake, clock: ManualClock, **options: Any
) -> ThreadsAdapter:
    return ThreadsAdapter(
        AdapterConfig(
            platform="threads",
            state_dir=tmp_path / ".soulpost",
            root=tmp_path,
            clock=clock,
            options={"base_url": fake.url, "read_timeout": 1, "poll_interval": 1.5, **options},
            credentials={"token": "TH_TOKEN"},
            environ={"TH_TOKEN": TOKEN},
        )
    )


def post(text: str, **extra: Any) -> Post:
    data = {"id": "p1", "text": text, "platforms": ["threads"], **extra}
    return build_post(data, Path("queue/p1.toml"), {"platforms": {"threads"}})


def test_text_post_is_a_container_then_a_publish(
    tmp_path: Path, fake: ThreadsFake, clock: ManualClock
) -> None:
    ad = adapter(tmp_path, fake, clock)
    receipt = ad.publish(ad.compose(post("What would you add to our list?")).parts[0], "k0")
    created, published = fake.received("POST")
    assert created.path == "/v1.0/me/threads" and created.bearer == TOKEN
    assert created.field("media_type") == "TEXT"
    assert created.field("text") == "What would you add to our list?"
    assert published.path == "/v1.0/me/threads_publish"
    assert published.field("creation_id") in fake.containers
    assert fake.posts[receipt.remote_id]["text"] == "What would you add to our list?"
    assert receipt.url == f"https://www.example.test/p/{receipt.remote_id}"
    assert clock.slept == []  # a text container is ready at once


def test_compose_is_pure_and_deterministic(
    tmp_path: Path, fake: ThreadsFake, clock: ManualClock
) -> None:
    ad = adapter(tmp_path, fake, clock, media_base_url="https://cdn.example.org/site/")
    p = post("A chart", media=[{"path": "media/chart 1.png", "alt": "Bars"}])
    first, second = ad.compose(p), ad.compose(p)
    assert first == second and first.content_hash() == second.content_hash()
    assert first.parts[0]["media"] == [
        {
            "path": "media/chart 1.png",
            "alt": "Bars",
            "url": "https://cdn.example.org/site/media/chart%201.png",
        }
    ]
    assert fake.requests == []


def test_image_is_fetched_from_the_media_host_and_polled(
    tmp_path: Path, fake: ThreadsFake, clock: ManualClock, host: MediaHost
) -> None:
    image = png(5, 4)
    (tmp_path / "media" / "chart.png").write_bytes(image)
    ad = adapter(tmp_path, fake, clock, media_base_url=host.url)
    p = post("Our chart", media=[{"path": "media/chart.png", "alt": "Bars rising"}])
    assert ad.validate(p) == []
    receipt = ad.publish(ad.compose(p).parts[0], "k0")
    assert fake.fetched == [(host.url + "media/chart.png", image)]
    (created,) = fake.received("POST", r"/threads$")
    assert created.field("media_type") == "IMAGE" and created.field("alt_text") == "Bars rising"
    assert clock.slept == [1.5, 1.5]  # IN_PROGRESS twice, then FINISHED
    assert fake.posts[receipt.remote_id]["images"] == [
        (host.url + "media/chart.png", "Bars rising")
    ]


def test_carousel_of_three(
    tmp_path: Path, fake: ThreadsFake, clock: ManualClock, host: MediaHost
) -> None:
    media = []
    for n in range(3):
        (tmp_path / "media" / f"{n}.png").write_bytes(png(2 + n, 2))
        media.append({"path": f"media/{n}.png", "alt": f"picture {n}"})
    ad = adapter(tmp_path, fake, clock, media_base_url=host.url)
    receipt = ad.publish(ad.compose(post("Three pictures", media=media)).parts[0], "k0")
    items = [c for c in fake.containers.values() if c["is_carousel_item"]]
    assert len(items) == 3
    shown = fake.posts[receipt.remote_id]
    assert shown["media_type"] == "CAROUSEL"
    assert [alt for _, alt in shown["images"]] == ["picture 0", "picture 1", "picture 2"]


def test_a_thread_is_a_reply_chain(tmp_path: Path, fake: ThreadsFake, clock: ManualClock) -> None:
    ad = adapter(tmp_path, fake, clock)
    parts = ad.compose(
        post("Three tips, a thread", thread=["1. Say what matters.", "2. Keep it short."])
    ).parts
    first = ad.publish(parts[0], "k0")
    second = ad.reply(first, parts[1], "k1")
    third = ad.reply(second, parts[2], "k2")
    assert fake.posts[second.remote_id]["reply_to"] == first.remote_id
    assert fake.posts[third.remote_id]["reply_to"] == second.remote_id


def test_validate_explains_every_refusal(
    tmp_path: Path, fake: ThreadsFake, clock: ManualClock
) -> None:
    (tmp_path / "anim.gif").write_bytes(b"GIF89a" + b"\0" * 20)
    ad = adapter(tmp_path, fake, clock)
    problems = ad.validate(post("🔥" * 130, media=[{"path": "anim.gif", "alt": "a"}]))
    assert any("520 characters; Threads allows 500" in p for p in problems), problems
    assert any("media_base_url" in p for p in problems), problems
    assert any("image/gif" in p and "JPEG, PNG" in p for p in problems), problems
    assert adapter(tmp_path, fake, clock).validate(post("🔥" * 125)) == []  # 500 exactly


def test_graph_errors_choose_the_outcome(
    tmp_path: Path, fake: ThreadsFake, clock: ManualClock
) -> None:
    ad = adapter(tmp_path, fake, clock)
    payload = ad.compose(post("Hello")).parts[0]
    fake.fail(400, fake.error(190, "Error validating access token"), path="threads$")
    with pytest.raises(AuthError, match="TH_TOKEN"):
        ad.publish(payload, "k0")
    fake.fail(400, fake.error(4, "Application request limit reached"), path="threads$")
    with pytest.raises(RateLimited):
        ad.publish(payload, "k1")
    fake.fail(400, fake.error(100, "Param text is invalid"), path="threads$")
    with pytest.raises(Rejected, match="Param text is invalid"):
        ad.publish(payload, "k2")
    # An unclear answer while creating the container is certain: nothing visible exists.
    fake.fail(500, "oops", path="threads$")
    with pytest.raises(NotSent, match="nothing was posted"):
        ad.publish(payload, "k3")
    assert fake.posts == {}


def test_lost_publish_answer_is_settled_by_the_container(
    tmp_path: Path, fake: ThreadsFake, clock: ManualClock
) -> None:
    ad = adapter(tmp_path, fake, clock)
    payload = ad.compose(post("Lost in the post")).parts[0]
    fake.drop(processed=True, path="threads_publish")
    with pytest.raises(UnknownOutcome):
        ad.publish(payload, "k0")
    (made,) = fake.posts
    found = ad.lookup("k0", payload)
    assert found is not None and found.remote_id == made
    # A retry of the same key finds it too, and posts nothing new.
    assert ad.publish(payload, "k0").remote_id == made
    assert len(fake.posts) == 1 and len(fake.received("POST", "threads_publish")) == 1


def test_publish_never_reached_is_certainly_absent_and_reuses_the_container(
    tmp_path: Path, fake: ThreadsFake, clock: ManualClock
) -> None:
    ad = adapter(tmp_path, fake, clock)
    payload = ad.compose(post("Not yet")).parts[0]
    assert ad.lookup("k0", payload) is None  # nothing noted: nothing was made
    fake.drop(path="threads_publish")  # the publish call is lost before it is processed
    with pytest.raises(UnknownOutcome):
        ad.publish(payload, "k0")
    assert ad.lookup("k0", payload) is None  # the container says FINISHED, not PUBLISHED
    receipt = ad.publish(payload, "k0")
    assert len(fake.containers) == 1  # the same container, published now
    assert list(fake.posts) == [receipt.remote_id]


def test_lookup_never_takes_an_older_post_or_another_parent(
    tmp_path: Path, fake: ThreadsFake, clock: ManualClock
) -> None:
    ad = adapter(tmp_path, fake, clock)
    root = ad.publish(ad.compose(post("Root")).parts[0], "root")
    other = ad.publish(ad.compose(post("Other root")).parts[0], "other")
    reply_payload = ad.compose(post("Root", thread=["Same words"])).parts[1]
    old = ad.reply(other, reply_payload, "old-reply")  # same text and time, another parent
    fake.drop(processed=True, path="threads_publish")
    with pytest.raises(UnknownOutcome):
        ad.reply(root, reply_payload, "new-reply")
    # The real reply is found; remove it from the listing and no guess takes its place.
    found = ad.lookup("new-reply", reply_payload)
    assert found is not None and found.remote_id != old.remote_id
    assert fake.posts[found.remote_id]["reply_to"] == root.remote_id
    del fake.posts[found.remote_id]
    with pytest.raises(UnknownOutcome, match="not among the account's recent posts"):
        ad.lookup("new-reply", reply_payload)


def test_lookup_never_takes_a_post_from_before_the_container(
    tmp_path: Path, fake: ThreadsFake, clock: ManualClock
) -> None:
    ad = adapter(tmp_path, fake, clock)
    payload = ad.compose(post("Same words again")).parts[0]
    ad.publish(payload, "yesterday")
    clock.advance(timedelta(hours=1))
    fake.drop(processed=True, path="threads_publish")
    with pytest.raises(UnknownOutcome):
        ad.publish(payload, "today")
    newest = list(fake.posts)[-1]
    del fake.posts[newest]  # not listed yet: only the hour-old twin is
    with pytest.raises(UnknownOutcome, match="not among the account's recent posts"):
        ad.lookup("today", payload)


def test_check_reads_the_account(tmp_path: Path, fake: ThreadsFake, clock: ManualClock) -> None:
    assert "soulpost_test" in adapter(tmp_path, fake, clock).check()
    assert all(r.method == "GET" for r in fake.requests)
