"""Whole words a pattern's matches hold, tested against a text's words in one set operation.

The substring gate (:mod:`.literals`) turns away most texts before a pattern runs, but it
tests strings one by one (``"stock" in text``, ``"sell" in text``...), and a text's common
words let dozens of patterns reach it: on 10,000 posts some 300,000 gate tests, most of
them failing. Many of those strings are whole words of the pattern: in
``\\?\\s+we (?:stock|sell|carry)\\b`` a space stands before the choice and a word
boundary after it, so a match holds the word "stock", "sell" or "carry" as a word of the
text. A text's words are at hand as a set (``Segment.runs``), so that test is one
``isdisjoint`` call per set, about a tenth of the substring tests. :func:`word_gate`
reads such words off the pattern's parse tree; the substring gate still runs on the texts
that pass, so what a pattern finds never changes.

A pattern's word is a word of the text where it matches only if the text's lower case
lines up with what ``re`` compares case-insensitively: :func:`words_line_up` says when.
"""

from __future__ import annotations

import re
from typing import Any

from soulpost.codecache import remembered
from soulpost.lint.draft import Segment
from soulpost.lint.kinds.literals import _FOLD, _alternatives, _foldable, parsed

# A choice of conjunctions, like literals.Gate: a text may match only when, for some
# alternative, it has a word of each of that alternative's sets.
WordGate = tuple[tuple[frozenset[str], ...], ...]
# A rule's mark for a gate not worked out yet (word_gate never gives an empty one).
UNSET: WordGate = ()

_BOUNDARY_AT = frozenset(
    ["AT_BOUNDARY", "AT_BEGINNING", "AT_BEGINNING_STRING", "AT_END", "AT_END_STRING"]
)
_NOT_ALNUM = frozenset(["CATEGORY_SPACE", "CATEGORY_NOT_WORD"])


def _letter(code: int) -> str | None:
    """The character *code* as the text's words hold it, when it is a letter or digit that
    ``re`` matches case-insensitively just as lower case compares (not ``s``/``ſ``)."""
    char = chr(code)
    low = char.lower()
    if len(low) != 1 or not low.isalnum() or ord(low) in _FOLD:  # one _foldable matches
        return None
    return low


def _word(items: Any) -> str | None:
    """*items* as a string when they are letters and digits only (see _letter)."""
    out = []
    for op, av in items:
        char = _letter(av) if str(op) == "LITERAL" else None
        if char is None:
            return None
        out.append(char)
    return "".join(out)


def _ends_apart(items: Any) -> bool:
    """Whether *items* end with a separator (see _separator), in each alternative."""
    if not items:
        return False
    op, av = items[-1]
    if str(op) == "BRANCH":
        return all(_ends_apart(branch) for branch in av[1])
    return _separator(op, av)


def _starts_apart(items: Any) -> bool:
    """Whether *items* begin with a separator, in each alternative."""
    if not items:
        return False
    op, av = items[0]
    if str(op) == "BRANCH":
        return all(_starts_apart(branch) for branch in av[1])
    return _separator(op, av)


def _leading_word(items: Any) -> str | None:
    """The word *items* begin with, when a separator follows it there: ``call us`` is
    ``call``."""
    for k, (op, av) in enumerate(items):
        if str(op) != "LITERAL" or _letter(av) is None:
            return _word(items[:k]) if k and _starts_apart(items[k:]) else None
    return None


def _separator(op: Any, av: Any) -> bool:
    """Whether the item consumes one character or more, none a letter or digit."""
    name = str(op)
    if name == "LITERAL":
        return not chr(av).isalnum() and not chr(av).lower().isalnum()
    if name == "IN":
        for o, a in av:
            if str(o) == "LITERAL":
                if chr(a).isalnum() or chr(a).lower().isalnum():
                    return False
            elif not (str(o) == "CATEGORY" and str(a) in _NOT_ALNUM):
                return False
        return True
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _high, body = av
        return low >= 1 and len(body) == 1 and _separator(*body[0])
    return False


