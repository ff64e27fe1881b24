"""French and Spanish posts in wordings the first packs did not know (issue 9).

tests/data/judgment_fres_wordings.jsonl holds 985 posts written for the French and Spanish
rule work, outside the judgment corpus: 647 that break a lesson (bait, pressure, hard
sell, promotion, absolute claims, teasers) and 338 clean ones that use the same words for
ordinary things (news idioms such as "le zéro risque n'existe pas" or "el Supremo tendrá
la última palabra", civic advice such as "inscrivez-vous sur les listes électorales",
customer service, sport). They came in seven batches (``batch`` a to g), each written
before the rules were widened for it, so that each batch first measured the rules on
wordings they had not seen (bench/README.md has those figures); the rules were then
widened by construction, not by sentence. This test keeps all of them: every flawed post
is flagged with each of its lessons, and no clean one gets a soul warning.

The posts are linted as bench/judgment.py lints the corpus: one scratch workspace, the
installed ``soulpost lint`` run once, the post's language told by the detector (not
pinned), the 80/20 rule read per post as "does this post sell?".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.judgmentbench import bench_module

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data" / "judgment_fres_wordings.jsonl"
LESSONS = {"listen", "relate", "give", "experiment", "useful"}


def _rows() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    for n, row in enumerate(rows, 1):
        assert row["lang"] in ("fr", "es"), (n, row)
        assert set(row["labels"]) <= LESSONS, (n, row)
    return rows


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    bench = bench_module()
    posts = [
        bench.Post(f"w{n:04d}", row["lang"], row["text"], set(row["labels"]), row["batch"], "w")
        for n, row in enumerate(_rows())
    ]
    scratch = tmp_path_factory.mktemp("fres")
    rules = bench.rule_table(scratch)
    bench.make_workspace(scratch / "ws", posts, rules)
    bench.lint(scratch / "ws", posts)
    return posts


def test_the_wordings_are_well_formed_and_not_repeated() -> None:
    rows = _rows()
    texts = [row["text"] for row in rows]
    assert len(texts) == len(set(texts))
    assert {row["lang"] for row in rows} == {"fr", "es"}


def test_every_flawed_wording_is_caught_with_its_lessons(linted: list[Any]) -> None:
    missed = [
        f"{p.lang} {sorted(p.labels - p.predicted.keys())}: {p.text}"
        for p in linted
        if p.labels - p.predicted.keys()
    ]
    assert not missed, "\n".join(missed)


def test_no_clean_wording_gets_a_soul_warning(linted: list[Any]) -> None:
    alarms = [f"{p.lang} {p.predicted}: {p.text}" for p in linted if not p.labels and p.predicted]
    assert not alarms, "\n".join(alarms)
