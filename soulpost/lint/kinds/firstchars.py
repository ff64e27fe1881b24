"""A look-ahead for the characters a pattern's matches can begin with.

Python's ``re`` finds a match by trying the whole pattern at every position of the text,
unless the pattern begins with a literal or a character class it can scan for in C; under
IGNORECASE a letter never qualifies. So a shipped pattern such as
``\\b(?<![^\\W\\d_] )(?:(?:please|just|now)\\s+)?(?:comment|reply|say)\\s+...`` runs its word
boundary, two look-behinds and a dozen alternatives at each of a post's hundred-odd
positions, some 13 microseconds per post, to find nothing. Every match of it begins with
one of a dozen letters (p, j, n, c, r, s...): a look-ahead for those, put in front,
turns away most positions at the cost of one class test, and halves that time.

:func:`fast_start` reads the set off the pattern's parse tree. The look-ahead must never
turn away a position where the pattern matches: it holds every character the first item
that consumes one may match (through optional items and zero-width assertions), and it is
matched with the same IGNORECASE as the literals it comes from. Where that set cannot be
told (a negated class, ``.``, a group reference) or is too wide to turn much away (``\\w``,
``\\S``), or the pattern can match the empty string, the pattern is left as it is.
"""

from __future__ import annotations

import re
from typing import Any

from soulpost.codecache import remembered
from soulpost.lint.kinds.literals import parsed

_ZERO_WIDTH = frozenset(["AT", "ASSERT", "ASSERT_NOT"])
_REPEATS = frozenset(["MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"])
_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s"}
# A class with more members than this turns too few positions away to pay for itself.
_MOST_MEMBERS = 40

# The first characters of some items: class members as re's parser gives them, and
# whether the items can match without consuming anything (then what follows counts too).
_First = tuple[frozenset[tuple[str, Any]], bool]


class _Unknown(Exception):
    """The first characters cannot be told."""


def _first_of_item(op: Any, av: Any) -> _First:
    name = str(op)
    if name == "LITERAL":
        return frozenset([("LITERAL", av)]), False
    if name == "IN":
        members = frozenset((str(o), a if str(o) != "CATEGORY" else str(a)) for o, a in av)
        if any(kind not in ("LITERAL", "RANGE", "CATEGORY") for kind, _a in members):
            raise _Unknown  # NEGATE and the like
        return members, False
    if name in _ZERO_WIDTH:
        return frozenset(), True
    if name == "SUBPATTERN":
        return _first_of(av[-1])
    if name == "ATOMIC_GROUP":
        return _first_of(av)
    if name in _REPEATS:
        members, empty = _first_of(av[2])
        return members, empty or av[0] == 0
    if name == "BRANCH":
        found = [_first_of(branch) for branch in av[1]]
        return frozenset().union(*(m for m, _e in found)), any(e for _m, e in found)
    raise _Unknown  # ANY, NOT_LITERAL, GROUPREF, ...


def _first_of(items: Any) -> _First:
    """The first characters of a sequence of parsed items."""
    members: frozenset[tuple[str, Any]] = frozenset()
    for op, av in items:
        found, empty = _first_of_item(op, av)
        members |= found
        if not empty:
            return members, False
    return members, True


def _member(kind: str, value: Any) -> str:
    if kind == "LITERAL":
        return re.escape(chr(value))
    if kind == "RANGE":
        return f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}"
    found = _CATEGORIES.get(value)
    if found is None:
        raise _Unknown  # \w, \S...: nearly every position passes
    return found


@remembered()
def first_class(source: str) -> str | None:
    """A character class (``[...]``) that holds every character a case-insensitive match
    of *source* can begin with, or None when there is none worth testing."""
    if re.match(r"\(\?[a-zA-Z]+\)", source):
        return None  # global flags must stay at the start
    try:
        items = parsed(source)
        lead = next((str(op) for op, _av in items if str(op) not in _ZERO_WIDTH), None)
        if lead == "LITERAL":
            return None  # one letter after a boundary: re turns positions away as fast
        members, empty = _first_of(items)
        if empty or not members or len(members) > _MOST_MEMBERS:
            return None
        return "[" + "".join(sorted(_member(kind, value) for kind, value in members)) + "]"
    except (_Unknown, re.error, RecursionError):
        return None


def fast_start(source: str) -> str:
    """*source* behind a look-ahead for the characters its matches begin with (see the
    module's docstring), or *source* itself when there is none; it matches exactly what
    *source* matches, case-insensitively, with the same groups."""
    found = first_class(source)
    if found is None:
        return source
    return f"(?={found})(?:{source})"


# The characters outside ASCII that re's IGNORECASE matches to an ASCII letter (İ ı ſ and
# the Kelvin sign); tests/test_lint_first_chars.py checks the list against re itself.
_ASCII_FOLDS = frozenset([0x130, 0x131, 0x17F, 0x212A])


def _foreign(low: int, high: int) -> bool:
    """Whether no character from *low* to *high* can match an ASCII character."""
    return low > 0x7F and not any(low <= c <= high for c in _ASCII_FOLDS)


def _needs_foreign(items: Any) -> bool:
    """Whether every match of the parsed *items* holds a character outside ASCII."""
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            found = _foreign(av, av)
        elif name == "IN":
            found = all(
                (str(o) == "LITERAL" and _foreign(a, a)) or (str(o) == "RANGE" and _foreign(*a))
                for o, a in av
            )
        elif name == "SUBPATTERN":
            found = _needs_foreign(av[-1])
        elif name == "ATOMIC_GROUP":
            found = _needs_foreign(av)
        elif name in _REPEATS:
            found = av[0] >= 1 and _needs_foreign(av[2])
        elif name == "BRANCH":
            found = all(_needs_foreign(branch) for branch in av[1])
        else:
            found = False
        if found:
            return True
    return False


@remembered()
def needs_non_ascii(source: str) -> bool:
    """Whether every case-insensitive match of *source* holds a character outside ASCII
    (an emoji, say): then an ASCII text, most posts, cannot match, which ``str.isascii``
    tells at once, where re would try the pattern at each of its positions."""
    try:
        return _needs_foreign(parsed(source))
    except (re.error, RecursionError):
        return False