class _Reader:
    """Walks one alternative's items, collecting the sets of words it must hold."""

    def __init__(self) -> None:
        self.sets: list[frozenset[str]] = []
        self.word: set[str] | None = None  # the choices of the word being read
        self.clean = False  # a boundary stands before the word being read (or next one)
        self.word_clean = False
        self.sealed = False  # the word being read cannot go on (see _branch)

    def _extend(self, choices: list[str]) -> None:
        if self.sealed:
            self._unknown()
            return
        if self.word is None:
            self.word, self.word_clean = {""}, self.clean
        self.word = {w + c for w in self.word for c in choices}
        self.clean = False

    def _boundary(self) -> None:
        if self.word is not None and self.word_clean and "" not in self.word:
            self.sets.append(frozenset(self.word))
        self.word, self.clean, self.sealed = None, True, False

    def _unknown(self) -> None:
        self.word, self.clean, self.sealed = None, False, False

    def _branch(self, branches: Any) -> None:
        """A choice: whole words (``(?:stock|sell)``), or parts that each begin with a
        separator after a word (``we(?:'re| are)``), or each with a word of its own first
        (``(?:call us|get in touch)``)."""
        words = [_word(branch) for branch in branches]
        if all(w is not None for w in words):
            self._extend([w or "" for w in words])
        elif self.word is not None and all(_starts_apart(b) for b in branches):
            self._boundary()
            self._unknown()
        else:
            # Each a whole word, or a word and then more: the whole words need a boundary
            # after the choice, and no choice can be read on past.
            leading = [w or _leading_word(b) for w, b in zip(words, branches, strict=True)]
            if self.word is None and self.clean and all(leading):
                self.word, self.word_clean = {w or "" for w in leading}, True
                self.clean, self.sealed = False, True
            else:
                self._unknown()

    def _optional_prefix(self, name: str, av: Any) -> bool:
        """Whether the item may be absent or end with a separator, right after a boundary
        with no word being read: then a boundary stands after it too."""
        if name not in ("MAX_REPEAT", "MIN_REPEAT") or av[0] != 0:
            return False
        return self.word is None and self.clean and _ends_apart(av[2])

    def read(self, items: Any) -> None:
        for op, av in items:
            name = str(op)
            if name in ("ASSERT", "ASSERT_NOT"):
                continue  # zero-width: the characters on either side stay side by side
            if (name == "AT" and str(av) in _BOUNDARY_AT) or _separator(op, av):
                self._boundary()
            elif name == "LITERAL" and _letter(av) is not None:
                self._extend([_letter(av) or ""])
            elif name == "BRANCH":
                self._branch(av[1])
            elif name == "MAX_REPEAT" and av[0] == 0 and av[1] == 1 and _word(av[2]):
                self._extend(["", _word(av[2]) or ""])
            elif self._optional_prefix(name, av):
                continue  # "(?:please\s+)?" after a boundary: a boundary after it, either way
            elif name == "SUBPATTERN" and not av[1] and not av[2]:
                self.read(av[-1])  # a group with no flags of its own: its items in line
            else:
                self._unknown()


@remembered("soulpost.lint.kinds.literals")
def word_gate(source: str) -> WordGate | None:
    """The words a case-insensitive match of *source* holds (see :data:`WordGate`), or
    None when some alternative of it needs no whole word (or it cannot be parsed here)."""
    try:
        alternatives = _alternatives(parsed(source))
    except (re.error, RecursionError):
        return None
    found = []
    for alternative in alternatives:
        reader = _Reader()
        reader.read(alternative)
        if not reader.sets:
            return None
        # Smallest first (the quickest to rule a text out), then by their words: the same
        # order in every process, whatever its hash seed (the code cache keeps it).
        found.append(tuple(sorted(set(reader.sets), key=lambda words: (len(words), sorted(words)))))
    return tuple(found)


def word_passes(gate: WordGate, runs: frozenset[str]) -> bool:
    """Whether the words *runs* hold what some alternative of *gate* needs."""
    for sets in gate:
        for words in sets:
            if words.isdisjoint(runs):
                break
        else:
            return True
    return False


def words_line_up(segment: Segment) -> bool:
    """Whether a pattern's words, where it matches the segment's text (or its quiet
    form), are among ``segment.runs``: when lower-casing keeps the text's length and
    leaves no character that ``re`` folds further (``ſ`` matches ``s``, ``ı`` matches
    ``i``), so that a case-insensitive match is a match of the lower-cased text.

    Quoted text blanked to ``_`` keeps the words outside the quotes as they were: a blank
    stands only between quote marks, never beside a letter."""
    cache = segment.__dict__
    found = cache.get("_words_line_up")
    if found is None:
        lower = segment.lower
        found = lower is not None and (lower.isascii() or not _foldable().search(lower))
        cache["_words_line_up"] = found
    return bool(found)
