"""The experiment lesson written as combinations, in all four languages (session 16, branch
gen3experiment).

Rules tuned on the misses of one round of writers caught the wordings they were shown and
little else: on two samples of writers nobody had tuned on, experiment recall stayed at
76 % and 74 %. This branch writes the lesson's constructions from their lexicons instead: a
universal or permanent marker (never, always, for good, for life, whatever, any, every, no
exception, nothing can, impossible, the only … that works; nie, für immer, ein für alle
Mal, egal welche, ausnahmslos; jamais, pour de bon, à vie, sans exception, aucune …
possible; nunca, para siempre, de por vida, sin excepción, a prueba de todo) bound to a
claim about our product, method or advice; universals stacked or sealing it in fragments
("Nie. Egal, was kommt.", "Toujours. Aucune exception."); blame turned on the reader;
everything else dismissed; the reader never needing anything again; goods called
unbreakable; better than any other; a claim vouched for ("trust me", THE answer);
know-it-all advice ("the only way to X is Y", "gewinnt langfristig immer"); certainty
declared ("caso cerrado", results from day one); the reader's result promised by a date.

tests/data/judgment_gen3_experiment.jsonl holds posts written for this test, not taken from
any labelled set: per construction and language three or more flawed posts that carry the
lesson and two or more that use the same words innocently (opening hours and rules, a
hedge, a question, a report, history with a date, a negated claim). All are linted in one
workspace by the real CLI, as bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_gen3_experiment.jsonl"
LESSON = "experiment"
ROWS = read_rows(DATA)


def _id(row: dict[str, object]) -> str:
    return f"{row['construction']}-{str(row['text'])[:40]}"


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("gen3"), ROWS)


def test_the_data_is_well_formed() -> None:
    assert {row["lang"] for row in ROWS} == {"en", "de", "fr", "es"}
    for row in ROWS:
        assert labels(row) <= LESSONS, row
    for construction, group in constructions(ROWS).items():
        carrying = [LESSON in labels(row) for row in group]
        assert carrying.count(True) >= 3 and carrying.count(False) >= 2, construction


@pytest.mark.parametrize("row", [pytest.param(row, id=_id(row)) for row in ROWS])
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert_lessons(row, lessons_of[str(row["text"])])
    if LESSON not in labels(row):  # the same words used innocently
        assert LESSON not in lessons_of[str(row["text"])]
