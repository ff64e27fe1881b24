"""The lint gate a chunk ahead of the sends (soulpost/run/lintahead.py): the first chunk is
judged here, the others by a forked child meanwhile, with the same answers; nothing is sent
unjudged when the child cannot run or dies; and a whole pass blocks exactly what linting
in process blocked."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.run.lintahead import LintAhead
from tests.hostile.ledger_helpers import make_ws, post, rows, run

CHUNKS = [[f"p{c}-{i}" for i in range(3)] for c in range(5)]
PARENT = os.getpid()


def judge(chunk: list[str]) -> dict[tuple[str, str | None], list[str]]:
    """Blocks every post ending in -1, naming the process that judged it."""
    return {(item, None): [f"judged by {os.getpid()}"] for item in chunk if item.endswith("-1")}


def _all(ahead: LintAhead[str]) -> list[dict[tuple[str, str | None], list[str]]]:
    try:
        return [ahead.blocks(i, chunk) for i, chunk in enumerate(CHUNKS)]
    finally:
        ahead.close()


def _judges(answers: list[dict[tuple[str, str | None], list[str]]]) -> list[int]:
    return [int(next(iter(a.values()))[0].split()[-1]) for a in answers]


@pytest.fixture
def no_threads() -> None:
    if threading.active_count() > 1:
        pytest.skip("this test process runs threads: the child is (rightly) not forked")


@pytest.mark.usefixtures("no_threads")
def test_the_first_chunk_is_judged_here_the_others_by_the_child_alike() -> None:
    ahead = LintAhead(CHUNKS, judge).start()
    assert ahead.pid is not None
    answers = _all(ahead)
    judges = _judges(answers)
    assert judges[0] == PARENT and all(j != PARENT for j in judges[1:])
    assert [set(a) for a in answers] == [set(judge(c)) for c in CHUNKS]


@pytest.mark.usefixtures("no_threads")
def test_a_child_that_dies_leaves_the_rest_to_be_judged_here() -> None:
    def dies_at_three(chunk: list[str]) -> dict[tuple[str, str | None], list[str]]:
        if os.getpid() != PARENT and chunk[0].startswith("p3"):
            os._exit(3)
        return judge(chunk)

    answers = _all(LintAhead(CHUNKS, dies_at_three).start())
    judges = _judges(answers)
    assert judges[1] != PARENT and judges[2] != PARENT
    assert judges[3] == PARENT and judges[4] == PARENT  # nothing left unjudged
    assert [set(a) for a in answers] == [set(judge(c)) for c in CHUNKS]


def test_a_process_with_threads_judges_everything_itself() -> None:
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        ahead = LintAhead(CHUNKS, judge).start()
        assert ahead.pid is None
        assert set(_judges(_all(ahead))) == {PARENT}
    finally:
        stop.set()
        helper.join()


@pytest.mark.usefixtures("no_threads")
def test_a_pass_that_stops_early_reaps_the_child() -> None:
    ahead = LintAhead(CHUNKS, judge).start()
    child = ahead.pid
    assert child is not None
    ahead.blocks(0, CHUNKS[0])
    ahead.blocks(1, CHUNKS[1])
    ahead.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # already reaped: no zombie left


SERVER = (
    "import sys; from tests.localserver import LocalServer; server = LocalServer().start(); "
    "print(server.url, flush=True); sys.stdin.read()"
)


@pytest.fixture
def outside_server() -> Iterator[str]:
    """A local webhook server in its own process: a server thread in this one would (rightly)
    keep the pass from forking its lint child."""
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        yield proc.stdout.readline().decode().strip()
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def test_a_pass_blocks_the_same_posts_when_linting_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outside_server: str
) -> None:
    """100 due posts (four chunks): the ones that shout, an error here, are held back in
    every chunk, the child's included; every other one goes out once."""
    loud = {7, 40, 71, 99}
    posts = {
        f"p{n:03d}": post(
            at=f"2026-12-01T08:{n // 60:02d}:{n % 60:02d}Z",
            text=f"SHOUTING LOUDLY HERE {n}" if n in loud else f"Note {n}",
        )
        for n in range(100)
    }
    root = make_ws(tmp_path, outside_server, posts)
    config = root / "config.toml"
    text = config.read_text().replace("lint_gate = false", "lint_gate = true")
    config.write_text(text + '[lint]\nseverity = { shouting = "error" }\n')
    forked: list[int | None] = []
    real = LintAhead.start

    def spy(self: LintAhead[Any]) -> LintAhead[Any]:
        started = real(self)
        forked.append(started.pid)
        return started

    monkeypatch.setattr(LintAhead, "start", spy)
    threads = threading.active_count()
    report = run(root, ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)))
    assert forked and (forked[0] is not None or threads > 1)
    blocked = {r.post_id for r in report.results if r.state == "blocked"}
    assert blocked == {f"p{n:03d}" for n in loud}
    assert all(r.state == "published" for r in report.results if r.post_id not in blocked)
    published = {k[0]: v for k, v in rows(root).items() if v.state == "published"}
    assert set(published) == {f"p{n:03d}" for n in range(100) if n not in loud}
    assert len({v.remote_id for v in published.values()}) == 96  # each received once
