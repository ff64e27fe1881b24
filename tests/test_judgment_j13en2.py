"""English constructions from four more independent writers' posts, in wordings of their
own (issue 9, session 13, round 2, branch judge13en2).

Tuned on the English posts of /work/fresh17 to fresh20 (food producers, education and
culture, tech, fashion and beauty; not in the repository) while keeping fresh9 to fresh12.
As in tests/test_judgment_j13en.py, tests/data/judgment_j13en2.jsonl holds posts written
for this test in other words than those sets: per construction three or more flawed posts
and two or more clean ones using the same words in their ordinary sense, as a fact or a
report. Every flawed post of a new construction was missed before the branch; the clean
"negated-certainty" posts were flagged ("not foolproof" read as a know-it-all claim).

All posts are linted in one workspace by the real CLI, as bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data" / "judgment_j13en2.jsonl"
LESSONS = {"listen", "relate", "give", "experiment", "useful"}


def rows() -> list[dict[str, object]]:
    return read_rows(DATA)


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("j13en2"), rows())


def test_the_data_is_well_formed() -> None:
    texts = [str(row["text"]) for row in rows()]
    assert len(texts) == len(set(texts)), "a post appears twice"
    by_construction: dict[str, list[bool]] = {}
    for row in rows():
        assert row["lang"] == "en" and set(row["labels"]) <= LESSONS, row  # type: ignore[arg-type]
        by_construction.setdefault(str(row["construction"]), []).append(bool(row["labels"]))
    for name, flawed in by_construction.items():
        assert flawed.count(True) >= 3 and flawed.count(False) >= 2, name


@pytest.mark.parametrize(
    "row",
    [pytest.param(row, id=f"{row['construction']}-{str(row['text'])[:40]}") for row in rows()],
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
