"""The Facebook Page adapter against the fake Graph API on 127.0.0.1: feed posts, one photo
with alt text, several photos attached unpublished, error codes (190, throttling, 506),
token as header or parameter, and settling an in-doubt post from the Page's recent posts."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.errors import ConfigError
from soulpost.posts import Post, build_post
from soulpost.publish.adapters.facebook import FacebookAdapter
from soulpost.publish.base import (
    AdapterConfig,
    AuthError,
    RateLimited,
    Rejected,
    UnknownOutcome,
)
from tests.fakes.facebook import FacebookFake
from tests.fakes.server import Request, Response

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TOKEN = "fb-page-token-456"
PAGE = "101234567890"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32


class PageFake(FacebookFake):
    """The shared fake plus ``GET /me`` (who the token is)."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN, page_id=PAGE)
        self.route("GET", r"/v\d+\.\d+/me", self._me)

    def _me(self, request: Request, match: re.Match[str]) -> Response:
        return Response.json(200, {"id": PAGE, "name": "Soulpost Page"})


@pytest.fixture
def fake() -> Any:
    with PageFake() as server:
        server.clock = lambda: T0  # the adapters here run on ManualClock(T0)
        yield server


def adapter(
    tmp_path: Path, fake: PageFake, *, env: dict[str, str] | None = None, **options: Any
) -> FacebookAdapter:
    return FacebookAdapter(
        AdapterConfig(
            platform="facebook",
            state_dir=tmp_path / ".soulpost",
            root=tmp_path,
            clock=ManualClock(T0),
            options={"base_url": fake.url, "page_id": PAGE, "read_timeout": 0.5, **options},
            credentials={"token": "FB_TOKEN"},
            environ={"FB_TOKEN": TOKEN} if env is None else env,
        )
    )


def post(text: str, **extra: Any) -> Post:
    data = {"id": "p1", "text": text, "platforms": ["facebook"], **extra}
    return build_post(data, Path("queue/p1.toml"), {"platforms": {"facebook"}})


def test_text_post_and_receipt(tmp_path: Path, fake: PageFake) -> None:
    ad = adapter(tmp_path, fake)
    receipt = ad.publish(ad.compose(post("Hello page, what do you think?")).parts[0], "k0")
    assert receipt.remote_id in fake.posts
    assert receipt.remote_id.startswith(f"{PAGE}_")
    assert receipt.url == f"https://www.facebook.com/{receipt.remote_id}"
    sent = fake.received("POST", "/feed")[0]
    assert sent.bearer == TOKEN
    assert sent.path.startswith("/v23.0/")
    assert sent.field("message") == "Hello page, what do you think?"


def test_token_as_parameter(tmp_path: Path, fake: PageFake) -> None:
    ad = adapter(tmp_path, fake, token_in="param", version="v21.0")
    ad.publish(ad.compose(post("Param token")).parts[0], "k0")
    sent = fake.received("POST", "/feed")[0]
    assert sent.query["access_token"] == [TOKEN]
    assert sent.path.startswith("/v21.0/")
    assert "Authorization" not in sent.headers


def test_one_photo_with_alt_text(tmp_path: Path, fake: PageFake) -> None:
    (tmp_path / "pic.png").write_bytes(PNG)
    ad = adapter(tmp_path, fake)
    p = post("A photo", media=[{"path": "pic.png", "alt": "A sunrise over the bay"}])
    receipt = ad.publish(ad.compose(p).parts[0], "k0")
    (photo,) = fake.photos.values()
    assert photo["alt_text_custom"] == "A sunrise over the bay"
    assert photo["bytes"] == PNG
    assert photo["caption"] == "A photo"
    assert receipt.remote_id == f"{PAGE}_{next(iter(fake.photos))}"


def test_several_photos_unpublished_then_attached(tmp_path: Path, fake: PageFake) -> None:
    for name in ("a.png", "b.png", "c.png"):
        (tmp_path / name).write_bytes(PNG)
    ad = adapter(tmp_path, fake)
    media = [{"path": n, "alt": f"alt {n}"} for n in ("a.png", "b.png", "c.png")]
    receipt = ad.publish(ad.compose(post("Three photos", media=media)).parts[0], "k0")
    uploads = fake.received("POST", "/photos")
    assert [u.field("published") for u in uploads] == ["false"] * 3
    assert [p["alt_text_custom"] for p in fake.photos.values()] == [
        "alt a.png",
        "alt b.png",
        "alt c.png",
    ]
    attached = fake.posts[receipt.remote_id]["attached_media"]
    assert [a["media_fbid"] for a in attached] == list(fake.photos)


