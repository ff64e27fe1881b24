"""The listen lesson's pressure written as a grammar (session 16, branch gen3listen).

Writers 41-44 still got past the pressure rules with wordings of three kinds, and wrote
them in every language: the reader told not to deliberate ("think faster", "lieber nicht
zu lang überlegen", "réfléchissez pas trop longtemps", "decídete rápido"), stock told by
how fast it goes ("flying out the door", "ça part vite", "les créneaux s'envolent",
"están volando") and the idioms of haste ("snooze you lose", "tick tock", "zack, zack",
"el que duda pierde"). tests/data/judgment_gen3_listen.jsonl holds posts written for this
test, not taken from any labelled set: per construction three or more that carry the
lesson and two or more that use the same words innocently (time to think offered, birds
and people flying, a clock's sound, a fact about tomorrow).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_gen3_listen.jsonl"
ROWS = read_rows(DATA)


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("gen3listen"), ROWS)


def test_the_data_is_well_formed() -> None:
    assert {row["lang"] for row in ROWS} == {"en", "de", "fr", "es"}
    for row in ROWS:
        assert labels(row) <= LESSONS, row
    for construction, group in constructions(ROWS).items():
        carrying = ["listen" in labels(row) for row in group]
        assert carrying.count(True) >= 3 and carrying.count(False) >= 2, construction


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{r['construction']}-{str(r['text'])[:40]}" for r in ROWS]
)
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert_lessons(row, lessons_of[str(row["text"])])
