"""The useful lesson as a grammar, in four languages (branch genuse).

Rounds of tuning brought each tuning set to ~100 % while posts by new writers improved only
a little: the rules caught the wordings they were shown, not the construction. The teaser
rules (SP301, SP321, SP331, SP341) now describe each construction by its lexicon: a vague
subject with a verb of arriving (something is on its way, es tut sich was, quelque chose se
profile, se está gestando algo), an order to watch or stay with nothing to watch for, the
news kept back, the announcement of an announcement, a guessing game, hype about what is to
come, a notice in capitals made only of notice and audience words; SP303 takes a row of
emoji with a word or two, and a post of hashtags alone.

tests/data/judgment_gen_useful.jsonl holds posts written for this test, not taken from any
tuning or validation set: per construction and language three or more flawed posts and two
or more that use the same words innocently (the news follows, a date or a reason is given,
a notice in capitals that holds a fact is listen only). All are linted by the real CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_gen_useful.jsonl"


def rows() -> list[dict[str, object]]:
    return read_rows(DATA)


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("genuse"), rows())


def test_the_data_is_well_formed() -> None:
    for row in rows():
        assert row["lang"] in {"en", "de", "fr", "es"} and labels(row) <= LESSONS, row
        assert str(row["construction"]).endswith(f"-{row['lang']}"), row
    for name, group in constructions(rows()).items():
        useful = ["useful" in labels(row) for row in group]
        assert useful.count(True) >= 3 and useful.count(False) >= 2, name


@pytest.mark.parametrize(
    "row",
    [pytest.param(row, id=f"{row['construction']}-{str(row['text'])[:40]}") for row in rows()],
)
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert_lessons(row, lessons_of[str(row["text"])])


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(row, id=f"{row['construction']}-{str(row['text'])[:40]}")
        for row in rows()
        if "useful" not in labels(row)
    ],
)
def test_the_same_words_used_innocently_are_not_useful_flaws(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert "useful" not in lessons_of[str(row["text"])]
