"""Recurring posts (``repeat``, an RFC 5545 rule): a year of weekly posts across both DST
changes in two time zones, each occurrence its own publication in the ledger, lint judging
each occurrence (flooding) but never calling a series a duplicate of itself, and rules that
cannot be published refused with the file and the key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from soulpost.series import series_of
from soulpost.timeutil import LocalTimeKind
from soulpost.workspace import load_workspace
from tests.test_e2e_all_platforms import REPO


def soulpost(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real CLI in *cwd* at the clock *env* gives (``SOULPOST_NOW``)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOULPOST_")}
    base.update(env, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "soulpost", *args],
        cwd=cwd, env=base, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


WEEKLY = "FREQ=WEEKLY;BYDAY=MO;COUNT=52"


def workspace(root: Path, zone: str, post: str, extra: str = "") -> Path:
    (root / "config.toml").write_text(
        f'timezone = "{zone}"\n[platforms.blog]\nadapter = "outbox"\n{extra}'
    )
    (root / "queue").mkdir(exist_ok=True)
    (root / "queue" / "weekly.toml").write_text(textwrap.dedent(post))
    return root


@pytest.mark.parametrize(
    ("zone", "offsets"),
    [("Europe/Berlin", {"+01:00", "+02:00"}), ("America/New_York", {"-05:00", "-04:00"})],
)
def test_a_year_of_weekly_posts_keeps_its_wall_clock_time_across_dst(
    tmp_path: Path, zone: str, offsets: set[str]
) -> None:
    workspace(
        tmp_path,
        zone,
        f"""\
        text = "Monday tip: one small thing that makes posts easier to read. What is yours?"
        platforms = ["blog"]
        status = "approved"
        at = 2026-12-07T09:00:00
        repeat = "{WEEKLY}"
        """,
    )
    ws = load_workspace(root=tmp_path)
    assert ws.errors == []
    posts = sorted(ws.posts, key=lambda p: p.at or datetime.min)
    assert len(posts) == 52
    tz = ZoneInfo(zone)
    local = [p.at.astimezone(tz) for p in posts if p.at is not None]
    assert {(t.weekday(), t.hour, t.minute) for t in local} == {(0, 9, 0)}  # Mondays 09:00
    assert {t.strftime("%z")[:3] + ":" + t.strftime("%z")[3:] for t in local} == offsets
    assert posts[0].id == "weekly@20261207T0900" and posts[-1].id == "weekly@20271129T0900"
    assert {series_of(p.id) for p in posts} == {"weekly"}
    assert all(p.time_kind is LocalTimeKind.NORMAL for p in posts)


def test_an_occurrence_in_a_dst_gap_is_blocked_like_an_at(tmp_path: Path) -> None:
    workspace(
        tmp_path,
        "Europe/Berlin",
        """\
        text = "Night shift note. What keeps you going?"
        platforms = ["blog"]
        at = 2027-03-26T02:30:00
        repeat = "FREQ=DAILY;COUNT=4"
        """,
    )
    kinds = {p.id: p.time_kind for p in load_workspace(root=tmp_path).posts}
    assert kinds["weekly@20270328T0230"] is LocalTimeKind.GAP  # 02:30 does not exist that day
    assert sum(k is LocalTimeKind.NORMAL for k in kinds.values()) == 3


def test_each_occurrence_is_published_on_its_own(tmp_path: Path) -> None:
    workspace(
        tmp_path,
        "UTC",
        """\
        text = "Weekly notes are up. What did we miss?"
        platforms = ["blog"]
        status = "approved"
        at = 2026-12-07T09:00:00
        repeat = "FREQ=WEEKLY;COUNT=3"
        """,
    )
    for now in ("2026-12-07T09:01:00Z", "2026-12-07T09:02:00Z", "2026-12-14T09:01:00Z"):
        done = soulpost("publish", "--due", cwd=tmp_path, env={"SOULPOST_NOW": now})
        assert done.returncode == 0, done.stdout + done.stderr
    sent = [
        json.loads(line)
        for line in (tmp_path / ".soulpost" / "outbox.jsonl").read_text().splitlines()
    ]
    assert [s["id"].split("-blog-")[0] for s in sent] == [
        "sp-weekly@20261207T0900",
        "sp-weekly@20261214T0900",
    ]
    queue = soulpost("queue", cwd=tmp_path, env={"SOULPOST_NOW": "2026-12-14T09:05:00Z"})
    assert "weekly@20261221T0900" in queue.stdout


def test_lint_judges_each_occurrence_but_never_calls_a_series_a_duplicate(tmp_path: Path) -> None:
    workspace(
        tmp_path,
        "UTC",
        """\
        text = "Office hours are open now. What would you like to ask?"
        platforms = ["blog"]
        at = 2026-12-07T09:00:00
        repeat = "FREQ=MINUTELY;INTERVAL=10;COUNT=4"
        """,
    )
    lint = soulpost(
        "lint", "--format", "json", "--now", "2026-12-01T00:00:00Z", cwd=tmp_path, env={}
    )
    codes = [f["code"] for f in json.loads(lint.stdout)["findings"]]
    assert "SP106" in codes  # four posts within the hour: flooding, per occurrence
    assert "SP306" not in codes  # the same text, on purpose
    (tmp_path / "queue" / "copy.toml").write_text(
        'text = "Office hours are open now. What would you like to ask?"\n'
        'platforms = ["blog"]\nat = 2026-12-20T09:00:00\n'
    )
    lint = soulpost(
        "lint", "--format", "json", "--now", "2026-12-01T00:00:00Z", cwd=tmp_path, env={}
    )
    dupes = [f for f in json.loads(lint.stdout)["findings"] if f["code"] == "SP306"]
    assert [f["post_id"] for f in dupes] == ["copy"]  # another post repeating it still is


@pytest.mark.parametrize(
    ("rule", "at", "problem"),
    [
        ('"FREQ=WEEKLY"', "at = 2026-12-07T09:00:00", "no end"),
        ('"FREQ=DAILY;COUNT=5000"', "at = 2026-12-07T09:00:00", "more than 1000 occurrences"),
        ('"FREQ=SOMETIMES;COUNT=3"', "at = 2026-12-07T09:00:00", "not a recurrence rule"),
        ('"DTSTART:20261201T000000\\nFREQ=DAILY;COUNT=3"', "at = 2026-12-07T09:00:00", "DTSTART"),
        ('"FREQ=DAILY;COUNT=3"', "", "starts at the post's `at`"),
    ],
)
def test_a_rule_that_cannot_be_published_is_a_clear_error(
    tmp_path: Path, rule: str, at: str, problem: str
) -> None:
    workspace(
        tmp_path,
        "UTC",
        f'text = "A post. What do you think?"\nplatforms = ["blog"]\n{at}\nrepeat = {rule}\n',
    )
    (tmp_path / "queue" / "other.toml").write_text(
        'text = "Still fine. What do you think?"\nplatforms = ["blog"]\n'
    )
    ws = load_workspace(root=tmp_path)
    (error,) = ws.errors
    shown = error.render(tmp_path)
    assert "queue/weekly.toml" in shown and "repeat" in shown and problem in shown, shown
    assert [p.id for p in ws.posts] == ["other"]  # the rest still loads


def test_until_in_utc_ends_the_series(tmp_path: Path) -> None:
    workspace(
        tmp_path,
        "Europe/Berlin",
        """\
        text = "Daily note. What's new with you?"
        platforms = ["blog"]
        at = 2026-12-07T09:00:00
        repeat = "FREQ=DAILY;UNTIL=20261209T080000Z"
        """,
    )
    ids = sorted(p.id for p in load_workspace(root=tmp_path).posts)
    assert ids == ["weekly@20261207T0900", "weekly@20261208T0900", "weekly@20261209T0900"]
