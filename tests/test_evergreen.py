"""Evergreen posts: a pool of 10 re-shared into their own slots over 8 weeks on two
platforms, with the gaps (per post and per platform) and the rotation asserted, slots taken
by posts with a time of their own left alone, texts rotating, every share published on its
own, and a pool without [evergreen] reported by file and key."""

from __future__ import annotations

import itertools
import json
import textwrap
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from soulpost.series import series_of
from soulpost.workspace import load_workspace
from tests.test_series import soulpost

CONFIG = """\
timezone = "Europe/Berlin"
[platforms.blog]
adapter = "outbox"
[platforms.club]
adapter = "outbox"

[evergreen]
start = 2027-01-04
weeks = 8
slots = [{ days = ["mon", "wed", "fri"], times = ["15:00"] }]
min_gap = "14d"
platform_gap = "12h"
"""


TOPICS = [
    "ask one question per post",
    "write alt text for every image",
    "CamelCase your hashtags",
    "answer replies within a day",
    "share what you learned, not only what you sell",
    "say thank you by name",
    "keep links at the end",
    "post fewer, better things",
    "admit what you got wrong",
    "show the work in progress",
]


def pool(root: Path, config: str = CONFIG) -> None:
    (root / "config.toml").write_text(config)
    (root / "queue").mkdir()
    for n in range(10):
        platforms = '["blog", "club"]' if n % 2 == 0 else '["blog"]'
        rotate = (
            f'rotate = ["Still true, tip {n}: ask one question. What is yours?"]\n'
            if n == 0
            else ""
        )
        (root / "queue" / f"tip{n}.toml").write_text(
            f'text = "Tip {n} from our guide: {TOPICS[n]}. What is yours?"\n'
            f'platforms = {platforms}\nevergreen = true\nstatus = "approved"\n{rotate}'
        )
    (root / "queue" / "launch.toml").write_text(
        'text = "Our new guide is out today. What should the next one cover?"\n'
        'platforms = ["blog"]\nat = 2027-01-06T15:00:00\n'
    )


def test_a_pool_of_ten_over_eight_weeks(tmp_path: Path) -> None:
    pool(tmp_path)
    ws = load_workspace(root=tmp_path)
    assert ws.errors == []
    shares = sorted((p for p in ws.posts if series_of(p.id)), key=lambda p: (p.at, p.id))
    berlin = ZoneInfo("Europe/Berlin")
    by_platform = {name: [p for p in shares if p.platforms == [name]] for name in ("blog", "club")}
    # 24 slots in 8 weeks; the launch post holds Wednesday 6 January on the blog. The club
    # has 5 posts, each at most once in 14 days (6 slots): one slot in six stays empty.
    assert len(by_platform["blog"]) == 23 and len(by_platform["club"]) == 20
    for name, row in by_platform.items():
        times = [p.at.astimezone(berlin) for p in row if p.at is not None]
        assert all(t.hour == 15 and t.weekday() in (0, 2, 4) for t in times)
        assert all(b - a >= timedelta(hours=12) for a, b in itertools.pairwise(times))
        bases = [series_of(p.id) for p in row]
        assert all(a != b for a, b in itertools.pairwise(bases)), name  # never twice in a row
        for base in set(bases):  # each post at least 14 days after its last share here
            mine = [p.at for p in row if series_of(p.id) == base and p.at is not None]
            assert all(b - a >= timedelta(days=14) for a, b in itertools.pairwise(mine))
        # every post of the pool that goes there gets its turn
        assert set(bases) == {f"tip{n}" for n in range(10) if name == "blog" or n % 2 == 0}
    assert "launch" in {p.id for p in ws.posts}
    blog_days = {p.at for p in by_platform["blog"]}
    assert not any(p.at and p.at.date().isoformat() == "2027-01-06" for p in by_platform["blog"])
    assert len(blog_days) == 23
    # tip0 rotates its wordings on each platform
    tip0 = [p.text for p in by_platform["blog"] if series_of(p.id) == "tip0"]
    assert (
        tip0[0].startswith("Tip 0")
        and tip0[1].startswith("Still true")
        and tip0[2].startswith("Tip 0")
    )


def test_the_same_schedule_every_time(tmp_path: Path) -> None:
    pool(tmp_path)
    first = [(p.id, p.at) for p in load_workspace(root=tmp_path).posts]
    second = [(p.id, p.at) for p in load_workspace(root=tmp_path).posts]
    assert first == second


def test_each_share_publishes_on_its_own(tmp_path: Path) -> None:
    pool(tmp_path)
    for now in ("2027-01-04T14:01:00Z", "2027-01-04T14:02:00Z", "2027-01-06T14:01:00Z"):
        done = soulpost("publish", "--due", cwd=tmp_path, env={"SOULPOST_NOW": now})
        assert done.returncode == 0, done.stdout + done.stderr
    sent = [
        json.loads(line)["id"].split("-", 1)[1].rsplit("-", 2)[0]
        for line in (tmp_path / ".soulpost" / "outbox.jsonl").read_text().splitlines()
    ]
    # Monday: tip0 on both; Wednesday: the launch on the blog, tip2 on the club.
    assert sent == [
        "tip0@20270104T1500.blog",
        "tip0@20270104T1500.club",
        "launch",
        "tip2@20270106T1500.club",
    ]
    lint = soulpost("lint", "--now", "2027-01-01T00:00:00Z", cwd=tmp_path, env={})
    assert "SP306" not in lint.stdout  # shares of one post are not duplicates of each other


def test_a_pool_without_evergreen_settings_is_reported(tmp_path: Path) -> None:
    pool(
        tmp_path,
        config='timezone = "UTC"\n[platforms.blog]\nadapter = "outbox"\n[platforms.club]\nadapter = "outbox"\n',
    )
    ws = load_workspace(root=tmp_path)
    assert len(ws.errors) == 10
    shown = ws.errors[0].render(tmp_path)
    assert "queue/tip0.toml" in shown and "evergreen" in shown and "[evergreen]" in shown
    assert [p.id for p in ws.posts] == ["launch"]


def test_an_evergreen_post_with_a_time_is_refused(tmp_path: Path) -> None:
    pool(tmp_path)
    (tmp_path / "queue" / "tip3.toml").write_text(
        textwrap.dedent(
            """\
            text = "Tip 3. What is yours?"
            platforms = ["blog"]
            evergreen = true
            at = 2027-01-08T15:00:00
            """
        )
    )
    (error,) = load_workspace(root=tmp_path).errors
    assert "remove at and repeat" in error.render(tmp_path)
