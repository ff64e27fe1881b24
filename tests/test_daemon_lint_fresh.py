"""The daemon's lint gate judges a post as it is at its time, not as it was linted ahead.

The daemon lints posts coming up soon ahead of their time and keeps the results while the
queue does not change (``soulpost.run.gate.LintCache``). A draft edited after that (a
clean post made loud, or a loud one fixed) must be judged again: a cached verdict of the
old text must never let the new text through, nor hold a fixed post back.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from soulpost.clock import ManualClock
from soulpost.daemon import Daemon
from tests.localserver import LocalServer
from tests.test_daemon_burst import Scheduled, write_config

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FIRST = T0 + timedelta(seconds=1)  # its pass lints what comes up within the look-ahead
DUE = T0 + timedelta(minutes=10)  # inside the daemon's lint look-ahead of FIRST's pass


def _draft(root: Path, text: str, stamp: int, name: str = "p", at: datetime = DUE) -> None:
    path = root / "queue" / f"{name}.toml"
    path.write_text(
        f'text = "{text}"\nplatforms = ["hook"]\nat = {at.isoformat()}\n', encoding="utf-8"
    )
    os.utime(path, ns=(stamp, stamp))  # a distinct mtime, as an edit minutes later has


def _run(tmp_path: Path, before: str, after: str) -> list[str]:
    clock = ManualClock(T0)
    with LocalServer() as server:
        write_config(tmp_path, server.url)
        _draft(tmp_path, before, 1_700_000_000_000_000_000)
        _draft(tmp_path, "First note on tides", 1_700_000_000_000_000_000, "first", FIRST)
        lines: list[str] = []
        daemon = Daemon(tmp_path, clock, log=lines.append)
        daemon.scheduler = Scheduled()
        assert daemon.lock.acquire()
        try:
            daemon.tick("start")
            daemon.tick("due", FIRST)  # sends "first"; lints p ahead of its time
            _draft(tmp_path, after, 1_700_000_300_000_000_000)
            clock.set(DUE - timedelta(seconds=1))
            daemon.poll()
            daemon.tick("due", DUE)
        finally:
            daemon.lock.release()
        return [str(r.body) for r in server.received if r.method == "POST"][1:]


def test_a_post_made_loud_after_it_was_linted_ahead_is_held_back(tmp_path: Path) -> None:
    sent = _run(tmp_path, "Tide tables for the week, what do you think?", "BUY OUR TIDE TABLES NOW")
    assert sent == []


def test_a_loud_post_fixed_after_it_was_linted_ahead_goes_out(tmp_path: Path) -> None:
    sent = _run(tmp_path, "BUY OUR TIDE TABLES NOW", "Tide tables for the week, what do you think?")
    assert len(sent) == 1 and "what do you think" in sent[0]
