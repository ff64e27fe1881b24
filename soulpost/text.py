"""Tokens and lengths of post text: URLs, hashtags, mentions, emoji, graphemes, and the
length each network counts.

Each network counts differently (see ``docs/counting.md`` and ``shared/platforms.md``):

* X: twitter-text v3 *weighted* length: NFC first; most Latin, Greek, Cyrillic, Hebrew,
  Arabic, Indic and general punctuation weigh 1, everything else (CJK, emoji) 2; every URL
  the extractor finds, also scheme-less ``example.com``, weighs 23; an emoji sequence (a ZWJ
  family, a flag, a skin tone, a keycap) weighs 2 as a whole. Limit 280.
* Mastodon: extended grapheme clusters, every URL with a scheme counts 23, and a mention
  ``@user@domain`` counts as ``@user``. Limit 500 by default.
* Bluesky: 300 grapheme clusters *and* 3000 UTF-8 bytes.
* everything else ("chars"): Unicode code points, ``len(text)``.

Offsets returned by the ``find_*`` functions are Python ``str`` indices (code points), end
exclusive. Nothing here reads files or the network; the heavy ``regex`` module (for ``\\X``
and emoji properties) is imported on first use, and plain ASCII text never needs it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from soulpost._tlds import TLDS

if TYPE_CHECKING:
    from soulpost.platforms import Capabilities


def _lazy(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A regex compiled on first use: one draft's lint needs only a few of them, and
    compiling all at import cost more than the rest of this module."""

    @cache
    def compiled() -> re.Pattern[str]:
        return re.compile(pattern, flags)

    return compiled


__all__ = [
    "TWITTER_V2",
    "TWITTER_V3",
    "TweetLength",
    "TwitterConfig",
    "emoji_count",
    "find_emoji",
    "find_hashtags",
    "find_mentions",
    "find_urls",
    "graphemes",
    "is_emoji",
    "mastodon_length",
    "parse_tweet",
    "platform_length",
    "strip_urls",
    "twitter_length",
    "utf8_length",
]

# --------------------------------------------------------------------------- twitter config


@dataclass(frozen=True)
class TwitterConfig:
    """The numbers of a twitter-text configuration (v2 and v3 differ only in emoji)."""

    version: int
    max_weighted_length: int = 280
    scale: int = 100
    default_weight: int = 200
    transformed_url_length: int = 23
    emoji_parsing: bool = True
    # (first, last, weight) code point ranges, inclusive; anything else weighs default_weight
    ranges: tuple[tuple[int, int, int], ...] = (
        (0, 4351, 100),
        (8192, 8205, 100),
        (8208, 8223, 100),
        (8242, 8247, 100),
    )

    @cached_property
    def light(self) -> re.Pattern[str]:
        """The cheaper-weight characters as one regex, to count them in one C-level pass."""
        ranges = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b, w in self.ranges if w == self.scale)
        return re.compile(f"[{ranges}]+")


# Figures from twitter-text's config/v3.json and v2.json (the 3.1.0 release).
TWITTER_V3 = TwitterConfig(version=3, emoji_parsing=True)
TWITTER_V2 = TwitterConfig(version=2, emoji_parsing=False)


# ------------------------------------------------------------------------------- URLs

