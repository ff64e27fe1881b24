"""English and German posts in wordings the rules were not written from (issue 9).

tests/data/judgment_wordings_en_de.jsonl holds about 850 posts written for this purpose by a
project session (branch judgeende) in five batches: bait, pressure, promotion, absolute
claims and teasers phrased the way people post, and clean posts that use the same words
for ordinary things (names in capitals, consumer prices, "share" and "follow" in their
plain senses). Each batch was linted once before any rule was changed for it, and only then
used to widen the constructions; bench/README.md ("AFTER round four: English and German") has
those first figures, which are the honest measure of how the rules meet new wordings.

The posts are not part of corpus/judgment: every one of them was seen while tuning, so none
may sit in the held-out part. Here they guard the constructions: every post the rules get
right must stay right. A post marked ``known`` is one they still get wrong, with why (a
name such as NICE or ZEIT in capitals, a price in a monthly fee); those count only towards
the floors below, so that fixing one never breaks the test and losing many does.

All posts are linted in one workspace by the real CLI, as bench/judgment.py does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "judgment_wordings_en_de.jsonl"
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
# What the rules reach on these posts now, a little lower: recall of (post, lesson) pairs
# and the share of clean posts with any finding.
MIN_RECALL = {"en": 0.97, "de": 0.95}
MAX_FALSE_ALARMS = {"en": 0.12, "de": 0.10}


def rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it (platform limits left out)."""
    root = tmp_path_factory.mktemp("wordings")
    (root / "queue").mkdir()
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    start = datetime(2027, 1, 4, 9, 0)
    texts = {}
    for i, row in enumerate(rows()):
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


def cases(known: bool) -> list[object]:
    return [
        pytest.param(row, id=f"{row['lang']}-{str(row['text'])[:40]}")
        for row in rows()
        if ("known" in row) is known
    ]


def test_the_data_is_well_formed() -> None:
    texts = [str(row["text"]) for row in rows()]
    assert len(texts) == len(set(texts)), "a post appears twice"
    lessons = {"listen", "relate", "give", "experiment", "useful"}
    for row in rows():
        assert row["lang"] in ("en", "de") and row["batch"] in (1, 2, 3, 4, 5)
        assert set(row["labels"]) <= lessons, row  # type: ignore[arg-type]


@pytest.mark.parametrize("row", cases(known=False))
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    got = lessons_of[str(row["text"])]
    labels = set(row["labels"])  # type: ignore[arg-type]
    if labels:
        assert labels <= got, f"missed {sorted(labels - got)}"
    else:
        assert got == set(), f"a clean post got {sorted(got)}"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_recall_and_false_alarms_hold_their_floors(
    lang: str, lessons_of: dict[str, set[str]]
) -> None:
    mine = [row for row in rows() if row["lang"] == lang]
    pairs = [(str(r["text"]), label) for r in mine for label in r["labels"]]  # type: ignore[attr-defined]
    hit = sum(label in lessons_of[text] for text, label in pairs)
    clean = [str(r["text"]) for r in mine if not r["labels"]]
    alarms = sum(bool(lessons_of[text]) for text in clean)
    assert hit / len(pairs) >= MIN_RECALL[lang]
    assert alarms / len(clean) <= MAX_FALSE_ALARMS[lang]
