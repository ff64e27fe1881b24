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
"nobody does it like us", the last guide you will need. Round 3, session 14 (j14es) did the
same on /work/fresh/tune, writers 25-28: tests/data/judgment_j14es.jsonl (the voseo of calls
to buy and follow, a link where to buy, prices in pesos, a stock running low with a push, a
threat for hesitating, products that never wear, closers such as «así de claro» and «y ya»).
Round 4, session 14 (j15es) did the same on /work/fresh/tune4, writers 29-32:
tests/data/judgment_j15es.jsonl (a price rise as the reason to hurry, capitals on the pressing
word, votes by emoji and by number, keywords with a reward, voseo chains, a quiz with a dare,
the teaser at a named hour, money back, «inscríbete», a wish to be bought from, nothing of ours
ever breaking, and clean counterparts: a free template passed on, «solo pídelo», a deposit
returned, a visit advised on a condition, a refund for a cancelled concert). Round 5, session 14
(j16es) did the same on /work/fresh/tune5, writers 33-36: tests/data/judgment_j16es.jsonl (haste on
stock or time with no price, clearance, the best of a sector, nobody beats us, follow and tag
variants; clean: a visit after a non-buying condition, a third party's shop price, sharing with
whoever needs it). Round 6, session 15 (j17es) did the same on /work/fresh/tune6, writers 37-40:
tests/data/judgment_j17es.jsonl (stock gone tomorrow as the reason, the loss asked as a dare,
an article in capitals, emoji votes per choice, follows asked of who does not follow yet,
bare-call chains, «apártalo ya», teasers told tomorrow, the best there is, no need to try
another; clean: a strength in per cent, a notice of changes in our shops, financing in the
news).

Beside them, tests/data/judgment_judge13_es_firstlook.jsonl holds six batches of 49-55
posts each, written in new voices after each step and linted once before the next change
(bench/README.md "judge13es" has those first looks, the honest estimate of how the rules
meet new wordings). Batches 1-5 were then tuned on: each post must keep its lessons, a
clean one none, except those marked ``known`` (how and why in the mark). Batch 6 was never
tuned on: it only holds a floor, so that it stays a first look for whoever comes next.

All posts are linted in one workspace by the real CLI, the language detected, as
bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

# judge13es (tuned on fresh9-12), judge13es2 (fresh17-20), j14es (/work/fresh/tune,
# writers 25-28), j15es (/work/fresh/tune4, writers 29-32) and j16es (/work/fresh/tune5,
# writers 33-36) and j17es (/work/fresh/tune6, writers 37-40): the same kind of data
DATA = [
    Path(__file__).resolve().parent / "data" / f"judgment_{n}.jsonl"
    for n in ("judge13_es", "judge13_es2", "j14es", "j15es", "j16es", "j17es")
]
FIRST_LOOK = Path(__file__).resolve().parent / "data" / "judgment_judge13_es_firstlook.jsonl"
# The untuned batch as first linted (pairs 23 of 40, no clean post with a finding), a little
# lower.
UNTUNED_MIN_RECALL = 0.55
UNTUNED_MAX_FALSE_ALARMS = 0.1


def rows() -> list[dict[str, object]]:
    return [row for path in DATA for row in read_rows(path)]


def first_look() -> list[dict[str, object]]:
    return read_rows(FIRST_LOOK)


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Text -> the soul lessons soulpost's findings name for it."""
    return lint_lessons(tmp_path_factory.mktemp("judge13es"), rows() + first_look())


def test_the_data_is_well_formed() -> None:
    for row in rows():
        assert row["lang"] == "es" and row["construction"], row
        assert labels(row) <= LESSONS, row
    for name, group in constructions(rows()).items():
        flawed = [row for row in group if row["labels"]]
        assert not flawed or len(flawed) >= 3, f"{name}: fewer than three paraphrases"


@pytest.mark.parametrize(
    "row",
    [pytest.param(row, id=f"{row['construction']}-{str(row['text'])[:30]}") for row in rows()],
)
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert_lessons(row, lessons_of[str(row["text"])])


def test_the_first_look_batches_are_well_formed() -> None:
    texts = [str(row["text"]) for row in first_look()]
    assert len(texts) == len(set(texts)), "a post appears twice"
    for row in first_look():
        assert row["lang"] == "es" and row["batch"] in range(1, 7), row
        assert ("tuned" in row) is (row["batch"] == 6), row


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(row, id=f"batch{row['batch']}-{str(row['text'])[:30]}")
        for row in first_look()
        if "tuned" not in row and "known" not in row
    ],
)
def test_each_tuned_first_look_post_gets_its_lessons(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert_lessons(row, lessons_of[str(row["text"])])


def test_the_untuned_batch_holds_its_floors(lessons_of: dict[str, set[str]]) -> None:
    mine = [row for row in first_look() if "tuned" in row]
    pairs = [(str(r["text"]), label) for r in mine for label in r["labels"]]  # type: ignore[attr-defined]
    hit = sum(label in lessons_of[text] for text, label in pairs)
    clean = [str(r["text"]) for r in mine if not r["labels"]]
    alarms = sum(bool(lessons_of[text]) for text in clean)
    assert hit / len(pairs) >= UNTUNED_MIN_RECALL
    assert alarms / len(clean) <= UNTUNED_MAX_FALSE_ALARMS
