"""bench/lint_bench.py measures runs that write soulpost's kept code, as a user's do.

With ``PYTHONDONTWRITEBYTECODE`` set (some sandboxes set it), soulpost writes neither its
.pyc files nor the code it keeps between runs, and a one-draft lint cost a third more
than any user's. The bench compiles the package itself and drops the variable from the
environment of the runs it measures.
"""

from __future__ import annotations

import pytest

from tests.conftest import bench_module


def test_measured_runs_may_write_kept_code(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = bench_module("lint_bench")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("SOULPOST_PROBE", "kept")
    env = bench.run_env(SOULPOST_CACHE_DIR="/tmp/cache")
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["SOULPOST_CACHE_DIR"] == "/tmp/cache"
    assert env["SOULPOST_PROBE"] == "kept"  # the rest of the environment is kept
