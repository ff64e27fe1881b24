"""A cheap gate in front of a regular expression: strings one of which every match holds.

Python's ``re`` has no literal prefilter for case-insensitive patterns: a search such as
``\\b(?:promo|discount|coupon)[- ]codes?\\b`` tries its branches at every position of the
text, some 20 microseconds on a typical post, for patterns that match almost no post. Yet
every match of that pattern contains ``code``; ``"code" in text.lower()`` settles most
texts a hundred times faster. :func:`required` reads such strings off the pattern's parse
tree, and :func:`gated` puts them in front of a search.

The gate must never turn away a text the pattern matches. ``re`` matches a literal ``c``
under IGNORECASE when the simple lower case of the text's character equals that of ``c``,
or when both are in one of the few classes ``re`` folds further (``s`` and ``ſ``, ``σ``
and ``ς``). The text is compared lower-cased by ``str.lower``, which gives the simple lower
case of every character but U+0130 (``i`` plus a combining dot, which is dropped), with
each such class folded to one character. Spaces are never used, because rules search text
with quotes blanked to spaces.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from soulpost.codecache import remembered
from soulpost.text.lazyre import lazy

_parser: Any = importlib.import_module("re._parser")
_DOT = 0x307  # the combining dot that str.lower adds after the i of U+0130


def _fold_table() -> dict[int, int | None]:
    """Each character of a class re's IGNORECASE folds together, to the class's first."""
    extra: dict[int, tuple[int, ...]] = importlib.import_module("re._casefix")._EXTRA_CASES
    table: dict[int, int | None] = {}
    for low, others in extra.items():
        first = min(low, *others)
        for char in (low, *others):
            if char != first:
                table[char] = first
    table[_DOT] = None
    return table


_FOLD = _fold_table()
# Any character _FOLD changes: translating only texts that hold one is much faster.
_foldable = lazy("[" + "".join(re.escape(chr(c)) for c in sorted(_FOLD)) + "]")


def _fold(text: str) -> str:
    """*text* lower-cased as the gate compares it."""
    lowered = text.lower()
    if lowered.isascii() or not _foldable().search(lowered):
        return lowered
    return lowered.translate(_FOLD)


def _usable(char: str) -> str | None:
    """*char* as the gate compares it, or None when it cannot be used."""
    low = char.lower()
    if len(low) != 1 or low.isspace() or ord(low) == _DOT:
        return None
    return low.translate(_FOLD)


def _score(found: frozenset[str]) -> int:
    """How well *found* gates: the length of its shortest string (a lone letter: 0)."""
    return min(0 if len(s) == 1 and s.isalpha() else len(s) for s in found)


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    good = [c for c in candidates if c and _score(c) > 0]
    if not good:
        return None
    return max(good, key=lambda c: (_score(c), -len(c)))


def _candidates(items: Any) -> list[frozenset[str]]:
    """Sets of strings (lower-cased) such that every match of the parsed *items* contains
    one string of each set."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        name = str(op)
        char = _usable(chr(av)) if name == "LITERAL" else None
        if char is not None:
            run.append(char)
            continue
        flush()
        found: frozenset[str] | None = None
        if name == "SUBPATTERN":
            found = _required(av[-1])
        elif name == "ATOMIC_GROUP":
            found = _required(av)
        elif name == "ASSERT":  # a look-ahead or look-behind: its text must be there too
            found = _required(av[1])
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            found = _required(av[2])
        elif name == "BRANCH":
            branches = [_required(branch) for branch in av[1]]
            if all(b is not None for b in branches):
                found = frozenset().union(*(b for b in branches if b is not None))
        elif name == "IN" and all(str(o) == "LITERAL" for o, _a in av):
            chars = [_usable(chr(a)) for _o, a in av]
            if all(chars):
                found = frozenset(c for c in chars if c)
        if found is not None:
            candidates.append(found)
    flush()
    return candidates


def _required(items: Any) -> frozenset[str] | None:
    """Strings (lower-cased) one of which every match of the parsed *items* contains."""
    return _best(_candidates(items))


@lru_cache(maxsize=1024)
def parsed(source: str) -> Any:
    """The parse tree of *source*, case-insensitive (raises re.error): the gates of
    :mod:`.literals` and :mod:`.wordgates` read the same one."""
    return _parser.parse(source, re.IGNORECASE).data


@remembered()
def required(source: str) -> frozenset[str] | None:
    """Strings one of which every case-insensitive match of *source* holds (lower-cased),
    or None when the pattern gives no useful one (or cannot be parsed here)."""
    try:
        return _required(_parser.parse(source, re.IGNORECASE).data)
    except (re.error, RecursionError):
        return None


# A gate as a choice of conjunctions: a text may match only when, for some alternative,
# it holds a string of each of that alternative's sets. Checking every set a match needs,
# not just the best one, turns away far more texts: ``\bwe(?:'re| are) (?:no\.?|#)1\b``
# needs "we", and also "re" or "are", and also "1".
Gate = tuple[tuple[frozenset[str], ...], ...]

