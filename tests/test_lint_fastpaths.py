"""The ASCII fast paths of the linter find exactly what the general patterns find."""

from __future__ import annotations

import random
import re

import pytest

from soulpost.lint.builtin.content import _WE, _WE_ASCII_LOWER
from soulpost.lint.draft import (
    INVITES_REPLY,
    INVITES_REPLY_ASCII_LOWER,
    PROMOTIONAL,
    PROMOTIONAL_ASCII_LOWER,
)

_PROMO_PIECES = [
    "$", "$ ", "20", "9.99", "3,5", "EUR", "euros", "USD", "Dollars", "gbp", "pound", "%",
    "% OFF", "off", "half", "-", " ", "price", "Discount", "coupon", "promo code", "Promo-Code",
    "voucher", "flash sale", "on sale", "sale ends", "money back", "free trial", "Pre-order",
    "preorder", "buy", "Order", "shop", "purchase", "subscribe", "upgrade", "book", "register",
    "now", "today", "HERE", "sign up", "signup", "sign-up", "at", "get yours", "DM", "message",
    "me", "us", "for", "details", "pricing", "a quote", "link in bio", "_", "x", "\n", ".",
]  # fmt: skip
_WE_PIECES = ["we", "We", "WE", "our", "Ours", "us", "US", "'", " ", "_", "-", "re", "d",
              "ve", "ll", "s", "x", "1", "\n", ".", "were", "usa"]  # fmt: skip
_INVITE_PIECES = ["?", "Let", "me", "US", "know", "tell", "reply", "Replies", "share", "your",
                  "thoughts", "we'd", "wed", "love", "to", "hear", "what", "do", "you", "think",
                  "hit", "drop", "a", "comment", "note", " ", "  ", "'", "_", "x"]  # fmt: skip


def _texts(pieces: list[str], seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 14))) for _ in range(20000)]


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    ("general", "fast", "pieces"),
    [
        (PROMOTIONAL, PROMOTIONAL_ASCII_LOWER, _PROMO_PIECES),
        (_WE, _WE_ASCII_LOWER, _WE_PIECES),
        (INVITES_REPLY, INVITES_REPLY_ASCII_LOWER, _INVITE_PIECES),
    ],
)
def test_ascii_fast_path_finds_the_same_spans(
    general: re.Pattern[str], fast: re.Pattern[str], pieces: list[str]
) -> None:
    for text in _texts(pieces, seed=len(pieces)):
        assert text.isascii()
        assert _spans(fast, text.lower()) == _spans(general, text), text


def test_ascii_word_count_without_joiners_matches_word() -> None:
    from soulpost.lint.draft import WORD, Segment

    pieces = ["a", "Bc", "9", "_", " ", ".", "\n", "x_y", "#t", "@u", "a.co", "!", ",", "12a"]
    for text in _texts(pieces, seed=3):
        segment = Segment(("text",), text, ("x",))
        assert segment.words == len(WORD.findall(segment.plain)), text
