"""The five lessons written as grammars, in all four languages (session 14, branches
genexp, gengive and genuse; session 15, gen2relate, gen2experiment and gen2give; session
16, gen3listen, gen3relate, gen3experiment, gen3give, gen4relate and gen4experiment).

Rounds of tuning brought each tuning set to about 100 % while posts by writers nobody had
tuned on improved only a little: the rules knew the wordings they were shown. These
branches wrote each lesson's constructions from their lexicons instead, validated on a
set of four new writers by its numbers alone (bench/README.md, "Session 14" and "Session
15"):

* experiment (SP501, SP521, SP531, SP541): a claim sealed against doubt ("end of story",
  "Ende der Diskussion", "un point c'est tout", "se acabó"), success in every case ("à coup
  sûr", "sin fallar"), goods that never fail (a verb of failure with never, nie, ne …
  jamais, nunca), the only or last one you will ever need, self-declared number ones,
  experts all agreeing, a result promised as certain. Session 15 (gen2experiment) added a
  failure said to be impossible, never wrong, every case sealed by a second universal, a
  superlative sealed as fact, a claim shut against reply, other views dismissed,
  perfection for ever, everything figured out, a universal repeated as a fragment and the
  know-it-all tone ("everything else is a waste", "not an opinion, science");
* give (SP401's signals): a call to order, book or reserve that says where (a shop
  address, a number, the bio), a price, code or offer with a way to buy, stock pushed as
  running out, our own praise or money back with where to buy. Session 15 (gen2give)
  added the idioms of stock (flying off the shelves, wie warme Semmeln, jusqu'à épuisement
  des stocks, hasta agotar existencias), a price with where to get it (at the counter, ab
  Rampe, à l'accueil, en taquilla), holding or pricing by message, financing (0 % finance,
  in Raten, en 3 fois sans frais, a plazos), calls that say how, a need and then the
  seller's call, and praise borrowed from others in our own voice;
* useful (SP301, SP303, SP321, SP331, SP341): a vague subject with a verb of arriving
  ("es tut sich was", "se está gestando algo"), an order to watch or stay with nothing to
  watch for, news kept back, the announcement of an announcement, a guessing game, a
  notice in capitals made only of notice words, a post of hashtags alone;
* relate (session 15, gen2relate): the engagement families in each language's lexicon
  and slang (a reaction or a share asked for on a condition, giveaway orders stacked, a
  keyword or an emoji to comment, reactions as a vote, follow for more or follow back, a
  quiz most fail, scroll guilt and chains), a call to message for the details or the
  price, the brochure's lexicon; a sale with a deadline and no order to the reader stays
  pressure.

Session 16 (branches gen3listen, gen3relate, gen3experiment and gen3give; round 4,
gen4relate and gen4experiment, tuned on writers 49-52):

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

Session 18 (round 6, tuned on writers 57-60 after they were scored unread; branches
gen6experiment, gen6give, gen6relate, gen6listen and gen6useful):

* experiment: nobody does it better or cheaper than us, a consensus sealed without a
  source, works for anyone whatever the case, never fails ever, the only one that counts,
  a result pledged on our word, absolute advice that is unsafe;
* give: our own praise as a superlative, our own places or stock running out with a call,
  goods available at our place, a booking call that says how, a new price below the old
  one ("35 € (antes 50)"), "on offer"; a threshold named by a rule, a free event and an
  animal looking for a home stay clean;
* relate: haste and an order to buy in the same post, details kept for a private message,
  emoji and number tallies, "team 🌵 or team 🌿", send this to the friend who…, follow
  guilt, numbered giveaway steps, the brochure lexicon;
* listen: regret threats, stock said to vanish, don't deliberate, an early-bird price
  ending, now not later (a ``despite`` list keeps them firing beside a date);
* useful: a notice of notice words only, a teaser behind a follow, an announcement of an
  announcement, a bare link under a header.

Session 19 (round 7, tuned on writers 61-64 after they were scored unread; branches
gen7experiment, gen7give, gen7relate, gen7listen and gen7useful):

* experiment: an absolute stamped "100 %" or "guaranteed" as a tag, nobody does it as
  well as us, a superlative of all time, a debate closed ("das ist einfach Fakt"), an
  effect said permanent and universal, never errs, "Period." after our own claim;
* give: our own praise tied to a place without "our", the only one you'll ever need,
  bookings or stock running low with a way to book, discounts said with a verb ("spart
  ihr 10 %"), a services pitch ending in a private message; a price that stays the same,
  an estimate, a price rise, wholesale prices and an arrival note stay clean;
* relate: reaction votes a line each or named as words, comment votes by number or
  keyword, giveaway steps in one sentence, share with N people who…, share guilt, fake
  quizzes by a percentage, haste or loss pressed beside a code, a price or a link;
* listen: regret threatened in any tense, now or never as a clause, stock said to vanish,
  prices that only go one way, thanks promised for buying; machine words (SQL, HTTP,
  file names) in capitals in a technical post are not shouting;
* useful: an event header with only a promise of details, a season where everything
  changes, an announcement that will change things, guessing games the reader cannot win.

tests/data/judgment_gen_{experiment,give,useful}.jsonl,
judgment_gen2_{relate,experiment,give}.jsonl, judgment_gen3_{listen,relate,experiment,give}.jsonl
and judgment_gen4_{relate,experiment}.jsonl hold posts written for this test, not taken
from any labelled set: per construction three or more flawed posts that carry the lesson
and two or more that use the same words innocently (a fact, a report, a negation, a
question, news that follows, a price change with its date). All are linted in one
workspace by the real CLI, as bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

HERE = Path(__file__).resolve().parent / "data"
# Each data file and the lessons its grammar writes: sessions 14, 15, 16, 17, 18, then 19.
DATA = {
    **{
        f"gen_{lesson}": (frozenset({lesson}), HERE / f"judgment_gen_{lesson}.jsonl")
        for lesson in ("experiment", "give", "useful")
    },
    **{
        f"gen2_{lesson}": (frozenset({lesson}), HERE / f"judgment_gen2_{lesson}.jsonl")
        for lesson in ("relate", "experiment", "give")
    },
    **{
        f"gen3_{lesson}": (frozenset({lesson}), HERE / f"judgment_gen3_{lesson}.jsonl")
        for lesson in ("listen", "relate", "experiment")
    },
    "gen3_give": (frozenset({"give", "useful"}), HERE / "judgment_gen3_give.jsonl"),
    "gen4_relate": (frozenset({"relate", "listen"}), HERE / "judgment_gen4_relate.jsonl"),
    "gen4_experiment": (frozenset({"experiment"}), HERE / "judgment_gen4_experiment.jsonl"),
    "gen5_relate": (frozenset({"relate"}), HERE / "judgment_gen5_relate.jsonl"),
    "gen5_owned": (frozenset({"experiment"}), HERE / "judgment_gen5_owned.jsonl"),
    "gen5_give": (frozenset({"give"}), HERE / "judgment_gen5_give.jsonl"),
    "gen5_useful": (frozenset({"useful"}), HERE / "judgment_gen5_useful.jsonl"),
    "gen5_listen": (frozenset({"listen"}), HERE / "judgment_gen5_listen.jsonl"),
    "gen5_experiment": (frozenset({"experiment"}), HERE / "judgment_gen5_experiment.jsonl"),
    "gen6_praise": (frozenset({"give"}), HERE / "judgment_gen6_praise.jsonl"),
    **{
        f"gen6_{lesson}": (frozenset({lesson}), HERE / f"judgment_gen6_{lesson}.jsonl")
        for lesson in ("listen", "useful", "relate", "give", "experiment")
    },
    **{
        f"gen7_{lesson}": (frozenset({lesson}), HERE / f"judgment_gen7_{lesson}.jsonl")
        for lesson in ("listen", "useful", "relate", "give", "experiment")
    },
}


def rows() -> list[tuple[frozenset[str], dict[str, object]]]:
    return [(lessons, row) for lessons, path in DATA.values() for row in read_rows(path)]


def _id(lessons: frozenset[str], row: dict[str, object]) -> str:
    return f"{'+'.join(sorted(lessons))}-{row['construction']}-{str(row['text'])[:40]}"


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("gen"), [row for _lessons, row in rows()])


@pytest.mark.parametrize("name", sorted(DATA))
def test_the_data_is_well_formed(name: str) -> None:
    lessons, path = DATA[name]
    data = read_rows(path)
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
