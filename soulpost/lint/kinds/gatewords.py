"""The words a pattern's matches must hold, read off the pattern's source text.

:func:`pattern_words` gives the words of which one must be a word of a text for a
pattern to match it: the phrase rules index their patterns by them
(:class:`~soulpost.lint.kinds.patterns.WordIndex`), so a text reaches only the patterns
its words allow. The reading is of the source, not of a parse tree (that is
:mod:`.wordgates`, a second, stricter gate), so it recognises a few common shapes and
says None for anything else. It must never name a word a match may lack: a word ends
only where the pattern surely goes on with something other than a letter or digit.
"""

from __future__ import annotations

import re

from soulpost.codecache import remembered
from soulpost.text.lazyre import lazy

_leading_words_re = lazy(r"\\b([a-z0-9]+(?: [a-z0-9]+)*)(?:\\b| )", re.IGNORECASE)
_leading_group = lazy(r"\\b\(\?:([a-z0-9]+(?:\|[a-z0-9]+)*)\)(?:\\b| )", re.IGNORECASE)


def _closing(pattern: str, start: int) -> int:
    """The index of the parenthesis closing the group that opens at *start*, or -1."""
    depth = 0
    i = start
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":  # a class: skip to its end
            i += 1
            while i < len(pattern) and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


# What _alternatives steps over in one go: an escape (a backslash and the character after
# it, if any), a character class to its closing bracket (or the end), or a parenthesis or
# bar, the only characters it needs to see.
_structure = lazy(r"\\.?|\[(?:\\.?|[^\]\\])*\]?|([()|])", re.DOTALL)


def _alternatives(body: str) -> list[str]:
    """The top-level alternatives of a group's body.

    Read token by token (:data:`_structure`) rather than character by character: finding
    the words that gate the shipped patterns was a tenth of setting up to lint one draft.
    """
    out, depth, start = [], 0, 0
    for token in _structure().finditer(body):
        char = token.group(1)
        if char is None:
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            out.append(body[start : token.start()])
            start = token.end()
    out.append(body[start:])
    return out


_declared = lazy(r"\(\?#words:([^)]*)\)")
_first_word = lazy(r"[^\W\d_]+")


def _goes_on(rest: str, at_end: bool = False) -> bool:
    """Whether *rest* may continue the word before it with more letters or digits.

    *at_end*: whether the word may go on where *rest* ends (the pattern's end, or a
    group's when what follows the group is not known). Only what surely cannot start with
    a letter or digit ends the word: a boundary, a space, a mark, a class of marks; a
    class or group that may be absent is looked past. Anything else (``[oa]``, ``(?:e|t)``,
    ``nummer``, ``.``) may go on, and the word then gates nothing: a gate on ``commande``
    would turn away "commandez", which ``commande[sz]?`` matches.
    """
    if not rest:
        return at_end
    char = rest[0]
    if rest.startswith(("\\b", "\\s", "\\W", "\\n", "\\t", "\\Z", "$", " ", "(?![\\w", "(?!\\w")):
        return False
    if char == "\\":
        return rest[1:2].isalnum() or rest[1:2] == ""  # \w \d \S \B...; \. \- end it
    if char == "[":
        return _class_goes_on(rest, at_end)
    if char == "(":
        return _group_goes_on(rest, at_end)
    return char.isalnum() or char in ".*+?{|)"


def _optional_after(rest: str) -> tuple[bool, str]:
    """Whether *rest* begins with a quantifier that allows none, and what follows it."""
    if rest[:1] in ("?", "*"):
        return True, rest[1:].removeprefix("?").removeprefix("+")
    if rest[:1] == "{":
        end = rest.find("}")
        optional = rest[1:].startswith(("0,", "0}", ","))
        return optional, rest[end + 1 :] if end >= 0 else ""
    return False, rest.removeprefix("+")


def _class_end(rest: str) -> int:
    """The index of the bracket closing the class *rest* begins with, or -1."""
    end = rest.find("]", 2 if rest.startswith(("[]", "[^")) else 1)
    while end > 0 and rest[end - 1] == "\\" and rest[end - 2 : end] != "\\\\":
        end = rest.find("]", end + 1)
    return end


def _marks_only(body: str) -> bool:
    """Whether a class's *body* holds no letter or digit (\\s, \\W, marks)."""
    marks = re.sub(r"\\[sWntrfv]", "", body).replace("\\", "")
    return re.search(r"[^\W_]", marks) is None  # \w, \d, \S are left as w, d, S


def _class_goes_on(rest: str, at_end: bool) -> bool:
    """_goes_on for *rest* that begins with a character class."""
    end = _class_end(rest)
    if end < 0 or rest.startswith("[^") or not _marks_only(rest[1:end]):
        return True
    optional, after = _optional_after(rest[end + 1 :])
    return optional and _goes_on(after, at_end)


def _optional_part(rest: str) -> tuple[str, set[str], str] | None:
    """A class or group at the start of *rest* that may be absent, as ("marks", {}, what
    follows) when it holds only marks (``[- ]?``) or ("letters", its letters, what follows)
    when it is plain letters (``[sz]?``, ``(?:e|t)?``); None for anything else."""
    if rest.startswith("[") and not rest.startswith("[^"):
        end = _class_end(rest)
        if end < 0:
            return None
        body, (optional, after) = rest[1:end], _optional_after(rest[end + 1 :])
        if not optional:
            return None
        if _marks_only(body):
            return "marks", set(), after
        return ("letters", set(body.lower()), after) if body.isalpha() else None
    if rest.startswith("(?:"):
        end = _closing(rest, 0)
        optional, after = _optional_after(rest[end + 1 :])
        alternatives = _alternatives(rest[3:end]) if end > 0 else []
        if optional and alternatives and all(a.isalpha() for a in alternatives):
            return "letters", {a.lower() for a in alternatives}, after
    return None


