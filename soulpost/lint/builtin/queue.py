"""Queue hygiene that needs code: the same text queued twice."""

from __future__ import annotations

import bisect
import itertools
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import Field

from soulpost.lint.builtin.alike import close as _close
from soulpost.lint.builtin.alike import may_be_close as _may_be_close
from soulpost.lint.draft import ascii_table, translate_ascii
from soulpost.lint.rule import Hit, QueueRule, RuleOptions
from soulpost.series import series_of

if TYPE_CHECKING:
    from soulpost.lint.cachestate import StateView
    from soulpost.lint.draft import Draft, QueueView


_T = TypeVar("_T")


class DuplicateOptions(RuleOptions):
    similarity: float = Field(
        0.85, gt=0, le=1, description="how alike two texts' words must be (1.0: identical)"
    )


_PUNCTUATION = str.maketrans(dict.fromkeys("!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'’“”‘…–—", " "))
_PUNCTUATION_BYTES = ascii_table(_PUNCTUATION)


_KEY = "duplicate_post_key"  # where prepare() leaves each draft's key


def _key(draft: Draft) -> str:
    """The post's words, lower-cased, without punctuation: what makes two texts "the same"."""
    cached: str | None = draft.__dict__.get(_KEY)
    if cached is None:
        cached = draft.__dict__[_KEY] = " ".join(
            draft.post.text.lower().translate(_PUNCTUATION).split()
        )
    return cached


_SHAPE = "duplicate_post_shape"  # and its shape (see _shape)
_BITS = 255  # a key's distinct words, hashed into a 256-bit mask
_BIT = [1 << i for i in range(_BITS + 1)]
# Each word's bit, found once per process: queues reuse most of their words.
_WORD_BITS: dict[str, int] = {}


def _word_bit(word: str) -> int:
    """The mask bit of *word*: from CRC-32, the same in every process (``hash()`` of a
    string is salted per process), so a shape can be kept in the lint cache."""
    bit = _WORD_BITS.get(word)
    if bit is None:
        if len(_WORD_BITS) > 200_000:  # a bound on memory, whatever the queue holds
            _WORD_BITS.clear()
        bit = _WORD_BITS[word] = _BIT[zlib.crc32(word.encode("utf-8", "surrogatepass")) & _BITS]
    return bit


def _shape(draft: Draft) -> tuple[int, int, int]:
    """(words, distinct words, mask) of the post's key, where the mask has a bit set for
    each distinct word's CRC. Bits one key has and the other lacks are words of the one
    missing from the other: an upper bound on the words they share, found without
    splitting either text (see :func:`_close`). Computed in the worker that holds the
    draft, and kept with the draft's other values in the lint cache (a tuple of numbers
    that every process computes alike).
    """
    cached: tuple[int, int, int] | None = draft.__dict__.get(_SHAPE)
    if cached is None:
        lowered = draft.post.text.lower()
        if lowered.isascii():
            words = translate_ascii(lowered, _PUNCTUATION_BYTES).split()
        else:
            words = lowered.translate(_PUNCTUATION).split()
        draft.__dict__.setdefault(_KEY, " ".join(words))  # the key, from the same words
        distinct = set(words)
        bits = _WORD_BITS
        # Distinct bits added up are the bits or-ed together.
        mask = sum({bits.get(word) or _word_bit(word) for word in distinct})
        cached = draft.__dict__[_SHAPE] = (len(words), len(distinct), mask)
    return cached


def _order(draft: Draft) -> tuple[bool, float, str]:
    """Earlier first (by the instant, whatever the offset); drafts without a time last."""
    when = draft.time
    return (when is None, when.timestamp() if when is not None else 0.0, draft.id)


