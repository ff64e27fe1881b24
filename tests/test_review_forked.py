"""Two-phase forked workers (soulpost/review/forked.py): each starts on its range at once,
gets its message once the parent has it, and answers; a worker that fails or dies
answers None (the caller redoes its range), and none is left running."""

from __future__ import annotations

import os
from typing import Any

import pytest

from soulpost.review.forked import TwoPhase, split

# The workers of these tests run plain Python and take no lock, so a thread an earlier
# test left idle in this process does no harm: only a platform without fork skips them.
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_split_covers_every_index_once() -> None:
    assert split(10, 2) == [(0, 5), (5, 10)]
    assert split(7, 3) == [(0, 2), (2, 4), (4, 7)]
    assert split(1, 2) == [(0, 1)]  # no empty range
    assert split(0, 2) == []


def test_each_worker_answers_with_its_first_phase_and_its_message() -> None:
    def first(bounds: tuple[int, int]) -> list[int]:
        return list(range(*bounds))

    def second(bounds: tuple[int, int], done: list[int], factor: int) -> list[int]:
        return [x * factor for x in done] + [os.getpid()]

    forked = TwoPhase.start(10, 2, first, second)
    assert forked is not None
    try:
        answers = forked.finish([2, 3])
    finally:
        forked.stop()
    assert [a[:-1] for a in answers] == [[0, 2, 4, 6, 8], [15, 18, 21, 24, 27]]
    assert {a[-1] for a in answers}.isdisjoint({os.getpid()})  # done in the workers
    assert all(_gone(w.pid) for w in forked.workers)


def test_large_messages_both_ways_do_not_block() -> None:
    """Several MB each way, far beyond a pipe's buffer, in either order of readiness."""
    blob = b"x" * (3 << 20)

    def second(bounds: tuple[int, int], done: Any, message: bytes) -> bytes:
        return message + blob

    forked = TwoPhase.start(4, 2, lambda bounds: None, second)
    assert forked is not None
    try:
        answers = forked.finish([blob, blob[:10]])
    finally:
        forked.stop()
    assert answers == [blob + blob, blob[:10] + blob]


def test_a_failing_or_dying_worker_answers_none_and_the_other_still_answers() -> None:
    def first(bounds: tuple[int, int]) -> int:
        if bounds[0] == 2:
            os._exit(3)  # killed in its first phase
        return bounds[0]

    def second(bounds: tuple[int, int], done: int, message: str) -> str:
        if bounds[0] == 1:
            raise ValueError("a rule broke")
        return f"{done}:{message}"

    forked = TwoPhase.start(3, 3, first, second)
    assert forked is not None
    try:
        answers = forked.finish(["a", "b", "c"])
    finally:
        forked.stop()
    assert answers == ["0:a", None, None]
    assert all(_gone(w.pid) for w in forked.workers)


def test_stop_before_finish_ends_every_worker() -> None:
    """What happens when the lint raises (or Ctrl-C) between start and finish."""
    forked = TwoPhase.start(2, 2, lambda bounds: None, lambda bounds, done, message: message)
    assert forked is not None
    forked.stop()
    assert all(_gone(w.pid) for w in forked.workers)
    forked.stop()  # twice is harmless


def test_site_pages_of_a_failed_writer_are_written_here(
    cli: Any, workspace: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page writer that breaks after composing costs time, not pages: this process
    writes its range, and the site is byte for byte the one a single process writes."""
    from soulpost.review import sitewriter
    from soulpost.workspace import fork_workers
    from tests.conftest import settle_threads

    settle_threads()
    if not fork_workers(10, 1):
        pytest.skip("the site forks no writers here (one core or threads)")
    config = 'timezone = "UTC"\n\n[platforms.mastodon]\nadapter = "outbox"\n'
    drafts = {
        f"p{k}.toml": f'text = "Post {k}, a calm note. BUY NOW!!!"\nplatforms = ["mastodon"]\n'
        f"at = 2026-12-0{1 + k % 5}T{9 + k:02d}:00:00Z\n"
        for k in range(6)
    }
    root = workspace(config, drafts)
    broken, write_here = sitewriter._finish_range, sitewriter._write_posts
    here: list[tuple[int, int]] = []

    def write_posts(bounds: tuple[int, int], composed: Any = None) -> Any:
        here.append(bounds)  # only calls in this process are seen here
        return write_here(bounds, composed)

    def finish(bounds: tuple[int, int], composed: Any, findings: Any) -> Any:
        if bounds[0] == 0:
            raise RuntimeError("this writer breaks")
        return broken(bounds, composed, findings)

    pages: dict[str, dict[str, bytes]] = {}
    for label, threshold in (("one", 10**9), ("forked", 1)):
        monkeypatch.setattr(sitewriter, "PARALLEL_PAGES", threshold)
        monkeypatch.setattr(sitewriter, "_finish_range", finish)
        monkeypatch.setattr(sitewriter, "_write_posts", write_posts)
        out = tmp_path / label
        result = cli("-C", root, "site", str(out), "--now", "2026-12-01T08:00:00Z")
        assert result.code == 0, result.err
        pages[label] = {
            p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
        }
    assert here == [(0, 6), (0, 3)]  # all of them in one process, then the failed range
    assert pages["one"] == pages["forked"]
    assert len([name for name in pages["one"] if name.startswith("posts/")]) == 6
    assert b"SP101" in pages["one"]["posts/p0.html"]  # findings reached the failed range


def test_a_start_that_cannot_fork_every_worker_starts_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """All or nothing: a range nobody took would be a page nobody wrote."""
    real_fork = os.fork
    forked: list[int] = []

    def fork() -> int:
        if forked:
            raise BlockingIOError("Resource temporarily unavailable")
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    assert TwoPhase.start(4, 2, lambda bounds: None, lambda bounds, done, m: m) is None
    assert len(forked) == 1 and _gone(forked[0])  # the one that started was ended
