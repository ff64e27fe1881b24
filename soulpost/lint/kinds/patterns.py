"""Regular expressions in rule packs: building them, gating them, and bounding their time.

A pack's ``phrases`` become one escaped trie (:func:`phrase_regex`), safe by construction.
Its ``patterns`` are regular expressions written by whoever wrote the pack, and a pack is
data from a repository, like the drafts it checks: a careless ``(a+)+$`` backtracks for
minutes on 34 "a"s in Python's ``re``. So every pattern that soulpost did not ship is
matched by the ``regex`` module with a time bound (:data:`PATTERN_TIMEOUT`); a pattern
stopped :data:`STRIKES` times in one process is not run again (see
:class:`~soulpost.lint.kinds.phrases.Phrases`), so the time a run can lose stays bounded.
The shipped pack's own patterns, reviewed and tested here, keep plain ``re``: it is several
times faster per search, and plain ASCII text then never imports ``regex`` at all.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from soulpost.codecache import compiled_regex
from soulpost.lint.kinds.firstchars import fast_start, needs_non_ascii
from soulpost.lint.kinds.literals import gate_of, gated
from soulpost.text.lazyre import lazy

if TYPE_CHECKING:
    from pydantic import ValidationInfo

# Seconds one search of one pattern over one piece of text may take. Every sane pattern
# settles a post in well under a millisecond, so this is generous even on a busy machine.
PATTERN_TIMEOUT = 0.25

# Stops of one pattern, in one process, after which it is no longer run on other texts.
STRIKES = 3

Search = Callable[[str], Any]  # a match object or None; may raise TimeoutError
FindIter = Callable[[str], Iterable[Any]]


def compiled(source: str, *, timed: bool) -> tuple[Search, FindIter]:
    """``search`` and ``finditer`` of *source*, case-insensitive; *timed* ones raise
    ``TimeoutError`` when a call takes longer than :data:`PATTERN_TIMEOUT`."""
    if not timed:
        plain = compiled_regex(fast_start(boundary_first(source)), re.IGNORECASE)
        # A substring test in front settles most texts far faster than the search (see
        # soulpost.lint.kinds.literals); only for untimed patterns, so that which texts
        # a timed one is stopped on stays as it was.
        gate = gate_of(source)
        if gate is not None:
            return beyond_ascii(source, *gated(plain.search, plain.finditer, gate))
        return beyond_ascii(source, plain.search, plain.finditer)
    import regex

    try:
        pattern = regex.compile(source, regex.IGNORECASE)
    except regex.error as exc:
        raise ValueError(f"invalid regular expression {source!r}: {exc}") from None
    return (
        partial(pattern.search, timeout=PATTERN_TIMEOUT),
        partial(pattern.finditer, timeout=PATTERN_TIMEOUT),
    )


# A look-behind: (?<!…) or (?<=…), holding no group.
_BEHIND = r"\(\?<[!=](?:[^()\\\[]|\\.|\[(?:[^\]\\]|\\.)*\])*\)"
# A pattern's leading look-behinds and the word boundary after them, and a comment
# before them: ``(?<![^\W\d_] )(?<![^\W\d_]['’] )\b(?:comment|reply)``.
_guarded = lazy(
    r"(?P<comment>\(\?#[^)]*\))?"
    # look-behinds in a row, or a group of branches that are each look-behinds only
    rf"(?P<behind>(?:{_BEHIND})+|\(\?:(?:{_BEHIND})+(?:\|(?:{_BEHIND})+)*\))"
    r"\\b"
)


def boundary_first(source: str) -> str:
    r"""*source* with a word boundary that follows its leading look-behinds moved before
    them: ``(?<!x )\bword`` becomes ``\b(?<!x )word``, and ``(?:(?<!x )|(?<=\band ))\bword``
    becomes ``\b(?:(?<!x )|(?<=\band ))word``.

    Both test the same place without consuming anything, so the pattern matches exactly
    the same; but ``re`` tries a pattern at every character and checks its items in order,
    and ``\b`` fails at once inside a word, where two look-behinds cost several times more.
    A third less time for the shipped patterns that begin so (some 150).
    """
    found = _guarded().match(source)
    if found is None:
        return source
    return f"{found['comment'] or ''}\\b{found['behind']}{source[found.end() :]}"


def lazy_compiled(source: str, *, timed: bool) -> tuple[Search, FindIter]:
    """:func:`compiled`, but an untimed (shipped) pattern is compiled on its first use: of
    a rule's many patterns a short queue runs few, and compiling them costs more than the
    searches. A timed one is compiled now, so that a pattern the regex module rejects is a
    configuration error, not a failure mid-run."""
    if timed:
        return compiled(source, timed=True)
    found: list[tuple[Search, FindIter]] = []

    def search(text: str) -> Any:
        if not found:
            found.append(_gated_first(source))
        return found[0][0](text)

    def finditer(text: str) -> Iterable[Any]:
        if not found:
            found.append(_gated_first(source))
        return found[0][1](text)

    return search, finditer


def _gated_first(source: str) -> tuple[Search, FindIter]:
    """``compiled(source, timed=False)``, the pattern itself compiled only when a text
    first passes its gate: working out the gate (a parse) costs less than compiling, and
    most patterns see no text that passes it in a short run."""
    gate = gate_of(source)
    if gate is None:
        return compiled(source, timed=False)
    pattern: list[re.Pattern[str]] = []

    def plain() -> re.Pattern[str]:
        if not pattern:
            pattern.append(compiled_regex(fast_start(boundary_first(source)), re.IGNORECASE))
        return pattern[0]

    found = gated(lambda text: plain().search(text), lambda text: plain().finditer(text), gate)
    return beyond_ascii(source, *found)


def beyond_ascii(source: str, search: Search, finditer: FindIter) -> tuple[Search, FindIter]:
    """*search* and *finditer*, answering at once for an ASCII text when every match of
    *source* holds a character outside ASCII (see firstchars.needs_non_ascii)."""
    if not needs_non_ascii(source):
        return search, finditer
    return (
        lambda text: None if text.isascii() else search(text),
        lambda text: () if text.isascii() else finditer(text),
    )


def lazy_search(source: str, *, timed: bool) -> Search:
    """:func:`lazy_compiled`'s search."""
    return lazy_compiled(source, timed=timed)[0]