class DuplicatePost(QueueRule):
    code = "SP306"
    name = "duplicate-post"
    severity = "warning"
    lesson = "useful"
    summary = "The same, or nearly the same, text is queued twice for one platform."
    why = (
        "Saying the same thing twice to the same people tells them nothing new. Usually one "
        "copy is a leftover; if the repeat is on purpose, reword it for the second time."
    )
    bad = (
        'id = "one"\ntext = "Our spring workshop notes are online."\nat = 2027-04-01T09:00:00\n'
        "---\n"
        'id = "two"\ntext = "Our spring workshop notes are online!"\nat = 2027-04-08T09:00:00\n',
    )
    good = (
        'id = "one"\ntext = "Our spring workshop notes are online."\nat = 2027-04-01T09:00:00\n'
        "---\n"
        'id = "two"\ntext = "Which workshop topic should we pick for the autumn?"\n'
        "at = 2027-04-08T09:00:00\n",
    )
    Options = DuplicateOptions
    needs_whole_posts = False  # reads only the post's text, platforms, time and id
    state_loc = ("text",)  # where every hit points (see soulpost.lint.cacherules)
    message = "{how} the text of {other} (also for {platforms})"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, DuplicateOptions)
        self.similarity = opts.similarity
        # What the last run found (see state_extra): the orders of keys, and the pairs.
        self.last: tuple[list[int], list[int], dict[int, tuple[int, bool]]] = ([], [], {})

    def prepare(self, draft: Draft) -> None:
        _shape(draft)  # while the worker holding the draft has a core to itself

    def check_queue(self, queue: QueueView) -> Iterator[Hit]:
        drafts = queue.drafts
        columns = _Columns(
            [_key(d) for d in drafts],
            [_order(d) for d in drafts],
            [d.post.platforms for d in drafts],
            [_shape(d) for d in drafts],
            [d.id for d in drafts],
        )
        for later, hit in self._hits(columns, self._pairs(columns)):
            hit.post = drafts[later].post
            yield hit

    def state_row(self, draft: Draft) -> list[Any]:
        """What the rule reads of *draft* besides its id, platforms and time, as the lint
        cache keeps it for the whole queue (:mod:`soulpost.lint.cachestate`)."""
        return [_key(draft), *_shape(draft)]

    def state_extra(self) -> dict[str, list[Any]]:
        """What the last run found, for the next to start from: the posts (by index) in
        the order of their keys, forwards and backwards, and the pairs it reported."""
        forward, backward, pairs = self.last
        found = [[later, earlier, exact] for later, (earlier, exact) in pairs.items()]
        return {"forward": forward, "backward": backward, "pairs": found}

    @staticmethod
    def state_sound(rows: list[Any]) -> bool:
        """Whether kept rows have the shape :meth:`state_row` gives them (the types
        gathered in C)."""
        if not (_all(rows, list) and set(map(len, rows)) <= {4}):
            return False
        keys, words, distinct, masks = zip(*rows, strict=True) if rows else ((),) * 4
        return _all(keys, str) and _all(words + distinct + masks, int)

    def extra_sound(self, extra: object, count: int) -> bool:
        """Whether a kept extra is what :meth:`state_extra` gives for *count* posts."""
        if not isinstance(extra, dict):
            return False
        every = list(range(count))
        forward, backward, pairs = (extra.get(k) for k in ("forward", "backward", "pairs"))
        if not (isinstance(forward, list) and _all(forward, int) and sorted(forward) == every):
            return False
        wanted = every if self.similarity < 1 else []
        if not (isinstance(backward, list) and _all(backward, int) and sorted(backward) == wanted):
            return False
        if not (isinstance(pairs, list) and _all(pairs, list) and set(map(len, pairs)) <= {3}):
            return False
        later, earlier, exact = zip(*pairs, strict=True) if pairs else ((),) * 3
        ends = later + earlier
        return _all(ends, int) and set(ends) <= set(every) and _all(exact, bool)

    def check_state(self, view: StateView) -> Iterator[tuple[int, Hit]]:
        """:meth:`check_queue` over the kept state of a queue: (post index, hit) pairs.

        With what the last run found (``view.extra``) and which posts are new or changed
        (``view.moved``), only the pairs those posts can make or break are looked at: a
        post's partner is decided by its neighbours in the two orders of keys alone."""
        rows, times, ids = view.rows[self.spec.code], view.times, view.ids
        last = view.extra.get(self.spec.code)
        if last is None or view.moved is None:  # every post: read every row at once
            columns = _Columns(
                [row[0] for row in rows],
                [(t is None, t or 0.0, i) for t, i in zip(times, ids, strict=True)],
                list(view.platforms),
                [(row[1], row[2], row[3]) for row in rows],
                ids,
            )
            yield from self._hits(columns, self._pairs(columns))
            return
        columns = _Columns(  # a few posts: each row read when a pair reaches it
            _Lazy(len(ids), lambda i: rows[i][0]),
            _Lazy(len(ids), lambda i: (times[i] is None, times[i] or 0.0, ids[i])),
            view.platforms,
            _Lazy(len(ids), lambda i: tuple(rows[i][1:4])),
            ids,
        )
        yield from self._hits(columns, self._update(columns, last, view.moved, view.old))

    def _pairs(self, columns: _Columns) -> dict[int, tuple[int, bool]]:
        """Later post -> (earlier post, exact) of every pair to report, by index."""
        keys, orders = columns.keys, columns.orders
        # Rows (key, order, index) sort without a key function; the index settles ties.
        rows = sorted(zip(keys, orders, range(len(keys)), strict=True))
        pairs: dict[int, tuple[int, bool]] = {}
        every = columns.every_platform(), columns.every_series()
        self._neighbours(rows, pairs, columns, every)
        forward, backward = [i for _k, _o, i in rows], []
        if self.similarity < 1:
            backwards = sorted((key[::-1], order, i) for key, order, i in rows)
            self._neighbours(backwards, pairs, columns, every)
            backward = [i for _k, _o, i in backwards]
        self.last = (forward, backward, pairs)
        return pairs

    def _update(
        self, columns: _Columns, last: dict[str, Any], moved: list[int], old: int
    ) -> dict[int, tuple[int, bool]]:
        """:meth:`_pairs` from the last run's: *moved* gives each post's index then (-1:
        new or changed), *old* how many posts there were."""
        now = [-1] * old  # index then -> index now (-1: gone or changed)
        for index, then in enumerate(moved):
            if then >= 0:
                now[then] = index
        fresh = [index for index, then in enumerate(moved) if then < 0]
        touched = set(fresh)  # posts whose neighbours, or themselves, changed
        keys, orders = columns.keys, columns.orders
        forward = _reorder(last["forward"], now, fresh, touched, lambda i: (keys[i], orders[i], i))
        backward = []
        if self.similarity < 1:
            backward = _reorder(
                last["backward"], now, fresh, touched, lambda i: (keys[i][::-1], orders[i], i)
            )
        pairs: dict[int, tuple[int, bool]] = {}
        for later_then, earlier_then, exact in last["pairs"]:
            later, earlier = now[later_then], now[earlier_then]
            if later >= 0 and earlier >= 0 and later not in touched:
                pairs[later] = (earlier, exact)
        for post in touched:
            found = self._partner(post, forward, columns, reverse=False)
            if found is None and backward:
                found = self._partner(post, backward, columns, reverse=True)
            if found is not None:
                pairs[post] = found
        self.last = (forward, backward, pairs)
        return pairs

    def _partner(
        self, post: int, order: list[int], columns: _Columns, *, reverse: bool
    ) -> tuple[int, bool] | None:
        """What :meth:`_neighbours` pairs *post* with as the later post in one pass over
        *order*: the first of its two neighbouring pairs that qualifies (None: neither)."""
        at = order.index(post)
        keys = columns.keys
        for a, b in ((at - 1, at), (at, at + 1)):
            if a < 0 or b >= len(order):
                continue
            first, second = order[a], order[b]
            key_a, key_b = keys[first], keys[second]
            if reverse:
                key_a, key_b = key_a[::-1], key_b[::-1]
            exact = self._qualifies(key_a, key_b, first, second, columns)
            if exact is None:
                continue
            if columns.orders[first] > columns.orders[second]:
                first, second = second, first
            if second == post:
                return first, exact
        return None

    def _hits(
        self, columns: _Columns, pairs: dict[int, tuple[int, bool]]
    ) -> Iterator[tuple[int, Hit]]:
        """A hit for each of *pairs*, with the index of the post it belongs to (its
        ``post`` unset), in the order of the later posts' ids."""
        ids, platform_lists = columns.ids, columns.platform_lists
        for later_index in sorted(pairs, key=lambda i: (ids[i], i)):
            earlier_index, exact = pairs[later_index]
            theirs = columns.platforms(earlier_index)
            shared = [p for p in platform_lists[later_index] if p in theirs]
            yield (
                later_index,
                Hit(
                    self.say(
                        how="repeats" if exact else "nearly repeats",
                        other=ids[earlier_index],
                        platforms=", ".join(shared),
                    ),
                    ("text",),
                    hint="remove one, or reword the repeat",
                ),
            )

    def _neighbours(
        self,
        rows: list[tuple[str, tuple[bool, float, str], int]],
        pairs: dict[int, tuple[int, bool]],
        columns: _Columns,
        every: tuple[list[frozenset[str]], list[str | None]],
    ) -> None:
        """Each two neighbours of *rows* that make a pair (see :meth:`_qualifies`, here
        written out for a pass over the whole queue with *every* post's platforms and
        series) go into *pairs*, unless the later post has its partner already."""
        platforms, series = every
        shapes, similarity = columns.shapes, self.similarity
        for (key_a, order_a, a), (key_b, order_b, b) in itertools.pairwise(rows):
            first, second = (a, b) if order_a <= order_b else (b, a)
            if second in pairs or not key_a or platforms[a].isdisjoint(platforms[b]):
                continue  # taken already (whether these qualify is moot), or no pair
            run = series[a]
            if run is not None and run == series[b]:
                continue  # a series repeats its own text on purpose
            exact = key_a == key_b
            if not exact and (
                similarity >= 1
                or not _may_be_close(shapes[a], shapes[b], similarity)
                or not _close(key_a, key_b, similarity)
            ):
                continue
            pairs[second] = (first, exact)

    def _qualifies(self, key_a: str, key_b: str, a: int, b: int, columns: _Columns) -> bool | None:
        """Whether the neighbours *a* and *b* (in this order of keys) make a pair: None
        when not, else whether their keys are the same."""
        if not key_a or columns.platforms(a).isdisjoint(columns.platforms(b)):
            return None
        series = columns.series
        if series(a) is not None and series(a) == series(b):
            return None  # a series repeats its own text on purpose
        if key_a == key_b:
            return True
        similarity = self.similarity
        if (
            similarity >= 1
            or not _may_be_close(columns.shapes[a], columns.shapes[b], similarity)
            or not _close(key_a, key_b, similarity)
        ):
            return None
        return False


