"""The relate lesson written as a grammar, third round (session 16, branch gen3relate).

Rules tuned round after round on the misses of labelled writers caught the wordings they
were shown, not the construction: on two samples of four writers no rule work read, relate
recall stayed at 86 and 81 %. This round wrote issue 9's bait families as grammar in all
four languages, from each family's lexicon rather than from any writer's phrase:

* one-word comment votes (an order to comment, type or write plus one word in capitals or
  quotes: „JA“, « OUI », "YES"), an emoji to leave in the comments, emoji votes as a list
  of lines or inline after a question, a reveal at a count of likes, follow-bait (only for
  followers, read this far and not following), scroll guilt, guilt trips, fake quizzes
  (smarter than N %, test yourself), chain forwards, pointing fingers after a bare
  statement, a reward for the first comments, a caption or a blank to fill, a vote
  pleaded for;
* hard sell as haste pressed on the reader in a post that sells, and an order to open, book
  or apply for what we sell today.

tests/data/judgment_gen3_relate.jsonl holds posts written for this test, not taken from any
labelled set: per construction three or more flawed posts and two or more that use the same
words innocently (a report, a fact with its source, ordinary use, news that follows). All
are linted in one workspace by the real CLI, as bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_gen3_relate.jsonl"
LESSON = "relate"


def rows() -> list[dict[str, object]]:
    return read_rows(DATA)


def _id(row: dict[str, object]) -> str:
    return f"{row['construction']}-{str(row['text'])[:40]}"


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("gen3relate"), rows())


def test_the_data_is_well_formed() -> None:
    data = rows()
    assert {row["lang"] for row in data} == {"en", "de", "fr", "es"}
    ids = [row["id"] for row in data]
    assert len(ids) == len(set(ids)), "an id appears twice"
    for row in data:
        assert labels(row) <= LESSONS, row
    for construction, group in constructions(data).items():
        carrying = [LESSON in labels(row) for row in group]
        assert carrying.count(True) >= 3 and carrying.count(False) >= 2, construction


@pytest.mark.parametrize("row", [pytest.param(r, id=_id(r)) for r in rows()])
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert_lessons(row, lessons_of[str(row["text"])])
    if LESSON not in labels(row):  # the same words used innocently
        assert LESSON not in lessons_of[str(row["text"])]
