"""One video per post, through the real adapters against their fakes on 127.0.0.1 (and the
real Bluesky PDS): Mastodon's processing poll, Bluesky's ``app.bsky.embed.video``, Threads'
and Instagram's video containers fetched from a media host, Facebook's ``/videos``; lint
reads the video's length with pymediainfo and checks it against each network's limits."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from soulpost.clock import ManualClock, SystemClock
from soulpost.mediafacts import video_facts
from soulpost.posts import Post
from soulpost.publish.adapters.bluesky import BlueskyAdapter
from soulpost.publish.adapters.facebook import FacebookAdapter
from soulpost.publish.adapters.instagram import InstagramAdapter
from soulpost.publish.adapters.mastodon import MastodonAdapter
from soulpost.publish.adapters.threads import ThreadsAdapter
from soulpost.publish.base import AdapterConfig, Rejected
from tests.fakes.bluesky import ENV, BlueskyFake
from tests.fakes.mastodon import MastodonFake
from tests.fakes.meta import InstagramFake, MediaHost, ThreadsFake, mp4
from tests.test_adapter_facebook import PAGE, PageFake
from tests.test_e2e_all_platforms import soulpost

if TYPE_CHECKING:
    from tests.pds import Pds

pytest_plugins = ["tests.pds"]
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ALT = "Sticky notes being sorted into three columns"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return mp4(tmp_path_factory.mktemp("v") / "clip.mp4", seconds=2.0)


@pytest.fixture
def root(tmp_path: Path, clip: bytes) -> Path:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "clip.mp4").write_bytes(clip)
    return tmp_path


def config(
    platform: str, root: Path, options: dict[str, Any], env: dict[str, str], **kw: Any
) -> AdapterConfig:
    return AdapterConfig(
        platform=platform,
        state_dir=root / ".soulpost",
        clock=kw.get("clock") or ManualClock(T0),
        options={"read_timeout": 5, **options},
        credentials=kw.get("credentials") or {"token": "TOKEN"},
        environ=env,
        root=root,
    )


def post(platform: str, **extra: Any) -> Post:
    return Post.model_validate(
        {
            "id": "v1",
            "platforms": [platform],
            "text": "Our workshop in two seconds. What would you try?",
            "media": [{"path": "media/clip.mp4", "alt": ALT}],
            **extra,
        }
    )


def test_the_length_is_read_from_the_file(root: Path) -> None:
    facts = video_facts(root / "media" / "clip.mp4")
    assert facts.seconds == pytest.approx(2.0, abs=0.2)
    assert (facts.width, facts.height, facts.mime) == (160, 120, "video/mp4")


def test_mastodon_uploads_the_video_and_waits_for_processing(root: Path, clip: bytes) -> None:
    with MastodonFake(token="m-token", media_polls=2) as fake:
        ad = MastodonAdapter(
            config(
                "mastodon",
                root,
                {"base_url": fake.url, "media_poll_interval": 0.01},
                {"TOKEN": "m-token"},
            )
        )
        p = post("mastodon")
        assert ad.validate(p) == []
        receipt = ad.publish(ad.compose(p).parts[0], "k")
        (upload,) = fake.received("POST", "/api/v2/media")
        assert upload.file("file").data == clip and upload.file("file").content_type == "video/mp4"
        assert upload.field("description") == ALT
        assert len(fake.received("GET", "/api/v1/media/")) >= 2  # polled while processing
        assert fake.statuses[receipt.remote_id]["media_attachments"]


def test_bluesky_embeds_the_video(root: Path, clip: bytes) -> None:
    with BlueskyFake() as fake:
        credentials = {"handle": "SP_BSKY_HANDLE", "password": "SP_BSKY_PASSWORD"}
        ad = BlueskyAdapter(
            config("bluesky", root, {"base_url": fake.url}, ENV, credentials=credentials)
        )
        ad.publish(ad.compose(post("bluesky")).parts[0], "k")
        (record,) = fake.records.values()
        embed = record["value"]["embed"]
        assert embed["$type"] == "app.bsky.embed.video" and embed["alt"] == ALT
        assert embed["aspectRatio"] == {"width": 160, "height": 120}
        assert fake.blobs[embed["video"]["ref"]["$link"]] == clip


@pytest.mark.slow
def test_bluesky_video_round_trips_through_the_real_pds(root: Path, clip: bytes, pds: Pds) -> None:
    env = {"SP_BSKY_HANDLE": pds.handle, "SP_BSKY_PASSWORD": pds.password}
    credentials = {"handle": "SP_BSKY_HANDLE", "password": "SP_BSKY_PASSWORD"}
    ad = BlueskyAdapter(
        config(
            "bluesky",
            root,
            {"base_url": pds.url},
            env,
            credentials=credentials,
            clock=SystemClock(),
        )
    )
    receipt = ad.publish(ad.compose(post("bluesky")).parts[0], "k-video")
    repo, _, rkey = receipt.remote_id.removeprefix("at://").partition("/app.bsky.feed.post/")
    answer = requests.get(
        f"{pds.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": repo, "collection": "app.bsky.feed.post", "rkey": rkey},
        timeout=30,
    )
    answer.raise_for_status()
    embed = answer.json()["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.video" and embed["alt"] == ALT
    blob = requests.get(
        f"{pds.url}/xrpc/com.atproto.sync.getBlob",
        params={"did": repo, "cid": embed["video"]["ref"]["$link"]},
        timeout=30,
    )
    assert blob.status_code == 200 and blob.content == clip


@pytest.mark.parametrize("platform", ["threads", "instagram"])
def test_threads_and_instagram_fetch_the_video_by_url(
    root: Path, clip: bytes, platform: str
) -> None:
    fake_cls = ThreadsFake if platform == "threads" else InstagramFake
    with fake_cls(token="t", user_id="1784", now=lambda: T0) as fake, MediaHost(root) as host:
        options = {
            "base_url": fake.url,
            "user_id": "1784",
            "media_base_url": host.url,
            "poll_interval": 0,
        }
        cls = ThreadsAdapter if platform == "threads" else InstagramAdapter
        ad = cls(config(platform, root, options, {"TOKEN": "t"}))
        p = post(platform)
        assert ad.validate(p) == []
        receipt = ad.publish(ad.compose(p).parts[0], "k")
        (created,) = fake.received("POST", r"/(threads|media)$")
        assert created.field("media_type") == ("VIDEO" if platform == "threads" else "REELS")
        assert created.field("video_url") == host.url + "media/clip.mp4"
        assert fake.fetched == [(host.url + "media/clip.mp4", clip)]
        assert receipt.remote_id in fake.posts


def test_facebook_posts_the_video_to_the_page(root: Path, clip: bytes) -> None:
    with PageFake() as fake:
        ad = FacebookAdapter(
            config("facebook", root, {"base_url": fake.url, "page_id": PAGE}, {"TOKEN": fake.token})
        )
        receipt = ad.publish(ad.compose(post("facebook")).parts[0], "k")
        (video,) = fake.videos.values()
        assert video["bytes"] == clip and video["description"].startswith("Our workshop")
        assert receipt.url == f"https://www.facebook.com/{PAGE}/videos/{receipt.remote_id}"


def test_refusals_before_anything_is_sent(root: Path) -> None:
    with MastodonFake(token="m-token") as fake:
        ad = MastodonAdapter(config("mastodon", root, {"base_url": fake.url}, {"TOKEN": "m-token"}))
        (root / "media" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        both = post(
            "mastodon",
            media=[{"path": "media/clip.mp4", "alt": "a"}, {"path": "media/a.png", "alt": "b"}],
        )
        assert ad.validate(both) == [
            "the post: Mastodon takes one video per post, with nothing beside it"
        ]
    pinterest = post("pinterest")
    from soulpost.publish.adapters.pinterest import PinterestAdapter

    pin = PinterestAdapter(config("pinterest", root, {"board_id": "549755885175"}, {"TOKEN": "p"}))
    assert pin.validate(pinterest)  # Pinterest pins take one image, never a video
    with pytest.raises(Rejected, match=r"video|JPEG"):
        pin.publish(pin.compose(pinterest).parts[0], "k")


def test_lint_checks_length_against_each_network(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    mp4(tmp_path / "media" / "long.mp4", seconds=150.0, size="32x24")
    (tmp_path / "config.toml").write_text('timezone = "UTC"\n')
    (tmp_path / "queue").mkdir()
    (tmp_path / "queue" / "long.toml").write_text(
        textwrap.dedent(
            """\
            text = "Our workshop, the long cut. What would you try?"
            platforms = ["x", "bluesky", "mastodon", "pinterest"]
            at = 2026-12-01T09:00:00Z
            [[media]]
            path = "media/long.mp4"
            alt = "The whole workshop"
            """
        )
    )
    result = soulpost("lint", "--format", "json", cwd=tmp_path, env={})
    found = {
        (f["platform"], f["message"].split(": ", 1)[1])
        for f in json.loads(result.stdout)["findings"]
        if f["code"] == "SP616"
    }
    assert found == {
        ("x", "150 seconds long; X takes at most 140"),
        ("pinterest", "Pinterest takes no video from soulpost"),
    }, result.stdout  # Bluesky's 180 s and Mastodon's no limit let it pass


def test_lint_says_when_the_length_cannot_be_read(
    tmp_path: Path, clip: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soulpost import mediafacts
    from soulpost.lint.builtin import reach as rules

    monkeypatch.setattr(mediafacts, "_mediainfo", lambda path: None)
    monkeypatch.setattr(mediafacts, "_ffprobe", lambda path: None)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "clip.mp4").write_bytes(clip)
    from soulpost.config import Settings
    from soulpost.lint.draft import Draft

    settings = Settings.model_validate({"timezone": "UTC"})
    settings.root = tmp_path
    draft = Draft(post("x", platforms=["x", "mastodon"]), settings, T0, T0)
    the_post = draft.post
    problems = list(rules._video_problems(draft, the_post.media, 0, ("x", "mastodon")))
    (only,) = problems  # said once, for X (Mastodon has no length limit to check)
    assert only[0] == "x" and only[1].startswith("length not checked")
    assert "install soulpost[video] (pymediainfo) or ffmpeg's ffprobe" in only[1]


def test_x_uploads_a_video_in_chunks_and_waits_for_processing(
    root: Path, clip: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soulpost.publish.adapters.x import XAdapter
    from soulpost.publish.wire import x as wire
    from tests.fakes.x import XFake

    monkeypatch.setattr(wire, "VIDEO_CHUNK", 3000)  # a small clip in several chunks
    clock = ManualClock(T0)
    with XFake(token="x-token") as fake:
        ad = XAdapter(
            config(
                "x",
                root,
                {"base_url": fake.url, "username": "soulpost"},
                {"TOKEN": "x-token"},
                clock=clock,
            )
        )
        receipt = ad.publish(ad.compose(post("x")).parts[0], "k")
        appended = fake.received("POST", r"/append$")
        assert len(appended) == -(-len(clip) // 3000) > 1
        assert [a.field("segment_index") for a in appended] == [
            str(i) for i in range(len(appended))
        ]
        (media_id,) = fake.tweets[receipt.remote_id]["media_ids"]
        assert fake.media[media_id]["data"] == clip and fake.media[media_id]["alt_text"] == ALT
        assert clock.slept == [1.0, 1.0, 1.0]  # pending, then in_progress twice
        # A video X cannot process is refused with X's reason; one never done waits a pass.
        (root / "media" / "bad.mp4").write_bytes(b"not a video at all")
        bad = post("x", media=[{"path": "media/bad.mp4", "alt": "x"}])
        with pytest.raises(Rejected, match="Unsupported video format"):
            ad.publish(ad.compose(bad).parts[0], "k2")
        fake.video_polls = 1000
        slow = XAdapter(
            config(
                "x",
                root,
                {"base_url": fake.url, "username": "s", "video_wait": 5},
                {"TOKEN": "x-token"},
                clock=clock,
            )
        )
        from soulpost.publish.base import NotSent

        with pytest.raises(NotSent, match="still processing"):
            slow.publish(
                slow.compose(post("x", text="Another clip, what do you think?")).parts[0], "k3"
            )


def test_linkedin_uploads_the_video_in_parts_and_waits_until_available(
    root: Path, clip: bytes
) -> None:
    from soulpost.publish.adapters.linkedin import LinkedInAdapter
    from tests.fakes.linkedin import LinkedInFake

    clock = ManualClock(T0)
    with LinkedInFake(token="li-token") as fake:
        fake.video_part = 2000  # several parts for a small clip
        fake.video_polls = 2
        ad = LinkedInAdapter(
            config("linkedin", root, {"base_url": fake.url}, {"TOKEN": "li-token"}, clock=clock)
        )
        ad.publish(ad.compose(post("linkedin")).parts[0], "k")
        (made,) = fake.posts.values()
        urn = made["content"]["media"]["id"]
        assert urn.startswith("urn:li:video:")
        assert fake.videos[urn]["data"] == clip and len(fake.videos[urn]["parts"]) > 1
        assert clock.slept == [1.0, 1.0]  # PROCESSING twice, then AVAILABLE