# The most sets one alternative is checked for: a few turn away nearly everything.
_MOST_SETS = 3


_ZERO_WIDTH = frozenset(["AT", "ASSERT", "ASSERT_NOT"])


def _alternatives(items: Any) -> list[Any]:
    """The top-level alternatives of parsed *items*: ``a|(?:b|c)`` is a, b and c.

    re's parser moves what all branches begin with out in front of the alternation
    (``\\ba|\\bb`` becomes ``\\b(?:a|b)``): a zero-width prefix is put back on each."""
    if not items:
        return [items]
    *head, (op, av) = items
    if not all(str(o) in _ZERO_WIDTH for o, _a in head):
        return [items]
    name = str(op)
    if name == "BRANCH":
        inner = [alt for branch in av[1] for alt in _alternatives(branch)]
    elif name == "SUBPATTERN" and not av[1] and not av[2]:  # no (?i:...) flags
        inner = _alternatives(av[-1])
    else:
        return [items]
    return [[*head, *alt] for alt in inner]


def _conjunction(items: Any) -> tuple[frozenset[str], ...]:
    """Up to _MOST_SETS useful sets every match of *items* needs, the most selective first."""
    good = [c for c in _candidates(items) if _score(c) > 0]
    good.sort(key=lambda c: (-_score(c), len(c)))
    return tuple(dict.fromkeys(good))[:_MOST_SETS]


@remembered()
def gate_of(source: str) -> Gate | None:
    """The gate of *source* (see :data:`Gate`), or None when an alternative of it has no
    useful required string (or the pattern cannot be parsed here)."""
    try:
        alternatives = _alternatives(parsed(source))
        found = tuple(_conjunction(alternative) for alternative in alternatives)
    except (re.error, RecursionError):
        return None
    if not found or not all(found):
        return None
    return found


# Texts lowered lately, and their lower case: the linter runs rule by rule over a chunk of
# a few hundred posts, and each rule's patterns look at the same few texts of each post.
_lowered_texts: dict[str, str] = {}
_KEEP = 4096


def _lowered(text: str) -> str:
    found = _lowered_texts.get(text)
    if found is None:
        if len(_lowered_texts) >= _KEEP:
            _lowered_texts.clear()
        found = _lowered_texts[text] = _fold(text)
    return found


def _passes(gate: Gate, lowered: str) -> bool:
    """Whether *lowered* (see :func:`_fold`) holds what some alternative of *gate* needs."""
    for sets in gate:
        for strings in sets:
            if not any(s in lowered for s in strings):
                break
        else:
            return True
    return False


def gated(
    search: Callable[[str], Any],
    finditer: Callable[[str], Iterable[Any]],
    gate: frozenset[str] | Gate,
) -> tuple[Callable[[str], Any], Callable[[str], Iterable[Any]]]:
    """*search* and *finditer* that look at a text only when it passes *gate*: a set of
    strings one of which the text must hold, or a :data:`Gate`."""
    if isinstance(gate, frozenset):
        gate = ((gate,),)
    sorted_gate = tuple(
        tuple(tuple(sorted(strings, key=len, reverse=True)) for strings in sets) for sets in gate
    )

    def gated_search(text: str) -> Any:
        lowered = _lowered(text)
        for sets in sorted_gate:
            for strings in sets:
                for s in strings:
                    if s in lowered:
                        break
                else:
                    break
            else:
                return search(text)
        return None

    def gated_finditer(text: str) -> Iterable[Any]:
        if _passes(gate, _lowered(text)):
            return finditer(text)
        return ()

    return gated_search, gated_finditer


class LiteralIndex:
    """Which of many patterns' gates (see :func:`gate_of`) a text passes, in one pass.

    Asking each pattern's gate in turn costs a call and a lower-casing look-up per
    pattern and text. Here the text is tested once for the strings of each gate's most
    selective set (a match needs one of them); only the gates one of those strings
    belongs to are then checked in full, and most texts hold none.
    """

    def __init__(self, gates: Sequence[Gate | None]) -> None:
        self.open = [i for i, gate in enumerate(gates) if gate is None]
        self.gates = {i: gate for i, gate in enumerate(gates) if gate is not None}
        keys: dict[str, set[int]] = {}
        for i, gate in self.gates.items():
            for sets in gate:
                for string in sets[0]:
                    keys.setdefault(string, set()).add(i)
        self.keys = keys
        self.strings = tuple(sorted(keys))

    def select(self, text: str) -> list[int]:
        """The patterns whose gate *text* passes (or that have none), in order."""
        lowered = _lowered(text)
        hit = [s for s in self.strings if s in lowered]
        if not hit:
            return self.open
        candidates = set(self.open).union(*(self.keys[s] for s in hit))
        gates = self.gates
        return [i for i in sorted(candidates) if i not in gates or _passes(gates[i], lowered)]
