"""Lint a file of labelled wordings through the real CLI: what the regression tests of
fresh wordings share (tests/test_judgment_wordings_en_de.py, test_judgment_fresh.py).

Each row of a JSON Lines file has a ``text``; every text becomes one draft, two days
apart, in one workspace whose config leaves out the rules that judge a queue rather than
a post (few questions, flooding, duplicates) and makes one promotional post enough for
the 80/20 rule, so each text is judged on its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

EXE = str(Path(sys.executable).with_name("soulpost"))
CONFIG = """timezone = "UTC"
default_platforms = ["mastodon"]

[platforms.mastodon]
adapter = "outbox"

[lint]
ignore = ["few-questions", "flooding", "duplicate-post"]

[lint.options.promo-share]
max_share = 0.0
min_posts = 1
window = "1d"
"""


def read_rows(data: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()]


def lint_lessons(root: Path, rows: list[dict[str, object]]) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it (platform limits left out),
    linting *rows* in a new workspace at *root*."""
    (root / "queue").mkdir()
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    start = datetime(2027, 1, 4, 9, 0)
    texts = {}
    for i, row in enumerate(rows):
        name = f"p{i:04d}.toml"
        texts[name] = str(row["text"])
        body = f"text = {json.dumps(row['text'], ensure_ascii=False)}\n"
        at = (start + timedelta(days=2 * i)).isoformat()
        (root / "queue" / name).write_text(body + f"at = {at}\n", encoding="utf-8")
    proc = subprocess.run(
        [EXE, "lint", "--now", "2026-12-01T00:00:00+00:00", "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert not report.get("errors"), report["errors"]
    out: dict[str, set[str]] = {text: set() for text in texts.values()}
    for finding in report["findings"]:
        if finding["lesson"] != "platform":
            out[texts[Path(finding["path"]).name]].add(finding["lesson"])
    return out


LESSONS = frozenset({"listen", "relate", "give", "experiment", "useful"})


def labels(row: dict[str, object]) -> set[str]:
    """A row's lessons (empty for a clean post)."""
    return set(row["labels"])  # type: ignore[call-overload]


def constructions(rows: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    """*rows* grouped by their ``construction``, each text once (asserted)."""
    texts = [str(row["text"]) for row in rows]
    assert len(texts) == len(set(texts)), "a post appears twice"
    groups: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        groups.setdefault(str(row["construction"]), []).append(row)
    return groups


def assert_lessons(row: dict[str, object], got: set[str]) -> None:
    """A flawed row gets at least its lessons; a clean one gets none."""
    wanted = labels(row)
    if wanted:
        assert wanted <= got, f"missed {sorted(wanted - got)}"
    else:
        assert got == set(), f"a clean post got {sorted(got)}"
