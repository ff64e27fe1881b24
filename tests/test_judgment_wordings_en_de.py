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

from pathlib import Path

import pytest

from tests.wordings import assert_lessons, lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_wordings_en_de.jsonl"
# What the rules reach on these posts now, a little lower: recall of (post, lesson) pairs
# and the share of clean posts with any finding.
MIN_RECALL = {"en": 0.97, "de": 0.95}
MAX_FALSE_ALARMS = {"en": 0.12, "de": 0.10}


def rows() -> list[dict[str, object]]:
    return read_rows(DATA)


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("wordings"), rows())


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
    assert_lessons(row, lessons_of[str(row["text"])])


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
