"""bench/phases.py cuts a real one-draft lint at each phase: every cut must be reached.

A cut that a lint no longer reaches (a function renamed, a module no longer imported on
the way) would let the run go to the end, and its phase would silently swallow all the
rest. Each cut run here must end quietly where it is placed; the whole run prints the
report. No valgrind is needed for this.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import bench_module

ROOT = Path(__file__).resolve().parent.parent
POST = """text = "A calm update: details at https://example.com/notes/one-2 Replies welcome."
platforms = ["mastodon", "x"]
"""


RUN_CUT = bench_module("phases")._RUN_CUT


def run_cut(root: Path, cut: str, *lint: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN_CUT, str(ROOT / "bench"), cut, "lint", *lint],
        cwd=root,
        env={"SOULPOST_CACHE_DIR": str(root.parent / "cache"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("case", [["--no-cache"], []], ids=["cold", "cached"])
def test_every_cut_is_reached_by_a_one_draft_lint(tmp_path: Path, case: list[str]) -> None:
    phases = bench_module("phases")
    root = tmp_path / "ws"
    (root / "queue").mkdir(parents=True)
    (root / "config.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
    (root / "queue" / "a.toml").write_text(POST, encoding="utf-8")
    for cut, _what in phases.PHASES:
        done = run_cut(root, cut, *case, "queue/a.toml")
        assert done.returncode == 0, (cut, done.stderr)
        if cut == "end":
            assert "1 post" in done.stdout, done.stdout
        else:
            assert done.stdout == "", f"{cut} was not reached: the lint ran to its end"
