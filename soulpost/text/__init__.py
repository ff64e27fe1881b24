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

The work is split by what it finds: :mod:`.urls`, :mod:`.tokens` (hashtags, mentions,
graphemes, emoji) and :mod:`.lengths` (what each network counts); this package gives all
of it under one name.
"""

from __future__ import annotations

from soulpost.text.lengths import (
    TWITTER_V2,
    TWITTER_V3,
    TweetLength,
    TwitterConfig,
    mastodon_length,
    parse_tweet,
    platform_length,
    surely_fits,
    twitter_length,
)
from soulpost.text.tokens import (
    emoji_count,
    find_emoji,
    find_hashtags,
    find_mentions,
    graphemes,
    is_emoji,
    utf8_length,
)
from soulpost.text.urls import find_urls, strip_urls

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
    "surely_fits",
    "twitter_length",
    "utf8_length",
]
