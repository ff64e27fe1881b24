"""Four lessons written as grammars, in all four languages (session 14, branches genexp,
gengive and genuse; session 15, branch gen2relate).

Rounds of tuning brought each tuning set to about 100 % while posts by writers nobody had
tuned on improved only a little: the rules knew the wordings they were shown. These
branches wrote each lesson's constructions from their lexicons instead, validated on a
set of four new writers by its numbers alone (bench/README.md, "Session 14"):

* experiment (SP501, SP521, SP531, SP541): a claim sealed against doubt ("end of story",
  "Ende der Diskussion", "un point c'est tout", "se acabó"), success in every case ("à coup
  sûr", "sin fallar"), goods that never fail (a verb of failure with never, nie, ne …
  jamais, nunca), the only or last one you will ever need, self-declared number ones,
  experts all agreeing, a result promised as certain;
* give (SP401's signals): a call to order, book or reserve that says where (a shop
  address, a number, the bio), a price, code or offer with a way to buy, stock pushed as
  running out, our own praise or money back with where to buy;
* useful (SP301, SP303, SP321, SP331, SP341): a vague subject with a verb of arriving
  ("es tut sich was", "se está gestando algo"), an order to watch or stay with nothing to
  watch for, news kept back, the announcement of an announcement, a guessing game, a
  notice in capitals made only of notice words, a post of hashtags alone.

* relate (session 15, branch gen2relate, validated on writers 41-44 by numbers only):
  the engagement families as constructions in each language's lexicon and slang (a
  reaction or a share asked for on a condition, giveaway orders stacked, a keyword or an
  emoji to comment, reactions as a vote, follow for more or follow back, a quiz most
  fail, scroll guilt and chains), a call to message for the details or the price, the
  brochure's lexicon; a sale with a deadline and no order to the reader stays pressure.

tests/data/judgment_gen_{experiment,give,useful}.jsonl and judgment_gen2_relate.jsonl hold
posts written for this test, not taken from any labelled set: per construction three or more flawed posts that carry
Session 15, branch gen2experiment, widened the experiment grammar the same way and was
validated on writers 41-44 by numbers only: a failure said to be impossible, never wrong,
every case sealed by a second universal, a superlative sealed as fact, a claim shut
against reply, other views dismissed, perfection for ever, everything figured out, our
goods that never do the bad thing whatever the verb, a universal repeated as a fragment,
the know-it-all tone ("everything else is a waste", "not an opinion, science") and the
others dismissed; tests/data/judgment_gen2_experiment.jsonl holds its posts.
Session 15 (branch gen2give, validated on writers 41-44 by numbers only) wrote give again,
from more of its constructions in all four languages: our stock running out (the last few,
letzte freie Termine, plus que, quedan poquitas) and the idioms of stock (flying off the
shelves, wie warme Semmeln, jusqu'à épuisement des stocks, hasta agotar existencias), a
price with where to get it (at the counter, ab Rampe, à l'accueil, en taquilla), holding or
pricing by message (dm us to hold one, Preis auf Anfrage per DM, prix en MP, te lo
guardamos), money back, financing (0 % finance, in Raten, en 3 fois sans frais, a plazos),
self-praise in several shapes, calls that say how (reserve via the website, jetzt online
buchen, à prendre en ligne, ya puedes pedirlas online), a need and then the seller's call,
the verbs of getting something for oneself and a sale's sweeteners; each with the frames
that make the same words innocent: a report, a question, a free event's places, a price
change, ordinary use (tests/data/judgment_gen2_give.jsonl).
tests/data/judgment_gen_{experiment,give,useful}.jsonl hold posts written for this test,
not taken from any labelled set: per construction three or more flawed posts that carry
the lesson and two or more that use the same words innocently (a fact, a report, a
negation, a question, news that follows, a price change with its date). All are linted in
one workspace by the real CLI, as bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

GRAMMARS = ("experiment", "give", "useful", "relate")
_FILES = {"relate": "judgment_gen2_relate.jsonl"}
DATA = {
    lesson: Path(__file__).resolve().parent
    / "data"
    / _FILES.get(lesson, f"judgment_gen_{lesson}.jsonl")
    for lesson in GRAMMARS
GRAMMARS = ("experiment", "give", "useful")
HERE = Path(__file__).resolve().parent / "data"
# Each data file and the lesson its grammar writes (session 15 adds a second experiment file).
    **{f"gen_{lesson}": (lesson, HERE / f"judgment_gen_{lesson}.jsonl") for lesson in GRAMMARS},
    "gen2_experiment": ("experiment", HERE / "judgment_gen2_experiment.jsonl"),
GRAMMARS = ("experiment", "give", "useful", "gen2_give")
    name: Path(__file__).resolve().parent / "data" / f"judgment_gen_{name}.jsonl"
    for name in GRAMMARS
}
DATA["gen2_give"] = Path(__file__).resolve().parent / "data" / "judgment_gen2_give.jsonl"


def lesson_of(name: str) -> str:
    """The lesson a data file's grammar is about ("gen2_give" -> "give")."""
    return name.rsplit("_", 1)[-1]


def rows() -> list[tuple[str, dict[str, object]]]:
    return [(lesson, row) for lesson, path in DATA.values() for row in read_rows(path)]
    return [(name, row) for name in GRAMMARS for row in read_rows(DATA[name])]


def _id(lesson: str, row: dict[str, object]) -> str:
    return f"{lesson}-{row['construction']}-{str(row['text'])[:40]}"


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("gen"), [row for _lesson, row in rows()])


@pytest.mark.parametrize("name", sorted(DATA))
def test_the_data_is_well_formed(name: str) -> None:
    lesson, path = DATA[name]
    data = read_rows(path)
    assert {row["lang"] for row in data} == {"en", "de", "fr", "es"}
    for row in data:
        assert labels(row) <= LESSONS, row
    for construction, group in constructions(data).items():
        carrying = [lesson in labels(row) for row in group]
        assert carrying.count(True) >= 3 and carrying.count(False) >= 2, construction
@pytest.mark.parametrize("name", GRAMMARS)
    lesson = lesson_of(name)
    data = read_rows(DATA[name])
    for kind, group in constructions(data).items():
        assert carrying.count(True) >= 3 and carrying.count(False) >= 2, kind


@pytest.mark.parametrize(("lesson", "row"), [pytest.param(*r, id=_id(*r)) for r in rows()])
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    lesson: str, row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert_lessons(row, lessons_of[str(row["text"])])
    if lesson_of(lesson) not in labels(row):  # the same words used innocently
        assert lesson_of(lesson) not in lessons_of[str(row["text"])]
