"""SP205's German and me-me-me branch looks for its words before it searches: the gate
must pass every text either search can match, in any capitalisation, or posts that
boast would go unflagged."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from soulpost.lint.builtin import content

DATA = Path(__file__).parent / "data"
CORPUS = Path(__file__).parents[1] / "corpus" / "judgment" / "dev.jsonl"


def _texts() -> list[str]:
    texts = []
    for path in [CORPUS, *sorted(DATA.glob("judgment_fresh_fa*.jsonl"))]:
        with path.open(encoding="utf-8") as lines:
            texts += [json.loads(line)["text"] for line in lines if line.strip()]
    return texts


def _variants(text: str, rng: random.Random) -> list[str]:
    # Letters re.IGNORECASE matches beyond the plain upper and lower case: dotted and
    # dotless i, the long s, the Kelvin sign.
    odd = str.maketrans({"i": rng.choice("\u0130\u0131"), "s": "\u017f", "k": "\u212a"})
    return [text, text.upper(), text.title(), text.swapcase(), text.translate(odd)]


def _searched(text: str) -> bool:
    return bool(content._de_boast().search(text) or content._brag().search(text))


def test_the_gate_passes_every_text_the_searches_match() -> None:
    rng = random.Random(205)
    matched = 0
    for text in _texts():
        for variant in _variants(text, rng):
            if _searched(variant):
                matched += 1
                assert content._may_boast(variant), variant
    assert matched > 100  # the corpora hold boasting posts in every form above


@pytest.mark.parametrize(
    "text",
    [
        "Wir sind STOLZ auf unser Team und unsere Kunden.",
        "HUMBLED TO ANNOUNCE I'VE BEEN NAMED ONE OF THE TOP 50",
        "Wir sind die NUMMER EINS in Köln, unser Laden, unsere Leute.",
        "Del\u0131ghted to share that I've been shortlisted",
        "Thr\u0130lled to say I was nominated",
    ],
)
def test_boasting_posts_pass_the_gate(text: str) -> None:
    assert content._may_boast(text)
    assert _searched(text) == content._may_boast(text)


def test_posts_without_the_words_do_not_search() -> None:
    assert not content._may_boast("Wir haben heute geöffnet, unsere Küche kocht bis 22 Uhr.")
    assert not content._may_boast("We shipped the release; thanks to everyone who tested it.")
