"""The site's cheaper helpers say what the plain versions said (sitefast3)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import pytest

from soulpost.config import Settings
from soulpost.posts import Post
from soulpost.review.model import first_line, post_media
from soulpost.workspace import post_context
from tests.conftest import Result

# Every line break str.splitlines knows, other whitespace, and text.
PIECES = [
    "a", "b c", " ", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e",
    "\x1f", "\x85", "\u2028", "\u2029", "\u00a0", "\u3000", "\u200b", "é", "🙂",
]  # fmt: skip


def plain_first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def test_first_line_is_the_first_non_blank_line_whatever_the_line_breaks() -> None:
    rng = random.Random(10)
    for _ in range(5_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 10)))
        assert first_line(text) == plain_first_line(text), repr(text)


def _post(**data: object) -> Post:
    settings = Settings.model_validate({"timezone": "UTC"})
    body = {"id": "p", "text": "hello", "platforms": ["mastodon", "bluesky"], **data}
    return Post.model_validate(body, context=post_context(settings))


def test_post_media_names_own_and_variant_images_once() -> None:
    own = [{"path": "media/a.png", "alt": "A"}, {"path": "media/b.png", "alt": ""}]
    assert post_media(_post(media=own)) == [("media/a.png", "A"), ("media/b.png", "")]
    varied = _post(
        media=own,
        variants={"bluesky": {"media": [{"path": "media/c.png", "alt": "C"}, own[0]]}},
    )
    assert post_media(varied) == [("media/a.png", "A"), ("media/b.png", ""), ("media/c.png", "C")]
    assert post_media(_post()) == []


def test_calendar_lints_here_when_the_helpers_answer_fails(
    cli: Callable[..., Result], workspace: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The calendar waits for its forked lint helper on a thread (drawing's imports run
    meanwhile); a helper call that fails there is redone here, and the grid is the same."""
    from soulpost.review import linthelper
    from soulpost.workspace import fork_workers
    from tests.conftest import settle_threads
    from tests.test_review_calendar import CONFIG

    settle_threads()
    if not fork_workers(1, 0):
        pytest.skip("no fork here (one core, threads or no fork)")
    root = workspace(
        CONFIG,
        {
            "ok.toml": 'text = "A calm post, with a question?"\nplatforms = ["mastodon"]\n'
            'at = 2026-12-02T09:00:00\nstatus = "approved"\n',
            "long.toml": f'text = "{"Far too long for X, " * 20}"\nplatforms = ["x"]\n'
            'at = 2026-12-02T15:00:00\nstatus = "approved"\n',
        },
    )
    monkeypatch.setenv("SOULPOST_NOW", "2026-11-30T06:00:00Z")
    cli("-C", root, "publish", "--due")  # writes the queue index: the helper's path
    args = ("-C", root, "calendar", "--now", "2026-11-30T06:00:00Z", "--width", "150")
    asked: list[object] = []
    real_lint = linthelper.Helper.lint

    def lint(self: linthelper.Helper, request: Any) -> Any:
        asked.append(real_lint(self, request))
        return asked[-1]

    monkeypatch.setattr(linthelper.Helper, "lint", lint)
    helped = cli(*args)
    assert asked and asked[0] is not None  # the helper answered, on the waiting thread

    def broken(self: linthelper.Helper, request: Any) -> Any:
        raise RuntimeError("the helper's pipe broke oddly")

    monkeypatch.setattr(linthelper.Helper, "lint", broken)
    here = cli(*args)
    assert (here.code, here.out, here.err) == (helped.code, helped.out, helped.err)
    assert "15:00✗long" in here.out and "09:00●ok" in here.out
    assert "Traceback" not in here.err


class _Nameless(tzinfo):
    """A zone without a name: strftime's %Z gives nothing."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=5, minutes=30)

    def tzname(self, dt: datetime | None) -> None:
        return None

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)


def test_a_posts_long_time_is_what_strftime_says_in_every_zone() -> None:
    """When.text names each day once (sitefast4); it must say what strftime says, zone
    name included, across days, hours, daylight saving and zones with odd names."""
    from zoneinfo import ZoneInfo

    from soulpost.review.site import When

    zones: list[tzinfo] = [
        UTC, ZoneInfo("Europe/London"), ZoneInfo("America/St_Johns"), ZoneInfo("Asia/Kolkata"),
        ZoneInfo("Australia/Lord_Howe"), timezone(timedelta(hours=-3)), _Nameless(),
    ]  # fmt: skip
    rng = random.Random(4)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(3000):
        moment = start + timedelta(minutes=rng.randrange(3 * 366 * 24 * 60))
        local = moment.astimezone(rng.choice(zones))
        assert When(local).text == local.strftime("%A %d %B %Y, %H:%M %Z")
    assert When(None).text == "no time (no free slot)"