def _reorder(
    then: list[int],
    now: list[int],
    fresh: list[int],
    touched: set[int],
    sort_key: Callable[[int], tuple[str, tuple[bool, float, str], int]],
) -> list[int]:
    """The order *then* (indexes then) with gone and changed posts taken out and *fresh*
    ones put in by *sort_key*; the posts next to a change go to *touched*."""
    mapped = [now[index] for index in then]
    if -1 in mapped:
        behind, gap = -1, False
        for index in mapped:
            if index < 0:
                gap = True
                if behind >= 0:
                    touched.add(behind)
            else:
                if gap:
                    touched.add(index)
                    gap = False
                behind = index
    order = [index for index in mapped if index >= 0]
    for index in fresh:
        at = bisect.bisect_left(order, sort_key(index), key=sort_key)
        order.insert(at, index)
        touched.update(order[max(at - 1, 0) : at + 2])
    return order


class _Lazy(Sequence[_T]):
    """``[make(i) for i in range(count)]``, each made when asked for."""

    def __init__(self, size: int, make: Callable[[int], _T]) -> None:
        self.size, self.make = size, make

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> _T:  # type: ignore[override]
        return self.make(index)


class _Columns:
    """The queue as the rule reads it, by post index (drafts, or the kept state)."""

    def __init__(
        self,
        keys: Sequence[str],
        orders: Sequence[tuple[bool, float, str]],
        platform_lists: Sequence[Sequence[str]],
        shapes: Sequence[tuple[int, int, int]],
        ids: list[str],
    ) -> None:
        self.keys, self.orders, self.shapes, self.ids = keys, orders, shapes, ids
        self.platform_lists = platform_lists
        self._platforms: dict[int, frozenset[str]] = {}
        self._series: dict[int, str | None] = {}

    def platforms(self, index: int) -> frozenset[str]:
        """The post's platforms as a set, made once (and only for posts a pair reaches)."""
        found = self._platforms.get(index)
        if found is None:
            found = self._platforms[index] = frozenset(self.platform_lists[index])
        return found

    def every_platform(self) -> list[frozenset[str]]:
        """Every post's platforms as a set, for a pass over the whole queue."""
        return list(map(frozenset, self.platform_lists))

    def every_series(self) -> list[str | None]:
        """Every post's series (None: not an occurrence of one)."""
        return list(map(series_of, self.ids))

    def series(self, index: int) -> str | None:
        if index not in self._series:
            self._series[index] = series_of(self.ids[index])
        return self._series[index]


def _all(values: Sequence[Any], kind: type) -> bool:
    """Whether every one of *values* is of type *kind* (the types gathered in C)."""
    return set(map(type, values)) <= {kind}


RULES: tuple[type[QueueRule], ...] = (DuplicatePost,)
