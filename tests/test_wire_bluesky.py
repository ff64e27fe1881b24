"""Bluesky wire format: facet detection against the upstream vectors, records against the
lexicons, record keys, and reading PDS replies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from soulpost.publish.http import reset_time
from soulpost.publish.wire import bluesky as bsky
from tests.fakes.lexicon import Lexicons

CONFORMANCE = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"
VECTORS = json.loads((CONFORMANCE / "bluesky" / "rich-text-detection.json").read_text("utf-8"))
GRAPHEMES = json.loads((CONFORMANCE / "bluesky" / "grapheme-length.json").read_text("utf-8"))
LEX = Lexicons()
KIND = {bsky.LINK: "link", bsky.MENTION: "mention", bsky.TAG: "tag"}
WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))


def _flat(facets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for facet in facets:
        (feature,) = facet["features"]
        value = feature.get("uri") or feature.get("did") or feature.get("tag")
        out.append({**facet["index"], "kind": KIND[feature["$type"]], "value": value})
    return out


def test_the_vector_file_has_every_case() -> None:
    counts = {k: len(VECTORS[k]) for k in ("mentionsAndLinks", "tags", "cashtags")}
    assert counts == {"mentionsAndLinks": 40, "tags": 39, "cashtags": 18}


@pytest.mark.parametrize("case", VECTORS["mentionsAndLinks"], ids=lambda c: repr(c["text"])[:40])
def test_mentions_and_links(case: dict[str, Any]) -> None:
    text = case["text"]
    found = bsky.detect(text)
    # The upstream test resolves every handle X to did:fake:X; the adapter does it for real.
    dids = {m.handle: f"did:fake:{m.handle}" for m in found.mentions}
    facets = bsky.facets(text, dids)
    assert _flat(facets) == case["derivedFacets"]
    # the byte ranges really select the segment text of the upstream expectation
    raw = text.encode("utf-8")
    linked = [s for s in case["expectedSegments"] if len(s) == 2]
    assert [raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets] == [
        s[0] for s in linked
    ]
    for facet in facets:
        assert LEX.validate("app.bsky.richtext.facet", facet) == []


@pytest.mark.parametrize("case", VECTORS["tags"], ids=lambda c: repr(c["text"])[:40])
def test_tags(case: dict[str, Any]) -> None:
    facets = bsky.facets(case["text"], {})
    assert [f["index"] for f in facets] == case["expectedIndices"]
    assert [f["features"][0]["tag"] for f in facets] == case["expectedTags"]


@pytest.mark.parametrize("case", VECTORS["cashtags"], ids=lambda c: repr(c["text"])[:40])
def test_cashtags(case: dict[str, Any]) -> None:
    cashtags = [
        f for f in bsky.facets(case["text"], {}) if f["features"][0].get("tag", "").startswith("$")
    ]
    assert [f["index"] for f in cashtags] == case["expectedIndices"]
    assert [f["features"][0]["tag"] for f in cashtags] == case["expectedTags"]


@pytest.mark.parametrize("case", GRAPHEMES["cases"], ids=lambda c: repr(c["text"])[:30])
def test_lengths(case: dict[str, Any]) -> None:
    assert bsky.grapheme_length(case["text"]) == case["graphemes"]
    if case["utf8Length"] is not None:
        assert bsky.utf8_length(case["text"]) == case["utf8Length"]


def test_unresolved_mention_stays_plain_text() -> None:
    text = "thanks @alice.test and @nobody.test!"
    found = bsky.detect(text)
    assert [m.handle for m in found.mentions] == ["alice.test", "nobody.test"]
    facets = bsky.facets(text, {"alice.test": "did:plc:alice"})
    assert _flat(facets) == [
        {"byteStart": 7, "byteEnd": 18, "kind": "mention", "value": "did:plc:alice"}
    ]


def test_tag_limit_is_64_graphemes_not_code_units() -> None:
    # The lexicon counts graphemes (max 64) and bytes (max 640): 40 butterflies are fine.
    assert _flat(bsky.facets("#" + "🦋" * 40, {}))[0]["value"] == "🦋" * 40
    assert bsky.facets("#" + "a" * 65, {}) == []


def test_offsets_are_utf8_bytes() -> None:
    text = "Grüße 🦋 an example.com #Ünïcödé"
    facets = bsky.facets(text, {})
    raw = text.encode("utf-8")
    assert [raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets] == [
        "example.com",
        "#Ünïcödé",
    ]


def _blob(size: int = 73) -> dict[str, Any]:
    return {
        "$type": "blob",
        "ref": {"$link": "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"},
        "mimeType": "image/png",
        "size": size,
    }


def test_post_record_matches_the_lexicon() -> None:
    text = "New post on example.com #soul"
    root = bsky.StrongRef("at://did:plc:abc/app.bsky.feed.post/3kabc", "bafyreiroot")
    parent = bsky.StrongRef("at://did:plc:abc/app.bsky.feed.post/3kdef", "bafyreiparent")
    record = bsky.post_record(
        text,
        created_at=WHEN,
        facets=bsky.facets(text, {}),
        langs=["en"],
        root=root,
        parent=parent,
        images=[bsky.Image(_blob(), "A bar chart", 3, 2)],
    )
    assert record["$type"] == "app.bsky.feed.post"
    assert record["createdAt"] == "2026-12-01T08:00:00.000Z"
    assert record["reply"] == {
        "root": {"uri": root.uri, "cid": root.cid},
        "parent": {"uri": parent.uri, "cid": parent.cid},
    }
    assert record["embed"] == {
        "$type": "app.bsky.embed.images",
        "images": [
            {"image": _blob(), "alt": "A bar chart", "aspectRatio": {"width": 3, "height": 2}}
        ],
    }
    assert LEX.validate("app.bsky.feed.post", record) == []
    body = bsky.create_record_body("did:plc:abc", record, rkey="3kabcdefghij2")
    assert body["collection"] == "app.bsky.feed.post"
    assert LEX.validate("com.atproto.repo.createRecord", body) == []
    assert LEX.validate("com.atproto.repo.createRecord", {}) != []  # it does check


def test_minimal_record_is_text_and_created_at() -> None:
    record = bsky.post_record("hello", created_at=WHEN)
    assert record == {
        "$type": "app.bsky.feed.post",
        "text": "hello",
        "createdAt": "2026-12-01T08:00:00.000Z",
    }
    assert LEX.validate("app.bsky.feed.post", record) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a" * 301, "301 graphemes"),
        ("👨‍👩‍👧‍👧" * 121, "3025 UTF-8 bytes"),
    ],
)
def test_record_limits_match_the_lexicon(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bsky.post_record(text, created_at=WHEN)
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-01-01T00:00:00Z"}
    assert LEX.validate("app.bsky.feed.post", record) != []


def test_limits_at_the_edge_are_accepted() -> None:
    for text in ("a" * 300, "👨‍👩‍👧‍👧" * 120):
        record = bsky.post_record(text, created_at=WHEN)
        assert LEX.validate("app.bsky.feed.post", record) == []


def test_too_many_images_and_big_blobs_are_refused() -> None:
    images = [bsky.Image(_blob(), f"image {i}") for i in range(5)]
    with pytest.raises(ValueError, match="5 images"):
        bsky.post_record("x", created_at=WHEN, images=images)
    with pytest.raises(ValueError, match="2000000"):
        bsky.post_record("x", created_at=WHEN, images=[bsky.Image(_blob(2_500_008), "big")])


def test_reply_needs_root_and_parent() -> None:
    ref = bsky.StrongRef("at://did:plc:a/app.bsky.feed.post/3k", "bafy")
    with pytest.raises(ValueError, match="both root and parent"):
        bsky.post_record("x", created_at=WHEN, root=ref)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        bsky.post_record("x", created_at=datetime(2026, 1, 1))


# --- record keys ------------------------------------------------------------------------------

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def _independent_tid(micros: int, clock: int) -> str:
    value = micros * 1024 + clock
    return "".join(ALPHABET[(value >> (5 * (12 - i))) & 31] for i in range(13))


def tid_time(value: str) -> datetime:
    """The moment a TID encodes: 53 bits of microseconds, then 10 of clock id."""
    number = 0
    for char in value:
        number = number * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(char)
    micros = number >> 10
    return datetime.fromtimestamp(micros // 1_000_000, UTC).replace(microsecond=micros % 1_000_000)


def test_tid_encoding() -> None:
    assert bsky.tid(0, 0) == "2222222222222"
    micros = 1_764_104_400_123_456
    assert bsky.tid(micros, 7) == _independent_tid(micros, 7)
    moment = datetime(2025, 11, 25, 21, 0, 0, 123456, tzinfo=UTC)
    value = bsky.tid_at(moment, 5)
    assert bsky.is_tid(value) and len(value) == 13
    assert tid_time(value) == moment


def test_tids_sort_by_time() -> None:
    base = datetime(2026, 12, 1, tzinfo=UTC)
    keys = [bsky.tid_at(base + timedelta(microseconds=i * 997), 1023 - i) for i in range(50)]
    assert keys == sorted(keys)


def test_stable_tid_is_the_same_on_retry_and_differs_between_posts() -> None:
    first = bsky.stable_tid("post-1:bluesky:0", WHEN)
    assert first == bsky.stable_tid("post-1:bluesky:0", WHEN)
    assert first != bsky.stable_tid("post-1:bluesky:1", WHEN)
    assert bsky.is_tid(first)
    # it still sorts by (and decodes to) the post's second
    assert tid_time(first).replace(microsecond=0) == WHEN.astimezone(UTC)
    later = bsky.stable_tid("post-0:bluesky:0", WHEN + timedelta(seconds=1))
    assert later > first  # a post due a second later always sorts after


def test_tid_syntax() -> None:
    assert bsky.is_tid("3jzfcijpj2z2a")
    for bad in ("3jzfcijpj2z2", "kjzfcijpj2z2a", "3jzfcijpj2z2A", "3jzfcijpj2z21"):
        assert not bsky.is_tid(bad)


# --- replies ----------------------------------------------------------------------------------


def test_parse_created_record() -> None:
    created = bsky.parse_created(
        {
            "uri": "at://did:plc:abc123/app.bsky.feed.post/3kabcdefghij2",
            "cid": "bafyreiabc",
            "commit": {"cid": "bafyreicommit", "rev": "3kabc"},
            "validationStatus": "valid",
        }
    )
    assert created.rkey == "3kabcdefghij2"
    assert created.did == "did:plc:abc123"
    assert created.ref.as_dict() == {"uri": created.uri, "cid": "bafyreiabc"}
    assert created.web_url("alice.test") == "https://bsky.app/profile/alice.test/post/3kabcdefghij2"
    with pytest.raises(ValueError):
        bsky.parse_created({"error": "InvalidRequest"})


def test_blob_from_upload() -> None:
    assert bsky.blob_from_upload({"blob": _blob()}) == _blob()
    with pytest.raises(ValueError):
        bsky.blob_from_upload({})


def test_errors_and_rate_limits() -> None:
    expired = bsky.parse_error(400, {"error": "ExpiredToken", "message": "Token has expired"})
    assert expired.expired_token and not expired.rate_limited
    assert bsky.parse_error(401, {"error": "AuthenticationRequired"}).auth
    limited = bsky.parse_error(
        429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
    )
    assert limited.rate_limited
    assert bsky.parse_error(502, None).name == "Unknown"
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert reset_time({"Retry-After": "290"}, now) == now + timedelta(seconds=290)
    assert reset_time({"RateLimit-Reset": "1796083200"}, now) == datetime(2026, 12, 1, tzinfo=UTC)
    assert reset_time({}, now) is None
