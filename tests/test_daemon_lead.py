"""The daemon starts a ``due`` pass early enough to have loaded, planned and gated the posts
due at its wake-up by then (soulpost/daemon.py, issue 13: a burst of 1,000 drafts due at
one instant went out from 0.85 s after its time). The lead grew only with the last pass's
length, and the pass before a burst is often a short one (it noticed the last few drafts).

In process, with a recorder in place of APScheduler that keeps when each job would run."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from soulpost.clock import ManualClock
from soulpost.daemon import PER_DUE_POST, Daemon

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Recorder:
    """APScheduler's ``add_job``/``get_job``, keeping each job's lead before its wake-up."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.leads: list[tuple[datetime, float]] = []

    def add_job(
        self, func: Any, trigger: str, *, args: list[Any], run_date: datetime, **kw: Any
    ) -> None:
        wake = args[1]
        ahead = (wake - self.clock.now()) - (run_date - datetime.now(UTC))
        self.leads.append((wake, ahead.total_seconds()))

    def get_job(self, job_id: str) -> None:
        return None


def _workspace(root: Path, due: int, due_at: datetime) -> None:
    (root / "config.toml").write_text(
        textwrap.dedent(
            """\
            timezone = "UTC"
            [platforms.hook]
            adapter = "webhook"
            options = { url = "http://127.0.0.1:9/unused" }
            """
        ),
        encoding="utf-8",
    )
    queue = root / "queue"
    queue.mkdir()
    for n in range(due):
        (queue / f"b{n:03d}.toml").write_text(
            f'text = "Burst note {n} on tides, thoughts?"\nplatforms = ["hook"]\n'
            f"at = {due_at.isoformat()}\n",
            encoding="utf-8",
        )
    (queue / "later.toml").write_text(
        f'text = "A later note"\nplatforms = ["hook"]\nat = {(due_at + timedelta(hours=1)).isoformat()}\n',
        encoding="utf-8",
    )


def test_the_due_pass_of_a_burst_starts_earlier_by_what_its_posts_cost(tmp_path: Path) -> None:
    due_at = T0 + timedelta(minutes=5)
    _workspace(tmp_path, 300, due_at)
    clock = ManualClock(T0)
    daemon = Daemon(tmp_path, clock, log=[].append)
    daemon.scheduler = recorder = Recorder(clock)
    assert daemon.lock.acquire()
    try:
        daemon.tick("start")
    finally:
        daemon.lock.release()
    assert [wake for wake, _lead in recorder.leads] == [due_at]
    lead = recorder.leads[0][1]
    expected = min(5.0, max(0.25, 1.5 * daemon.pass_seconds + 300 * PER_DUE_POST))
    assert abs(lead - expected) < 0.05, (lead, expected, daemon.pass_seconds)
    assert lead >= 0.3  # the 300 posts' share, whatever the pass before took


def test_a_wake_up_with_one_post_keeps_the_usual_lead(tmp_path: Path) -> None:
    due_at = T0 + timedelta(minutes=5)
    _workspace(tmp_path, 1, due_at)
    clock = ManualClock(T0)
    daemon = Daemon(tmp_path, clock, log=[].append)
    daemon.scheduler = recorder = Recorder(clock)
    assert daemon.lock.acquire()
    try:
        daemon.tick("start")
    finally:
        daemon.lock.release()
    lead = recorder.leads[0][1]
    expected = min(5.0, max(0.25, 1.5 * daemon.pass_seconds + PER_DUE_POST))
    assert abs(lead - expected) < 0.05, (lead, expected)
