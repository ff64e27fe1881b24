"""The LinkedIn adapter against the fake Posts API on 127.0.0.1: escaping end to end, images
with alt text, duplicates settled from the URN LinkedIn names, retired versions, 429s,
credentials that are never shown, and unknown outcomes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.posts import Post, build_post
from soulpost.publish.adapters.linkedin import LinkedInAdapter
from soulpost.publish.base import (
    AdapterConfig,
    AuthError,
    RateLimited,
    Rejected,
    UnknownOutcome,
)
from tests.fakes.linkedin import LinkedInFake

pytest_plugins = ["tests.fakes.fixtures"]

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TOKEN = "li-secret-token-123"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def fake() -> Any:
    with LinkedInFake(token=TOKEN) as server:
        server.clock = lambda: T0  # the adapters here run on ManualClock(T0)
        yield server


def adapter(
    tmp_path: Path, fake: LinkedInFake, *, env: dict[str, str] | None = None, **options: Any
) -> LinkedInAdapter:
    return LinkedInAdapter(
        AdapterConfig(
            platform="linkedin",
            state_dir=tmp_path / ".soulpost",
            root=tmp_path,
            clock=ManualClock(T0),
            options={"base_url": fake.url, "read_timeout": 0.5, **options},
            credentials={"token": "LI_TOKEN"},
            environ={"LI_TOKEN": TOKEN} if env is None else env,
        )
    )


def post(text: str, **extra: Any) -> Post:
    data = {"id": "p1", "text": text, "platforms": ["linkedin"], **extra}
    return build_post(data, Path("queue/p1.toml"), {"platforms": {"linkedin"}})


TRICKY = "Our [beta] (finally) ships #today for @everyone: 100% <fun> *really* ~ok_ {x} | a\\b"


def test_reserved_characters_survive_linkedin_end_to_end(tmp_path: Path, fake: Any) -> None:
    ad = adapter(tmp_path, fake)
    rendered = ad.compose(post(TRICKY))
    assert "\\[beta\\]" in rendered.parts[0]["post"]["commentary"]
    receipt = ad.publish(rendered.parts[0], "k0")
    assert receipt.remote_id.startswith("urn:li:share:")
    assert receipt.url == f"https://www.linkedin.com/feed/update/{receipt.remote_id}"
    # What LinkedIn would display is the whole text, not cut at the first bracket.
    assert fake.posts[receipt.remote_id]["shown"] == TRICKY


def test_unescaped_text_would_be_cut(fake: Any) -> None:
    """The fake really truncates: the escaping above is what prevents it."""
    from tests.fakes.linkedin import shown_text

    assert shown_text(TRICKY) == "Our "


def test_headers_author_from_userinfo_and_version(tmp_path: Path, fake: Any) -> None:
    ad = adapter(tmp_path, fake, version="202511")
    ad.publish(ad.compose(post("Hello, what do you think?")).parts[0], "k0")
    sent = fake.received("POST", "/rest/posts")[0]
    assert sent.headers["LinkedIn-Version"] == "202511"
    assert sent.headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert sent.json["author"] == "urn:li:person:8675309"  # from /v2/userinfo
    assert sent.json["visibility"] == "PUBLIC"
    assert fake.received("GET", "/v2/userinfo")


def test_configured_organisation_author(tmp_path: Path, fake: Any) -> None:
    ad = adapter(tmp_path, fake, author="urn:li:organization:42")
    rendered = ad.compose(post("Org news, what do you think?"))
    assert rendered.parts[0]["post"]["author"] == "urn:li:organization:42"
    ad.publish(rendered.parts[0], "k0")
    assert fake.received("POST", "/rest/posts")[0].json["author"] == "urn:li:organization:42"
    assert not fake.received("GET", "/v2/userinfo")


def test_image_upload_with_alt_text(tmp_path: Path, fake: Any) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "chart.png").write_bytes(PNG)
    ad = adapter(tmp_path, fake)
    p = post("A chart", media=[{"path": "media/chart.png", "alt": "Bar chart of 3 reasons"}])
    assert ad.validate(p) == []
    receipt = ad.publish(ad.compose(p).parts[0], "k0")
    init = fake.received("POST", "/rest/images")[0]
    assert init.query["action"] == ["initializeUpload"]
    assert init.json == {"initializeUploadRequest": {"owner": "urn:li:person:8675309"}}
    put = fake.received("PUT", "/upload/")[0]
    assert put.body == PNG
    assert put.bearer == TOKEN
    media = fake.posts[receipt.remote_id]["content"]["media"]
    assert media["altText"] == "Bar chart of 3 reasons"
    assert fake.images[media["id"]]["uploaded"]


def test_several_images_go_as_multi_image(tmp_path: Path, fake: Any) -> None:
    for name in ("a.png", "b.png"):
        (tmp_path / name).write_bytes(PNG)
    ad = adapter(tmp_path, fake)
    p = post("Two", media=[{"path": "a.png", "alt": "A"}, {"path": "b.png", "alt": "B"}])
    ad.publish(ad.compose(p).parts[0], "k0")
    body = fake.received("POST", "/rest/posts")[0].json
    assert [i["altText"] for i in body["content"]["multiImage"]["images"]] == ["A", "B"]


def test_missing_image_and_threads_are_validation_problems(tmp_path: Path, fake: Any) -> None:
    ad = adapter(tmp_path, fake)
    p = post("x", media=[{"path": "nope.png", "alt": "n"}], thread=["two"])
    problems = ad.validate(p)
    assert any("cannot post threads" in x for x in problems)
    assert any("media file nope.png not found" in x for x in problems)


def test_duplicate_is_reported_and_settles_a_lookup(tmp_path: Path, fake: Any) -> None:
    ad = adapter(tmp_path, fake)
    payload = ad.compose(post("Same words, what do you think?")).parts[0]
    first = ad.publish(payload, "k0")
    with pytest.raises(Rejected) as caught:
        ad.publish(payload, "k0")
    assert "duplicate" in caught.value.message
    assert first.remote_id in caught.value.message
    # Reconciling an in-doubt attempt: the duplicate answer names the live post.
    found = ad.lookup("k0", payload)
    assert found is not None and found.remote_id == first.remote_id
    assert found.url == first.url
    assert len(fake.posts) == 1


def test_lookup_of_a_post_that_never_arrived_sends_it_once(tmp_path: Path, fake: Any) -> None:
    ad = adapter(tmp_path, fake)
    payload = ad.compose(post("Lost in transit?")).parts[0]
    found = ad.lookup("k0", payload)
    assert found is not None and found.remote_id in fake.posts
    assert len(fake.posts) == 1


def test_retired_version_says_which_option(tmp_path: Path, fake: Any) -> None:
    ad = adapter(tmp_path, fake, version="202401")
    with pytest.raises(Rejected) as caught:
        ad.publish(ad.compose(post("Hi")).parts[0], "k0")
    assert caught.value.status == 426
    assert "options.version" in caught.value.message
    assert "202401" in caught.value.message


def test_malformed_version_is_a_config_error(tmp_path: Path, fake: Any) -> None:
    with pytest.raises(ValueError, match="YYYYMM"):
        adapter(tmp_path, fake, version="2026-01")


def test_rejected_token_names_the_variable_never_the_value(tmp_path: Path, fake: Any) -> None:
    ad = adapter(tmp_path, fake, env={"LI_TOKEN": "wrong-token-value"})
    with pytest.raises(AuthError) as caught:
        ad.publish(ad.compose(post("Hi")).parts[0], "k0")
    message = caught.value.message
    assert "$LI_TOKEN" in message and "LinkedIn" in message
    assert "wrong-token-value" not in message


def test_missing_token_names_the_variable(tmp_path: Path, fake: Any) -> None:
    ad = adapter(tmp_path, fake, env={})
    with pytest.raises(AuthError, match="LI_TOKEN"):
        ad.publish(ad.compose(post("Hi")).parts[0], "k0")
    assert fake.requests == []


def test_429_waits_until_midnight_utc(tmp_path: Path, fake: Any) -> None:
    ad = adapter(tmp_path, fake, author="urn:li:person:1")
    fake.fail(429, {"status": 429, "message": "Resource level throttle limit"}, path="/rest/posts")
    with pytest.raises(RateLimited) as caught:
        ad.publish(ad.compose(post("Hi")).parts[0], "k0")
    assert caught.value.reset_at == datetime(2026, 12, 2, tzinfo=UTC)


@pytest.mark.parametrize("how", ["500", "hang", "drop"])
def test_server_errors_and_lost_answers_are_unknown(tmp_path: Path, fake: Any, how: str) -> None:
    ad = adapter(tmp_path, fake, author="urn:li:person:1")
    if how == "500":
        fake.fail(500, {"status": 500, "message": "Internal"}, path="/rest/posts")
    elif how == "hang":
        fake.hang(path="/rest/posts", processed=True)
    else:
        fake.drop(path="/rest/posts", processed=True)
    with pytest.raises(UnknownOutcome):
        ad.publish(ad.compose(post("Hi")).parts[0], "k0")


def test_other_4xx_carry_linkedin_message(tmp_path: Path, fake: Any) -> None:
    ad = adapter(tmp_path, fake, author="urn:li:person:1")
    fake.fail(422, {"status": 422, "message": "/commentary :: too long"}, path="/rest/posts")
    with pytest.raises(Rejected, match="too long") as caught:
        ad.publish(ad.compose(post("Hi")).parts[0], "k0")
    assert not isinstance(caught.value, AuthError)


def test_online_check(tmp_path: Path, fake: Any) -> None:
    assert "Soul Post" in adapter(tmp_path, fake).check()
    with pytest.raises(AuthError, match="LI_TOKEN"):
        adapter(tmp_path, fake, env={"LI_TOKEN": "bad"}).check()


def test_declared_settings() -> None:
    assert LinkedInAdapter.env_roles["token"].required
    assert "version" in LinkedInAdapter.options
    assert LinkedInAdapter.token_lifetime is not None
    assert LinkedInAdapter.token_lifetime.days == 60


def test_image_size_limit_from_options(tmp_path: Path, fake: Any) -> None:
    (tmp_path / "big.png").write_bytes(PNG * 4)
    ad = adapter(tmp_path, fake, max_image_bytes=100)
    p = post("Big", media=[{"path": "big.png", "alt": "big"}])
    assert any("at most 100" in x for x in ad.validate(p))
    with pytest.raises(Rejected, match="at most 100"):
        ad.publish(ad.compose(p).parts[0], "k0")
    assert not fake.requests  # refused before any upload


def test_engine_settles_a_lost_answer_from_the_duplicate_urn(
    tmp_path: Path, fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the real pass: LinkedIn made the post but the answer was lost; the lookup's
    re-send gets 422 DUPLICATE_POST naming it, and that URN becomes the receipt."""
    from soulpost.ledger import open_ledger
    from soulpost.publish.send import RetryPolicy
    from soulpost.run import PassOptions, run_pass

    (tmp_path / "config.toml").write_text(
        'timezone = "UTC"\n[platforms.linkedin]\nenv = { token = "LI_TOKEN" }\n'
        f'options = {{ base_url = "{fake.url}", read_timeout = 0.5 }}\n'
        "[publish]\nlint_gate = false\n",
        encoding="utf-8",
    )
    (tmp_path / "queue").mkdir()
    (tmp_path / "queue" / "a.toml").write_text(
        'text = "Lost answer [really], what now?"\nplatforms = ["linkedin"]\n'
        "at = 2026-12-01T09:00:00Z\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("LI_TOKEN", TOKEN)
    fake.drop(method="POST", path="/rest/posts", processed=True)
    options = PassOptions(policy=RetryPolicy(), jitter=lambda: 0.0)
    report = run_pass(tmp_path, clock=ManualClock(T0), options=options, log=lambda line: None)
    (result,) = report.results
    (urn,) = fake.posts
    assert result.state == "published", result.reason
    assert result.url == f"https://www.linkedin.com/feed/update/{urn}"
    assert len(fake.received("POST", "/rest/posts")) == 2  # the lost one, then the duplicate
    ledger = open_ledger(tmp_path / ".soulpost", read_only=True)
    try:
        (pub,) = ledger.publications()
    finally:
        ledger.close()
    assert pub.remote_id == urn


def test_hashtags_go_out_as_hashtags_linkedin_links(tmp_path: Path, fake: Any) -> None:
    """Issue 11 item 4: ``#today`` was escaped to ``\\#today``, plain text on LinkedIn."""
    text = "Shipping #today and #día_dos, not a#tag nor #1; [brackets] stay text"
    ad = adapter(tmp_path, fake, read_timeout=5.0)
    rendered = ad.compose(post(text)).parts[0]
    commentary = rendered["post"]["commentary"]
    assert "#today" in commentary and "\\#today" not in commentary
    assert "{hashtag|\\#|día\\_dos}" in commentary
    assert "\\[brackets\\]" in commentary and "a\\#tag" in commentary
    receipt = ad.publish(rendered, "k0")
    assert fake.posts[receipt.remote_id]["hashtags"] == ["today", "día_dos"]
    assert fake.posts[receipt.remote_id]["shown"] == text


def test_a_retired_version_hint_suggests_a_newer_version(tmp_path: Path, fake: Any) -> None:
    """Issue 11 item 4: the hint named the built-in default, older than a configured
    202605 that LinkedIn has since retired."""
    fake.versions = {"202611"}
    for configured in ("202605", "202401"):
        ad = adapter(tmp_path, fake, version=configured, read_timeout=5.0)
        with pytest.raises(Rejected) as caught:
            ad.publish(ad.compose(post("Hi")).parts[0], f"k-{configured}")
        suggested = re.search(r'version = "(\d{6})"', caught.value.message)
        assert suggested is not None, caught.value.message
        assert suggested.group(1) > configured


def test_lookup_never_takes_a_duplicate_of_an_older_post(tmp_path: Path, fake: Any) -> None:
    """Issue 11 item 1 for LinkedIn: the re-send's 422 DUPLICATE_POST names a post; one made
    before this attempt (the same words last month) is not the lost one."""
    fake.clock = lambda: T0 - timedelta(days=30)
    old = ad_publish(tmp_path, fake, "Same words as last month", "k-old")
    fake.clock = lambda: T0
    ad = adapter(tmp_path, fake, read_timeout=5.0)
    payload = ad.compose(post("Same words as last month")).parts[0]
    fake.fail(500, {"status": 500, "message": "Internal Server Error"}, path="/rest/posts")
    with pytest.raises(UnknownOutcome):
        ad.publish(payload, "k-new")
    with pytest.raises(UnknownOutcome, match="person") as caught:
        ad.lookup("k-new", payload)
    assert old in caught.value.message  # named, for the person who checks


def test_lookup_takes_a_duplicate_made_since_the_attempt(tmp_path: Path, fake: Any) -> None:
    ad = adapter(tmp_path, fake, read_timeout=5.0)
    payload = ad.compose(post("It did land after all")).parts[0]
    fake.drop(path="/rest/posts", processed=True)
    with pytest.raises(UnknownOutcome):
        ad.publish(payload, "k-new")
    found = ad.lookup("k-new", payload)
    (urn,) = fake.posts
    assert found is not None and found.remote_id == urn


def ad_publish(tmp_path: Path, fake: Any, text: str, key: str) -> str:
    ad = adapter(tmp_path, fake, read_timeout=5.0)
    return ad.publish(ad.compose(post(text)).parts[0], key).remote_id