def any_search(sources: Sequence[str], *, timed: bool) -> Search:
    """A search that finds something when one of *sources* matches: for a yes-or-no
    question only (what it returns is a match of one of them, not the leftmost of all).

    Timed patterns are joined into one (one time bound for the lot, as before). Shipped
    ones are each gated and compiled on their own when a text passes their gate: an
    ``unless`` joins patterns for different words, and one joined pattern had to be
    compiled whole for the first text that reached it (2 ms for the 80/20 rule's).
    Shipped patterns hold no back-references, which joining would renumber
    (tests/test_lint_lazy_patterns.py)."""
    if timed or len(sources) == 1:
        return lazy_search("|".join(f"(?:{p})" for p in sources), timed=timed)
    searches = [lazy_search(p, timed=False) for p in sources]

    def search(text: str) -> Any:
        for one in searches:
            found = one(text)
            if found:
                return found
        return None

    return search


# The most a pattern may spell out through counted repeats (``(?:a{100}){100}`` is 10,000):
# the regex module expands them while compiling, which no timeout bounds, and
# ``(?:(?:a{1000}){1000}){1000}`` would compile for hours. Real patterns stay far below.
MAX_PATTERN_SIZE = 10_000


def check_patterns(value: list[str], info: ValidationInfo | None = None) -> list[str]:
    """Validate an option's patterns: they compile, and compiling them takes no time.

    The shipped packs' own patterns (validation context ``vetted``) are checked by the
    test-suite instead: parsing some 300 patterns would cost every run a quarter second.
    """
    if info is not None and info.context and info.context.get("vetted"):
        return value
    for pattern in value:
        _check_one(pattern)
    return value


def checked_patterns(value: list[str], info: ValidationInfo) -> list[str]:
    """:func:`check_patterns` as a pydantic field validator (it passes the context)."""
    return check_patterns(value, info)


