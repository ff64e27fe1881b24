"""The give lesson as a grammar, in four languages (branch gengive).

Rounds of tuning brought each tuning set to nearly all caught, but posts by new writers
only a little: the rules knew the wordings they were shown. tests/data/judgment_gen_give.jsonl
holds posts written for this test, in en, de, fr and es, for each construction of selling
(``construction``): a call to order, book or reserve that says where (a shop address, a
number, the bio), a price, code or offer with a way to buy, stock pushed as running out,
and our own praise or money back with where to buy; with clean posts that use the same
words as news, a report, a question, a free resource or a price change with its date.

All posts are linted in one workspace by the real CLI, as bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_gen_give.jsonl"


def rows() -> list[dict[str, object]]:
    return read_rows(DATA)


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("gengive"), rows())


def test_the_data_is_well_formed() -> None:
    assert {row["lang"] for row in rows()} == {"en", "de", "fr", "es"}
    for row in rows():
        assert labels(row) <= LESSONS, row
        assert not labels(row) or "give" in labels(row), row
    for name, group in constructions(rows()).items():
        flawed = [bool(labels(row)) for row in group]
        assert flawed.count(True) >= 3 and flawed.count(False) >= 2, name


@pytest.mark.parametrize(
    "row",
    [pytest.param(row, id=f"{row['id']}-{row['construction']}") for row in rows()],
)
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert_lessons(row, lessons_of[str(row["text"])])