# Character classes of twitter-text's URL grammar (its regex "validUrl"), written afresh.
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$\"`"
_SPACES = r"\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = r"\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}\\x00-\\x08\\x0e-\\x1f]"
_LABEL = f"{_DOMAIN_CHAR}++(?:[-_]+{_DOMAIN_CHAR}++)*+"  # possessive: no backtracking
_CANDIDATE = _lazy(
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
_TAIL = _lazy(rf"(?::[0-9]+)?(?P<path>/{_PATH}*)?(?:\?{_QUERY_CHAR}*{_QUERY_END})?")
_TCO = _lazy(
    rf"[hH][tT][tT][pP][sS]?://[tT]\.[cC][oO]/([a-zA-Z0-9]+)(?:\?{_QUERY_CHAR}*{_QUERY_END})?"
)
_AFTER_TLD = re.compile(r"[0-9a-z@+\-]", re.IGNORECASE)
_PUNYCODE = re.compile(r"xn--[\-0-9a-z]+", re.IGNORECASE)
_ASCII_DOMAIN = _lazy(rf"(?:[\-a-z0-9{_LATIN_ACCENTS}]+\.)+[^\W_]+", re.IGNORECASE)
# Every TLD starts with a letter: text without "." before a letter holds no URL.
_MAYBE_URL = re.compile(r"\.[^\W\d_]")
_GLUED_SCHEME = re.compile(r"[hH][tT][tT][pP][sS]?://\Z")
_MAX_URL_LENGTH = 4096
_MAX_LABEL_LENGTH = 63


def _is_tld(label: str) -> bool:
    label = label.lower()
    return label in TLDS or _PUNYCODE.fullmatch(label) is not None


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
    if _is_tld(label) and not (following and _AFTER_TLD.match(following)):
        return len(label)
    # "example.comてすと": a TLD may stop before a letter that cannot continue one.
    for cut in range(min(len(label) - 1, _MAX_LABEL_LENGTH), 1, -1):  # no TLD is longer
        if not _AFTER_TLD.match(label[cut]) and _is_tld(label[:cut]):
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
    if _MAYBE_URL.search(text) is None:
        return []
    return list(_find_urls(text, require_scheme))


@lru_cache(maxsize=2048)
def _find_urls(text: str, require_scheme: bool) -> tuple[tuple[int, int, str], ...]:
    # Cached: one draft's text is asked about by several rules and length counters.
    urls: list[tuple[int, int, str]] = []
    pos = 0
    while True:
        # Skip to the word holding the next "." before a letter: every URL has one, so
        # the regex need not try each word before it (the search dominates lint time).
        dot = _MAYBE_URL.search(text, pos)
        if dot is None:
            return tuple(urls)
        word = max(text.rfind(" ", pos, dot.start()), text.rfind("\n", pos, dot.start())) + 1
        match = _CANDIDATE().search(text, max(pos, word))
        if match is None:
            return tuple(urls)
        scheme = match.group("scheme") or ""
        host_start = match.start("host")
        domain_end = _domain_end(text, host_start, match.group("host"))
        if domain_end is None:
            # No start inside this host can do better (its labels are the same), so go on
            # after it, or at a scheme glued to it ("日本.中http://"): linear, not quadratic.
            glued = _GLUED_SCHEME.search(text, match.start() + 1, match.end() + 3)
            pos = glued.start() if glued else match.end()
            continue
        tail = _TAIL().match(text, domain_end)
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


# ------------------------------------------------------------------- hashtags, mentions

# twitter-text's hashtag grammar: letters and marks of any script, digits, "_" and a few
# joiners and marks used inside words (ZWNJ/ZWJ, Hebrew geresh, Japanese iteration marks,
# middle dot); at least one letter; not straight after "&" or a letter; not a URL.
_HASHTAG_EXTRA = (
    "\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c"
    "\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)
# Patterns start with the "#" or "@" itself (look-behinds after it) so that re can jump
# straight to those characters instead of trying every position.
_HASHTAG_ASCII = _lazy(r"#(?<![&\w]#)(\w++)(?!#|://)")
_LETTER = re.compile(r"[^\W\d_]")
_NOT_BEFORE_MENTION = r"a-zA-Z0-9_!#$%&*@＠"
_MENTION = _lazy(
    r"[@＠]"
    rf"(?:(?<![{_NOT_BEFORE_MENTION}].)|(?<=(?<![a-zA-Z0-9_+~.\-])rt.)|(?<=(?<![a-zA-Z0-9_+~.\-])rt:.))"
    r"([a-z0-9_]+(?:[.\-]+[a-z0-9_]+)*)"
    r"(?:@([a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)+))?",
    re.IGNORECASE,
)
_AFTER_MENTION = _lazy(rf"[@＠{_LATIN_ACCENTS}]|://")


def find_hashtags(text: str) -> list[tuple[int, int, str]]:
    """Hashtags as ``(start, end, tag)``; *tag* is without the ``#``; ``#1`` is no tag.

    The span covers the ``#``. A hashtag needs a letter and may hold letters, digits and
    ``_``; it cannot start inside a word (``a#b``) or right after ``&`` (``&#39;``).
    """
    if "#" not in text and "＃" not in text:
        return []
    pattern = _HASHTAG_ASCII() if text.isascii() else _patterns()["hashtag"]
    urls = find_urls(text)
    found = []
    for match in pattern.finditer(text):
        tag = match.group(1)
        if not _LETTER.search(tag) or any(s <= match.start() < e for s, e, _ in urls):
            continue
        found.append((match.start(), match.end(), tag))
    return found


def find_mentions(text: str) -> list[tuple[int, int, str]]:
    """Mentions as ``(start, end, handle)``; *handle* is without the leading ``@``.

    Both ``@user`` and fediverse ``@user@example.social`` are found; for the latter the
    handle is ``user@example.social``. An e-mail address (``me@example.com``) is not a
    mention: the ``@`` must not follow a letter or digit.
    """
    if "@" not in text and "＠" not in text:
        return []
    found = []
    for match in _MENTION().finditer(text):
        if _AFTER_MENTION().match(text, match.end()):
            continue  # "@_@", "@http://", "@aliceìnheiro": not a handle
        user, domain = match.group(1), match.group(2)
        handle = f"{user}@{domain}" if domain else user
        found.append((match.start(), match.end(), handle))
    return found


# ------------------------------------------------------------------- graphemes, emoji


@cache
def _patterns() -> dict[str, Any]:
    import regex

    mod = "[\U0001f3fb-\U0001f3ff]"
    element = rf"\p{{Extended_Pictographic}}(?:\ufe0f|{mod})?"
    # An emoji sequence: keycap, flag, tag sequence (subdivision flags), or pictographs
    # joined by ZWJ. A text-style pictograph alone (© ™ ↔) counts only with U+FE0F after
    # it or when it has emoji presentation by default.
    emoji = (
        r"[#*0-9]\ufe0f?\u20e3"
        r"|\p{Regional_Indicator}{2}"
        r"|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
        rf"|(?:\p{{Emoji_Presentation}}|\p{{Extended_Pictographic}}(?=[\ufe0f\u200d]|{mod}))"
        rf"(?:\ufe0f|{mod})?(?:\u200d{element})*"
        r"|\p{Regional_Indicator}"
    )
    word = rf"[\p{{L}}\p{{M}}\p{{Nd}}_{_HASHTAG_EXTRA}]"
    hashtag = (
        rf"[#＃](?<![&\p{{L}}\p{{Nd}}_{_HASHTAG_EXTRA}].)(?<!(?![\ufe0e\ufe0f])\p{{M}}.)"
        rf"(?![\ufe0f\u20e3])({word}++)(?![#＃]|://)"
    )
    return {
        "hashtag": regex.compile(hashtag),
        "grapheme": regex.compile(r"\X"),
        "emoji": regex.compile(emoji),
        "emoji_full": regex.compile(rf"(?:{emoji})\Z"),
    }


def graphemes(text: str) -> int:
    """Extended grapheme clusters (what a reader sees as one character), current Unicode.

    ``"👨‍👩‍👧‍👧"`` is 1, ``"नमस्ते"`` is 3. This is Bluesky's and Mastodon's unit.
    """
    if text.isascii():
        return len(text) - text.count("\r\n")  # CR LF is one cluster
    return len(_patterns()["grapheme"].findall(text))


def utf8_length(text: str) -> int:
    """Bytes of *text* in UTF-8 (Bluesky's second limit; its facets count bytes too)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def find_emoji(text: str) -> list[tuple[int, int, str]]:
    """Emoji sequences as ``(start, end, emoji)``: each ZWJ family, flag, keycap is one."""
    if text.isascii() and "\u20e3" not in text:
        return []
    return [(m.start(), m.end(), m.group()) for m in _patterns()["emoji"].finditer(text)]


def emoji_count(text: str) -> int:
    """How many emoji sequences *text* holds (``"🔥🔥🔥"`` is 3, a family is 1)."""
    if text.isascii():
        return 0
    return len(_patterns()["emoji"].findall(text))


def is_emoji(cluster: str) -> bool:
    """Whether *cluster* (e.g. one grapheme cluster) is exactly one emoji sequence."""
    if not cluster or cluster.isascii():
        return False
    return _patterns()["emoji_full"].match(cluster) is not None


# ------------------------------------------------------------------ weighted lengths


@dataclass(frozen=True)
class TweetLength:
    """twitter-text's ``parseTweet`` result. Ranges are inclusive UTF-16 indices."""

    weighted_length: int
    valid: bool
    permillage: int
    display_range_start: int
    display_range_end: int
    valid_range_start: int
    valid_range_end: int


_INVALID_RE = re.compile(f"[{_INVALID}]")


def _utf16_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


def _entities(text: str, config: TwitterConfig) -> list[tuple[int, int, int]]:
    """(start, end, weight) of each URL and emoji sequence, by start, not overlapping."""
    urls = find_urls(text)
    spans = [(s, e, config.transformed_url_length * config.scale) for s, e, _ in urls]
    if config.emoji_parsing:
        emoji = find_emoji(text)
        if emoji:
            taken = [(s, e) for s, e, _ in spans]
            for start, end, _ in emoji:
                if not any(s <= start < e for s, e in taken):
                    spans.append((start, end, config.default_weight))
            spans.sort()
    return spans


def _plain_weight(text: str, config: TwitterConfig) -> int:
    if text.isascii():
        return len(text) * config.scale
    light = len(text) - len(config.light.sub("", text))
    return light * config.scale + (len(text) - light) * config.default_weight


def _scaled_weight(text: str, config: TwitterConfig) -> tuple[int, list[tuple[int, int, int]]]:
    spans = _entities(text, config)
    total = 0
    last = 0
    for start, end, weight in spans:
        total += _plain_weight(text[last:start], config) + weight
        last = end
    total += _plain_weight(text[last:], config)
    return total, spans


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def twitter_length(text: str, config: TwitterConfig = TWITTER_V3) -> int:
    """X's weighted length of *text* (twitter-text ``weightedLength``); the limit is 280."""
    total, _ = _scaled_weight(_nfc(text), config)
    return total // config.scale


def _char_weight(char: str, config: TwitterConfig) -> int:
    code = ord(char)
    for first, last, weight in config.ranges:
        if first <= code <= last:
            return weight
    return config.default_weight


def parse_tweet(text: str, config: TwitterConfig = TWITTER_V3) -> TweetLength:
    """Every field of twitter-text's ``parseTweet`` for *text*, per *config*."""
    normal = _nfc(text)
    total, spans = _scaled_weight(normal, config)
    weighted = total // config.scale
    has_invalid = _INVALID_RE.search(normal) is not None
    max_scaled = config.max_weighted_length * config.scale
    display_end = max(_utf16_length(text) - 1, 0)
    if not has_invalid and total <= max_scaled:
        valid_end = display_end
    else:
        valid_end = _valid_end(normal, spans, config) + _utf16_length(text) - _utf16_length(normal)
    valid = not has_invalid and 0 < total <= max_scaled
    return TweetLength(
        weighted_length=weighted,
        valid=valid,
        permillage=weighted * 1000 // config.max_weighted_length,
        display_range_start=0,
        display_range_end=display_end,
        valid_range_start=0,
        valid_range_end=valid_end,
    )


def _valid_end(text: str, spans: list[tuple[int, int, int]], config: TwitterConfig) -> int:
    """The UTF-16 index of the last unit that still fits: walk the text as twitter-text does."""
    entity_at = {start: (end, weight) for start, end, weight in spans}
    max_scaled = config.max_weighted_length * config.scale
    total = 0
    index16 = 0  # UTF-16 index of the current position
    last_ok = 0
    valid = True
    i = 0
    while i < len(text):
        if i in entity_at:
            end, weight = entity_at[i]
            piece = text[i:end]
            total += weight
        else:
            end = i + 1
            piece = text[i]
            total += _char_weight(piece, config)
        last_unit = index16 + _utf16_length(piece) - 1
        # twitter-text checks only the last UTF-16 unit of each step; a low surrogate
        # is never invalid, so checking the last code point is the same.
        valid = valid and piece[-1] not in _INVALID
        if valid and total <= max_scaled:
            last_ok = last_unit
        index16 = last_unit + 1
        i = end
    return last_ok


def mastodon_length(text: str, url_length: int = 23) -> int:
    """Mastodon's count: graphemes, each URL with a scheme as *url_length*, and a mention
    ``@user@domain`` as ``@user``."""
    if "://" not in text and "@" not in text:
        return graphemes(text)
    urls = find_urls(text, require_scheme=True)
    cut: list[tuple[int, int, int]] = [(s, e, url_length) for s, e, _ in urls]
    for start, end, handle in find_mentions(text):
        if "@" in handle and not any(s <= start < e for s, e, _ in cut):
            cut.append((start, end, graphemes("@" + handle.split("@", 1)[0])))
    if not cut:
        return graphemes(text)
    cut.sort()
    total = 0
    last = 0
    for start, end, count in cut:
        total += graphemes(text[last:start]) + count
        last = end
    return total + graphemes(text[last:])


def surely_fits(text: str, caps: Capabilities) -> bool:
    """Whether *text* is certainly within every limit of *caps*, judged without counting.

    On ASCII text each count :func:`platform_length` gives is at most one per character
    plus, per link, what a link counts as; every link holds a ".", so the dots bound the
    links. Most posts are settled by this sum. False means "count it", not "too long".
    """
    if not text.isascii():
        return False
    per_link = max(caps.url_length or 23, TWITTER_V3.transformed_url_length)
    bound = len(text) + per_link * text.count(".")
    return (caps.max_length is None or bound <= caps.max_length) and (
        caps.max_bytes is None or bound <= caps.max_bytes
    )


def platform_length(text: str, caps: Capabilities) -> list[tuple[str, int, int]]:
    """``(unit, count, limit)`` for every length limit *caps* declares for *text*.

    Units: ``"weighted characters"`` (X), ``"characters"`` (Mastodon: graphemes with its
    URL and mention rules), ``"graphemes"`` and ``"bytes"`` (Bluesky), and for every other
    network ``"characters"`` counted as Unicode code points. An empty list: no limit.
    """
    out: list[tuple[str, int, int]] = []
    if caps.max_length is not None:
        if caps.counting == "twitter":
            out.append(("weighted characters", twitter_length(text), caps.max_length))
        elif caps.counting == "mastodon":
            count = mastodon_length(text, caps.url_length or 23)
            out.append(("characters", count, caps.max_length))
        elif caps.counting == "bluesky":
            out.append(("graphemes", graphemes(text), caps.max_length))
        else:
            out.append(("characters", len(text), caps.max_length))
    if caps.max_bytes is not None:
        out.append(("bytes", utf8_length(text), caps.max_bytes))
    return out