@lru_cache(maxsize=4096)
def _check_one(pattern: str) -> None:
    try:
        re.compile(pattern)
        size = _size(_parser.parse(pattern).data)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    except RecursionError:
        raise ValueError(f"regular expression {pattern!r} is nested too deeply") from None
    if size > MAX_PATTERN_SIZE:
        raise ValueError(
            f"regular expression {pattern!r} repeats too much: its counted repeats "
            f"spell out {size:,} items, more than {MAX_PATTERN_SIZE:,}; use smaller counts"
        )


# re's own parser: the pattern's tree, to measure its repeats (it has no type stubs).
_parser: Any = importlib.import_module("re._parser")
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _size(items: Any) -> int:
    """How many items *items* (a parsed pattern) spells out, its counted repeats expanded."""
    total = 0
    for op, av in items:
        name = str(op)
        if name in _REPEATS:
            low, high, sub = av
            total += max(low if high == _parser.MAXREPEAT else high, 1) * _size(sub)
        elif name == "SUBPATTERN":
            total += _size(av[-1])
        elif name == "BRANCH":
            total += sum(_size(branch) for branch in av[1])
        elif name in {"ASSERT", "ASSERT_NOT"}:
            total += _size(av[1])
        elif name == "ATOMIC_GROUP":
            total += _size(av)
        elif name == "GROUPREF_EXISTS":
            total += _size(av[1]) + (_size(av[2]) if av[2] else 0)
        else:
            total += 1
    return total


def _units(phrase: str) -> list[str]:
    """Regex pieces for one lower-cased phrase: spaces match any run of space, ' matches ’."""
    out: list[str] = []
    for char in phrase:
        if char.isspace():
            if out and out[-1] != r"\s+":
                out.append(r"\s+")
        elif char in "'’":
            out.append("['’]")
        else:
            out.append(re.escape(char))
    return out


def phrase_regex(phrases: list[str]) -> str:
    """One regex for many literal phrases, as a trie, to run on lower-cased text.

    Python's ``re`` tries every branch of an alternation at every position; a trie shares
    prefixes, so fifty phrases cost about as much as a few. Phrases that start or end with
    a letter or digit match whole words only.
    """
    tries: dict[bool, dict[str, Any]] = {True: {}, False: {}}
    for phrase in phrases:
        node = tries[phrase[:1].isalnum()]
        for unit in _units(phrase):
            node = node.setdefault(unit, {})
        node[""] = r"\b" if phrase[-1:].isalnum() else ""

    def emit(node: dict[str, Any]) -> str:
        alternatives = [unit + emit(child) for unit, child in sorted(node.items()) if unit]
        if "" in node:
            alternatives.append(node[""])  # the shorter phrase last: longest match first
        if len(alternatives) == 1:
            return str(alternatives[0])
        return "(?:" + "|".join(alternatives) + ")"

    parts = []
    if tries[True]:
        parts.append(r"\b" + emit(tries[True]))
    if tries[False]:
        parts.append(emit(tries[False]))
    return "|".join(parts)


class WordIndex:
    """Which of many word-gated items a text's words let through, in one set operation.

    Item *i* is let through when its gate is None or shares a word with the text's words
    (its ``runs``). Testing each gate in turn costs a call per item and text; a rule with
    forty patterns paid that on nearly every piece of text. Here the text's words meet the
    union of all gates once, and only the items of the words found are listed, in their
    original order.
    """

    def __init__(self, gates: Sequence[frozenset[str] | None]) -> None:
        self.open = [i for i, gate in enumerate(gates) if gate is None]
        self._open = frozenset(self.open)
        index: dict[str, list[int]] = {}
        for i, gate in enumerate(gates):
            for word in gate or ():
                index.setdefault(word, []).append(i)
        self.index = index
        self.words = frozenset(index)

    def select(self, runs: frozenset[str]) -> list[int]:
        """The items *runs* lets through, in order."""
        hit = self.words.intersection(runs)
        if not hit:
            return self.open
        if len(hit) == 1 and not self.open:
            return self.index[next(iter(hit))]
        return sorted(self._open.union(*(self.index[word] for word in hit)))
