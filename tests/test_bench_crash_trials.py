"""bench/crash_trials.py must see what it claims to count: its self-test plants a duplicate,
a lost part, a ledger that forgot a publication and a broken reply chain after a clean run,
and fails unless each counter reports exactly its fault (and a clean run reports nothing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_crash_trials_counters_see_planted_faults() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "crash_trials.py"), "--self-test"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for case in ("duplicate", "lost", "ledger forgets", "misthreaded", "none"):
        assert f"self-test {case:>15}: ok" in done.stdout, done.stdout
