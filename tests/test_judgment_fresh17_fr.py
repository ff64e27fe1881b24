"""French constructions that new writers (/work/fresh17-20) used and the rules missed (judge13fr2).

tests/data/judgment_fresh17_fr.jsonl holds posts written for this test, in words of its own
(none is a sentence of the writers' sets), one small group per construction (``c``): a
claim closed by "c'est prouvé"; "c'est garanti :" and "satisfait à 100 % ou remboursé";
"never, whatever you do" about our product; "any <thing>, even…"; our product working "à
tous les coups"; "c'est LA solution" in capitals; "here and nowhere else"; "those who do
not like it have never tried it"; passing a post by without sharing it; "if you don't
like, …"; "follow us, or else"; tagging someone of your circle; "a little ❤️ if…"; a vote
by emoji in the comments; a bare call for details in private (``relate`` only, as dev's
"Écris-moi en MP pour les détails." reads); "if you don't start now, you never will"; an
order to book followed by insisting ("…, sérieux, n'attendez pas"); a teaser that asks its
own question and keeps the answer; hype with a big adjective and nothing behind it. Each
group has clean posts beside it that use the same words for ordinary things. ``absent``
lists lessons a post must not get. Linted as bench/judgment.py lints the corpus: one
workspace, the real CLI, the language detected, the 80/20 rule read per post.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.judgmentbench import bench_module

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data" / "judgment_fresh17_fr.jsonl"
LESSONS = {"listen", "relate", "give", "experiment", "useful"}


def _rows() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    for n, row in enumerate(rows, 1):
        assert set(row["labels"]) <= LESSONS, (n, row)
        assert set(row.get("absent", ())) <= LESSONS - set(row["labels"]), (n, row)
    return rows


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, set[str]]]:
    bench = bench_module()
    rows = _rows()
    posts = [
        bench.Post(f"j{n:03d}", "fr", row["text"], set(row["labels"]), row["c"], "j")
        for n, row in enumerate(rows)
    ]
    scratch = tmp_path_factory.mktemp("fresh17fr")
    rules = bench.rule_table(scratch)
    bench.make_workspace(scratch / "ws", posts, rules)
    bench.lint(scratch / "ws", posts)
    return [(post, set(row.get("absent", ()))) for post, row in zip(posts, rows, strict=True)]


def test_the_posts_are_well_formed_and_not_repeated() -> None:
    rows = _rows()
    texts = [row["text"] for row in rows]
    assert len(texts) == len(set(texts))
    groups: dict[str, list[bool]] = {}
    for row in rows:
        groups.setdefault(row["c"], []).append(bool(row["labels"]))
    # each construction has flawed posts and a clean or a counter-example beside them
    for name, flawed in groups.items():
        assert flawed.count(True) >= 1, name
        assert len(flawed) >= 2, name


def test_every_flawed_post_gets_its_lessons(linted: list[tuple[Any, set[str]]]) -> None:
    missed = [
        f"{p.kind} {sorted(p.labels - p.predicted.keys())}: {p.text}"
        for p, _ in linted
        if p.labels - p.predicted.keys()
    ]
    assert not missed, "\n".join(missed)


def test_no_clean_post_gets_a_soul_warning(linted: list[tuple[Any, set[str]]]) -> None:
    alarms = [
        f"{p.kind} {p.predicted}: {p.text}" for p, _ in linted if not p.labels and p.predicted
    ]
    assert not alarms, "\n".join(alarms)


def test_no_post_gets_a_lesson_it_must_not(linted: list[tuple[Any, set[str]]]) -> None:
    wrong = [
        f"{p.kind} {p.predicted}: {p.text}" for p, absent in linted if absent & p.predicted.keys()
    ]
    assert not wrong, "\n".join(wrong)
