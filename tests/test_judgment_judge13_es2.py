"""Spanish constructions of round 2 (issue 9): four more writers, in wordings none used.

Round 2 of session 13 tuned the Spanish rules on four more independent writers (fresh17 to
fresh20, kept outside the repository: food producers, education and culture, tech, fashion
and beauty). Each change is a construction: before a rule changed, the construction got
three or more paraphrases in other words and two clean counterparts (the ordinary sense, a
fact, a rule), here in tests/data/judgment_judge13_es2.jsonl, one ``construction`` name a
row. Every flawed post there failed on the rules before the change (branch judge13es2,
bench/README.md "judge13es2"): nothing beats ours, the claim said again, it works no
matter what, everyone with no exception, "that is proven" tacked on, here or nowhere, a
guilt trip on not reacting, orders joined by "y", an emoji vote on options, a statement
closed by a pointer alone, a private message asked for by name, "no use crying later", a
post of hype alone, the rest kept back, a private-message call alone, a heads-up on what is
coming. The last rows of each construction come from a first look of my own (20 new posts
linted once on the first commit), tuned on after.

All posts are linted in one workspace by the real CLI, the language detected, as
bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_judge13_es2.jsonl"


def rows() -> list[dict[str, object]]:
    return read_rows(DATA)


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("judge13es2"), rows())


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
        assert len(flawed) >= 3, f"{name}: fewer than three paraphrases"
        assert len(group) - len(flawed) >= 2, f"{name}: fewer than two clean counterparts"


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
