"""Shortcuts around patterns (trying one only where a match can begin, counting words
without one) find what the pattern finds.

:func:`soulpost.lint.draft.first_match` stands in for ``search`` in the promotional
classifier: a finding that moved, or a post classified differently, would change the
output. Compared on real posts (the judgment corpus's development part) and on random
texts built from the pieces that matter to the pattern, in the case-insensitive general
form and the ASCII lower-case form alike.
"""

from __future__ import annotations

import random
import re

import pytest

from soulpost.lint import draft
from tests.test_lint_searches import corpus_texts

_PROMO_PIECES = [
    "$", "20", "9.99", "٣", "EUR", "%", "% OFF", "off", "half", "-", " ", "price", "Discount",
    "coupon", "promo code", "Promo-Code", "voucher", "flash sale", "on sale", "sale ends",
    "go ", "still ", "money back", "free trial", "Pre-order", "preorder", "buy", "Order",
    "shop", "purchase", "subscribe", "upgrade", "book", "register", "now", "today", "HERE",
    "sign up", "signup", "sign-up", "at", "get yours", "DM", "message", "me", "us", "for",
    "pricing", "a quote", "link in bio", "and ", "then ", "so ", "just ", "please ", "?",
    ", pay later", "_", "x", "\n", ".", "ſhop", "ſign up", "BOOK", "é", "ñ",
]  # fmt: skip


def _texts(pieces: list[str], seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 14))) for _ in range(20000)]


def _span(found: re.Match[str] | None) -> tuple[int, int] | None:
    return None if found is None else found.span()


@pytest.mark.parametrize(
    ("pattern", "starts", "lower_pattern", "lower_starts", "pieces"),
    [
        ("PROMOTIONAL", "PROMO_STARTS", "PROMOTIONAL_ASCII_LOWER", "PROMO_STARTS_ASCII_LOWER",
         _PROMO_PIECES),
    ],
)  # fmt: skip
def test_first_match_finds_what_search_finds(
    pattern: str, starts: str, lower_pattern: str, lower_starts: str, pieces: list[str]
) -> None:
    general, begin = getattr(draft, pattern), getattr(draft, starts)
    fast, fast_begin = getattr(draft, lower_pattern), getattr(draft, lower_starts)
    hits = 0
    for text in corpus_texts() + _texts(pieces, seed=len(pieces)):
        expected = _span(general.search(text))
        hits += expected is not None
        assert _span(draft.first_match(general, begin, text)) == expected, text
        if text.isascii():
            lowered = text.lower()
            expected = _span(fast.search(lowered))
            assert _span(draft.first_match(fast, fast_begin, lowered)) == expected, text
    assert hits > 1000  # the texts do exercise the patterns


def test_ascii_word_count_with_joiners_matches_word() -> None:
    """Segment.words counts ASCII texts holding ' or - without the pattern."""
    from soulpost.lint.draft import WORD, Segment

    pieces = ["a", "Bc", "9", "_", " ", ".", "\n", "x_y", "#t", "a.co", "!", "12a", "'", "-"]
    pieces += ["''", "--", "-'", "week's", "add-on", "'s", "a-", "-a", "é"]
    joined = 0
    for text in corpus_texts() + _texts(pieces, seed=7):
        segment = Segment(("text",), text, ("x",))
        assert segment.words == len(WORD.findall(segment.plain)), text
        joined += text.isascii() and draft.ascii_joins(segment.plain) > 0
    assert joined > 1000  # the joined words were counted without the pattern


def test_without_quotes_ascii_shortcut_blanks_what_the_pattern_blanks() -> None:
    from soulpost.lint.draft import QUOTED, without_quotes

    def blanked(text: str) -> str:
        return QUOTED.sub(lambda m: (g := m.group(0))[0] + "_" * (len(g) - 2) + g[-1], text)

    pieces = ["a", " ", '"', "`", "```", "“", "”", "„", "«", "»", "‹", "›", "\n", "b c", "'"]
    for text in corpus_texts() + _texts(pieces, seed=11):
        assert without_quotes(text) == blanked(text), text


def test_segments_of_a_post_without_variants_are_those_of_the_general_walk() -> None:
    """A post whose only variant says nothing takes the general walk over variants; the
    same post without it takes the shortcut: both must give the same segments."""
    from datetime import UTC, datetime

    from soulpost.lint.draft import Draft
    from soulpost.posts import Post

    rng = random.Random(13)
    context = {"platforms": {"mastodon", "bluesky", "x"}, "default_platforms": ["mastodon"]}
    for _ in range(300):
        data: dict[str, object] = {
            "id": "p",
            "text": rng.choice(["Hello", "  ", "Two words"]),
            "platforms": rng.sample(["mastodon", "bluesky"], rng.randint(1, 2)),
            "media": [{"path": "a.png"}],
        }
        if rng.random() < 0.5:
            data["thread"] = rng.sample(["b", "c", " ", "d"], rng.randint(0, 3))
        if rng.random() < 0.5:
            data["first_comment"] = rng.choice(["", " ", "see the notes"])
        plain = Post.model_validate(data, context=context)
        walked = Post.model_validate({**data, "variants": {"x": {}}}, context=context)
        now = datetime(2026, 12, 1, tzinfo=UTC)
        expected = Draft(walked, {}, None, now).segments  # type: ignore[arg-type]
        assert Draft(plain, {}, None, now).segments == expected, data  # type: ignore[arg-type]
