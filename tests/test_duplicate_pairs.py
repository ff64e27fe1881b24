"""duplicate-post's pass over the whole queue pairs what the pair-by-pair test pairs.

``DuplicatePost._neighbours`` writes :meth:`~DuplicatePost._qualifies` out for a pass over
every post (platforms and series worked out once for all) and skips a pair whose later
post has its partner already; on random queues with near and exact repeats, shared and
disjoint platforms and series, it must find the pairs the plain loop below finds.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from soulpost.lint.builtin.queue import DuplicatePost, _Columns, _shape
from soulpost.lint.examples import example_settings
from soulpost.lint.registry import load_registry
from soulpost.lint.select import configure


def _rule(similarity: float) -> DuplicatePost:
    settings = example_settings()
    settings.lint.options["duplicate-post"] = {"similarity": similarity}
    ruleset = configure(load_registry(None), settings.lint)
    rule = next(r for r in ruleset.queue_rules if isinstance(r, DuplicatePost))
    rule.set_up()
    return rule


class _Text:
    """What _shape reads of a draft: its text, and a place for what it keeps."""

    def __init__(self, text: str) -> None:
        self.post = self
        self.text = text


def _columns(rng: random.Random, count: int) -> _Columns:
    vocabulary = [f"w{i}" for i in range(12)]
    keys: list[str] = []
    for _ in range(count):
        if keys and rng.random() < 0.6:  # a repeat of an earlier text, maybe changed
            words = rng.choice(keys).split()
            for _change in range(rng.choice((0, 0, 1, 1, 2, 4))):
                words.insert(rng.randint(0, len(words)), rng.choice(vocabulary))
        else:
            words = rng.choices(vocabulary, k=rng.randint(0, 14))
        keys.append(" ".join(words))
    ids = [
        f"p{rng.randint(0, 3)}@2027-01-0{rng.randint(1, 3)}" if rng.random() < 0.3 else f"p{i}"
        for i in range(count)
    ]
    orders = [(rng.random() < 0.1, float(rng.randint(0, 5)), ids[i]) for i in range(count)]
    platforms = [rng.sample(["x", "mastodon", "bluesky"], rng.randint(1, 2)) for _ in keys]
    shapes = [_shape(_Text(key)) for key in keys]  # type: ignore[arg-type]
    return _Columns(keys, orders, platforms, shapes, ids)


def _reference(rule: DuplicatePost, columns: _Columns) -> dict[int, tuple[int, bool]]:
    """The pairs as the plain loop finds them: every neighbouring pair asked."""
    rows = sorted(zip(columns.keys, columns.orders, range(len(columns.keys)), strict=True))
    passes: list[list[Any]] = [rows]
    if rule.similarity < 1:
        passes.append(sorted((key[::-1], order, i) for key, order, i in rows))
    pairs: dict[int, tuple[int, bool]] = {}
    for one in passes:
        for (key_a, order_a, a), (key_b, order_b, b) in itertools.pairwise(one):
            exact = rule._qualifies(key_a, key_b, a, b, columns)
            if exact is None:
                continue
            first, second = (a, b) if order_a <= order_b else (b, a)
            if second not in pairs:
                pairs[second] = (first, exact)
    return pairs


@pytest.mark.parametrize("similarity", [0.6, 0.85, 1.0])
def test_whole_queue_pass_pairs_as_the_plain_loop(similarity: float) -> None:
    rule = _rule(similarity)
    rng = random.Random(int(similarity * 100))
    near = exact = 0
    for _ in range(300):
        columns = _columns(rng, rng.randint(2, 40))
        found = rule._pairs(columns)
        assert found == _reference(rule, _columns_again(columns))
        near += sum(not same for _earlier, same in found.values())
        exact += sum(same for _earlier, same in found.values())
    assert exact > 100
    assert near > 100 or similarity == 1.0


def _columns_again(columns: _Columns) -> _Columns:
    """The same queue with nothing worked out yet."""
    return _Columns(
        columns.keys, columns.orders, columns.platform_lists, columns.shapes, columns.ids
    )
