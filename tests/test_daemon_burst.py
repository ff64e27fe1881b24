"""The daemon sends posts due a moment apart in one wake-up, not a scheduled pass each.

In process, on a :class:`ManualClock` (its ``sleep`` moves it), with a recorder in place of
APScheduler to see which wake-ups the daemon schedules. Before the fix, each pass planned
for its own instant only, so posts a microsecond apart took a scheduled pass each (and a
``due`` job scheduled from inside the running one could be dropped by APScheduler)."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from soulpost.clock import ManualClock
from soulpost.daemon import Daemon
from soulpost.ledger import open_ledger
from tests.localserver import LocalServer

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LOUD = 3  # the post the lint gate holds back (shouting is an error in this workspace)


class Scheduled:
    """Records the jobs the daemon adds (APScheduler's ``add_job``/``get_job``)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, list[Any]]] = []

    def add_job(self, func: Any, trigger: str, *, args: list[Any], id: str, **kw: Any) -> None:
        self.jobs.append((id, args))

    def get_job(self, job_id: str) -> None:
        return None


def write_config(root: Path, url: str) -> None:
    """A workspace posting to a webhook at *url*, with shouting an error (the gate blocks)."""
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.hook]
            adapter = "webhook"
            options = {{ url = "{url}", read_timeout = 2, connect_timeout = 1 }}
            [lint]
            severity = {{ shouting = "error" }}
            """
        ),
        encoding="utf-8",
    )
    (root / "queue").mkdir()


def _workspace(root: Path, url: str, times: list[datetime]) -> None:
    write_config(root, url)
    for n, at in enumerate(times):
        text = "SHOUTING LOUDLY ABOUT TIDES" if n == LOUD else f"Note {n} on tide tables"
        (root / "queue" / f"p{n}.toml").write_text(
            f'text = "{text}, what do you think?"\nplatforms = ["hook"]\nat = {at.isoformat()}\n',
            encoding="utf-8",
        )


def _daemon(
    root: Path, clock: ManualClock, lines: list[str] | None = None
) -> tuple[Daemon, Scheduled]:
    daemon = Daemon(root, clock, log=(lines if lines is not None else []).append)
    daemon.scheduler = scheduled = Scheduled()
    assert daemon.lock.acquire()
    return daemon, scheduled


def test_posts_due_microseconds_apart_go_out_in_one_wake_up(tmp_path: Path) -> None:
    due = T0 + timedelta(seconds=1)
    times = [due + timedelta(microseconds=n) for n in range(6)]
    clock = ManualClock(T0)
    lines: list[str] = []
    with LocalServer() as server:
        _workspace(tmp_path, server.url, times)
        daemon, scheduled = _daemon(tmp_path, clock, lines)
        try:
            daemon.tick("start")  # nothing due yet: the first post's time is the wake-up
            assert server.count() == 0
            assert scheduled.jobs == [("due", ["due", due])]
            scheduled.jobs.clear()
            daemon.tick("due", due)
            # All six judged in this one wake-up (five sent, the loud one held back by the
            # lint gate); no wake-up scheduled for the ones after the first.
            assert server.count() == 5
            assert scheduled.jobs == []
        finally:
            daemon.lock.release()
    ledger = open_ledger(tmp_path / ".soulpost", read_only=True)
    try:
        rows = {p.post_id: p for p in ledger.publications()}
    finally:
        ledger.close()
    assert sorted(rows) == [f"p{n}" for n in range(6) if n != LOUD]  # blocked: not claimed
    assert any("1 blocked" in line for line in lines)
    for n, at in enumerate(times):
        row = rows.get(f"p{n}")
        if row is None:
            continue
        assert row.state == "published"
        assert row.published_at is not None and row.published_at >= at  # never early


def test_a_wake_up_beyond_the_lead_is_scheduled_not_waited_for(tmp_path: Path) -> None:
    due, later = T0 + timedelta(seconds=1), T0 + timedelta(seconds=30)
    clock = ManualClock(T0)
    with LocalServer() as server:
        _workspace(tmp_path, server.url, [due, later])
        daemon, scheduled = _daemon(tmp_path, clock)
        try:
            daemon.tick("start")
            scheduled.jobs.clear()
            daemon.tick("due", due)
            assert server.count() == 1
            assert scheduled.jobs == [("due", ["due", later])]
            assert clock.now() < later  # the daemon did not sit on the worker until then
        finally:
            daemon.lock.release()
