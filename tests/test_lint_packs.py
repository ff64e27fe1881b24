"""The shipped rule packs: their patterns are valid and cannot backtrack for long.

Shipped patterns run under plain ``re`` without a time bound, and are not re-validated
on every run (see soulpost.lint.kinds.patterns): this test is where they are checked.
"""

from __future__ import annotations

import time

import pytest
import tomli

from soulpost.lint.kinds.patterns import check_patterns, compiled, pattern_words
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