def test_too_many_photos_is_a_validation_problem(tmp_path: Path, fake: PageFake) -> None:
    for i in range(11):
        (tmp_path / f"{i}.png").write_bytes(PNG)
    ad = adapter(tmp_path, fake)
    media = [{"path": f"{i}.png", "alt": "x"} for i in range(11)]
    assert "the post has 11 images; Facebook Pages allows 10" in ad.validate(
        post("Many", media=media)
    )


def test_duplicate_506_is_reported_and_lookup_finds_the_post(
    tmp_path: Path, fake: PageFake
) -> None:
    ad = adapter(tmp_path, fake)
    payload = ad.compose(post("Same again, what do you think?")).parts[0]
    first = ad.publish(payload, "k0")
    with pytest.raises(Rejected) as caught:
        ad.publish(payload, "k0")
    assert "duplicate" in caught.value.message.lower()
    assert "#506" in caught.value.message
    found = ad.lookup("k0", payload)
    assert found is not None and found.remote_id == first.remote_id
    assert found.url == f"https://www.facebook.com/permalink/{first.remote_id}"


def test_lookup_says_absent_when_no_recent_post_matches(tmp_path: Path, fake: PageFake) -> None:
    ad = adapter(tmp_path, fake)
    ad.publish(ad.compose(post("Something else")).parts[0], "k0")
    assert ad.lookup("k1", ad.compose(post("Never sent")).parts[0]) is None
    assert ad.supports_lookup


def test_in_doubt_post_settled_by_lookup(tmp_path: Path, fake: PageFake) -> None:
    ad = adapter(tmp_path, fake)
    payload = ad.compose(post("Lost answer")).parts[0]
    fake.drop(path="/feed", method="POST", processed=True)
    with pytest.raises(UnknownOutcome):
        ad.publish(payload, "k0")
    found = ad.lookup("k0", payload)
    assert found is not None and found.remote_id in fake.posts


def test_bad_token_code_190_names_the_variable(tmp_path: Path, fake: PageFake) -> None:
    ad = adapter(tmp_path, fake, env={"FB_TOKEN": "expired-token-xyz"})
    with pytest.raises(AuthError) as caught:
        ad.publish(ad.compose(post("Hi")).parts[0], "k0")
    assert "$FB_TOKEN" in caught.value.message and "#190" in caught.value.message
    assert "expired-token-xyz" not in caught.value.message


def test_param_token_never_leaks_into_errors(tmp_path: Path, fake: PageFake) -> None:
    ad = adapter(tmp_path, fake, token_in="param")
    fake.drop(path="/feed")
    with pytest.raises(UnknownOutcome) as caught:
        ad.publish(ad.compose(post("Hi")).parts[0], "k0")
    assert TOKEN not in caught.value.message


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_throttling_codes_are_rate_limits(tmp_path: Path, fake: PageFake, code: int) -> None:
    ad = adapter(tmp_path, fake)
    usage = {PAGE: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}]}
    fake.fail(
        400 if code != 17 else 403,
        fake.error(code, "(#32) Page request limit reached"),
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
    )
    with pytest.raises(RateLimited) as caught:
        ad.publish(ad.compose(post("Hi")).parts[0], "k0")
    assert caught.value.reset_at == T0 + timedelta(minutes=7)


def test_other_errors_carry_facebooks_message(tmp_path: Path, fake: PageFake) -> None:
    ad = adapter(tmp_path, fake)
    fake.fail(400, fake.error(100, "(#100) Invalid parameter"))
    with pytest.raises(Rejected, match="Invalid parameter"):
        ad.publish(ad.compose(post("Hi")).parts[0], "k0")
    fake.fail(500, "oops")
    with pytest.raises(UnknownOutcome):
        ad.publish(ad.compose(post("Hi")).parts[0], "k0")


def test_page_id_is_required(tmp_path: Path, fake: PageFake) -> None:
    with pytest.raises(ConfigError, match="page_id"):
        adapter(tmp_path, fake, page_id="")


def test_online_check(tmp_path: Path, fake: PageFake) -> None:
    assert "Soulpost Page" in adapter(tmp_path, fake).check()
    with pytest.raises(AuthError, match="FB_TOKEN"):
        adapter(tmp_path, fake, env={"FB_TOKEN": "nope"}).check()


