"""Records built by the Bluesky renderer, posted to a real PDS with plain requests.

This is the proof that the renderer's output is what Bluesky accepts: facets with UTF-8 byte
offsets, a fixed record key that makes a retry harmless, an image embed with alt text, and a
thread with root/parent strongRefs. The PDS comes from :mod:`tests.pds` (skipped with the
reason when it cannot run here).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
import requests

from soulpost.publish.wire import bluesky as bsky
from tests.fakes.images import png as _png
from tests.fakes.lexicon import Lexicons

if TYPE_CHECKING:  # imported for real by pytest_plugins, so assertions in it are rewritten
    from tests.pds import Pds

pytest_plugins = ["tests.pds"]
pytestmark = pytest.mark.slow

LEX = Lexicons()
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
# A PDS may be reused across test sessions: a per-session tag keeps record keys and texts
# from earlier runs out of the way (the same key would be refused, by design).
RUN = uuid.uuid4().hex[:8]


def key(name: str) -> str:
    """An idempotency key unique to this test session."""
    return f"{RUN}-{name}:bluesky"


@dataclass
class Session:
    """An authenticated XRPC client for the PDS account."""

    http: requests.Session
    base: str
    did: str
    handle: str
    token: str

    def post(self, nsid: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.http.post(
            f"{self.base}/xrpc/{nsid}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})},
            timeout=30,
            **kwargs,
        )

    def get(self, nsid: str, **params: str) -> requests.Response:
        return self.http.get(
            f"{self.base}/xrpc/{nsid}",
            params=params,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )

    def create(self, record: dict[str, Any], rkey: str | None = None) -> requests.Response:
        body = bsky.create_record_body(self.did, record, rkey=rkey)
        assert LEX.validate("com.atproto.repo.createRecord", body) == []
        assert LEX.validate("app.bsky.feed.post", record) == []
        return self.post("com.atproto.repo.createRecord", body)

    def record(self, rkey: str) -> dict[str, Any]:
        answer = self.get(
            "com.atproto.repo.getRecord", repo=self.did, collection=bsky.POST_COLLECTION, rkey=rkey
        )
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found


@pytest.fixture(scope="module")
def session(pds: Pds) -> Iterator[Session]:
    http = requests.Session()
    answer = http.post(
        f"{pds.url}/xrpc/com.atproto.server.createSession",
        json={"identifier": pds.handle, "password": pds.password},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["did"] == pds.did
    yield Session(http, pds.url, body["did"], body["handle"], body["accessJwt"])
    http.close()


def test_post_with_facets_and_a_fixed_record_key(session: Session) -> None:
    text = f"Grüße 🦋 from @{session.handle}: read soulpost.example.com/docs! #soul $BSKY"
    found = bsky.detect(text)
    resolved = {}
    for mention in found.mentions:
        answer = session.get("com.atproto.identity.resolveHandle", handle=mention.handle)
        assert answer.status_code == 200, answer.text
        resolved[mention.handle] = answer.json()["did"]
    facets = bsky.facets(text, resolved)
    assert [f["features"][0]["$type"] for f in facets] == [
        bsky.MENTION,
        bsky.LINK,
        bsky.TAG,
        bsky.TAG,
    ]
    record = bsky.post_record(text, created_at=NOW, facets=facets, langs=["de", "en"])
    rkey = bsky.stable_tid(key("facets"), NOW)
    answer = session.create(record, rkey)
    assert answer.status_code == 200, answer.text
    created = bsky.parse_created(answer.json())
    assert created.rkey == rkey and created.did == session.did
    assert answer.json()["validationStatus"] == "valid"
    stored = session.record(rkey)
    assert stored["value"]["text"] == text
    assert stored["value"]["facets"] == facets
    raw = text.encode("utf-8")
    spans = [raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets]
    assert spans == [f"@{session.handle}", "soulpost.example.com/docs", "#soul", "$BSKY"]
    assert stored["value"]["facets"][0]["features"][0]["did"] == session.did


def test_a_retry_with_the_same_record_key_does_not_duplicate(session: Session) -> None:
    text = f"posted exactly once ({RUN})"
    record = bsky.post_record(text, created_at=NOW)
    rkey = bsky.stable_tid(key("retry"), NOW)
    first = session.create(record, rkey)
    assert first.status_code == 200, first.text
    # the retry mints the same key from the same idempotency key and due time
    retry = session.create(record, bsky.stable_tid(key("retry"), NOW))
    assert retry.status_code != 200  # PDS 0.5.35 answers 500; any refusal will do
    listed: list[dict[str, Any]] = []
    cursor = None
    while True:  # every page: the shared PDS may hold many posts from earlier tests
        page = session.get(
            "com.atproto.repo.listRecords",
            repo=session.did,
            collection=bsky.POST_COLLECTION,
            limit="100",
            **({"cursor": cursor} if cursor else {}),
        ).json()
        listed += page["records"]
        cursor = page.get("cursor")
        if not cursor or not page["records"]:
            break
    same = [r for r in listed if r["uri"].endswith("/" + rkey)]
    assert len(same) == 1
    assert session.record(rkey)["cid"] == bsky.parse_created(first.json()).cid
    assert [r["value"]["text"] for r in listed].count(text) == 1


def test_image_with_alt_text(session: Session) -> None:
    image = _png(3, 2)
    uploaded = session.http.post(
        f"{session.base}/xrpc/com.atproto.repo.uploadBlob",
        data=image,
        headers={"Authorization": f"Bearer {session.token}", "Content-Type": "image/png"},
        timeout=30,
    )
    assert uploaded.status_code == 200, uploaded.text
    blob = bsky.blob_from_upload(uploaded.json())
    assert blob["mimeType"] == "image/png" and blob["size"] == len(image)
    record = bsky.post_record(
        "a tiny orange picture",
        created_at=NOW,
        images=[bsky.Image(blob, "Six orange pixels in a 3 by 2 grid", 3, 2)],
    )
    answer = session.create(record, bsky.stable_tid(key("image"), NOW))
    assert answer.status_code == 200, answer.text
    stored = session.record(bsky.parse_created(answer.json()).rkey)["value"]
    (embedded,) = stored["embed"]["images"]
    assert embedded["alt"] == "Six orange pixels in a 3 by 2 grid"
    assert embedded["aspectRatio"] == {"width": 3, "height": 2}
    assert embedded["image"]["ref"] == blob["ref"]


def test_three_part_thread(session: Session) -> None:
    parts = ["1/3 a thread", "2/3 replies to the first", "3/3 replies to the second"]
    refs: list[bsky.CreatedRecord] = []
    for number, text in enumerate(parts):
        root = refs[0].ref if refs else None
        parent = refs[-1].ref if refs else None
        record = bsky.post_record(text, created_at=NOW, root=root, parent=parent)
        answer = session.create(record, bsky.stable_tid(key(f"thread:{number}"), NOW))
        assert answer.status_code == 200, answer.text
        refs.append(bsky.parse_created(answer.json()))
    assert len({r.rkey for r in refs}) == 3
    second = session.record(refs[1].rkey)["value"]["reply"]
    third = session.record(refs[2].rkey)["value"]["reply"]
    assert second == {"root": refs[0].ref.as_dict(), "parent": refs[0].ref.as_dict()}
    assert third == {"root": refs[0].ref.as_dict(), "parent": refs[1].ref.as_dict()}
    assert "reply" not in session.record(refs[0].rkey)["value"]


def test_the_renderer_refuses_what_the_pds_refuses(session: Session) -> None:
    too_long = {"$type": bsky.POST_COLLECTION, "text": "a" * 301, "createdAt": bsky.datetime_z(NOW)}
    answer = session.post(
        "com.atproto.repo.createRecord",
        {"repo": session.did, "collection": bsky.POST_COLLECTION, "record": too_long},
    )
    assert answer.status_code == 400
    error = bsky.parse_error(answer.status_code, answer.json())
    assert error.name == "InvalidRequest" and "grapheme" in error.message
    with pytest.raises(ValueError, match="301 graphemes"):
        bsky.post_record("a" * 301, created_at=NOW)
    assert bsky.check_record(too_long) != []


def test_a_bad_token_is_an_auth_error(pds: Pds) -> None:
    answer = requests.post(
        f"{pds.url}/xrpc/com.atproto.repo.createRecord",
        json={},
        headers={"Authorization": "Bearer not-a-jwt"},
        timeout=30,
    )
    error = bsky.parse_error(answer.status_code, answer.json())
    assert error.auth, (answer.status_code, error)
