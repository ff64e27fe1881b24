"""The Bluesky adapter against the real PDS from ``shared/peers`` (``tests/pds.py``).

Everything goes through :class:`BlueskyAdapter` (and once through ``soulpost publish`` on a
workspace configured for the PDS); what landed is read back from the PDS with plain
``getRecord``/``listRecords`` calls. Skipped, with the reason, when the PDS cannot run here.
"""

from __future__ import annotations

import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from soulpost.clock import SystemClock
from soulpost.posts import Post
from soulpost.publish.adapters.bluesky import BlueskyAdapter
from soulpost.publish.base import AdapterConfig, AuthError
from soulpost.publish.wire import bluesky as bsky
from tests.fakes.images import png

if TYPE_CHECKING:
    from tests.pds import Pds

pytest_plugins = ["tests.pds"]
pytestmark = pytest.mark.slow

Make = Callable[..., BlueskyAdapter]


@pytest.fixture
def make(pds: Pds, tmp_path: Path) -> Make:
    env = {"SP_PDS_HANDLE": pds.handle, "SP_PDS_PASSWORD": pds.password}

    def build(*, environ: dict[str, str] | None = None) -> BlueskyAdapter:
        return BlueskyAdapter(
            AdapterConfig(
                platform="bluesky",
                state_dir=tmp_path / ".soulpost",
                clock=SystemClock(),
                options={"base_url": pds.url, "langs": ["en"]},
                credentials={"handle": "SP_PDS_HANDLE", "password": "SP_PDS_PASSWORD"},
                environ=env if environ is None else environ,
                root=tmp_path,
            )
        )

    return build


def record(pds: Pds, uri: str) -> dict[str, Any]:
    repo, _, rkey = uri.removeprefix("at://").partition("/app.bsky.feed.post/")
    answer = requests.get(
        f"{pds.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": repo, "collection": bsky.POST_COLLECTION, "rkey": rkey},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def all_posts(pds: Pds) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"repo": pds.did, "collection": bsky.POST_COLLECTION, "limit": "100"}
        if cursor:
            params["cursor"] = cursor
        answer = requests.get(
            f"{pds.url}/xrpc/com.atproto.repo.listRecords", params=params, timeout=30
        ).json()
        found += answer["records"]
        cursor = answer.get("cursor")
        if not cursor or not answer["records"]:
            return found


def post(**fields: Any) -> Post:
    return Post.model_validate({"id": "pds", "platforms": ["bluesky"], **fields})


def test_text_post_with_link_mention_and_hashtag_facets(make: Make, pds: Pds) -> None:
    tag = f"soul{uuid.uuid4().hex[:6]}"
    text = f"Grüße 🦋 @{pds.handle} read soulpost.example.com/docs! #{tag} @ghost.test"
    adapter = make()
    rendered = adapter.compose(post(text=text))
    receipt = adapter.publish(rendered.parts[0], f"pds-facets-{uuid.uuid4()}")
    rkey = receipt.remote_id.rsplit("/", 1)[1]
    assert receipt.url == f"https://bsky.app/profile/{pds.handle}/post/{rkey}"
    assert bsky.is_tid(rkey)
    stored = record(pds, receipt.remote_id)["value"]
    assert stored["text"] == text and stored["langs"] == ["en"]
    raw = text.encode("utf-8")
    spans = {
        raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in stored["facets"]
    }
    assert spans == {
        f"@{pds.handle}": {"$type": bsky.MENTION, "did": pds.did},
        "soulpost.example.com/docs": {
            "$type": bsky.LINK,
            "uri": "https://soulpost.example.com/docs",
        },
        f"#{tag}": {"$type": bsky.TAG, "tag": tag},
    }  # @ghost.test does not resolve on this PDS, so it stays plain text
    adapter.close()


