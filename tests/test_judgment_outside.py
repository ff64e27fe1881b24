"""bench/judgment.py --file: a labelled set kept outside the repository is scored by the
same steps as the corpus, as a part of its own (pairs, flawed posts caught, false alarms)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench" / "judgment.py"


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, str(BENCH), *args]
    return subprocess.run(argv, capture_output=True, text=True, check=False, cwd=REPO)


def test_an_outside_set_is_scored_on_its_own(tmp_path: Path) -> None:
    folder = tmp_path / "writer1"
    folder.mkdir()
    _write(
        folder / "posts.jsonl",
        [
            {
                "id": "w-1",
                "lang": "en",
                "text": "Like this if you're an Aries!",
                "labels": ["relate"],
            },
            {
                "id": "w-2",
                "lang": "en",
                "text": "We think the new route works.",
                "labels": ["experiment"],
            },
            {
                "id": "w-3",
                "lang": "en",
                "text": "The library opens at 9 on Saturday.",
                "labels": [],
            },
            {"id": "w-4", "lang": "en", "text": "The pool reopens on Monday at 7.", "labels": []},
        ],
    )
    proc = _run("--file", str(folder / "posts.jsonl"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "== writer1: 4 posts (2 flawed, 2 clean)" in out
    assert "== dev" not in out and "== heldout" not in out  # the corpus is left out
    all_row = next(line for line in out.splitlines() if line.startswith("all "))
    # posts, pair precision, pair recall, flawed caught, false alarms
    assert all_row.split() == ["all", "4", "100.0", "50.0", "50.0", "0.0"]


def test_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    _write(path, [{"id": "x-1", "lang": "en", "text": "Hello", "labels": ["shouting"]}])
    proc = _run("--file", str(path))
    assert proc.returncode != 0
    assert f"{path}:1: unknown lessons ['shouting']" in proc.stderr
    missing = tmp_path / "nope.jsonl"
    proc = _run("--file", str(missing))
    assert proc.returncode != 0 and f"{missing}: cannot read it" in proc.stderr