def test_engine_settles_a_lost_answer_from_recent_posts(
    tmp_path: Path, fake: PageFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the real pass: the Page got the post but the answer was lost; the lookup
    finds it among the Page's recent posts, so it is recorded once and never re-sent."""
    from soulpost.publish.send import RetryPolicy
    from soulpost.run import PassOptions, run_pass

    (tmp_path / "config.toml").write_text(
        'timezone = "UTC"\n[platforms.facebook]\nenv = { token = "FB_TOKEN" }\n'
        f'options = {{ base_url = "{fake.url}", page_id = "{PAGE}", read_timeout = 0.5 }}\n'
        "[publish]\nlint_gate = false\n",
        encoding="utf-8",
    )
    (tmp_path / "queue").mkdir()
    (tmp_path / "queue" / "a.toml").write_text(
        'text = "Lost on the way back?"\nplatforms = ["facebook"]\nat = 2026-12-01T09:00:00Z\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("FB_TOKEN", TOKEN)
    fake.hang(method="POST", path="/feed", processed=True)
    options = PassOptions(policy=RetryPolicy(), jitter=lambda: 0.0)
    report = run_pass(tmp_path, clock=ManualClock(T0), options=options, log=lambda line: None)
    (result,) = report.results
    (post_id,) = fake.posts
    assert result.state == "published", result.reason
    assert result.url == f"https://www.facebook.com/permalink/{post_id}"
    assert len(fake.received("POST", "/feed")) == 1


def lost(tmp_path: Path, fake: PageFake, text: str) -> tuple[FacebookAdapter, Any]:
    """An attempt at T0 whose answer was a 500 without a code (nothing created)."""
    ad = adapter(tmp_path, fake, read_timeout=5.0)
    payload = ad.compose(post(text)).parts[0]
    fake.fail(500, {"error": {"message": "An unknown error occurred"}}, path="/feed")
    with pytest.raises(UnknownOutcome):
        ad.publish(payload, "k-lost")
    return ad, payload


def test_lookup_never_takes_a_same_text_post_from_before_the_attempt(
    tmp_path: Path, fake: PageFake
) -> None:
    """Issue 11 item 1 for Facebook: the Page said the same thing last week; that post is
    not the lost attempt."""
    fake.add_post("Same words as last week", created=T0 - timedelta(days=7))
    ad, payload = lost(tmp_path, fake, "Same words as last week")
    assert ad.lookup("k-lost", payload) is None


def test_lookup_never_takes_a_visitors_post_with_the_same_text(
    tmp_path: Path, fake: PageFake
) -> None:
    ad, payload = lost(tmp_path, fake, "Echoed by a visitor")
    fake.add_post("Echoed by a visitor", author="555000111")
    assert ad.lookup("k-lost", payload) is None


def test_lookup_takes_the_pages_own_post_made_since_the_attempt(
    tmp_path: Path, fake: PageFake
) -> None:
    fake.add_post("It did land", created=T0 - timedelta(days=1))
    ad, payload = lost(tmp_path, fake, "It did land")
    landed = fake.add_post("It did land", created=T0 + timedelta(seconds=2))
    found = ad.lookup("k-lost", payload)
    assert found is not None and found.remote_id == landed
    fake.add_post("It did land", created=T0 + timedelta(seconds=3))
    with pytest.raises(UnknownOutcome, match="person"):
        ad.lookup("k-lost", payload)  # two candidates: a person decides


def test_lookup_of_a_key_never_sent_is_absent(tmp_path: Path, fake: PageFake) -> None:
    ad = adapter(tmp_path, fake, read_timeout=5.0)
    fake.add_post("Never attempted here")
    payload = ad.compose(post("Never attempted here")).parts[0]
    assert ad.lookup("k-never", payload) is None


def test_a_first_comment_lookup_never_picks_among_candidates(
    tmp_path: Path, fake: PageFake
) -> None:
    """Issue 11 item 1 for first comments: two of our comments with the text, or one the
    platform lists without its time, leave it in doubt; one made clearly before the
    attempt is not ours."""
    from soulpost.publish.adapters._comments import Comments, SeenComment

    comments = Comments(adapter(tmp_path, fake))
    comments.notes.put("k-c", {"parent": f"{PAGE}_1", "sent_at": T0.isoformat()})
    payload = {"comment": "Slides are here"}

    def listing(*seen: SeenComment) -> Any:
        return lambda parent: list(seen)

    ours = SeenComment("c1", "Slides are here", True, T0 + timedelta(seconds=1))
    assert comments.find("k-c", payload, listing(ours)) is not None
    twice = SeenComment("c2", "Slides are here", True, T0 + timedelta(seconds=2))
    with pytest.raises(UnknownOutcome, match="person"):
        comments.find("k-c", payload, listing(ours, twice))
    undated = SeenComment("c3", "Slides are here", True, None)
    with pytest.raises(UnknownOutcome, match="person"):
        comments.find("k-c", payload, listing(undated))
    old = SeenComment("c4", "Slides are here", True, T0 - timedelta(hours=1))
    assert comments.find("k-c", payload, listing(old)) is None
