"""English constructions from four independent writers' posts, in wordings of their own
(issue 9, session 13, branches judge13en and, on four more writers, judge13en2).

The rules were tuned on four labelled sets written by writers outside the project
(/work/fresh9 to fresh12, not in the repository). What should carry over to the next
writer is the construction, not the sentence, so tests/data/judgment_j13en.jsonl holds
posts written for this test in other words than those sets: for each construction three
or more flawed posts and two or more clean ones that use the same words in their ordinary
sense, as a fact or as a report (``construction`` names it). Every flawed post here was
missed by the rules before the branch, and three clean ones were flagged ("Most people
get it wrong: …" as a quiz, a consumer-rights refund and an award a company claims, with
"said", as sales).

Round 3 (session 14, branch j14en) was tuned on /work/fresh/tune, writers 25-28, the same
way: tests/data/judgment_j14en.jsonl holds its constructions in other words. Round 4
(session 14, branch j15en) was tuned on /work/fresh/tune4, writers 29-32: its
constructions, in other words, are in tests/data/judgment_j15en.jsonl. Round 5 (session 14,
branch j16en) was tuned on /work/fresh/tune5, writers 33-36: tests/data/judgment_j16en.jsonl.
Round 6 (session 15, branch j17en) was tuned on /work/fresh/tune6, writers 37-40:
tests/data/judgment_j17en.jsonl.

All posts are linted in one workspace by the real CLI, as bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

# round 1 (tuned on fresh9-12), round 2 (fresh17-20, judge13en2), round 3 (the tune set,
# writers 25-28, j14en), round 4 (tune4, writers 29-32, j15en) and round 5 (tune5,
# writers 33-36, j16en) and round 6 (tune6, writers 37-40, j17en): the same kind of data
DATA = [
    Path(__file__).resolve().parent / "data" / f"judgment_{name}.jsonl"
    for name in ("j13en", "j13en2", "j14en", "j15en", "j16en", "j17en")
]


def rows() -> list[dict[str, object]]:
    return [row for path in DATA for row in read_rows(path)]


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("j13en"), rows())


def test_the_data_is_well_formed() -> None:
    for row in rows():
        assert row["lang"] == "en" and labels(row) <= LESSONS, row
    for name, group in constructions(rows()).items():
        flawed = [bool(labels(row)) for row in group]
        assert flawed.count(True) >= 3 and flawed.count(False) >= 2, name


@pytest.mark.parametrize(
    "row",
    [pytest.param(row, id=f"{row['construction']}-{str(row['text'])[:40]}") for row in rows()],
)
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert_lessons(row, lessons_of[str(row["text"])])


@pytest.mark.parametrize(
    "text",
    [
        "We put monitors on four streets for a month; we don't yet know how much the new "
        "bus lane changes things, so we'll repeat it in March and we'll publish both rounds.",
        "We tried the new rota for six weeks. We do not yet know if it helps, and we're "
        "asking the team before we decide.",
    ],
)
def test_what_we_do_not_yet_know_is_owning_up_not_brochure_talk(text: str) -> None:
    # SP205 (we-not-you) leaves alone a post that owns up to a limit; "not yet" is one
    from soulpost.lint.builtin import content

    assert content._owning_up().search(text.replace("’", "'"))
