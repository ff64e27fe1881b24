"""The give and useful lessons written as grammars again (session 16, branch gen3give).

Round after round brought each tuning set to about 100 % while writers nobody had tuned
on improved only a little. This branch wrote each construction of give (SP401's signals
and excuses) and of useful's teasers (SP301, SP321, SP331, SP341) from its lexicon in all
four languages, each sale with the way to act on it that makes it one:

* give: a product with its price after a preposition (à 97 €, a 35 €, for £12, für 49 €)
  and a way to buy; discounts in words (-20 %, 10 % menos, 2x1, 2 für 1, deux pour le prix
  d'un); a free audit or consultation to claim; our comparative praise with a call (nobody
  beats our prices, kein anderes Autohaus schneller als wir, personne … que nous, nadie …
  que nosotros); now on sale (ya a la venta, jetzt erhältlich, en vente dès maintenant);
  few places left with a way to book; our service or 1:1 coaching with a direct message;
  bookings open; wishlists, stores and crowdfunding; our team offered; offer words as
  headers. Innocent: a price change from one price to another, a percentage that is a
  rate or a share, someone else's comparison, money advice about the reader's own bills,
  the reader's own buying, a free guide given away, a waiting list;
* useful: news put off to a later day (I'll tell you tomorrow, Mehr dazu… am Freitag, je
  vous le dis demain, mañana te lo cuento, retenez bien cette date), where a withheld-news
  phrase voids the excuse a number or a colon otherwise gives.

tests/data/judgment_gen3_give.jsonl holds posts written for this test, not taken from any
labelled set: per construction three or more flawed posts and two or more that use the
same words innocently. All are linted in one workspace by the real CLI, as
bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_gen3_give.jsonl"
ROWS = read_rows(DATA)


def _id(row: dict[str, object]) -> str:
    return f"{row['construction']}-{str(row['text'])[:40]}"


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("gen3give"), ROWS)


def test_the_data_is_well_formed() -> None:
    assert {row["lang"] for row in ROWS} == {"en", "de", "fr", "es"}
    for row in ROWS:
        assert labels(row) <= LESSONS, row
    for construction, group in constructions(ROWS).items():
        flawed = [bool(labels(row)) for row in group]
        assert flawed.count(True) >= 3 and flawed.count(False) >= 2, construction


@pytest.mark.parametrize("row", [pytest.param(r, id=_id(r)) for r in ROWS])
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert_lessons(row, lessons_of[str(row["text"])])
