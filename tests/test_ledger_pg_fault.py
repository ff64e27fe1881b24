"""Issue 13's fault test: three publishers on three simulated hosts share one PostgreSQL
ledger and one queue of 2,000 due posts; one is SIGKILLed mid-run, another stopped by
SIGTERM. Every post arrives exactly once or is shown in doubt; none is lost. The trial
itself is tests/pgfault.py (bench/pg_fault_trials.py repeats it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.pg import PASSWORD
from tests.pgfault import HOSTS, run_trial


@pytest.mark.slow
def test_three_hosts_one_killed_one_stopped_nothing_lost_or_doubled(
    tmp_path: Path, pg_server: Any
) -> None:
    trial = run_trial(pg_server.fresh_url(), tmp_path, posts=2000, seed=13, timeout=240)
    assert trial.ok, trial.problems[:20]
    assert trial.published + trial.in_doubt == 2000
    assert trial.duplicates == trial.lost == trial.unflagged == 0
    assert 0 < trial.killed_at < 2000, "host-a was killed mid-run"
    assert trial.by_host.get("host-c", 0) > 0
    # status, run on host-c, names the backend and every publisher (without the password).
    status = trial.status
    assert status["_exit"] == (1 if trial.in_doubt else 0), status["_stderr"]
    assert PASSWORD not in status["_stdout"] + status["_stderr"]
    assert status["ledger"]["backend"] == "postgres"
    assert set(HOSTS) <= {p["host"] for p in status["publishers"]}
    for host in HOSTS:
        assert PASSWORD not in (tmp_path / f"{host}.log").read_text(encoding="utf-8")
