"""The Mastodon adapter against the fake Mastodon on 127.0.0.1.

Every assertion about what was sent reads what the server received (method, path, headers,
JSON body, multipart parts), never what the adapter says it sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.errors import ConfigError
from soulpost.posts import Post
from soulpost.publish.adapters.mastodon import MastodonAdapter
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
from tests.fakes.images import png
from tests.fakes.mastodon import MastodonFake
from tests.localserver import free_port

pytest_plugins = ["tests.fakes.fixtures"]

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ENV = {"SP_MASTODON_TOKEN": "test-token"}


Make = Callable[..., MastodonAdapter]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def make(tmp_path: Path, clock: ManualClock, mastodon_fake: MastodonFake) -> Make:
    def build(
        *, env: dict[str, str] | None = None, url: str | None = None, **options: Any
    ) -> MastodonAdapter:
        options.setdefault("base_url", url or mastodon_fake.url)
        options.setdefault("read_timeout", 2.0)
        return MastodonAdapter(
            AdapterConfig(
                platform="mastodon",
                state_dir=tmp_path / ".soulpost",
                clock=clock,
                options=options,
                credentials={"token": "SP_MASTODON_TOKEN"},
                environ=ENV if env is None else env,
                root=tmp_path,
            )
        )

    return build


def post(**fields: Any) -> Post:
    return Post.model_validate({"id": "p1", "platforms": ["mastodon"], **fields})


def test_registered_under_its_name() -> None:
    assert load("mastodon") is MastodonAdapter


def test_a_text_post_carries_the_key_and_the_token(make: Make, mastodon_fake: MastodonFake) -> None:
    adapter = make(visibility="unlisted", language="en")
    rendered = adapter.compose(post(text="  Hello from soulpost: what do you think?  "))
    assert rendered.parts == (
        {
            "status": "Hello from soulpost: what do you think?",
            "visibility": "unlisted",
            "language": "en",
            "media": [],
        },
    )
    receipt = adapter.publish(rendered.parts[0], "sp-p1-mastodon-abc")
    (sent,) = mastodon_fake.received("POST", "/api/v1/statuses")
    assert sent.headers["Authorization"] == "Bearer test-token"
    assert sent.headers["Idempotency-Key"] == "sp-p1-mastodon-abc"
    assert sent.headers["User-Agent"].startswith("soulpost/")
    assert sent.json == {
        "status": "Hello from soulpost: what do you think?",
        "visibility": "unlisted",
        "language": "en",
    }
    status = mastodon_fake.statuses[receipt.remote_id]
    assert receipt.url == status["url"] == f"{mastodon_fake.url}/@soulpost/{receipt.remote_id}"
    assert receipt.published_at == T0


def test_a_thread_chains_each_part_to_the_one_before(
    make: Make, mastodon_fake: MastodonFake
) -> None:
    adapter = make()
    rendered = adapter.compose(post(text="1/3 first", thread=["2/3 second", "3/3 third"]))
    first = adapter.publish(rendered.parts[0], "k")
    second = adapter.reply(first, rendered.parts[1], "k-p1")
    third = adapter.reply(second, rendered.parts[2], "k-p2")
    bodies = [r.json for r in mastodon_fake.received("POST", "/api/v1/statuses")]
    assert [b.get("in_reply_to_id") for b in bodies] == [None, first.remote_id, second.remote_id]
    assert mastodon_fake.statuses[third.remote_id]["in_reply_to_id"] == second.remote_id
    keys = [r.headers["Idempotency-Key"] for r in mastodon_fake.received("POST", "statuses")]
    assert keys == ["k", "k-p1", "k-p2"]


def test_an_image_goes_up_with_its_alt_text_first(
    make: Make, mastodon_fake: MastodonFake, tmp_path: Path
) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "chart.png").write_bytes(png())
    adapter = make()
    rendered = adapter.compose(
        post(text="Chart", media=[{"path": "media/chart.png", "alt": "Bar chart: 3 reasons"}])
    )
    assert adapter.validate(post(text="Chart", media=[{"path": "media/chart.png"}])) == []
    receipt = adapter.publish(rendered.parts[0], "k-img")
    (upload,) = mastodon_fake.received("POST", "/api/v2/media")
    part = upload.file("file")
    assert part is not None
    assert (part.filename, part.content_type, part.data) == ("chart.png", "image/png", png())
    assert upload.field("description") == "Bar chart: 3 reasons"
    (status,) = mastodon_fake.received("POST", "/api/v1/statuses")
    (media_id,) = status.json["media_ids"]
    assert mastodon_fake.statuses[receipt.remote_id]["media_attachments"][0]["id"] == media_id
    # the order on the wire: upload, then the status
    assert [r.path for r in mastodon_fake.requests] == ["/api/v2/media", "/api/v1/statuses"]


def test_media_still_processing_is_polled_until_ready(
    make: Make, mastodon_fake: MastodonFake, tmp_path: Path, clock: ManualClock
) -> None:
    mastodon_fake.media_polls = 2
    (tmp_path / "anim.gif").write_bytes(b"GIF89a\x02\x00\x01\x00" + b"\x00" * 20)
    adapter = make(media_poll_interval=2.0)
    rendered = adapter.compose(post(text="Moving", media=[{"path": "anim.gif", "alt": "A dot"}]))
    adapter.publish(rendered.parts[0], "k-gif")
    paths = [(r.method, r.path.split("/")[3]) for r in mastodon_fake.requests]
    polls = [("GET", "media")] * 3  # 206, 206, 200
    assert paths == [("POST", "media"), *polls, ("POST", "statuses")]
    assert clock.slept == [2.0, 2.0, 2.0]


def test_media_that_never_finishes_is_not_sent(
    make: Make, mastodon_fake: MastodonFake, tmp_path: Path
) -> None:
    mastodon_fake.media_polls = 100
    (tmp_path / "anim.gif").write_bytes(b"GIF89a\x02\x00\x01\x00")
    adapter = make(media_poll_interval=5.0, media_poll_timeout=10.0)
    rendered = adapter.compose(post(text="Moving", media=[{"path": "anim.gif", "alt": "A dot"}]))
    with pytest.raises(NotSent, match="still processing"):
        adapter.publish(rendered.parts[0], "k")
    assert not mastodon_fake.received("POST", "/api/v1/statuses")


def test_too_many_images_and_missing_files_fail_validation(make: Make) -> None:
    adapter = make()
    media = [{"path": f"m{i}.png", "alt": "x"} for i in range(5)]
    problems = adapter.validate(post(text="Hi", media=media))
    assert "the post has 5 images; Mastodon allows 4" in problems
    assert "the post: media file m0.png not found" in problems


def test_length_is_counted_the_mastodon_way(make: Make) -> None:
    adapter = make()
    url = "https://example.com/" + "a" * 200
    assert adapter.validate(post(text=f"{'x' * 476} {url}")) == []  # 476 + 1 + 23 = 500
    assert adapter.validate(post(text=f"{'x' * 477} {url}")) == [
        "the post is 501 characters; Mastodon allows 500"
    ]


def test_rate_limit_uses_the_iso_reset_header(make: Make, mastodon_fake: MastodonFake) -> None:
    mastodon_fake.remaining = 0
    adapter = make()
    with pytest.raises(RateLimited) as caught:
        adapter.publish({"status": "Hi"}, "k")
    assert caught.value.reset_at == datetime(2026, 12, 1, 8, 5, 0, 627625, tzinfo=UTC)
    assert "Too many requests" in caught.value.message


def test_a_rejected_token_names_the_platform_and_the_variable(
    make: Make, mastodon_fake: MastodonFake
) -> None:
    adapter = make(env={"SP_MASTODON_TOKEN": "wrong-token-value"})
    with pytest.raises(AuthError) as caught:
        adapter.publish({"status": "Hi"}, "k")
    message = caught.value.message
    assert "Mastodon" in message and "SP_MASTODON_TOKEN" in message
    assert "The access token is invalid" in message
    assert "wrong-token-value" not in message
    assert caught.value.status == 401


def test_a_missing_token_fails_before_any_request(make: Make, mastodon_fake: MastodonFake) -> None:
    adapter = make(env={})
    with pytest.raises(AuthError, match="SP_MASTODON_TOKEN"):
        adapter.publish({"status": "Hi"}, "k")
    assert mastodon_fake.requests == []


def test_base_url_is_required(tmp_path: Path, clock: ManualClock) -> None:
    with pytest.raises(ConfigError, match="no default instance"):
        MastodonAdapter(AdapterConfig(platform="mastodon", state_dir=tmp_path, clock=clock))


def test_a_validation_error_is_rejected_with_mastodons_text(
    make: Make, mastodon_fake: MastodonFake
) -> None:
    adapter = make()
    with pytest.raises(Rejected) as caught:
        adapter.publish({"status": "x" * 501}, "k")
    assert caught.value.status == 422
    assert "Text character limit of 500 exceeded" in caught.value.message
    assert not isinstance(caught.value, AuthError)


def test_a_5xx_is_tried_once_more_with_the_same_key(
    make: Make, mastodon_fake: MastodonFake
) -> None:
    mastodon_fake.fail(502, "<html>Bad Gateway</html>", path="statuses")
    receipt = make().publish({"status": "Hi"}, "k-5xx")
    sent = mastodon_fake.received("POST", "/api/v1/statuses")
    assert [r.headers["Idempotency-Key"] for r in sent] == ["k-5xx", "k-5xx"]
    assert list(mastodon_fake.statuses) == [receipt.remote_id]


def test_two_5xx_are_an_unknown_outcome(make: Make, mastodon_fake: MastodonFake) -> None:
    mastodon_fake.fail(503, {"error": "down"}, path="statuses", times=2)
    with pytest.raises(UnknownOutcome, match="503"):
        make().publish({"status": "Hi"}, "k")


def test_a_lost_answer_is_settled_by_the_key_without_a_second_post(
    make: Make, mastodon_fake: MastodonFake
) -> None:
    # the status is created but the answer never comes back, twice
    mastodon_fake.drop(path="statuses", processed=True, times=2)
    adapter = make()
    with pytest.raises(UnknownOutcome):
        adapter.publish({"status": "Hi there"}, "k-drop")
    assert len(mastodon_fake.statuses) == 1
    found = adapter.lookup("k-drop", {"status": "Hi there"})
    assert found is not None and found.remote_id in mastodon_fake.statuses
    assert len(mastodon_fake.statuses) == 1
    keys = [r.headers["Idempotency-Key"] for r in mastodon_fake.received("POST", "statuses")]
    assert keys == ["k-drop"] * 3


def test_a_slow_answer_is_a_read_timeout_and_then_the_same_key(
    make: Make, mastodon_fake: MastodonFake
) -> None:
    mastodon_fake.delay(1.5, path="statuses")
    receipt = make(read_timeout=0.3).publish({"status": "Slow"}, "k-slow")
    assert list(mastodon_fake.statuses) == [receipt.remote_id]


def test_lookup_without_any_attempt_says_not_published(make: Make) -> None:
    assert make().lookup("never-sent", {"status": "x"}) is None


def test_lookup_after_the_key_window_needs_a_person(
    make: Make, mastodon_fake: MastodonFake, clock: ManualClock
) -> None:
    mastodon_fake.drop(path="statuses", times=2)
    adapter = make()
    with pytest.raises(UnknownOutcome):
        adapter.publish({"status": "Hi"}, "k-old")
    clock.advance(timedelta(hours=2))
    with pytest.raises(UnknownOutcome, match="an hour"):
        adapter.lookup("k-old", {"status": "Hi"})
    assert mastodon_fake.statuses == {}


def test_nothing_listening_is_not_sent(make: Make) -> None:
    adapter = make(url=f"http://127.0.0.1:{free_port()}", connect_timeout=0.5)
    with pytest.raises(NotSent):
        adapter.publish({"status": "Hi"}, "k")


def test_reply_receipt_from_the_ledger_is_enough(make: Make, mastodon_fake: MastodonFake) -> None:
    adapter = make()
    first = adapter.publish({"status": "one"}, "k")
    restored = Receipt(first.remote_id, None, T0)  # what the ledger keeps after a crash
    adapter.reply(restored, {"status": "two"}, "k-p1")
    assert mastodon_fake.received("POST", "statuses")[-1].json["in_reply_to_id"] == first.remote_id


def test_check_reads_the_account(make: Make) -> None:
    assert make().check().startswith("@soulpost on http://127.0.0.1:")


def test_unprocessed_media_refused_by_the_server_is_not_sent(
    make: Make, mastodon_fake: MastodonFake
) -> None:
    mastodon_fake.fail(
        422,
        {"error": "Cannot attach files that have not finished processing. Try again in a moment!"},
        path="statuses",
    )
    with pytest.raises(NotSent, match="not finished processing"):
        make().publish({"status": "Hi"}, "k")


def test_through_the_engine_a_lost_answer_ends_published_once(
    mastodon_fake: MastodonFake, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SP_MASTODON_TOKEN", "test-token")
    (tmp_path / "config.toml").write_text(
        f'timezone = "UTC"\n[platforms.mastodon]\n'
        f'options = {{ base_url = "{mastodon_fake.url}" }}\n'
        'env = { token = "SP_MASTODON_TOKEN" }\n[publish]\nlint_gate = false\n',
        encoding="utf-8",
    )
    (tmp_path / "queue").mkdir()
    (tmp_path / "queue" / "hi.toml").write_text(
        'text = "Hello, what do you think?"\nplatforms = ["mastodon"]\nstatus = "approved"\n'
        'thread = ["Second part"]\n',
        encoding="utf-8",
    )
    mastodon_fake.drop(path="statuses", processed=True, times=2)
    result = cli("publish", "hi", "--now", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert "published" in result.out and f"{mastodon_fake.url}/@soulpost/" in result.out
    assert len(mastodon_fake.statuses) == 2  # the post and its reply, each once
    first, second = mastodon_fake.statuses.values()
    assert second["in_reply_to_id"] == first["id"]


def test_a_missing_base_url_is_a_clear_error_in_the_cli(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.toml").write_text(
        'timezone = "UTC"\n[platforms.mastodon]\nenv = { token = "SP_MASTODON_TOKEN" }\n'
        "[publish]\nlint_gate = false\n",
        encoding="utf-8",
    )
    (tmp_path / "queue").mkdir()
    (tmp_path / "queue" / "hi.toml").write_text(
        'text = "Hello?"\nplatforms = ["mastodon"]\nstatus = "approved"\n', encoding="utf-8"
    )
    result = cli("publish", "hi", "--now", cwd=tmp_path)
    assert result.code != 0
    assert "base_url" in result.out + result.err
    assert "Traceback" not in result.out + result.err


def test_a_missing_second_image_fails_before_any_upload(
    make: Make, mastodon_fake: MastodonFake, tmp_path: Path
) -> None:
    (tmp_path / "one.png").write_bytes(png())
    media = [{"path": "one.png", "alt": "one"}, {"path": "gone.png", "alt": "two"}]
    with pytest.raises(Rejected, match=r"cannot read media file gone\.png"):
        make().publish({"status": "Two pictures", "media": media}, "k")
    assert mastodon_fake.requests == []


def test_check_reports_instance_limits_that_differ(tmp_path: Path, clock: ManualClock) -> None:
    with MastodonFake(max_characters=1000) as fake:
        adapter = MastodonAdapter(
            AdapterConfig(
                platform="mastodon",
                state_dir=tmp_path,
                clock=clock,
                options={"base_url": fake.url},
                credentials={"token": "SP_MASTODON_TOKEN"},
                environ=ENV,
            )
        )
        line = adapter.check()
        url = fake.url
    assert line == f"@soulpost on {url}; the instance allows 1000 characters, soulpost checks 500"
    assert [r.path for r in fake.requests] == [
        "/api/v1/accounts/verify_credentials",
        "/api/v2/instance",
    ]
