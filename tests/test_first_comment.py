"""A post's first comment on LinkedIn, Facebook and Instagram: composed as one more part,
posted by the account under its own post, settled after a lost answer by reading the post's
comments (never someone else's, never twice), and through the real CLI exactly once even
when the process is killed while the comment is in flight."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.posts import Post, build_post
from soulpost.publish.adapters.facebook import FacebookAdapter
from soulpost.publish.adapters.instagram import InstagramAdapter
from soulpost.publish.adapters.linkedin import LinkedInAdapter
from soulpost.publish.base import Adapter, AdapterConfig, UnknownOutcome
from tests.fakes.linkedin import LinkedInFake
from tests.fakes.meta import InstagramFake, MediaHost, jpeg
from tests.test_adapter_facebook import PAGE, PageFake

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
COMMENT = "The full write-up, with the interview notes: https://example.org/notes"
PLATFORMS = ["linkedin", "facebook", "instagram"]


class World:
    """One platform's fake and an adapter pointed at it."""

    def __init__(self, name: str, tmp_path: Path, fake: Any, adapter: Adapter) -> None:
        self.name, self.tmp_path, self.fake, self.adapter = name, tmp_path, fake, adapter

    def comments(self) -> list[dict[str, Any]]:
        return list(self.fake.comments)

    def comment_text(self, comment: dict[str, Any]) -> str:
        if self.name == "linkedin":
            return str(comment["message"]["text"])
        return str(comment.get("message") or comment.get("text"))


def _config(platform: str, tmp_path: Path, options: dict[str, Any], token: str) -> AdapterConfig:
    return AdapterConfig(
        platform=platform,
        state_dir=tmp_path / ".soulpost",
        root=tmp_path,
        clock=ManualClock(T0),
        options={"read_timeout": 1, **options},
        credentials={"token": "TOKEN"},
        environ={"TOKEN": token},
    )


@pytest.fixture(params=PLATFORMS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    name = request.param
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "team.jpg").write_bytes(jpeg())
    if name == "linkedin":
        with LinkedInFake(token="li-token") as fake:
            config = _config(name, tmp_path, {"base_url": fake.url}, "li-token")
            yield World(name, tmp_path, fake, LinkedInAdapter(config))
    elif name == "facebook":
        with PageFake() as fake:
            config = _config(name, tmp_path, {"base_url": fake.url, "page_id": PAGE}, fake.token)
            yield World(name, tmp_path, fake, FacebookAdapter(config))
    else:
        with InstagramFake(token="ig-token", user_id="1784") as fake, MediaHost(tmp_path) as host:
            options = {"base_url": fake.url, "user_id": "1784", "media_base_url": host.url}
            config = _config(name, tmp_path, {**options, "poll_interval": 0}, "ig-token")
            yield World(name, tmp_path, fake, InstagramAdapter(config))


def post(platform: str, **extra: Any) -> Post:
    data: dict[str, Any] = {
        "id": "p1",
        "text": "What forty interviews taught us about onboarding. What would you add?",
        "platforms": [platform],
        "first_comment": COMMENT,
        "media": [{"path": "media/team.jpg", "alt": "Our team at a whiteboard"}],
        **extra,
    }
    return build_post(data, Path("queue/p1.toml"), {"platforms": {platform}})


def test_compose_adds_the_comment_as_a_part_and_a_variant_can_drop_it(world: World) -> None:
    parts = world.adapter.compose(post(world.name)).parts
    assert len(parts) == 2 and parts[1]["comment"].endswith("notes")
    off = post(world.name, variants={world.name: {"first_comment": ""}})
    assert len(world.adapter.compose(off).parts) == 1
    assert world.adapter.validate(post(world.name)) == []
    too_long = post(world.name, first_comment="x" * 9000)
    assert any("first comment has 9000 characters" in p for p in world.adapter.validate(too_long))


