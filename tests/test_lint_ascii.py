"""The byte-table fast paths give the strings ``str.translate`` gives, on any ASCII text."""

from __future__ import annotations

import random

from soulpost.lint.builtin.queue import _PUNCTUATION, _PUNCTUATION_BYTES
from soulpost.lint.draft import _ASCII_GAPS, _ASCII_GAPS_BYTES, translate_ascii


def test_translate_ascii_matches_str_translate() -> None:
    rng = random.Random(3)
    texts = ["", "Hello, world! It's 9:30 -- #launch @you", "".join(map(chr, range(128)))]
    texts += [
        "".join(chr(rng.randrange(128)) for _ in range(rng.randint(0, 40))) for _ in range(3000)
    ]
    for text in texts:
        assert translate_ascii(text, _ASCII_GAPS_BYTES) == text.translate(_ASCII_GAPS)
        assert translate_ascii(text, _PUNCTUATION_BYTES) == text.translate(_PUNCTUATION)
