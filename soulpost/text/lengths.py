"""The length each network counts: X's weighted length (twitter-text v3), Mastodon's,
Bluesky's graphemes and bytes, and code points for the rest (see ``docs/counting.md``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING

from soulpost.text.lazyre import lazy
from soulpost.text.tokens import find_emoji, find_mentions, graphemes, utf8_length
from soulpost.text.urls import _INVALID, find_mastodon_urls, find_urls

if TYPE_CHECKING:
    from soulpost.platforms import Capabilities


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


_invalid_re = lazy(f"[{_INVALID}]")


def _utf16_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


@cache
def _twemoji() -> tuple[frozenset[str], int]:
    """The sequences twitter-text 3.1.0 counts as one emoji, and the longest's length."""
    from soulpost.text._twemoji import SEQUENCES

    known = frozenset(
        "".join(chr(int(code, 16)) for code in row.split())
        for row in "".join(SEQUENCES).split(";")
        if row
    )
    return known, max(map(len, known))


def twitter_emoji(text: str) -> list[tuple[int, int]]:
    """(start, end) of each emoji twitter-text 3.1.0 counts as one unit.

    Its emoji data (twemoji-parser 11) predates every emoji since, so a sequence it does not
    know is cut into the longest pieces it does know, and what is left counts code point by
    code point: ``"🧑‍🤝‍🧑"`` (Emoji 12) is three emoji and two joiners, 8, not 2 (issue 11).
    A single code point weighs the same either way, so only sequences need the data."""
    emoji = find_emoji(text)
    if not emoji:
        return []
    known, longest = _twemoji()
    spans = []
    for start, end, _ in emoji:
        i = start
        while i < end:
            for size in range(min(longest, end - i), 1, -1):
                if text[i : i + size] in known:
                    spans.append((i, i + size))
                    i += size
                    break
            else:
                i += 1  # weighed as a plain character: an emoji alone weighs the same
    return spans


def _entities(text: str, config: TwitterConfig) -> list[tuple[int, int, int]]:
    """(start, end, weight) of each URL and emoji sequence, by start, not overlapping."""
    urls = find_urls(text)
    spans = [(s, e, config.transformed_url_length * config.scale) for s, e, _ in urls]
    if config.emoji_parsing:
        emoji = twitter_emoji(text)
        if emoji:
            taken = [(s, e) for s, e, _ in spans]
            for start, end in emoji:
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
    has_invalid = _invalid_re().search(normal) is not None
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
    urls = find_mastodon_urls(text)
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


def threads_length(text: str) -> int:
    """Threads' count: graphemes, except that an emoji counts as its UTF-8 bytes (Meta's
    "Threads Posts" guide: 500 characters, "emojis are counted as the number of UTF-8
    bytes"), so one 🔥 is 4 and a family emoji 25."""
    emoji = find_emoji(text)
    if not emoji:
        return graphemes(text)
    return graphemes(text) + sum(utf8_length(e) - 1 for _, _, e in emoji)


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
        elif caps.counting == "threads":
            out.append(("characters", threads_length(text), caps.max_length))
        elif caps.counting == "bluesky":
            out.append(("graphemes", graphemes(text), caps.max_length))
        else:
            out.append(("characters", len(text), caps.max_length))
    if caps.max_bytes is not None:
        out.append(("bytes", utf8_length(text), caps.max_bytes))
    return out
