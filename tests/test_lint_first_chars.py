"""A look-ahead for a pattern's first characters changes nothing it finds.

Shipped patterns run behind ``(?=[...])`` for the characters their matches can begin
with (soulpost.lint.kinds.firstchars): re then turns most positions of a text away with
one class test instead of trying the whole pattern there.
"""

from __future__ import annotations

import re

import pytest

from soulpost.lint.kinds.firstchars import fast_start, first_class
from soulpost.lint.kinds.patterns import boundary_first
from soulpost.lint.registry import load_registry
from tests.test_literals import _shipped_patterns


@pytest.mark.parametrize(
    ("pattern", "found"),
    [
        (r"\b(?:(?:please|go)\s+)?(?:comment|reply)\b", "[cgpr]"),
        (r"(?<![^\W\d_] )\b(?:buy|shop)\s+now", "[bs]"),
        (r"[$£€]\s?\d|\d+\s?%", r"[\$\d£€]"),
        (r"\b(?:a|b)?(?:x|y)", "[abxy]"),  # an optional first item: what follows counts too
        (r"\b(?-i:[A-Z]{2,})\s+now", "[A-Z]"),  # matched case-insensitively: a wider set
        (r"(?:hi|\s+yo)", r"[\sh]"),
    ],
)
def test_the_class_holds_every_first_character(pattern: str, found: str) -> None:
    assert first_class(pattern) == found


@pytest.mark.parametrize(
    "pattern",
    [
        r"\bcode\b",  # one letter after a boundary: re is as fast without
        r"\w+ now",  # nearly every position passes \w
        r".*sale",
        r"[^a-z]sale",
        r"(?:sale)?",  # may match the empty string
        r"\Wsale",
        r"(?i)\b(?:a|b)",  # global flags stay at the start
    ],
)
def test_no_look_ahead_where_it_cannot_help_or_cannot_be_told(pattern: str) -> None:
    assert first_class(pattern) is None
    assert fast_start(pattern) == pattern


def _texts() -> list[str]:
    registry = load_registry(None)
    texts = [t for spec in registry.specs for t in (*spec.bad, *spec.good)]
    texts += [t.upper() for t in texts] + [t.lower() for t in texts]
    # Characters re's IGNORECASE folds specially: long s, Kelvin sign, dotted and dotless i.
    texts += ["ſhop now ſale", "KILL IT", "İNDİRİM jetzt", "ıf you agree, share", "ﬆop"]
    return texts


def test_shipped_patterns_find_the_same_spans_behind_the_look_ahead() -> None:
    patterns = list(dict.fromkeys(_shipped_patterns()))
    texts = _texts()
    changed = 0
    for pattern in patterns:
        source = boundary_first(pattern)
        fast = fast_start(source)
        if fast == source:
            continue
        changed += 1
        plain, quick = re.compile(source, re.IGNORECASE), re.compile(fast, re.IGNORECASE)
        assert quick.groups == plain.groups
        for text in texts:
            spans = [(m.span(), m.groups()) for m in plain.finditer(text)]
            assert [(m.span(), m.groups()) for m in quick.finditer(text)] == spans, pattern
    assert changed > len(patterns) // 2