def _group_goes_on(rest: str, at_end: bool) -> bool:
    """_goes_on for *rest* that begins with a group."""
    end = _closing(rest, 0)
    if end < 0 or rest.startswith(("(?=", "(?!", "(?<", "(?P=", "(?(")):
        return True  # a look-around or worse: assume the word may go on
    body = rest[1:end]
    if body.startswith("?P<"):
        body = body[body.index(">") + 1 :]
    elif body.startswith("?:"):
        body = body[2:]
    elif body.startswith("?"):
        return True  # flags, comments: not worth reading
    optional, after = _optional_after(rest[end + 1 :])
    after_goes_on = _goes_on(after, at_end)
    if optional and after_goes_on:
        return True
    return any(_goes_on(alternative, after_goes_on) for alternative in _alternatives(body))


def _first_words(alternative: str, at_end: bool = False) -> set[str] | None:
    """The words an alternative's text begins with: ``spots?`` is ``spot`` or ``spots``;
    None when it does not begin with a letter or when the word may go on (see _goes_on;
    *at_end* as there)."""
    first = _first_word().match(alternative)
    if first is None:
        return None
    word = first.group(0).lower()
    rest = alternative[first.end() :]
    if rest[:1] == "?":  # the last letter is optional
        if len(word) < 2 or _goes_on(rest[1:], at_end):
            return None
        return {word, word[:-1]}
    if not _goes_on(rest, at_end):
        return {word}
    part = _optional_part(rest)
    if part is None:
        return None
    what, letters, after = part
    if what == "marks":  # "double[- ]?tap": "double" then "tap", or "doubletap"
        glued = _first_words(after, at_end)
        return None if glued is None else {word} | {word + g for g in glued}
    if _goes_on(after, at_end):
        return None
    return {word} | {word + tail for tail in letters}  # "commande[sz]?": commandes, commandez


def _strip_lookbehinds(pattern: str) -> str | None:
    rest = pattern
    while rest.startswith(("(?<!", "(?<=")):
        end = _closing(rest, 0)
        if end < 0:
            return None
        rest = rest[end + 1 :]
    return rest


def _leading_words(pattern: str) -> frozenset[str] | None:
    r"""The first words of a pattern that starts, after ``\b`` and an optional group,
    with a group of alternatives that each begin with a letter
    (``\b(?:(?:please)\s+)?(?:like|double[- ]?tap|react)``): like, double, react. None
    when an alternative does not begin with a plain word."""
    rest = pattern.removeprefix(r"\b")
    if rest.startswith("(?:"):
        end = _closing(rest, 0)
        if end > 0 and rest[end + 1 : end + 2] == "?":
            rest = rest[end + 2 :]  # an optional prefix ("please "): the next part is needed
    if not rest.startswith("(?:"):
        first = _first_words(rest, at_end=True)  # a plain word after the optional prefix
        return frozenset(first) if first else None
    end = _closing(rest, 0)
    if end < 0 or rest[end + 1 : end + 2] in ("?", "*", "{", "+"):
        return None
    after = _goes_on(rest[end + 1 :], at_end=True)
    words: set[str] = set()
    for alternative in _alternatives(rest[3:end]):
        first = _first_words(alternative, at_end=after)
        if first is None:
            return None
        words |= first
    return frozenset(words)


@remembered()
def pattern_words(pattern: str) -> frozenset[str] | None:
    r"""Words of which one must appear for *pattern* to match, or None when unknown
    (see :func:`_pattern_words`; kept between runs with the code, not each branch's)."""
    return _pattern_words(pattern)


def _pattern_words(pattern: str) -> frozenset[str] | None:
    r"""Words of which one must appear for *pattern* to match, or None when unknown.

    Recognised: a pattern that starts with ``\b`` and whole words (``\bonly \d+``), or
    with a group whose alternatives each begin with a word (``\b(?:like|share)\b``,
    ``\b(?:(?:please)\s+)?(?:like|double[- ]?tap)``), after any look-behinds; a pattern
    of top-level alternatives when each one is recognised. Anything else runs on every
    text. A pattern may name its gate itself, in a leading comment: ``(?#words: share
    repost)`` when its first words are too common to gate on (``\bif you don't share``).
    """
    declared = _declared().match(pattern)
    if declared:
        return frozenset(declared.group(1).lower().split())
    branches = _alternatives(pattern)
    if len(branches) > 1:
        found = [_pattern_words(branch) for branch in branches]
        if any(words is None for words in found):
            return None
        return frozenset().union(*(words for words in found if words is not None))
    rest = _strip_lookbehinds(pattern)
    if rest is None:
        return None
    if rest is not pattern:
        return _pattern_words(rest)
    if pattern.startswith("\\b(?:"):
        leading = _leading_words(pattern)
        if leading is not None:
            return leading
    group = _leading_group().match(pattern)
    if group:
        return frozenset(word.lower() for word in group.group(1).split("|"))
    words = _leading_words_re().match(pattern)
    if words:
        return frozenset([max(words.group(1).lower().split(), key=len)])
    return None