def test_the_comment_goes_under_the_post_by_the_account(world: World) -> None:
    ad = world.adapter
    main, comment = ad.compose(post(world.name)).parts
    parent = ad.publish(main, "k0")
    receipt = ad.reply(parent, comment, "k1")
    (made,) = world.comments()
    assert world.comment_text(made) == COMMENT
    assert receipt.remote_id and receipt.remote_id != parent.remote_id


def test_a_lost_answer_is_settled_from_the_posts_comments(world: World) -> None:
    ad = world.adapter
    main, comment = ad.compose(post(world.name)).parts
    parent = ad.publish(main, "k0")
    assert ad.lookup("k1", comment) is None  # never sent: certainly absent
    world.fake.drop(processed=True, method="POST", path="comments")
    with pytest.raises(UnknownOutcome):
        ad.reply(parent, comment, "k1")
    found = ad.lookup("k1", comment)
    (made,) = world.comments()
    assert found is not None
    assert found.remote_id in (made.get("id"), made.get("$URN"))


def test_someone_elses_comment_with_the_same_words_is_not_ours(world: World) -> None:
    ad = world.adapter
    main, comment = ad.compose(post(world.name)).parts
    parent = ad.publish(main, "k0")
    world.fake.drop(method="POST", path="comments")  # lost before it was made
    with pytest.raises(UnknownOutcome):
        ad.reply(parent, comment, "k1")
    stranger: dict[str, Any]
    if world.name == "linkedin":
        stranger = {
            "$URN": "urn:li:comment:(x,1)",
            "actor": "urn:li:person:someone",
            "object": parent.remote_id,
            "message": {"text": comment["comment"]},
        }
    elif world.name == "facebook":
        stranger = {
            "id": "1_2",
            "post": parent.remote_id,
            "message": COMMENT,
            "from": {"id": "999"},
        }
    else:
        stranger = {"id": "5", "media": parent.remote_id, "text": COMMENT, "from": {"id": "999"}}
    world.fake.comments.append(stranger)
    assert ad.lookup("k1", comment) is None


# --- through the CLI: killed while the comment is in flight ---------------------------------


def _workspace(root: Path, fake: PageFake) -> None:
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.facebook]
            env = {{ token = "SP_FB_TOKEN" }}
            options = {{ base_url = "{fake.url}", page_id = "{PAGE}", read_timeout = 30 }}
            [publish]
            lint_gate = false
            """
        )
    )
    (root / "queue").mkdir()
    for i in range(2):
        (root / "queue" / f"p{i}.toml").write_text(
            f'text = "Post {i}: what forty interviews taught us."\nplatforms = ["facebook"]\n'
            f'at = 2026-12-01T09:00:0{i}Z\nfirst_comment = "Notes for post {i}: https://example.org/{i}"\n'
        )


def _publish(root: Path, token: str) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("soulpost")
    env = {**os.environ, "SOULPOST_NOW": "2026-12-01T09:00:30Z", "SP_FB_TOKEN": token}
    return subprocess.Popen(
        [str(exe), "-C", str(root), "publish", "--due", "-q"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(ready: Callable[[], object], proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)


@pytest.mark.slow
def test_sigkill_while_the_comment_is_in_flight_never_comments_twice(tmp_path: Path) -> None:
    with PageFake() as fake:
        _workspace(tmp_path, fake)
        fake.hang(processed=True, method="POST", path="comments")
        proc = _publish(tmp_path, fake.token)
        _wait(lambda: fake.comments, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for _ in range(2):
            assert _publish(tmp_path, fake.token).wait(timeout=120) in (0, 1)
        texts = sorted(c["message"] for c in fake.comments)
        assert texts == [
            "Notes for post 0: https://example.org/0",
            "Notes for post 1: https://example.org/1",
        ]
        assert len(fake.posts) == 2
        for comment in fake.comments:
            assert comment["post"] in fake.posts  # each under its own post
