"""Finding URLs in post text as X and Mastodon do (twitter-text's extractor, written afresh).

A URL needs a real top-level domain (:mod:`soulpost._tlds`) or a scheme; offsets are
Python ``str`` indices.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from soulpost._tlds import TLDS
from soulpost.text.lazyre import lazy

# The patterns are compiled on first use (lazy): one draft's lint needs only a few of them,
# and compiling all at import cost more than the rest of this module.


# Character classes of twitter-text's URL grammar (its regex "validUrl"), written afresh.
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$\"`"
_SPACES = r"\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = r"\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}\\x00-\\x08\\x0e-\\x1f]"
_LABEL = f"{_DOMAIN_CHAR}++(?:[-_]+{_DOMAIN_CHAR}++)*+"  # possessive: no backtracking
_CANDIDATE = lazy(
    rf"(?<![A-Za-z0-9@＠$#＃{_INVALID}])(?P<scheme>https?://)?(?P<host>{_LABEL}(?:\.{_LABEL})+)",
    re.IGNORECASE,
)
_CYRILLIC = r"\u0400-\u04ff"
_LATIN_ACCENTS = (
    r"\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    r"\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
# Explicit A-Z instead of re.IGNORECASE: case-folding these Unicode classes made the path
# pattern take 7 ms to compile, a noticeable part of linting one draft.
_PATH_CHAR = rf"[a-zA-Z{_CYRILLIC}0-9!*';:=+,.$/%#\[\]\-\u2013_~&|@{_LATIN_ACCENTS}]"
_PARENS = rf"\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*))\)"
_PATH_END = rf"(?:[+\-a-zA-Z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|{_PARENS})"
_PATH = rf"(?:(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:@{_PATH_CHAR}+/))"
_QUERY_CHAR = r"[a-zA-Z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-zA-Z0-9\-_&=#/]"
_TAIL_SOURCE = rf"(?::[0-9]+)?(?P<path>/{_PATH}*)?(?:\?{_QUERY_CHAR}*{_QUERY_END})?"
_TAIL = lazy(_TAIL_SOURCE)
# The same grammar without its non-ASCII characters, for a URL whose rest up to the next
# space is ASCII: a space is in none of its classes, so a match ends before it and meets
# ASCII characters only, which both grammars treat alike. Its Unicode classes, repeated
# eight times, made the full grammar cost about 2.5 ms to compile (the costliest pattern
# of a one-draft lint); most links are ASCII.
_ASCII_TAIL = lazy(
    _TAIL_SOURCE.replace(_CYRILLIC, "").replace(_LATIN_ACCENTS, "").replace(r"\u2013", "")
)
# Mastodon's grammar (its config/initializers/twitter_regex.rb over twitter-text 3.1.0, written
# afresh): more schemes, and a path of anything but white space and <>()? with the same rules
# for its end; a query may hold any non-ASCII character (its UCHARS).
_MASTODON_SCHEMES = "https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini"
_WHITE = r"\x09-\x0d\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_M_PATH_CHAR = rf"[^{_WHITE}<>()?]"
_M_PARENS = rf"\((?:{_M_PATH_CHAR}+|(?:{_M_PATH_CHAR}*\({_M_PATH_CHAR}+\){_M_PATH_CHAR}*))\)"
_M_PATH_END = rf"(?:[^{_WHITE}()?!*\"'「」<>;:=,.$%\[\]~&|@]|{_M_PARENS})"
_M_PATH = (
    rf"(?:(?:{_M_PATH_CHAR}*(?:{_M_PARENS}{_M_PATH_CHAR}*)*{_M_PATH_END})|(?:{_M_PATH_CHAR}+/))"
)
_UCHARS = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
    "\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    "\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd\U000a0000-\U000afffd"
    "\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd"
    "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
)
_M_QUERY_CHAR = rf"[a-zA-Z0-9!?*'();:&=+$/%#\[\]\-_.,~|@^{_UCHARS}]"
_M_QUERY_END = rf"[a-zA-Z0-9_&=#/\-{_UCHARS}]"
_M_TAIL = lazy(rf"(?::[0-9]+)?(?P<path>/{_M_PATH}*)?(?:\?{_M_QUERY_CHAR}*{_M_QUERY_END})?")
_M_CANDIDATE = lazy(
    rf"(?<![A-Za-z0-9@＠$#＃{_INVALID}])(?P<scheme>(?:{_MASTODON_SCHEMES})://)?"
    rf"(?P<host>{_LABEL}(?:\.{_LABEL})+)",
    re.IGNORECASE,
)
_TCO = lazy(
    rf"[hH][tT][tT][pP][sS]?://[tT]\.[cC][oO]/([a-zA-Z0-9]+)(?:\?{_QUERY_CHAR}*{_QUERY_END})?"
)
_after_tld = lazy(r"[0-9a-z@+\-]", re.IGNORECASE)
_punycode = lazy(r"xn--[\-0-9a-z]+", re.IGNORECASE)
_ASCII_DOMAIN = lazy(rf"(?:[\-a-z0-9{_LATIN_ACCENTS}]+\.)+[^\W_]+", re.IGNORECASE)
# Every TLD starts with a letter: text without "." before a letter holds no URL.
_maybe_url = lazy(r"\.[^\W\d_]")
_glued_scheme = lazy(r"[hH][tT][tT][pP][sS]?://\Z")
_MAX_URL_LENGTH = 4096
_Found = tuple[tuple[int, int, str], ...]
_MAX_LABEL_LENGTH = 63


def _is_tld(label: str) -> bool:
    label = label.lower()
    return label in TLDS or _punycode().fullmatch(label) is not None


def _ascii_label(label: str) -> str | None:
    """The label as IDNA would send it (``xn--`` punycode), or None when it is too long."""
    if not label.isascii():
        if label[:4].lower() == "xn--":
            return None
        try:
            label = "xn--" + label.encode("punycode").decode("ascii")
        except UnicodeError:
            return None
    return label if 0 < len(label) <= _MAX_LABEL_LENGTH else None


def _tld_end(label: str, following: str) -> int | None:
    """Length of the TLD that *label* is or starts with, given the character after it."""
    if _is_tld(label) and not (following and _after_tld().match(following)):
        return len(label)
    # "example.comてすと": a TLD may stop before a letter that cannot continue one.
    for cut in range(min(len(label) - 1, _MAX_LABEL_LENGTH), 1, -1):  # no TLD is longer
        if not _after_tld().match(label[cut]) and _is_tld(label[:cut]):
            return cut
    return None


def _domain_end(text: str, host_start: int, host: str) -> int | None:
    """Where the longest valid domain at the start of *host* ends, or None.

    twitter-text's grammar is ``sub.domain.tld`` followed by a character that cannot
    continue a TLD; labels are tried from the right, as its backtracking regex would.
    """
    labels = host.split(".")
    end = host_start + len(host)
    following = text[end : end + 1]
    for k in range(len(labels) - 1, 0, -1):
        label = labels[k]
        if "_" not in labels[k - 1]:  # the registrable label may not hold "_"
            cut = _tld_end(label, following)
            if cut is not None:
                return end - len(label) + cut
        end -= len(label) + 1
        following = "."
    return None


def find_urls(text: str, *, require_scheme: bool = False) -> list[tuple[int, int, str]]:
    """URLs in *text* as ``(start, end, url)``, found as X's twitter-text finds them.

    A URL needs a known top-level domain. Without *require_scheme*, scheme-less domains
    count too (``example.com/page``), as on X; Mastodon only links URLs with a scheme.
    Trailing punctuation is left out (``see example.com.`` gives ``example.com``).
    """
    if require_scheme and "://" not in text:
        return []
    if _maybe_url().search(text) is None:
        return []
    return list(_find_urls(text, require_scheme))


def find_mastodon_urls(text: str) -> list[tuple[int, int, str]]:
    """URLs in *text* as ``(start, end, url)``, as Mastodon finds them to count each as 23.

    Mastodon's own rule (issue 11): twitter-text's extractor with its patched grammar: a
    scheme is needed, and may also be ``dat``, ``dweb``, ``ipfs``, ``ipns``, ``ssb``,
    ``gopher`` or ``gemini``; a path runs over any non-ASCII text up to white space, and a
    query may hold non-ASCII characters too."""
    if "://" not in text or _maybe_url().search(text) is None:
        return []
    return list(_find_urls(text, True, mastodon=True))


@lru_cache(maxsize=2048)
def _find_urls(text: str, require_scheme: bool, *, mastodon: bool = False) -> _Found:
    # Cached: one draft's text is asked about by several rules and length counters.
    candidate, tail_grammar = (_M_CANDIDATE(), _M_TAIL) if mastodon else (_CANDIDATE(), _TAIL)
    urls: list[tuple[int, int, str]] = []
    pos = 0
    while True:
        # Skip to the word holding the next "." before a letter: every URL has one, so
        # the regex need not try each word before it (the search dominates lint time).
        dot = _maybe_url().search(text, pos)
        if dot is None:
            return tuple(urls)
        word = max(text.rfind(" ", pos, dot.start()), text.rfind("\n", pos, dot.start())) + 1
        match = candidate.search(text, max(pos, word))
        if match is None:
            return tuple(urls)
        scheme = match.group("scheme") or ""
        host_start = match.start("host")
        domain_end = _domain_end(text, host_start, match.group("host"))
        if domain_end is None:
            # No start inside this host can do better (its labels are the same), so go on
            # after it, or at a scheme glued to it ("日本.中http://"): linear, not quadratic.
            glued = _glued_scheme().search(text, match.start() + 1, match.end() + 3)
            pos = glued.start() if glued else match.end()
            continue
        tail = _tail(text, domain_end, tail_grammar, mastodon)
        end = tail.end() if tail else domain_end
        start = match.start()
        # twitter-text's regex consumes the character before a URL, so the next URL can
        # start no sooner than one character after this match, accepted or not.
        pos = end + 1
        if require_scheme and not scheme:
            continue
        domain = text[host_start:domain_end]
        ascii_labels = [_ascii_label(label) for label in domain.split(".")]
        if None in ascii_labels:
            continue
        ascii_domain = ".".join(a for a in ascii_labels if a is not None)
        url_length = end - start + len(ascii_domain) - len(domain)
        if len(scheme or "https://") + url_length > _MAX_URL_LENGTH:
            continue
        if scheme:
            if domain.lower() == "t.co":
                tco = _TCO().match(text, start)
                if tco:
                    if len(tco.group(1)) > 40:  # longer slugs are not t.co links
                        continue
                    end = tco.end()
            urls.append((start, end, text[start:end]))
            continue
        # Scheme-less: never after "-", "_", ".", "/", and only ASCII domains inside it
        # ("twitter.comこれは" holds "twitter.com"); the last one takes the path.
        if start > 0 and text[start - 1] in "-_./":
            continue
        found = _ascii_domains(domain, host_start)
        if not found:
            continue
        if tail and tail.group("path"):
            found[-1][1] = end
        urls.extend((a, b, text[a:b]) for a, b in found)


def _tail(
    text: str, at: int, grammar: Callable[[], re.Pattern[str]], mastodon: bool
) -> re.Match[str] | None:
    """The port, path and query after the domain ending at *at* (see _ASCII_TAIL); the
    *grammar* is compiled only when its ASCII copy cannot stand in for it."""
    if not mastodon:
        space = text.find(" ", at)
        if (text[at:space] if space >= 0 else text[at:]).isascii():
            return _ASCII_TAIL().match(text, at)
    return grammar().match(text, at)


def _ascii_domains(domain: str, offset: int) -> list[list[int]]:
    found = []
    at = 0
    while (part := _ASCII_DOMAIN().search(domain, at)) is not None:
        part_end = _domain_end(domain, part.start(), part.group())
        if part_end is None:
            at = part.end()
            continue
        found.append([offset + part.start(), offset + part_end])
        at = part_end
    return found


def strip_urls(text: str, *, require_scheme: bool = False) -> str:
    """*text* without its URLs (as :func:`find_urls` finds them)."""
    urls = find_urls(text, require_scheme=require_scheme)
    if not urls:
        return text
    parts = []
    last = 0
    for start, end, _ in urls:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    return "".join(parts)
