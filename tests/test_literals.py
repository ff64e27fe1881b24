"""The substring gate in front of shipped patterns never turns away a text they match."""

from __future__ import annotations

import re

import pytest

from soulpost.lint.kinds.literals import gate_of, gated, required
from soulpost.lint.registry import load_registry


def test_required_strings_come_from_every_branch() -> None:
    assert required(r"\b(?:promo|discount)[- ]codes?\b") == frozenset({"promo", "discount"})
    assert required(r"\bcodes? (?:off|for)\b") == frozenset({"code"})
    assert required(r"\baward[- ]winning\b|\bbest\s+in town\b") == frozenset({"winning", "best"})
    assert required(r"[⏰⏳]") == frozenset({"⏰", "⏳"})


def test_no_gate_when_a_branch_has_no_literal() -> None:
    assert required(r"\bcode\b|\d+") is None
    assert required(r"\w+") is None
    assert required(r"(?:abc)?x") is None  # a lone letter gates nothing


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\bfin\b", "FİN"),  # U+0130 lowers to i plus a combining dot
        (r"\bsale\b", "ſALE"),  # re folds s and ſ together
        (r"\bστοπ\b", "ΣΤΟΠ"),
        (r"code", "CODE"),
        (r"(?-i:[A-Z])ode", "Code"),
    ],
)
def test_gate_lets_through_what_re_matches(pattern: str, text: str) -> None:
    plain = re.compile(pattern, re.IGNORECASE)
    gate = required(pattern)
    assert gate is not None
    search, finditer = gated(plain.search, plain.finditer, gate)
    assert plain.search(text) is not None
    assert search(text) is not None
    assert [m.span() for m in finditer(text)] == [m.span() for m in plain.finditer(text)]


def _shipped_patterns() -> list[str]:
    found: list[str] = []
    for spec in load_registry(None).specs:
        defaults = spec.defaults
        found += list(defaults.get("patterns", ())) + list(defaults.get("unless", ()))
        found += list(defaults.get("despite", ()))
        for patterns in defaults.get("signals", {}).values():
            found += list(patterns)
    return found


def test_gated_shipped_patterns_agree_with_re_on_their_examples() -> None:
    registry = load_registry(None)
    texts = [t for spec in registry.specs for t in (*spec.bad, *spec.good)]
    texts += [t.upper() for t in texts]
    patterns = _shipped_patterns()
    assert len(patterns) > 100
    gated_count = 0
    for pattern in patterns:
        gate = required(pattern)
        if gate is None:
            continue
        gated_count += 1
        plain = re.compile(pattern, re.IGNORECASE)
        search, _finditer = gated(plain.search, plain.finditer, gate)
        for text in texts:
            assert (search(text) is None) == (plain.search(text) is None), (pattern, text)
    assert gated_count > len(patterns) // 2


def test_gate_needs_every_required_string_of_some_alternative() -> None:
    gate = gate_of(r"\bwe(?:'re| are) (?:no\.?|#)1\b|\bour gift cards?\b")
    assert gate is not None
    assert len(gate) == 2  # re's parser put \b in front of both: it is put back on each
    plain = re.compile(r"\bwe(?:'re| are) (?:no\.?|#)1\b|\bour gift cards?\b", re.IGNORECASE)
    search, _finditer = gated(plain.search, plain.finditer, gate)
    # "we" and "re" but no "1": the old single-set gate ran the search on this text.
    assert search("We are here to help, we're open") is None
    assert search("We're #1 in town") is not None
    assert search("OUR GIFT CARD is back") is not None
    assert gate_of(r"\bcode\b|\d+") is None


def test_gated_shipped_patterns_agree_with_re_with_every_gate() -> None:
    registry = load_registry(None)
    texts = [t for spec in registry.specs for t in (*spec.bad, *spec.good)]
    texts += [t.upper() for t in texts]
    patterns = _shipped_patterns()
    combined = "|".join(f"(?:{p})" for p in patterns[:40])
    for pattern in [*patterns, combined]:
        gate = gate_of(pattern)
        if gate is None:
            continue
        plain = re.compile(pattern, re.IGNORECASE)
        search, finditer = gated(plain.search, plain.finditer, gate)
        for text in texts:
            assert (search(text) is None) == (plain.search(text) is None), (pattern, text)
            assert len(list(finditer(text))) == len(list(plain.finditer(text)))


def test_indexes_let_through_exactly_what_each_gate_does() -> None:
    from soulpost.lint.kinds.gatewords import pattern_words
    from soulpost.lint.kinds.literals import LiteralIndex
    from soulpost.lint.kinds.patterns import WordIndex

    registry = load_registry(None)
    texts = [t for spec in registry.specs for t in (*spec.bad, *spec.good)]
    texts += [t.upper() for t in texts]
    patterns = _shipped_patterns()
    gates = [gate_of(p) for p in patterns]
    literal = LiteralIndex(gates)
    words = [pattern_words(p) for p in patterns]
    by_words = WordIndex(words)
    for text in texts:
        lowered = text.lower()
        runs = frozenset(re.findall(r"[^\W_]+", lowered))
        expected = [
            i
            for i, gate in enumerate(gates)
            if gate is None or any(all(any(s in lowered for s in ss) for ss in g) for g in gate)
        ]
        assert literal.select(text) == expected, text
        assert by_words.select(runs) == [
            i for i, w in enumerate(words) if w is None or not w.isdisjoint(runs)
        ]


@pytest.mark.parametrize(
    "text",
    ["don't 'tis dogs' a'b'c x''y", "it's 42 o'clock_now", "Ünïcode ça va", "", "'''", "a1b2"],
)
def test_fast_word_split_finds_what_the_regex_finds(text: str) -> None:
    from soulpost.text.language import _WORDS, _words_of

    lowered = text.lower()
    assert _words_of(lowered) == _WORDS.findall(lowered)


def test_a_look_around_adds_what_its_text_needs() -> None:
    # A look-ahead's or look-behind's text must be in the post for the pattern to match:
    # the free-compost excuse needs "while ... last" as well as "free".
    pattern = (
        r"\A(?![\s\S]*!!)(?=[\s\S]*\bwhile (?:stocks|supplies) last\b)"
        r"[\s\S]*?\b(?:free|giving away)\b"
    )
    gate = gate_of(pattern)
    assert gate is not None and len(gate[0]) == 2
    plain = re.compile(pattern, re.IGNORECASE)
    search, _finditer = gated(plain.search, plain.finditer, gate)
    assert search("Free compost for residents") is None
    assert search("Free compost while stocks last") is not None
    assert gate_of(r"(?<=\bcall )now") == ((frozenset({"call"}), frozenset({"now"})),)
    assert gate_of(r"(?<!\bcall )now") == ((frozenset({"now"}),),)  # a negative one: no
