"""French constructions that independent writers used and the rules missed (issue 9, judge13fr).

tests/data/judgment_fresh13_fr.jsonl holds posts written for this test, in words of its own
(none is a sentence of the writers' sets /work/fresh9-12), one small group per construction
(``c``): a teaser that holds the news back ("il se passe un truc… on vous raconte bientôt",
even with the date of the reveal); an opinion question with no content and a pointing
finger after a statement; a reaction without a verb ("Un 👍 si toi aussi…"), an answer by
emoji, a vote by camps; share guilt in the infinitive and the future; "the best … of <place>"
in our voice; "nobody does it better than us" and "those who say otherwise are wrong";
working "perfectly for everyone"; ordering before a deadline; a sale by the item; a price
that "flies"; "before it's too late"; a sign-up pushed; a call for details in private
after a question; a notice in capitals that only presses, with no fact; a promo code in a
club's or a fire brigade's post. Each group has clean posts beside it that use the same
words for ordinary things (a reported claim, advice with "avant de", a third party's
award, a real question, a notice with its date). ``absent`` lists lessons a post must not
get. Linted as bench/judgment.py lints the corpus: one workspace, the real CLI, the
language detected, the 80/20 rule read per post.

tests/data/judgment_j14fr_fr.jsonl (round 3, session 14, tuned on /work/fresh/tune, writers
25-28) adds, in words of its own, the constructions those writers used: spoken negation
("traînez pas"), pressure with a call to buy or to call, a pushed sale, share guilt ("c'est
le minimum"), caps appeals with no fact, "la suite arrive", "on ne fera jamais mieux",
"le X qui ne coule jamais", booking by phone or link, "on est les moins chers", and an
absolute claim that does not sell by itself (``absent``: give).

tests/data/judgment_j15fr_fr.jsonl (round 4, session 14, tuned on /work/fresh/tune4, writers
29-32) adds, in words of its own, tagging by a pronoun in the comments, fake tests ("seuls les
vrais pros", "9 sur 10 ratent… Et toi ?"), votes by likes and by emoji-marked options, a sale
pushed without a buy verb, regret for not booking, "on vous cache un truc", the absolutes
("y a pas plus rapide que nous", "avec nous ça ne … jamais", "tous les X sérieux le savent",
"le seul vraiment efficace", "Meilleur X de <ville>, tout simplement") and what sells without a
known signal (a price list on request, "pour vos mariages, écrivez-nous", a gift for any
purchase, a price with scarcity, "promo flash"), each beside the same words used plainly.

tests/data/judgment_j16fr_fr.jsonl (round 5, session 14, tuned on /work/fresh/tune5, writers
33-36) adds, in words of its own, haste with a sale or scarcity but no price, share as proof
of love, information kept for private messages, "abonne-toi pour voir la suite", chain
forwarding, the flattering quiz, an announcement of an announcement, an opinion asked about
nothing, "avant rupture" and "the best …, all experts agree", each beside plain uses.

tests/data/judgment_j17fr_fr.jsonl (round 6, session 15, tuned on /work/fresh/tune6, writers
37-40) adds, in words of its own, "aucun … jamais" in our voice, spoken "plus jamais", a closing
"c'est mathématique/garanti", "notre X règle tous les …", everyone agreeing with us, a notice
heading that is the whole post, the teaser "hâte de vous montrer", a meeting for an unnamed
announcement, contest terms before the prize, "rejoignez vite notre …", regret for missing our
course, the last appointments pressed, scarcity tacked onto an offer, an item "dispo à
l'accueil" with its price, "c'est le … le plus … de <lieu>" and a priced course with
"inscrivez-vous", each beside the same words used plainly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.judgmentbench import bench_module
from tests.wordings import LESSONS

REPO = Path(__file__).resolve().parent.parent
# judge13fr (tuned on fresh9-12), judge13fr2 (fresh17-20), j14fr (tune, writers 25-28),
# j15fr (tune4, writers 29-32), j16fr (tune5, writers 33-36) and j17fr (tune6, writers 37-40)
DATA = [
    REPO / "tests" / "data" / f"judgment_{n}_fr.jsonl"
    for n in ("fresh13", "fresh17", "j14fr", "j15fr", "j16fr", "j17fr")
]


def _rows() -> list[dict[str, Any]]:
    texts = [path.read_text(encoding="utf-8") for path in DATA]
    rows = [json.loads(line) for text in texts for line in text.splitlines() if line]
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
    scratch = tmp_path_factory.mktemp("fresh13fr")
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
