"""The Bluesky adapter against a scriptable XRPC server on 127.0.0.1.

The real PDS (``tests/test_adapter_bluesky_pds.py``) proves the records are accepted; this
fake covers what a real PDS will not do on demand: expired tokens, a refused refresh, 429 with
``Retry-After``, 5xx, dropped and slow answers. It follows ``shared/platforms.md`` §2 and the
PDS 0.5.35 source: ``{"error", "message"}`` bodies, 400 ``ExpiredToken``, 401
``AuthenticationRequired``, 400 ``RecordNotFound`` from getRecord, and **500** for a
createRecord whose record key exists. Request bodies are checked against the lexicons.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.posts import Post
from soulpost.publish.adapters.bluesky import BlueskyAdapter
from soulpost.publish.base import (
    AdapterConfig,
    AuthError,
    NotSent,
    RateLimited,
    Receipt,
    Rejected,
    UnknownOutcome,
)
from soulpost.publish.registry import load
from soulpost.publish.wire import bluesky as bsky
from tests.fakes.bluesky import DID, ENV, HANDLE, PASSWORD, T0, BlueskyFake
from tests.fakes.images import png
from tests.fakes.server import Request

VECTORS = json.loads(
    (
        Path(__file__).resolve().parents[1].parent
        / "shared"
        / "conformance"
        / "bluesky"
        / "rich-text-detection.json"
    ).read_text("utf-8")
)

Make = Callable[..., BlueskyAdapter]


@pytest.fixture
def fake() -> Any:
    with BlueskyFake() as server:
        yield server


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def make(tmp_path: Path, clock: ManualClock, fake: BlueskyFake) -> Make:
    def build(*, env: dict[str, str] | None = None, **options: Any) -> BlueskyAdapter:
        options.setdefault("base_url", fake.url)
        options.setdefault("read_timeout", 2.0)
        return BlueskyAdapter(
            AdapterConfig(
                platform="bluesky",
                state_dir=tmp_path / ".soulpost",
                clock=clock,
                options=options,
                credentials={"handle": "SP_BSKY_HANDLE", "password": "SP_BSKY_PASSWORD"},
                environ=ENV if env is None else env,
                root=tmp_path,
            )
        )

    return build


def post(**fields: Any) -> Post:
    return Post.model_validate({"id": "p1", "platforms": ["bluesky"], **fields})


def created(fake: BlueskyFake) -> list[Request]:
    return fake.received("POST", r"createRecord$")


def test_registered_under_its_name_with_the_real_default(tmp_path: Path) -> None:
    assert load("bluesky") is BlueskyAdapter
    adapter = BlueskyAdapter(
        AdapterConfig(platform="bluesky", state_dir=tmp_path, clock=ManualClock(T0))
    )
    assert adapter.base == "https://bsky.social"


def test_render_is_pure_and_shows_facets_with_byte_offsets(make: Make, fake: BlueskyFake) -> None:
    text = "Grüße 🦋 @bob.test: see soulpost.example.com/docs! #soul"
    rendered = make(langs=["de"]).compose(post(text=text))
    assert fake.requests == []
    (part,) = rendered.parts
    raw = text.encode()
    spans = [raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in part["facets"]]
    assert spans == ["soulpost.example.com/docs", "#soul"]
    assert part["facets"][0]["features"] == [
        {"$type": bsky.LINK, "uri": "https://soulpost.example.com/docs"}
    ]
    (mention,) = part["mentions"]
    assert raw[mention["byteStart"] : mention["byteEnd"]] == b"@bob.test"
    assert part["langs"] == ["de"]
    assert make().compose(post(text=text)).parts[0]["facets"] == part["facets"]


def test_a_post_resolves_mentions_and_uses_a_fixed_record_key(
    make: Make, fake: BlueskyFake
) -> None:
    text = "Hi @bob.test and @nobody.test, #soulpost https://example.com/a"
    adapter = make()
    receipt = adapter.publish(adapter.compose(post(text=text)).parts[0], "sp-p1-bluesky-abc")
    (login,) = fake.received("POST", "createSession")
    assert login.json == {"identifier": HANDLE, "password": PASSWORD}
    resolved = [r.query["handle"][0] for r in fake.received("GET", "resolveHandle")]
    assert resolved == ["bob.test", "nobody.test"]
    (sent,) = created(fake)
    assert sent.headers["Authorization"] == "Bearer access-jwt-1"
    body = sent.json
    assert body["repo"] == DID and body["collection"] == "app.bsky.feed.post"
    assert body["rkey"] == bsky.stable_tid("sp-p1-bluesky-abc", T0)
    record = body["record"]
    assert record["createdAt"] == "2026-12-01T08:00:00.000Z"
    types = [f["features"][0]["$type"] for f in record["facets"]]
    assert types == [bsky.MENTION, bsky.TAG, bsky.LINK]  # @nobody.test did not resolve
    assert record["facets"][0]["features"][0]["did"] == "did:plc:bob00000000000000000000"
    assert receipt.remote_id == f"at://{DID}/app.bsky.feed.post/{body['rkey']}"
    assert receipt.url == f"https://bsky.app/profile/{HANDLE}/post/{body['rkey']}"
    assert fake.lexicon_problems == []


def test_a_thread_carries_root_and_parent(make: Make, fake: BlueskyFake) -> None:
    adapter = make()
    parts = adapter.compose(post(text="1/3", thread=["2/3", "3/3"])).parts
    first = adapter.publish(parts[0], "k")
    second = adapter.reply(first, parts[1], "k-p1")
    third = adapter.reply(second, parts[2], "k-p2")
    records = [r.json["record"] for r in created(fake)]
    root = {"uri": first.remote_id, "cid": fake.records[first.remote_id.rsplit("/", 1)[1]]["cid"]}
    parent2 = {
        "uri": second.remote_id,
        "cid": fake.records[second.remote_id.rsplit("/", 1)[1]]["cid"],
    }
    assert "reply" not in records[0]
    assert records[1]["reply"] == {"root": root, "parent": root}
    assert records[2]["reply"] == {"root": root, "parent": parent2}
    assert len({first.remote_id, second.remote_id, third.remote_id}) == 3
    assert fake.received("GET", "getRecord") == []  # refs were remembered, not fetched


def test_a_reply_after_a_restart_reads_the_refs_back(make: Make, fake: BlueskyFake) -> None:
    first = make().publish({"text": "1/3", "facets": []}, "k")
    second = make().reply(Receipt(first.remote_id, None, T0), {"text": "2/3", "facets": []}, "k-p1")
    fresh = make()  # a new process: knows only the ledger's receipt
    fresh.reply(Receipt(second.remote_id, None, T0), {"text": "3/3", "facets": []}, "k-p2")
    reply = created(fake)[-1].json["record"]["reply"]
    assert reply["root"]["uri"] == first.remote_id
    assert reply["parent"]["uri"] == second.remote_id
    assert len(fake.received("GET", "getRecord")) == 2


def test_an_image_is_uploaded_as_a_blob_with_alt_and_aspect_ratio(
    make: Make, fake: BlueskyFake, tmp_path: Path
) -> None:
    (tmp_path / "pic.png").write_bytes(png(30, 20))
    adapter = make()
    rendered = adapter.compose(post(text="Look", media=[{"path": "pic.png", "alt": "Blue box"}]))
    adapter.publish(rendered.parts[0], "k-img")
    (upload,) = fake.received("POST", "uploadBlob")
    assert upload.headers["Content-Type"] == "image/png"
    assert upload.body == png(30, 20)
    (image,) = created(fake)[0].json["record"]["embed"]["images"]
    assert image["alt"] == "Blue box"
    assert image["aspectRatio"] == {"width": 30, "height": 20}
    assert image["image"]["ref"]["$link"] in fake.blobs
    assert created(fake)[0].json["record"]["embed"]["$type"] == "app.bsky.embed.images"


def test_validation_follows_the_platforms_limits(make: Make, tmp_path: Path) -> None:
    adapter = make(langs=["en", "de", "fr", "es"])
    (tmp_path / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 2_000_001)
    problems = adapter.validate(post(text="a" * 301, media=[{"path": "big.png", "alt": "x"}]))
    assert problems == [
        "the post is 301 graphemes; Bluesky allows 300",
        "the post: big.png is 2000009 bytes; Bluesky accepts at most 2000000",
        "options.langs has 4 entries; Bluesky allows 3",
    ]
    family = "👨\u200d👩\u200d👧\u200d👧"  # 25 bytes, one grapheme
    assert make().validate(post(text=family * 121)) == [
        "the post is 3025 bytes; Bluesky allows 3000"
    ]


def test_an_expired_token_is_refreshed_and_the_call_repeated(make: Make, fake: BlueskyFake) -> None:
    adapter = make()
    adapter.publish({"text": "one", "facets": []}, "k1")
    fake.expire_all()
    adapter.publish({"text": "two", "facets": []}, "k2")
    calls = [r.path.rsplit(".", 1)[1] for r in fake.requests]
    assert calls == [
        "createSession",
        "createRecord",
        "createRecord",  # 400 ExpiredToken
        "refreshSession",
        "createRecord",
    ]
    refresh = fake.received("POST", "refreshSession")[0]
    assert refresh.bearer == "refresh-jwt-1"
    assert created(fake)[-1].bearer == "access-jwt-2"
    assert len(fake.records) == 2


def test_a_refused_refresh_falls_back_to_a_new_session(make: Make, fake: BlueskyFake) -> None:
    adapter = make()
    adapter.publish({"text": "one", "facets": []}, "k1")
    fake.expire_all()
    fake.refresh.clear()  # the refresh token is no good either
    adapter.publish({"text": "two", "facets": []}, "k2")
    calls = [r.path.rsplit(".", 1)[1] for r in fake.requests]
    assert calls[2:] == ["createRecord", "refreshSession", "createSession", "createRecord"]
    assert fake.sessions == 2 and len(fake.records) == 2


def test_a_wrong_app_password_names_the_variables(make: Make, fake: BlueskyFake) -> None:
    adapter = make(env={"SP_BSKY_HANDLE": HANDLE, "SP_BSKY_PASSWORD": "wrong-password-9"})
    with pytest.raises(AuthError) as caught:
        adapter.publish({"text": "x", "facets": []}, "k")
    message = caught.value.message
    assert "Bluesky" in message
    assert "$SP_BSKY_HANDLE" in message and "$SP_BSKY_PASSWORD" in message
    assert "AuthenticationRequired" in message
    assert "wrong-password-9" not in message
    assert created(fake) == []


def test_a_missing_variable_fails_before_any_request(make: Make, fake: BlueskyFake) -> None:
    with pytest.raises(AuthError, match="SP_BSKY_PASSWORD"):
        make(env={"SP_BSKY_HANDLE": HANDLE}).publish({"text": "x", "facets": []}, "k")
    assert fake.requests == []


def test_429_waits_as_retry_after_says(make: Make, fake: BlueskyFake, clock: ManualClock) -> None:
    headers = {
        "RateLimit-Limit": "30",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": str(int((T0 + timedelta(seconds=300)).timestamp())),
        "RateLimit-Policy": "30;w=300",
        "Retry-After": "290",
    }
    fake.fail(
        429,
        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        headers=headers,
        path="createRecord",
    )
    with pytest.raises(RateLimited) as caught:
        make().publish({"text": "x", "facets": []}, "k")
    assert caught.value.reset_at == T0 + timedelta(seconds=290)
    assert "Rate Limit Exceeded" in caught.value.message


def test_a_lexicon_violation_is_rejected_with_the_pds_message(
    make: Make, fake: BlueskyFake
) -> None:
    fake.fail(
        400,
        {
            "error": "InvalidRequest",
            "message": "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
        },
        path="createRecord",
    )
    with pytest.raises(Rejected) as caught:
        make().publish({"text": "x", "facets": []}, "k")
    assert caught.value.status == 400
    assert "300 graphemes" in caught.value.message
    assert not isinstance(caught.value, AuthError)


def test_the_renderer_refuses_an_oversized_record_before_sending(
    make: Make, fake: BlueskyFake
) -> None:
    with pytest.raises(Rejected, match="301 graphemes"):
        make().publish({"text": "a" * 301, "facets": []}, "k")
    assert created(fake) == []


def test_a_lost_answer_is_settled_by_get_record(make: Make, fake: BlueskyFake) -> None:
    fake.drop(path="createRecord", processed=True)
    receipt = make().publish({"text": "exists after all", "facets": []}, "k-drop")
    assert len(fake.records) == 1
    (rkey,) = fake.records
    assert receipt.remote_id.endswith("/" + rkey)
    assert [r.query["rkey"][0] for r in fake.received("GET", "getRecord")] == [rkey]


def test_a_lost_request_stays_unknown_and_the_retry_reuses_the_record_key(
    make: Make, fake: BlueskyFake, clock: ManualClock
) -> None:
    fake.drop(path="createRecord")  # never processed
    adapter = make()
    with pytest.raises(UnknownOutcome):
        adapter.publish({"text": "once", "facets": []}, "k-retry")
    assert fake.records == {}
    assert adapter.lookup("k-retry", {"text": "once"}) is None
    clock.advance(timedelta(minutes=7))  # a later pass
    receipt = make().publish({"text": "once", "facets": []}, "k-retry")
    keys = [r.json["rkey"] for r in created(fake)]
    assert keys[0] == keys[1] == receipt.remote_id.rsplit("/", 1)[1]
    assert [r.json["record"]["createdAt"] for r in created(fake)] == [
        "2026-12-01T08:00:00.000Z",
        "2026-12-01T08:07:00.000Z",  # not backdated: only the record key is fixed
    ]


def test_a_retry_of_a_post_that_landed_gets_500_and_then_its_receipt(
    make: Make, fake: BlueskyFake
) -> None:
    first = make().publish({"text": "only once", "facets": []}, "k-twice")
    again = make().publish({"text": "only once", "facets": []}, "k-twice")
    assert again.remote_id == first.remote_id and again.url == first.url
    assert len(fake.records) == 1
    assert len(created(fake)) == 2  # the second was refused with 500, then getRecord


def test_lookup_finds_the_post_by_its_record_key(make: Make, fake: BlueskyFake) -> None:
    fake.hang(path="createRecord", processed=True)
    adapter = make(read_timeout=0.3)
    receipt = adapter.publish({"text": "hung", "facets": []}, "k-hang")
    assert make().lookup("k-hang", {"text": "hung"}) == Receipt(receipt.remote_id, receipt.url, T0)
    assert make().lookup("never", {"text": "x"}) is None


def test_5xx_that_did_not_create_is_unknown(make: Make, fake: BlueskyFake) -> None:
    fake.fail(502, "Bad Gateway", path="createRecord")
    with pytest.raises(UnknownOutcome, match="502"):
        make().publish({"text": "x", "facets": []}, "k")


def test_a_login_without_answer_is_not_sent(make: Make, fake: BlueskyFake) -> None:
    fake.drop(path="createSession")
    with pytest.raises(NotSent):
        make().publish({"text": "x", "facets": []}, "k")
    assert created(fake) == []


def _sent_facets(adapter: BlueskyAdapter, fake: BlueskyFake, text: str, n: int) -> list[Any]:
    """Publish *text* as a post and return ``(start, end, value)`` of the facets the server
    received, with offsets shifted back to the unstripped text."""
    (part,) = adapter.compose(post(text=text)).parts
    adapter.publish(part, f"vector-{n}")
    record = created(fake)[-1].json["record"]
    assert record["text"] == text.strip()
    shift = len(text.encode()) - len(text.lstrip().encode())
    out = []
    for facet in record.get("facets", ()):
        (feature,) = facet["features"]
        value = feature.get("uri") or feature.get("did") or feature.get("tag")
        out.append((facet["index"]["byteStart"] + shift, facet["index"]["byteEnd"] + shift, value))
    return out


def test_every_rich_text_vector_reaches_the_server_exactly(make: Make, fake: BlueskyFake) -> None:
    """All 97 upstream detection cases, through render, handle resolution and createRecord."""
    fake.resolve_any = True
    adapter = make()
    checked = 0
    for n, case in enumerate(VECTORS["mentionsAndLinks"]):
        expected = [(f["byteStart"], f["byteEnd"], f["value"]) for f in case["derivedFacets"]]
        assert _sent_facets(adapter, fake, case["text"], n) == expected, case["text"]
        checked += 1
    for n, case in enumerate(VECTORS["tags"], 100):
        expected = [
            (i["byteStart"], i["byteEnd"], tag)
            for i, tag in zip(case["expectedIndices"], case["expectedTags"], strict=True)
        ]
        assert _sent_facets(adapter, fake, case["text"], n) == expected, case["text"]
        checked += 1
    for n, case in enumerate(VECTORS["cashtags"], 200):
        sent = [
            f for f in _sent_facets(adapter, fake, case["text"], n) if str(f[2]).startswith("$")
        ]
        expected = [
            (i["byteStart"], i["byteEnd"], tag)
            for i, tag in zip(case["expectedIndices"], case["expectedTags"], strict=True)
        ]
        assert sent == expected, case["text"]
        checked += 1
    assert checked == 97
    assert fake.lexicon_problems == []


def test_dry_run_shows_the_rendered_facets_and_sends_nothing(
    fake: BlueskyFake, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SP_BSKY_HANDLE", HANDLE)
    monkeypatch.setenv("SP_BSKY_PASSWORD", PASSWORD)
    (tmp_path / "config.toml").write_text(
        f'timezone = "UTC"\n[platforms.bluesky]\noptions = {{ base_url = "{fake.url}" }}\n'
        'env = { handle = "SP_BSKY_HANDLE", password = "SP_BSKY_PASSWORD" }\n'
        "[publish]\nlint_gate = false\n",
        encoding="utf-8",
    )
    (tmp_path / "queue").mkdir()
    (tmp_path / "queue" / "hi.toml").write_text(
        'text = "Hi @bob.test, see example.com #soul"\nplatforms = ["bluesky"]\n'
        'status = "approved"\n',
        encoding="utf-8",
    )
    result = cli("publish", "hi", "--now", "--dry-run", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert '"uri": "https://example.com"' in result.out
    assert '"tag": "soul"' in result.out
    assert '"handle": "bob.test"' in result.out
    assert fake.requests == []
    sent = cli("publish", "hi", "--now", cwd=tmp_path)
    assert sent.code == 0, sent.out + sent.err
    assert f"https://bsky.app/profile/{HANDLE}/post/" in sent.out
    (record,) = [r.json["record"] for r in created(fake)]
    assert [f["features"][0]["$type"] for f in record["facets"]] == [
        bsky.MENTION,
        bsky.LINK,
        bsky.TAG,
    ]


def test_a_4xx_for_an_existing_record_key_is_settled_too(make: Make, fake: BlueskyFake) -> None:
    first = make().publish({"text": "once", "facets": []}, "k-4xx")
    fake.fail(
        400,
        {"error": "InvalidRequest", "message": "Record already exists"},
        path="createRecord",
    )
    assert make().publish({"text": "once", "facets": []}, "k-4xx") == first
    assert len(fake.records) == 1


def test_an_oversized_image_fails_before_logging_in(
    make: Make, fake: BlueskyFake, tmp_path: Path
) -> None:
    (tmp_path / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 2_000_000)  # not decodable
    media = [{"path": "big.png", "alt": "big"}]
    with pytest.raises(Rejected, match="accepts at most 2000000"):
        make().publish({"text": "Big", "facets": [], "media": media}, "k")
    assert fake.requests == []


def test_check_logs_in(make: Make, fake: BlueskyFake) -> None:
    assert make().check() == f"@{HANDLE} ({DID}) on {fake.url}"
    assert [r.path for r in fake.requests] == ["/xrpc/com.atproto.server.createSession"]
