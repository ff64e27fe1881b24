"""Reusable rule kinds: the building blocks a rule pack (``rules/*.toml``) instantiates.

=================  ==========================================================================
kind               what it checks
=================  ==========================================================================
``phrases``        listed phrases or patterns appear (optionally: at least N distinct ones,
                   only in short posts)
``capitals``       words written in capitals, outside an allow-list of acronyms
``punctuation``    runs of ``!`` and ``?`` such as ``!!!`` or ``?!``
``count``          more hashtags, exclamation marks, emoji, links or mentions than allowed
``queue-share``    across the queue, per platform, over a rolling window: the share of posts
                   with a property (promotional, invites a reply) above or below a limit
``spacing``        across the queue: more posts on one platform within a span than allowed
=================  ==========================================================================

Each kind compiles what it needs once, in :meth:`Rule.setup`, so checking a post is a few
regular-expression scans. The kinds live by what they look at: :mod:`.phrases` (with the
regular-expression helpers and the time bound on a pack's patterns in :mod:`.patterns`),
:mod:`.style` (how a text looks) and :mod:`.queue` (the queue as a whole).
"""

from __future__ import annotations

from soulpost.lint.kinds.gatewords import pattern_words
from soulpost.lint.kinds.patterns import (
    PATTERN_TIMEOUT,
    STRIKES,
    phrase_regex,
)
from soulpost.lint.kinds.phrases import Phrases, PhrasesOptions
from soulpost.lint.kinds.queue import QueueShare, QueueShareOptions, Spacing, SpacingOptions
from soulpost.lint.kinds.style import (
    Capitals,
    CapitalsOptions,
    Count,
    CountOptions,
    Punctuation,
    PunctuationOptions,
)
from soulpost.lint.rule import Rule

KINDS: dict[str, type[Rule]] = {
    cls.kind: cls for cls in (Phrases, Capitals, Punctuation, Count, QueueShare, Spacing)
}

__all__ = [
    "KINDS",
    "PATTERN_TIMEOUT",
    "STRIKES",
    "Capitals",
    "CapitalsOptions",
    "Count",
    "CountOptions",
    "Phrases",
    "PhrasesOptions",
    "Punctuation",
    "PunctuationOptions",
    "QueueShare",
    "QueueShareOptions",
    "Spacing",
    "SpacingOptions",
    "pattern_words",
    "phrase_regex",
]
