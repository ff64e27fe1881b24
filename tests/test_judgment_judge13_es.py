"""Spanish constructions of four independent writers, in wordings none of them used (issue 9).

Session 13 tuned the Spanish rules on the posts of four independent writers (fresh9 to
fresh12, kept outside the repository) and is measured on writers nobody saw. So each change
was written as a construction, not as a writer's sentence: before a rule changed, its
construction got three or more paraphrases in other words and two clean counterparts (the
ordinary sense, a reported quote, a fact), here in tests/data/judgment_judge13_es.jsonl,
one ``construction`` name a row. Every flawed post there failed on the rules before the
change (branch judge13es, bench/README.md "judge13es"); the clean ones guard against
catching the ordinary sense: a bare opinion question pointing down («¿Qué os parece? 👇»),
a post made only of pressure and hype, a teaser that keeps the rest back, a reaction asked
for as a noun phrase, an emoji vote in the comments, a fake quiz with a dare, caring made
conditional on sharing, buzzword nouns, our business as the best of a place, "as seen on"
in the seller's voice, our product with its price, where to order, haste on a priced
offer, the last few of a stock, a threat or a shrug, a claim closed against dispute,
"nobody does it like us", the last guide you will need.

All posts are linted in one workspace by the real CLI, the language detected, as
bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_judge13_es.jsonl"


def rows() -> list[dict[str, object]]:
    return read_rows(DATA)


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("judge13es"), rows())


def test_the_data_is_well_formed() -> None:
    texts = [str(row["text"]) for row in rows()]
    assert len(texts) == len(set(texts)), "a post appears twice"
    lessons = {"listen", "relate", "give", "experiment", "useful"}
    by_construction: dict[str, list[dict[str, object]]] = {}
    for row in rows():
        assert row["lang"] == "es" and row["construction"], row
        assert set(row["labels"]) <= lessons, row  # type: ignore[arg-type]
        by_construction.setdefault(str(row["construction"]), []).append(row)
    for name, group in by_construction.items():
        flawed = [row for row in group if row["labels"]]
        assert not flawed or len(flawed) >= 3, f"{name}: fewer than three paraphrases"


@pytest.mark.parametrize(
    "row",
    [pytest.param(row, id=f"{row['construction']}-{str(row['text'])[:30]}") for row in rows()],
)
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    got = lessons_of[str(row["text"])]
    labels = set(row["labels"])  # type: ignore[arg-type]
    if labels:
        assert labels <= got, f"missed {sorted(labels - got)}"
    else:
        assert got == set(), f"a clean post got {sorted(got)}"
