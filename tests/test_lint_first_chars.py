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


def test_the_characters_that_fold_to_ascii_are_the_ones_re_folds() -> None:
    from soulpost.lint.kinds import firstchars

    ascii_class = re.compile("[\x00-\x7f]", re.IGNORECASE)
    folding = {c for c in range(0x80, 0x110000) if ascii_class.match(chr(c))}
    assert folding == firstchars._ASCII_FOLDS


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"[\u2600-\u27bf\U0001f300-\U0001faff]\ufe0f?\s*(?:=|:|for)\s+\w", True),
        (r"\bwith\s+(?:an?\s+)?[\u2600-\u27bf]", True),
        (r"👇|👉", True),
        (r"(?:👇|below)", False),
        (r"caf[eé]", False),
        (r"[ſ]ale", False),  # ſ matches s
        (r"\u212a\w+", False),  # the Kelvin sign matches k
        (r"x(?:😀)?", False),
    ],
)
def test_patterns_that_need_a_character_outside_ascii(pattern: str, needs: bool) -> None:
    from soulpost.lint.kinds.firstchars import needs_non_ascii
    from soulpost.lint.kinds.patterns import compiled

    assert needs_non_ascii(pattern) is needs
    search, _finditer = compiled(pattern, timed=False)
    for text in ("CALL 👇 for more", "with 😀 = yes", "kelvin sale", "cafe", "xx"):
        assert (search(text) is None) == (re.search(pattern, text, re.IGNORECASE) is None)


def test_shipped_patterns_agree_with_re_on_ascii_and_other_texts() -> None:
    from soulpost.lint.kinds.patterns import compiled

    texts = [*_texts(), "Vote ❤️ for A, 😮 for B", "react with a 🔥 if you agree"]
    for pattern in dict.fromkeys(_shipped_patterns()):
        search, finditer = compiled(pattern, timed=False)
        plain = re.compile(pattern, re.IGNORECASE)
        for text in texts:
            assert (search(text) is None) == (plain.search(text) is None), (pattern, text)
            assert len(list(finditer(text))) == len(list(plain.finditer(text)))


@pytest.mark.parametrize("name", ["_YOU", "_SERVICE_FACT"])
def test_hand_written_look_aheads_are_the_ones_first_class_gives(name: str) -> None:
    from soulpost.lint.builtin import content

    pattern = getattr(content, name).pattern
    head, body = pattern.split(")(?:", 1)
    assert pattern.endswith(")")
    assert f"{head})" == f"(?={first_class(body[:-1])})"
    plain = re.compile(body[:-1], re.IGNORECASE)
    for text in [*_texts(), "Bread is 20p dearer; we open at 8 and close by 6", "OUR READERS"]:
        assert [m.span() for m in getattr(content, name).finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ]
