"""Hashtags, mentions, grapheme clusters and emoji in post text.

The heavy ``regex`` module (for ``\\X`` and Unicode emoji properties) is imported on first
use; plain ASCII text never needs it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from soulpost.text.lazyre import lazy
from soulpost.text.urls import _LATIN_ACCENTS, find_urls

# twitter-text's hashtag grammar: letters and marks of any script, digits, "_" and a few
# joiners and marks used inside words (ZWNJ/ZWJ, Hebrew geresh, Japanese iteration marks,
# middle dot); at least one letter; not straight after "&" or a letter; not a URL.
_HASHTAG_EXTRA = (
    "\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c"
    "\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)
# Patterns start with the "#" or "@" itself (look-behinds after it) so that re can jump
# straight to those characters instead of trying every position.
_HASHTAG_ASCII = lazy(r"#(?<![&\w]#)(\w++)(?!#|://)")
_letter = lazy(r"[^\W\d_]")
_NOT_BEFORE_MENTION = r"a-zA-Z0-9_!#$%&*@＠"
_MENTION = lazy(
    r"[@＠]"
    rf"(?:(?<![{_NOT_BEFORE_MENTION}].)|(?<=(?<![a-zA-Z0-9_+~.\-])rt.)|(?<=(?<![a-zA-Z0-9_+~.\-])rt:.))"
    r"([a-z0-9_]+(?:[.\-]+[a-z0-9_]+)*)"
    r"(?:@([a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)+))?",
    re.IGNORECASE,
)
_AFTER_MENTION = lazy(rf"[@＠{_LATIN_ACCENTS}]|://")


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
        if not _letter().search(tag) or any(s <= match.start() < e for s, e, _ in urls):
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
