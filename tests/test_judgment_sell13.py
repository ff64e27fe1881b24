"""The give lesson ("does this post sell?") as constructions, in wordings no writer used
(issue 9, session 13, branch judge13sell).

Eight independent writers (fresh9 to fresh12, fresh17 to fresh20, kept outside the
repository) label give where the post's point is to sell; the rules missed it most where
give came as a second lesson (pressure on our own sale or stock, a hard sell, an absolute
claim about our product) and where an offer or self-praise used ordinary words. Each
construction got three or more paraphrases in other words and clean counterparts (the
ordinary sense, a reported quote, a fact, someone else's figures) before the rule changed,
here in tests/data/judgment_sell13.jsonl, one ``construction`` name a row: a sale of ours
running, the last of our stock or slots, our own superlative, an item with its price, an
offer then "DM for details", booking calls in ordinary words, "lock in" a launch price, the
product "every expert recommends", a reduction with a call to come in. Every flawed post
of those failed on the rules before the change, and so did the clean ones that are
someone else's words: a call to buy in quotation marks, a superlative told after
"according to" / "selon" / "según". The rows of ``quoted-call`` and ``money-raised`` that
still sell (a quoted review with our own call after it, raffle tickets with their price)
guard the other way: they passed before and must still pass.

All posts are linted in one workspace by the real CLI, the language detected, as
bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import constructions, lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_sell13.jsonl"


def rows() -> list[dict[str, object]]:
    return read_rows(DATA)


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("sell13"), rows())


def test_the_data_is_well_formed() -> None:
    for row in rows():
        assert row["lang"] in ("en", "de", "fr", "es") and row["construction"], row
        assert row["labels"] in ([], ["give"]), row
    for name, group in constructions(rows()).items():
        flawed = [row for row in group if row["labels"]]
        clean = [row for row in group if not row["labels"]]
        assert len(flawed) >= 3, f"{name}: fewer than three paraphrases"
        assert clean, f"{name}: no clean counterpart"


@pytest.mark.parametrize(
    "row",
    [pytest.param(row, id=f"{row['construction']}-{str(row['text'])[:30]}") for row in rows()],
)
def test_each_post_sells_and_a_clean_one_gets_nothing(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    got = lessons_of[str(row["text"])]
    if row["labels"]:
        assert "give" in got, f"does not sell: {sorted(got)}"
    else:
        assert got == set(), f"a clean post got {sorted(got)}"
