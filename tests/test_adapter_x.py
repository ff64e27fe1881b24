"""The X adapter against the fake X API v2 on 127.0.0.1.

The adapter reads ``GET /2/users/:id/tweets`` (the account's recent posts, newest first, with
links shown as t.co links as X does) to settle doubt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from soulpost.clock import ManualClock
from soulpost.posts import Post
from soulpost.publish.adapters.x import XAdapter, comparable
from soulpost.publish.base import (
    AdapterConfig,
    AuthError,
    NotSent,
    RateLimited,
    Rejected,
    UnknownOutcome,
)
from soulpost.publish.registry import load
from soulpost.publish.wire import x as wire
from tests.fakes.images import png
from tests.fakes.server import Request
from tests.fakes.x import XFake

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
USER_ID = "1072250532645998596"
OAUTH1_ENV = {
    "SP_X_KEY": "consumer-key-1",
    "SP_X_SECRET": "consumer-secret-1",
    "SP_X_TOKEN": "access-token-1",
    "SP_X_TOKEN_SECRET": "access-secret-1",
}
OAUTH1_ROLES = {
    "consumer_key": "SP_X_KEY",
    "consumer_secret": "SP_X_SECRET",
    "access_token": "SP_X_TOKEN",
    "access_token_secret": "SP_X_TOKEN_SECRET",
}
_URL = re.compile(r"https?://\S+")


#: The timeline route (GET /2/users/:id/tweets) is part of XFake now.
TimelineXFake = XFake


Make = Callable[..., XAdapter]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def fake(clock: ManualClock) -> Any:
    with TimelineXFake() as server:
        server.clock = clock.now
        yield server


@pytest.fixture
def make(tmp_path: Path, clock: ManualClock, fake: TimelineXFake) -> Make:
    def build(
        *,
        env: dict[str, str] | None = None,
        credentials: dict[str, str] | None = None,
        **options: Any,
    ) -> XAdapter:
        options.setdefault("base_url", fake.url)
        options.setdefault("read_timeout", 2.0)
        return XAdapter(
            AdapterConfig(
                platform="x",
                state_dir=tmp_path / ".soulpost",
                clock=clock,
                options=options,
                credentials=credentials if credentials is not None else {"token": "SP_X_BEARER"},
                environ=env if env is not None else {"SP_X_BEARER": "test-token"},
                root=tmp_path,
            )
        )

    return build


def post(**fields: Any) -> Post:
    return Post.model_validate({"id": "p1", "platforms": ["x"], **fields})


def tweets(fake: XFake) -> list[Request]:
    return fake.received("POST", r"^/2/tweets$")


def test_registered_under_its_name_with_the_real_default(tmp_path: Path) -> None:
    assert load("x") is XAdapter
    adapter = XAdapter(AdapterConfig(platform="x", state_dir=tmp_path, clock=ManualClock(T0)))
    assert adapter.base == "https://api.x.com"


def test_a_post_with_a_bearer_user_token(make: Make, fake: TimelineXFake) -> None:
    adapter = make()
    rendered = adapter.compose(post(text=" What did we learn? https://example.com "))
    assert rendered.parts == ({"text": "What did we learn? https://example.com"},)
    receipt = adapter.publish(rendered.parts[0], "k")
    (sent,) = tweets(fake)
    assert sent.headers["Authorization"] == "Bearer test-token"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.json == {"text": "What did we learn? https://example.com"}
    assert receipt.remote_id in fake.tweets
    assert receipt.url == f"https://x.com/soulpost_test/status/{receipt.remote_id}"
    assert len(fake.received("GET", "/2/users/me")) == 1


def test_the_username_option_saves_the_me_call(make: Make, fake: TimelineXFake) -> None:
    receipt = make(username="@someone").publish({"text": "Hi"}, "k")
    assert receipt.url == f"https://x.com/someone/status/{receipt.remote_id}"
    assert fake.received("GET", "/2/users/me") == []


def test_oauth1_requests_are_signed_correctly(make: Make, fake: TimelineXFake) -> None:
    adapter = make(credentials=OAUTH1_ROLES, env=OAUTH1_ENV)
    adapter.publish({"text": "Signed"}, "k")
    for request in fake.requests:
        header = request.headers["Authorization"]
        assert header.startswith("OAuth ")
        fields = dict(re.findall(r'(\w+)="([^"]*)"', header))
        assert fields["oauth_consumer_key"] == "consumer-key-1"
        assert fields["oauth_token"] == "access-token-1"
        assert fields["oauth_timestamp"] == str(int(T0.timestamp()))
        query = [(k, v) for k, values in request.query.items() for v in values]
        expected = wire.oauth1_header(
            request.method,
            f"{fake.url}{request.path}",
            consumer_key="consumer-key-1",
            consumer_secret="consumer-secret-1",
            token="access-token-1",
            token_secret="access-secret-1",
            nonce=unquote(fields["oauth_nonce"]),
            timestamp=int(fields["oauth_timestamp"]),
            params=query,
        )
        assert header == expected
        assert "consumer-secret-1" not in header and "access-secret-1" not in header
    nonces = {
        dict(re.findall(r'(\w+)="([^"]*)"', r.headers["Authorization"]))["oauth_nonce"]
        for r in fake.requests
    }
    assert len(nonces) == len(fake.requests)


def test_a_thread_replies_to_the_part_before(make: Make, fake: TimelineXFake) -> None:
    adapter = make()
    parts = adapter.compose(post(text="1/3 a", thread=["2/3 b", "3/3 c"])).parts
    first = adapter.publish(parts[0], "k")
    second = adapter.reply(first, parts[1], "k-p1")
    adapter.reply(second, parts[2], "k-p2")
    replies = [r.json.get("reply") for r in tweets(fake)]
    assert replies == [
        None,
        {"in_reply_to_tweet_id": first.remote_id},
        {"in_reply_to_tweet_id": second.remote_id},
    ]


def test_an_image_is_uploaded_with_alt_text_then_attached(
    make: Make, fake: TimelineXFake, tmp_path: Path
) -> None:
    (tmp_path / "dot.png").write_bytes(png())
    adapter = make()
    rendered = adapter.compose(
        post(text="A dot", media=[{"path": "dot.png", "alt": "A green dot"}])
    )
    adapter.publish(rendered.parts[0], "k")
    (upload,) = fake.received("POST", "/2/media/upload")
    media = upload.file("media")
    assert media is not None and media.data == png() and media.content_type == "image/png"
    assert upload.field("media_category") == "tweet_image"
    (meta,) = fake.received("POST", "/2/media/metadata")
    media_id = next(iter(fake.media))
    assert meta.json == {"id": media_id, "metadata": {"alt_text": {"text": "A green dot"}}}
    assert tweets(fake)[0].json["media"] == {"media_ids": [media_id]}
    order = [r.path for r in fake.requests]
    assert order == ["/2/users/me", "/2/media/upload", "/2/media/metadata", "/2/tweets"]


def test_validation_counts_weighted_length_and_media(make: Make) -> None:
    adapter = make()
    assert adapter.validate(post(text="日" * 140)) == []
    assert adapter.validate(post(text="日" * 141)) == [
        "the post is 282 weighted characters; X allows 280"
    ]
    too_long_alt = [{"path": "a.png", "alt": "x" * 1001}]
    assert "alt text of a.png is 1001 characters; X allows 1000" in " ".join(
        adapter.validate(post(text="Hi", media=too_long_alt))
    )


def test_a_first_duplicate_is_rejected_as_such(make: Make, fake: TimelineXFake) -> None:
    make().publish({"text": "Same words"}, "k-a")
    with pytest.raises(Rejected) as caught:
        make().publish({"text": "Same words"}, "k-b")
    assert caught.value.status == 403
    assert not isinstance(caught.value, AuthError)
    assert "duplicate content" in caught.value.message
    assert len(fake.tweets) == 1


def test_a_duplicate_after_doubt_is_the_earlier_post(make: Make, fake: TimelineXFake) -> None:
    text = "Posted & then the answer was lost: https://example.com/x"
    fake.drop(path=r"^/2/tweets$", processed=True)
    adapter = make()
    with pytest.raises(UnknownOutcome):
        adapter.publish({"text": text}, "k-lost")
    (tweet_id,) = fake.tweets
    # the engine would now call lookup; a person retrying by hand gets the same answer
    receipt = make().publish({"text": text}, "k-lost")
    assert receipt.remote_id == tweet_id
    assert receipt.url == f"https://x.com/soulpost_test/status/{tweet_id}"
    assert len(fake.tweets) == 1


def test_lookup_finds_a_post_whose_answer_was_lost(make: Make, fake: TimelineXFake) -> None:
    text = "Lost answer with a link https://example.com/a & more"
    fake.hang(path=r"^/2/tweets$", processed=True)
    adapter = make(read_timeout=0.3)
    with pytest.raises(UnknownOutcome):
        adapter.publish({"text": text}, "k-hang")
    found = make().lookup("k-hang", {"text": text})
    assert found is not None and found.remote_id in fake.tweets
    (timeline,) = fake.received("GET", r"/2/users/\d+/tweets")
    assert timeline.path == f"/2/users/{USER_ID}/tweets"
    assert timeline.query["max_results"] == ["20"]


def test_lookup_of_a_post_that_never_landed_allows_a_retry(make: Make, fake: TimelineXFake) -> None:
    fake.drop(path=r"^/2/tweets$")
    adapter = make()
    with pytest.raises(UnknownOutcome):
        adapter.publish({"text": "never arrived"}, "k")
    assert adapter.lookup("k", {"text": "never arrived"}) is None
    assert make().lookup("never-tried", {"text": "x"}) is None
    adapter.publish({"text": "never arrived"}, "k")
    assert len(fake.tweets) == 1


def test_lookup_cannot_find_a_post_without_text(
    make: Make, fake: TimelineXFake, tmp_path: Path
) -> None:
    (tmp_path / "dot.png").write_bytes(png())
    payload = {"text": "", "media": [{"path": "dot.png", "alt": "A dot"}]}
    fake.drop(path=r"^/2/tweets$")
    adapter = make()
    with pytest.raises(UnknownOutcome):
        adapter.publish(payload, "k")
    with pytest.raises(UnknownOutcome, match="person"):
        adapter.lookup("k", payload)


def test_429_waits_for_the_epoch_reset(make: Make, fake: TimelineXFake) -> None:
    fake.remaining = 0
    with pytest.raises(RateLimited) as caught:
        make(username="u").publish({"text": "Hi"}, "k")
    assert caught.value.reset_at == datetime.fromtimestamp(fake.reset_epoch, UTC)
    assert "Too Many Requests" in caught.value.message


def test_the_24_hour_user_limit_wins_when_used_up(make: Make, fake: TimelineXFake) -> None:
    fake.daily_remaining = 0
    fake.daily_limit = 17
    fake.fail(
        429,
        {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
        headers={
            "x-rate-limit-reset": str(fake.reset_epoch),
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": str(fake.reset_epoch + 86_400),
        },
        path=r"^/2/tweets$",
    )
    with pytest.raises(RateLimited) as caught:
        make(username="u").publish({"text": "Hi"}, "k")
    assert caught.value.reset_at == datetime.fromtimestamp(fake.reset_epoch + 86_400, UTC)


def test_a_rejected_token_names_the_variable(make: Make, fake: TimelineXFake) -> None:
    adapter = make(env={"SP_X_BEARER": "expired-user-token"})
    with pytest.raises(AuthError) as caught:
        adapter.publish({"text": "Hi"}, "k")
    assert "X refused the credentials in $SP_X_BEARER" in caught.value.message
    assert "expired-user-token" not in caught.value.message
    assert tweets(fake) == []


def test_no_credentials_configured_says_what_to_set(make: Make, fake: TimelineXFake) -> None:
    with pytest.raises(AuthError, match=r"OAuth 2\.0 user token"):
        make(credentials={}, env={}).publish({"text": "Hi"}, "k")
    with pytest.raises(AuthError, match="SP_X_TOKEN_SECRET"):
        make(credentials=OAUTH1_ROLES, env={**OAUTH1_ENV, "SP_X_TOKEN_SECRET": ""}).publish(
            {"text": "Hi"}, "k"
        )
    assert fake.requests == []


def test_a_too_long_post_is_rejected_with_xs_message(make: Make, fake: TimelineXFake) -> None:
    with pytest.raises(Rejected) as caught:
        make(username="u").publish({"text": "x" * 281}, "k")
    assert caught.value.status == 400
    assert "Your Tweet text is too long" in caught.value.message


def test_5xx_and_timeouts_are_unknown_and_never_retried(make: Make, fake: TimelineXFake) -> None:
    fake.fail(503, {"title": "Service Unavailable", "status": 503}, path=r"^/2/tweets$")
    with pytest.raises(UnknownOutcome, match="503"):
        make(username="u").publish({"text": "Hi"}, "k")
    fake.delay(1.0, path=r"^/2/tweets$")
    with pytest.raises(UnknownOutcome):
        make(username="u", read_timeout=0.2).publish({"text": "Hi again"}, "k2")
    assert len(tweets(fake)) == 2


def test_an_upload_without_answer_means_the_post_was_not_sent(
    make: Make, fake: TimelineXFake, tmp_path: Path
) -> None:
    (tmp_path / "dot.png").write_bytes(png())
    fake.drop(path="/2/media/upload")
    with pytest.raises(NotSent):
        make(username="u").publish({"text": "Hi", "media": [{"path": "dot.png", "alt": "x"}]}, "k")
    assert tweets(fake) == []


def test_comparable_ignores_tco_links_and_escaping() -> None:
    assert comparable("A & B https://example.com/x  ok") == comparable(
        "A &amp; B https://t.co/AbC123xyz ok"
    )


def test_through_the_engine_a_lost_answer_is_found_not_reposted(
    fake: TimelineXFake, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SP_X_BEARER", "test-token")
    fake.clock = lambda: datetime.now(UTC)  # the CLI runs on the real clock
    (tmp_path / "config.toml").write_text(
        f'timezone = "UTC"\n[platforms.x]\noptions = {{ base_url = "{fake.url}" }}\n'
        'env = { token = "SP_X_BEARER" }\n[publish]\nlint_gate = false\n',
        encoding="utf-8",
    )
    (tmp_path / "queue").mkdir()
    (tmp_path / "queue" / "hi.toml").write_text(
        'text = "Hello https://example.com, thoughts?"\nplatforms = ["x"]\nstatus = "approved"\n',
        encoding="utf-8",
    )
    fake.drop(path=r"^/2/tweets$", processed=True)
    result = cli("publish", "hi", "--now", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    (tweet_id,) = fake.tweets
    assert f"https://x.com/soulpost_test/status/{tweet_id}" in result.out
    assert len(tweets(fake)) == 1


def test_an_unreadable_image_fails_before_any_request(
    make: Make, fake: TimelineXFake, tmp_path: Path
) -> None:
    with pytest.raises(Rejected, match=r"cannot read media file nope\.png"):
        make().publish({"text": "Hi", "media": [{"path": "nope.png", "alt": "x"}]}, "k")
    assert fake.requests == []


def test_check_reads_the_account(make: Make, fake: TimelineXFake) -> None:
    assert make().check() == f"@soulpost_test (id {USER_ID}) on {fake.url}"
    with pytest.raises(AuthError, match="SP_X_BEARER"):
        make(env={"SP_X_BEARER": "nope"}).check()
