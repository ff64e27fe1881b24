"""Clean posts that look risky stay quiet, in four languages (issue 9, branch judgefa3).

tests/data/judgment_fresh_fa3.jsonl holds posts written for this purpose by a project
session in twelve batches, German first, none a paraphrase of the corpus: libraries,
surgeries, vets, councils, clubs, bands, shops and start-ups posting normally; job posts
with the pay; countdowns and closures with their dates; consumer news of prices someone else
changes ("Thames Water is putting bills up by 9%", "Der Kreistag hat beschlossen: … 29 Euro
im Monat", "la luz subirá un 6 %"); scam texts and chain letters quoted to warn ("«Comparte
esto y Amazon te regalará 300 euros»", "don't tap the link"); bodies named in capitals as
they call for something ("Der BUND ruft zur Stunde der Wintervögel auf"); self-deprecating
work in progress; job posts that ask people to apply ("Apply today on NHS Jobs", "Bewirb
dich jetzt für ein FÖJ"); bodies and parties that spell their name in capitals (BUND,
ELSTER, die GRÜNEN); calls to click quoted to warn of them ("„Klick hier und gewinne ein
iPhone“ – solche Nachrichten…"); things a council gives away free "while stocks last"; a
cost an insurer pays ("Die Krankenkasse zahlt ab Juli…"); a paper telling what "72% of our
readers" want; a fridge given away "per PN"; the last batch, linted once on the rules of the
others, had no false alarm. Beside them, flawed posts that bait, push, hype, sell hard or
tease. Each batch was linted once before any rule was changed for it; those first figures
(bench/README.md, "judgefa3") are the honest estimate of false alarms on new wordings. The
rules were then widened by general constructions, never by sentence.

Six posts first labelled clean were relabelled (each says so in ``note``): four to ``give``,
as a shop's own product or paid course with its price sells by the corpus's rule; one to
``listen``, as a kicker that calls out in capitals (URGENT:) is a raised voice; one to
``give`` and ``relate``, as "Jetzt anmelden" is a call to sign up now. Batch 7 ends with
three posts written after its fix, to carry it to the other languages. A post marked
``known`` is one the rules still get wrong (the mark says how and why); it counts only
towards the floors below. All posts are linted in one workspace by the real CLI, with the
language detected as bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_fresh_fa3.jsonl"
LANGS = ("de", "en", "fr", "es")
# What the rules reach on these posts now, a little lower: recall of (post, lesson) pairs,
# and the share of clean posts with any soul finding (one known of 378 German and one of
# 196 English posts now).
MIN_RECALL = {"de": 0.93, "en": 0.97, "fr": 0.95, "es": 0.95}
MAX_FALSE_ALARMS = 0.01


def rows() -> list[dict[str, object]]:
    return read_rows(DATA)


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("fresh"), rows())


def cases(known: bool) -> list[object]:
    return [
        pytest.param(row, id=f"{row['lang']}{row['batch']}-{str(row['text'])[:40]}")
        for row in rows()
        if ("known" in row) is known
    ]


def test_the_data_is_well_formed() -> None:
    texts = [str(row["text"]) for row in rows()]
    assert len(texts) == len(set(texts)), "a post appears twice"
    lessons = {"listen", "relate", "give", "experiment", "useful"}
    for row in rows():
        assert row["lang"] in LANGS and row["batch"] in range(1, 13), row
        assert set(row["labels"]) <= lessons, row  # type: ignore[arg-type]
        assert "known" not in row or str(row["known"]).strip(), row  # says why


@pytest.mark.parametrize("row", cases(known=False))
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    got = lessons_of[str(row["text"])]
    labels = set(row["labels"])  # type: ignore[arg-type]
    if labels:
        assert labels <= got, f"missed {sorted(labels - got)}"
    else:
        assert got == set(), f"a clean post got {sorted(got)}"


@pytest.mark.parametrize("lang", LANGS)
def test_recall_and_false_alarms_hold_their_floors(
    lang: str, lessons_of: dict[str, set[str]]
) -> None:
    mine = [row for row in rows() if row["lang"] == lang]
    pairs = [(str(r["text"]), label) for r in mine for label in r["labels"]]  # type: ignore[attr-defined]
    hit = sum(label in lessons_of[text] for text, label in pairs)
    clean = [str(r["text"]) for r in mine if not r["labels"]]
    alarms = sum(bool(lessons_of[text]) for text in clean)
    assert hit / len(pairs) >= MIN_RECALL[lang]
    assert alarms / len(clean) <= MAX_FALSE_ALARMS
    # every flawed post is caught with at least one of its lessons
    flawed = [r for r in mine if r["labels"]]
    assert all(set(r["labels"]) & lessons_of[str(r["text"])] for r in flawed)  # type: ignore[arg-type]
