"""The shipped rule packs: their patterns are valid and cannot backtrack for long.

Shipped patterns run under plain ``re`` without a time bound, and are not re-validated
on every run (see soulpost.lint.kinds.patterns): this test is where they are checked.
"""

from __future__ import annotations

import time

import pytest
import tomli

from soulpost.lint.kinds.gatewords import pattern_words
from soulpost.lint.kinds.patterns import check_patterns, compiled
from soulpost.lint.registry import shipped_packs

HOSTILE = [
    "a" * 3000,
    "ab " * 1000,
    "Like " * 600,
    "漢" * 3000,
    "👇" * 1000,
    ("share this with " * 200) + "!",
    "“" + "x" * 2000,
    "100 % " * 500,
    ("ES KOMMT " * 300).strip(),
]


def _patterns() -> list[tuple[str, str]]:
    out = []
    for path in shipped_packs():
        pack = tomli.loads(path.read_text(encoding="utf-8"))
        for rule in pack["rule"]:
            options = rule.get("options", {})
            found = [*options.get("patterns", ()), *options.get("unless", ())]
            found += options.get("despite", [])
            for group in options.get("signals", {}).values():
                found += group
            out += [(rule["code"], pattern) for pattern in found]
    return out


PATTERNS = _patterns()


def test_every_shipped_pattern_is_valid() -> None:
    assert len(PATTERNS) > 100
    check_patterns([pattern for _code, pattern in PATTERNS])


@pytest.mark.parametrize(
    ("code", "pattern"), PATTERNS, ids=[f"{c}-{i}" for i, (c, _p) in enumerate(PATTERNS)]
)
def test_no_shipped_pattern_backtracks(code: str, pattern: str) -> None:
    search, _finditer = compiled(pattern, timed=False)
    for text in HOSTILE:
        # The CPU this thread spent, not wall time: a suite under load (or other work on
        # the machine) can pause the thread for longer than the bound, while a pattern
        # that backtracks burns seconds of CPU on these texts.
        start = time.thread_time()
        search(text)
        assert time.thread_time() - start < 0.2, (code, pattern, text[:20])


def test_gate_words_are_words_every_match_contains() -> None:
    """A pattern's gate must hold a word of each text it matches: checked on the
    packs' own bad examples, which must match through the gate."""
    from soulpost.lint.draft import Segment

    for path in shipped_packs():
        pack = tomli.loads(path.read_text(encoding="utf-8"))
        for rule in pack["rule"]:
            for pattern in rule.get("options", {}).get("patterns", ()):
                words = pattern_words(pattern)
                if words is None:
                    continue
                search, _ = compiled(pattern, timed=False)
                for example in rule.get("bad", ()):
                    segment = Segment(("text",), example, ("x",))
                    if search(segment.quiet):
                        assert not words.isdisjoint(segment.runs), (rule["code"], pattern)


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\b(?:like|share)\b", {"like", "share"}),
        (r"\b(?:we|us)(?:\s+all)?\b", {"we", "us"}),
        (r"\bonly \d+", {"only"}),
        # a letter or a mark that may be absent: every form the word may take
        (r"\b(?:commande[sz]?|achetez)\b", {"commande", "commandes", "commandez", "achetez"}),
        (
            r"\b(?:(?:please)\s+)?(?:like|double[- ]?tap|react)\b",
            {"like", "double", "doubletap", "react"},
        ),
        # the word may go on: no gate, or "pedilo" would be turned away
        (r"\b(?:pedil[oa]s?|compra)\b", None),
        (r"\b(?:auftrags|bestell)nummer\b", None),
        (r"\b(?:beweis|zeig)(?:e|t)?,?\s+dass\b", None),
        (r"\b(?:rabatt|promo)[- ]?code\b", None),
        (r"\b(?:ha)+\b", None),
        (r"\bfoo", None),
        (r"\b(?:double[- ]?tap)", None),
    ],
)
def test_gate_words_stop_where_the_word_may_go_on(pattern: str, words: set[str] | None) -> None:
    assert pattern_words(pattern) == (None if words is None else frozenset(words))


def _labelled_texts() -> list[str]:
    """Every text of the judgment corpus and of the judgment test data."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent
    files = [*(root.parent / "corpus" / "judgment").glob("*.jsonl")]
    files += sorted((root / "data").glob("judgment_*.jsonl"))
    texts = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if isinstance(row.get("text"), str):
                texts.append(row["text"])
    return texts


@pytest.mark.parametrize("part", range(4))
def test_no_gate_turns_away_a_labelled_text_its_pattern_matches(part: int) -> None:
    """Gates (declared ``(?#words: ...)`` or worked out) are only a shortcut: a text the
    pattern matches must hold one of the words. Checked on ~10,000 labelled texts, where
    thirteen declarations once missed a word ("livraison gratuite", "unserer Rabattaktion",
    ", a déclaré") and derived gates took ``commande`` for ``commande[sz]?``."""
    import re

    from soulpost.lint.draft import Segment
    from soulpost.lint.kinds.literals import _fold, _passes, gate_of
    from soulpost.lint.kinds.wordgates import word_gate, word_passes

    segments = [Segment(("text",), text, ("x",)) for text in _labelled_texts()]
    segments = [s for s in segments if len(s.plain.lower()) == len(s.plain)]
    folded = [_fold(s.plain) for s in segments]
    patterns = sorted({p for _code, p in PATTERNS})[part::4]
    for pattern in patterns:
        words, gate, literal = pattern_words(pattern), word_gate(pattern), gate_of(pattern)
        if words is None and gate is None:
            continue
        search = re.compile(pattern, re.IGNORECASE).search
        for segment, low in zip(segments, folded, strict=True):
            if literal is not None and not _passes(literal, low):
                continue  # the substring gate is exact (tests/test_literals.py)
            if not search(segment.plain):
                continue
            runs = segment.runs
            assert words is None or not words.isdisjoint(runs), (pattern, segment.plain)
            assert gate is None or word_passes(gate, runs), (pattern, segment.plain)
