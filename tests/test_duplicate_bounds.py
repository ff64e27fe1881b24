"""duplicate-post's cheap bound never turns away a pair the full comparison accepts."""

from __future__ import annotations

import random

from soulpost.lint.builtin.alike import close as _close
from soulpost.lint.builtin.alike import may_be_close as _may_be_close
from soulpost.lint.builtin.queue import _BITS


def _shape(key: str) -> tuple[int, int, int]:
    words = key.split()
    mask = 0
    for word in set(words):
        mask |= 1 << (hash(word) & _BITS)
    return len(words), len(set(words)), mask


def test_bound_keeps_every_close_pair() -> None:
    rng = random.Random(9)
    vocabulary = [f"w{i}" for i in range(40)]
    kept = rejected = 0
    for _ in range(20000):
        a = rng.choices(vocabulary, k=rng.randint(0, 25))
        b = list(a)
        for _change in range(rng.randint(0, 8)):
            if b and rng.random() < 0.5:
                b.pop(rng.randrange(len(b)))
            else:
                b.insert(rng.randint(0, len(b)), rng.choice(vocabulary))
        key_a, key_b = " ".join(a), " ".join(b)
        for similarity in (0.5, 0.85, 0.95):
            if _close(key_a, key_b, similarity):
                assert _may_be_close(_shape(key_a), _shape(key_b), similarity)
                kept += 1
            elif not _may_be_close(_shape(key_a), _shape(key_b), similarity):
                rejected += 1
    assert kept > 1000
    assert rejected > 1000  # and it does rule pairs out


def test_matched_words_are_difflibs() -> None:
    """_matched counts what difflib's SequenceMatcher matches, word for word: random texts
    from small vocabularies (many repeats, many equally long blocks to choose between)."""
    import difflib

    from soulpost.lint.builtin.alike import matched as _matched

    rng = random.Random(12)
    differ = 0
    for _ in range(20000):
        vocabulary = [f"w{i}" for i in range(rng.randint(1, 12))]
        a = rng.choices(vocabulary, k=rng.randint(0, 40))
        if rng.random() < 0.5:  # a near copy, as duplicate-post compares
            b = list(a)
            for _change in range(rng.randint(0, 6)):
                b.insert(rng.randint(0, len(b)), rng.choice(vocabulary))
                if b and rng.random() < 0.5:
                    b.pop(rng.randrange(len(b)))
        else:
            b = rng.choices(vocabulary, k=rng.randint(0, 40))
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        blocks = sum(block.size for block in matcher.get_matching_blocks())
        assert _matched(a, b) == blocks, (a, b)
        differ += blocks < min(len(a), len(b))
    assert differ > 5000
