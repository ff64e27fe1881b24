"""Regular expressions compiled on first use, for module-level patterns.

``re`` parses and assembles every pattern in Python, about 0.1-0.5 ms each (a character
class of Unicode ranges more): a one-draft ``soulpost lint`` compiled about 100 of them,
most at import, and most of those were never used by that run (a price pattern for a post
with no price, a German attribution pattern for an English post). A module names its
patterns with :func:`lazy` and calls the result where it searches; :func:`module_getattr`
keeps ``from module import NAME`` working for the names a module exports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache

from soulpost.codecache import compiled_regex

Lazy = Callable[[], re.Pattern[str]]


def lazy(pattern: str, flags: int = 0) -> Lazy:
    """A function returning ``re.compile(pattern, flags)``, compiled at its first call.

    The pattern is not checked before then: only for patterns written here, which the
    tests compile (a pack author's patterns are compiled or checked when the pack loads).
    """

    @cache
    def compiled() -> re.Pattern[str]:
        return compiled_regex(pattern, flags)

    return compiled


def module_getattr(module: str, names: Mapping[str, Lazy]) -> Callable[[str], re.Pattern[str]]:
    """A module ``__getattr__`` (PEP 562) that compiles *names*' patterns when asked."""

    def getattr_(name: str) -> re.Pattern[str]:
        found = names.get(name)
        if found is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        return found()

    return getattr_
