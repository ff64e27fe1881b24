"""Five lessons written as grammars, third and fourth rounds (session 16, branches
gen3listen, gen3relate, gen3experiment, gen3give, gen4relate and gen4experiment).

Rules tuned round after round on the misses of labelled writers caught the wordings they
were shown, not the construction. This round wrote each lesson's constructions from their
lexicons in all four languages (bench/README.md, "Session 16"):

* listen (SP104, SP124, SP134, SP144): the reader told not to deliberate ("think faster",
  "lieber nicht zu lang überlegen", "réfléchissez pas trop longtemps", "decídete
  rápido"), stock told by how fast it goes ("flying out the door", "ça part vite", "les
  créneaux s'envolent", "están volando"), the idioms of haste ("snooze you lose", "tick
  tock", "zack, zack", "el que duda pierde");
* relate: issue 9's bait families (one-word comment votes in capitals or quotes, an emoji
  to leave in the comments, emoji votes as a list of lines or inline after a question, a
  reveal at a count of likes, follow-bait, scroll guilt, guilt trips, fake quizzes, chain
  forwards, pointing fingers after a bare statement, a reward for the first comments, a
  caption or a blank to fill, a vote pleaded for), and hard sell as haste pressed on the
  reader in a post that sells;
* experiment: a universal or permanent marker (never, for good, whatever, no exception,
  the only … that works; nie, für immer, egal welche; jamais, à vie, sans exception;
  nunca, para siempre, a prueba de todo) bound to a claim about our product, method or
  advice; universals stacked as fragments ("Nie. Egal, was kommt."); blame turned on the
  reader; everything else dismissed; goods called unbreakable; know-it-all advice;
* give (SP401's signals and excuses) and useful (the teasers): a product with its price
  after a preposition and a way to buy, discounts in words, a free audit to claim, our
  comparative praise with a call, now on sale, few places with a way to book, 1:1 offers
  by direct message; news put off to a later day ("Mehr dazu… am Freitag", "je vous le
  dis demain").

tests/data/judgment_gen3_{listen,relate,experiment,give}.jsonl and judgment_gen4_{relate,
experiment}.jsonl (round 4, tuned on writers 49-52) hold posts written for
this test, not taken from any labelled set: per construction three or more flawed posts
that carry the file's lessons and two or more that use the same words innocently (time to
think offered, a report, a fact with its source, opening hours, a hedge, a question, a
price change from one price to another, a free guide given away). All are linted in one
workspace by the real CLI, as bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

HERE = Path(__file__).resolve().parent / "data"
# Each data file and the lessons its grammar writes.
DATA: dict[str, frozenset[str]] = {
    "listen": frozenset({"listen"}),
    "relate": frozenset({"relate"}),
    "experiment": frozenset({"experiment"}),
    "give": frozenset({"give", "useful"}),
    # round 4 (branches gen4relate and gen4experiment, tuned on writers 49-52)
    "gen4_relate": frozenset({"relate", "listen"}),
    "gen4_experiment": frozenset({"experiment"}),
}


def _file(name: str) -> str:
    return name if name.startswith("gen4") else f"gen3_{name}"


def rows() -> list[tuple[frozenset[str], dict[str, object]]]:
    return [
        (lessons, row)
        for name, lessons in DATA.items()
        for row in read_rows(HERE / f"judgment_{_file(name)}.jsonl")
    ]


def _id(lessons: frozenset[str], row: dict[str, object]) -> str:
    return f"{'+'.join(sorted(lessons))}-{row['construction']}-{str(row['text'])[:40]}"


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("gen3"), [row for _l, row in rows()])


@pytest.mark.parametrize("name", sorted(DATA))
def test_the_data_is_well_formed(name: str) -> None:
    lessons = DATA[name]
    data = read_rows(HERE / f"judgment_{_file(name)}.jsonl")
    assert {row["lang"] for row in data} == {"en", "de", "fr", "es"}
    ids = [row["id"] for row in data]
    assert len(ids) == len(set(ids)), "an id appears twice"
    for row in data:
        assert labels(row) <= LESSONS, row
    for construction, group in constructions(data).items():
        carrying = [bool(labels(row) & lessons) for row in group]
        assert carrying.count(True) >= 3 and carrying.count(False) >= 2, construction


@pytest.mark.parametrize(("lessons", "row"), [pytest.param(*r, id=_id(*r)) for r in rows()])
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    lessons: frozenset[str], row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    got = lessons_of[str(row["text"])]
    assert_lessons(row, got)
    if not labels(row) & lessons:  # the same words used innocently
        assert not got & lessons
