"""The parent lints a first chunk of a large queue before it forks the workers.

What rules build on first use (compiled patterns, gates, word lists) is then built once
and inherited by every worker (soulpost.lint.workers.warm_up_size). The report must not
change: the chunk's records go first, in file order, and load errors, duplicate ids and
suppressions that straddle the chunk's end come out as one process reports them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from soulpost.lint import engine, workers
from soulpost.lint.engine import CHUNK
from tests.test_lint_workers import CONFIG, _as_data, _lint, _posts


@pytest.fixture
def queue(workspace: Callable[..., Path]) -> Path:
    root = workspace(CONFIG, _posts())
    (root / "media").mkdir()
    (root / "media" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return root


def test_small_queues_fork_at_once_and_large_ones_warm_up_on_a_chunk() -> None:
    assert workers.warm_up_size(40, 2) == 2
    assert workers.warm_up_size(10, 2) == 0  # a handful of files: all go to the workers
    assert workers.warm_up_size(1500, 2) == 93
    assert workers.warm_up_size(10_000, 2) == CHUNK
    assert workers.warm_up_size(10_000, 8) == 156


@pytest.mark.parametrize("head", [1, 2, 5, 9, 30])
def test_a_warm_up_chunk_of_any_size_reports_what_one_process_reports(
    queue: Path, head: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 10**9)
    serial = _lint(queue)
    here: list[range] = []
    real = workers.lint_files_job

    def watched(job: Any, indexes: Any) -> Any:
        if isinstance(indexes, range):
            here.append(indexes)  # in this process: the warm-up chunk (workers fork later)
        return real(job, indexes)

    monkeypatch.setattr(workers, "lint_files_job", watched)
    monkeypatch.setattr(workers, "warm_up_size", lambda count, pool: head)
    monkeypatch.setattr(engine, "_workers", lambda count: 2)
    parallel = _lint(queue)
    assert here == [range(head)]
    assert _as_data(parallel) == _as_data(serial)
    assert {"SP101", "SP104", "SP306", "SP106"} <= {f.code for f in serial.findings}
