"""Issue 12 item 3 against the real PDS (``tests/pds.py``; skipped when it cannot run): the
id `resolve` reads from a Bluesky web URL names the account by handle; a thread's next part
must still reply to the record with DID-form strongRefs, as the network indexes them."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from soulpost.clock import SystemClock
from soulpost.posts import Post
from soulpost.publish.adapters.bluesky import BlueskyAdapter
from soulpost.publish.base import AdapterConfig, Receipt
from soulpost.publish.wire import bluesky as bsky

if TYPE_CHECKING:
    from tests.pds import Pds

pytest_plugins = ["tests.pds"]
pytestmark = pytest.mark.slow


def adapter(pds: Pds, tmp_path: Path) -> BlueskyAdapter:
    return BlueskyAdapter(
        AdapterConfig(
            platform="bluesky",
            state_dir=tmp_path / ".soulpost",
            clock=SystemClock(),
            options={"base_url": pds.url},
            credentials={"handle": "SP_PDS_HANDLE", "password": "SP_PDS_PASSWORD"},
            environ={"SP_PDS_HANDLE": pds.handle, "SP_PDS_PASSWORD": pds.password},
            root=tmp_path,
        )
    )


def record(pds: Pds, uri: str) -> dict[str, Any]:
    repo, _, rkey = uri.removeprefix("at://").partition(f"/{bsky.POST_COLLECTION}/")
    answer = requests.get(
        f"{pds.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": repo, "collection": bsky.POST_COLLECTION, "rkey": rkey},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_a_reply_to_the_id_read_from_the_web_url_threads_on_the_real_pds(
    pds: Pds, tmp_path: Path
) -> None:
    marker = uuid.uuid4().hex[:8]
    first = adapter(pds, tmp_path)
    post = Post.model_validate(
        {"id": "pds", "platforms": ["bluesky"], "text": f"1/3 {marker}", "thread": ["2/3", "3/3"]}
    )
    parts = first.compose(post).parts
    key = f"pds-resolve-{marker}"
    one = first.publish(parts[0], key)
    two = first.reply(one, parts[1], f"{key}-p1")
    assert two.url is not None and f"/profile/{pds.handle}/post/" in two.url
    # What a person gives `resolve`: the web URL, read without network or credentials.
    remote_id = BlueskyAdapter.remote_id_from_url(two.url)
    assert remote_id is not None and remote_id.startswith(f"at://{pds.handle}/")
    later = adapter(pds, tmp_path)  # the next pass: a fresh adapter, nothing cached
    three = later.reply(Receipt(remote_id, two.url, two.published_at), parts[2], f"{key}-p2")
    stored_one, stored_two = record(pds, one.remote_id), record(pds, two.remote_id)
    assert stored_two["uri"].startswith(f"at://{pds.did}/")
    assert record(pds, three.remote_id)["value"]["reply"] == {
        "root": {"uri": stored_one["uri"], "cid": stored_one["cid"]},
        "parent": {"uri": stored_two["uri"], "cid": stored_two["cid"]},
    }