def test_three_part_thread(make: Make, pds: Pds) -> None:
    adapter = make()
    parts = adapter.compose(post(text="1/3 thread", thread=["2/3 reply", "3/3 reply"])).parts
    key = f"pds-thread-{uuid.uuid4()}"
    first = adapter.publish(parts[0], key)
    second = adapter.reply(first, parts[1], f"{key}-p1")
    third = make().reply(second, parts[2], f"{key}-p2")  # a fresh adapter reads refs back
    one, two, three = (record(pds, r.remote_id) for r in (first, second, third))
    root = {"uri": one["uri"], "cid": one["cid"]}
    assert "reply" not in one["value"]
    assert two["value"]["reply"] == {"root": root, "parent": root}
    assert three["value"]["reply"] == {
        "root": root,
        "parent": {"uri": two["uri"], "cid": two["cid"]},
    }


def test_image_with_alt_text(make: Make, pds: Pds, tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "green.png").write_bytes(png(4, 3))
    adapter = make()
    rendered = adapter.compose(
        post(text="A green picture", media=[{"path": "media/green.png", "alt": "Green 4x3"}])
    )
    assert adapter.validate(post(text="x", media=[{"path": "media/green.png", "alt": "a"}])) == []
    receipt = adapter.publish(rendered.parts[0], f"pds-image-{uuid.uuid4()}")
    embed = record(pds, receipt.remote_id)["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    (image,) = embed["images"]
    assert image["alt"] == "Green 4x3"
    assert image["aspectRatio"] == {"width": 4, "height": 3}
    assert image["image"]["mimeType"] == "image/png"
    assert image["image"]["size"] == len(png(4, 3))


def test_a_retry_with_the_same_key_does_not_duplicate(make: Make, pds: Pds) -> None:
    text = f"exactly once {uuid.uuid4().hex[:8]}"
    key = f"pds-retry-{uuid.uuid4()}"
    first = make().publish({"text": text, "facets": []}, key)
    # a later pass (new adapter, new session) retries the same publication
    again = make().publish({"text": text, "facets": []}, key)
    assert (again.remote_id, again.url) == (first.remote_id, first.url)
    assert make().lookup(key, {"text": text}) is not None
    assert [r["value"]["text"] for r in all_posts(pds)].count(text) == 1


def test_a_wrong_password_is_a_clear_auth_error(make: Make, pds: Pds) -> None:
    adapter = make(environ={"SP_PDS_HANDLE": pds.handle, "SP_PDS_PASSWORD": "not-the-password"})
    with pytest.raises(AuthError) as caught:
        adapter.publish({"text": "x", "facets": []}, "k")
    assert "$SP_PDS_PASSWORD" in caught.value.message
    assert "not-the-password" not in caught.value.message


def test_soulpost_publish_on_a_workspace_configured_for_the_pds(
    pds: Pds, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SP_PDS_HANDLE", pds.handle)
    monkeypatch.setenv("SP_PDS_PASSWORD", pds.password)
    marker = uuid.uuid4().hex[:8]
    (tmp_path / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.bluesky]
            options = {{ base_url = "{pds.url}" }}
            env = {{ handle = "SP_PDS_HANDLE", password = "SP_PDS_PASSWORD" }}
            [publish]
            lint_gate = false
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "dot.png").write_bytes(png(2, 2))
    (tmp_path / "queue").mkdir()
    (tmp_path / "queue" / "launch.toml").write_text(
        textwrap.dedent(
            f"""\
            text = "Launch {marker}: notes at soulpost.example.com #soulpost"
            platforms = ["bluesky"]
            status = "approved"
            thread = ["Part two {marker}", "Part three {marker}"]
            [[media]]
            path = "media/dot.png"
            alt = "A small green square"
            """
        ),
        encoding="utf-8",
    )
    dry = cli("publish", "launch", "--now", "--dry-run", cwd=tmp_path)
    assert dry.code == 0, dry.out + dry.err
    assert "app.bsky.richtext.facet#tag" in dry.out and "createdAt" not in dry.out
    result = cli("publish", "launch", "--now", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert f"https://bsky.app/profile/{pds.handle}/post/" in result.out
    again = cli("publish", "launch", "--now", cwd=tmp_path)
    assert again.code == 0, again.out + again.err
    texts = [r["value"]["text"] for r in all_posts(pds) if marker in r["value"]["text"]]
    assert sorted(texts) == sorted(
        [
            f"Launch {marker}: notes at soulpost.example.com #soulpost",
            f"Part two {marker}",
            f"Part three {marker}",
        ]
    )
    assert pds.password not in result.out + result.err + again.out + again.err
