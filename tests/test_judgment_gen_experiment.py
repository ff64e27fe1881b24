"""The experiment lesson as a grammar, in all four languages (branch genexp).

Rules tuned round after round on the misses of labelled writers caught the wordings they
were shown; posts by new writers improved only a little. This branch writes the lesson's
constructions from their lexicons instead: a claim sealed against doubt ("end of story",
"Ende der Diskussion", "un point c'est tout", "se acabó"), success in every case ("works for
every baby", "klappt in jedem Fall", "à coup sûr", "sin fallar"), goods that never fail (a
verb of failure with "never", "nie", "ne … jamais", "nunca"), the only or last one you will
ever need, self-declared number ones ("second to none", "unübertroffen", "sans égal", "no
tiene rival"), experts all agreeing, and a result promised as certain.

tests/data/judgment_gen_experiment.jsonl holds posts written for this test, not taken from
any labelled set: for each construction in each language three or more flawed posts and
two or more clean ones using the same words innocently (a fact, a report, a negation, a
question, an idiom). All posts are linted in one workspace by the real CLI, as
bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_gen_experiment.jsonl"


def rows() -> list[dict[str, object]]:
    return read_rows(DATA)


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("genexp"), rows())


def test_the_data_is_well_formed() -> None:
    langs = set()
    for row in rows():
        assert labels(row) <= LESSONS, row
        assert str(row["construction"]).startswith(f"{row['lang']}:"), row
        langs.add(row["lang"])
    assert langs == {"en", "de", "fr", "es"}
    for name, group in constructions(rows()).items():
        flawed = [bool(labels(row)) for row in group]
        assert flawed.count(True) >= 3 and flawed.count(False) >= 2, name
        assert all("experiment" in labels(row) for row in group if labels(row)), name


@pytest.mark.parametrize(
    "row",
    [pytest.param(row, id=f"{row['construction']}-{str(row['text'])[:40]}") for row in rows()],
)
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert_lessons(row, lessons_of[str(row["text"])])
