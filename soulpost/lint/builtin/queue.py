"""Queue hygiene that needs code: the same text queued twice."""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import Field

from soulpost.lint.draft import ascii_table, translate_ascii
from soulpost.lint.rule import Hit, QueueRule, RuleOptions
from soulpost.series import series_of

if TYPE_CHECKING:
    from soulpost.lint.cachestate import StateView
    from soulpost.lint.draft import Draft, QueueView


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
    message = "{how} the text of {other} (also for {platforms})"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, DuplicateOptions)
        self.similarity = opts.similarity
        self.memo = CloseMemo()  # the last run's answers (see state_extra)

    def prepare(self, draft: Draft) -> None:
        _shape(draft)  # while the worker holding the draft has a core to itself

    def check_queue(self, queue: QueueView) -> Iterator[Hit]:
        drafts = queue.drafts
        keys = [_key(d) for d in drafts]
        orders = [_order(d) for d in drafts]
        platforms = [d.post.platforms for d in drafts]
        shapes = [_shape(d) for d in drafts]
        ids = [d.id for d in drafts]
        self.memo = CloseMemo()
        for later, hit in self._hits(keys, orders, platforms, shapes, ids, self.memo):
            hit.post = drafts[later].post
            yield hit

    def state_row(self, draft: Draft) -> list[Any]:
        """What the rule reads of *draft* besides its id, platforms and time, as the lint
        cache keeps it for the whole queue (:mod:`soulpost.lint.cachestate`)."""
        return [_key(draft), *_shape(draft)]

    def state_extra(self) -> list[list[Any]]:
        """What the last run of the rule learnt besides the rows: its :func:`_close`
        answers, as [key, key, answer]."""
        return [[a, b, answer] for (a, b), answer in self.memo.asked.items()]

    @staticmethod
    def state_sound(rows: list[Any], extra: object) -> bool:
        """Whether kept rows and extra have the shapes :meth:`state_row` and
        :meth:`state_extra` give them (the types gathered in C)."""
        if not (_all(rows, list) and set(map(len, rows)) <= {4}):
            return False
        if not (isinstance(extra, list) and _all(extra, list) and set(map(len, extra)) <= {3}):
            return False
        keys, words, distinct, masks = zip(*rows, strict=True) if rows else ((),) * 4
        pairs = list(zip(*extra, strict=True)) if extra else [(), (), ()]
        return (
            _all(keys, str)
            and _all(words + distinct + masks, int)
            and _all(pairs[0] + pairs[1], str)
            and _all(pairs[2], bool)
        )

    def check_state(self, view: StateView) -> Iterator[tuple[int, Hit]]:
        """:meth:`check_queue` over the kept state of a queue: (post index, hit) pairs."""
        code = self.spec.code
        rows = view.rows[code]
        keys = [row[0] for row in rows]
        shapes = [(row[1], row[2], row[3]) for row in rows]
        ids, times = view.ids, view.times
        orders = [(t is None, t or 0.0, i) for t, i in zip(times, ids, strict=True)]
        self.memo = CloseMemo({(a, b): answer for a, b, answer in view.extra.get(code, ())})
        yield from self._hits(keys, orders, view.platforms, shapes, ids, self.memo)

    def _hits(  # noqa: PLR0917 (the queue's columns)
        self,
        keys: list[str],
        orders: list[tuple[bool, float, str]],
        platform_lists: Sequence[Sequence[str]],
        shapes: list[tuple[int, int, int]],
        ids: list[str],
        close: CloseMemo,
    ) -> Iterator[tuple[int, Hit]]:
        """The hits, each with the index of the post it belongs to (its ``post`` unset).

        *close* answers :func:`_close`, from an earlier run's answers when it has them: the
        lint cache keeps them, so a queue with one draft edited does not compare every
        near-duplicate pair word by word again.
        """
        # Rows (key, order, index) sort without a key function; the index settles ties.
        rows = sorted(zip(keys, orders, range(len(keys)), strict=True))
        # Each draft's platforms as a set once, rather than twice per neighbouring pair.
        platforms = [frozenset(p) for p in platform_lists]
        series = [series_of(i) for i in ids]
        pairs: dict[int, tuple[int, bool]] = {}  # later draft -> (earlier draft, exact)
        columns = (platforms, series, shapes, close)
        self._neighbours(rows, pairs, *columns)
        if self.similarity < 1:
            backwards = sorted((key[::-1], order, i) for key, order, i in rows)
            self._neighbours(backwards, pairs, *columns)
        for later_index in sorted(pairs, key=lambda i: (ids[i], i)):
            earlier_index, exact = pairs[later_index]
            shared = [p for p in platform_lists[later_index] if p in platforms[earlier_index]]
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

    def _neighbours(  # noqa: PLR0917 (the queue's columns)
        self,
        rows: list[tuple[str, tuple[bool, float, str], int]],
        pairs: dict[int, tuple[int, bool]],
        platforms: list[frozenset[str]],
        series: list[str | None],
        shapes: list[tuple[int, int, int]],
        close: CloseMemo,
    ) -> None:
        similarity = self.similarity
        for (key_a, order_a, a), (key_b, order_b, b) in itertools.pairwise(rows):
            if not key_a or platforms[a].isdisjoint(platforms[b]):
                continue
            if series[a] is not None and series[a] == series[b]:
                continue  # a series repeats its own text on purpose
            exact = key_a == key_b
            if not exact and (
                similarity >= 1
                or not _may_be_close(shapes[a], shapes[b], similarity)
                or not close(key_a, key_b, similarity)
            ):
                continue
            first, second = (a, b) if order_a <= order_b else (b, a)
            if second not in pairs:
                pairs[second] = (first, exact)


def _all(values: Sequence[Any], kind: type) -> bool:
    """Whether every one of *values* is of type *kind* (the types gathered in C)."""
    return set(map(type, values)) <= {kind}


class CloseMemo:
    """The answers of :func:`_close` in one run, by the pair of keys compared (in a
    backward pass, the reversed keys), taken from *known* (an earlier run's) when there.
    ``asked`` holds this run's: what the lint cache keeps for the next one."""

    def __init__(self, known: dict[tuple[str, str], bool] | None = None) -> None:
        self.known = known or {}
        self.asked: dict[tuple[str, str], bool] = {}

    def __call__(self, key_a: str, key_b: str, similarity: float) -> bool:
        pair = (key_a, key_b)
        answer = self.asked.get(pair)
        if answer is None:
            answer = self.known.get(pair)
            if answer is None:
                answer = _close(key_a, key_b, similarity)
            self.asked[pair] = answer
        return answer


def _may_be_close(
    shape_a: tuple[int, int, int], shape_b: tuple[int, int, int], similarity: float
) -> bool:
    """False when two keys' shapes (see :func:`_shape`) rule out :func:`_close`.

    The same tests as there, on bounds that are never lower: the word counts are exact,
    and a bit one mask has and the other lacks is at least one distinct word not shared.
    """
    len_a, distinct_a, mask_a = shape_a
    len_b, distinct_b, mask_b = shape_b
    shorter, longer = (len_a, len_b) if len_a <= len_b else (len_b, len_a)  # no sorted() call
    if longer == 0 or shorter / longer < similarity:
        return False
    shared = min(
        distinct_a - (mask_a & ~mask_b).bit_count(), distinct_b - (mask_b & ~mask_a).bit_count()
    )
    repeats = min(len_a - distinct_a, len_b - distinct_b)
    return 2 * (shared + repeats) / (len_a + len_b) >= similarity


def _close(a: str, b: str, similarity: float) -> bool:
    """Whether two keys are alike word by word (comparing words, not letters, keeps it cheap)."""
    words_a, words_b = a.split(), b.split()
    shorter, longer = sorted((len(words_a), len(words_b)))
    if longer == 0 or shorter / longer < similarity:
        return False
    # The words two texts can match are at most their shared distinct words plus repeats;
    # that bound rules out nearly every pair before difflib does any real work. The sets
    # are built per pair and dropped: kept for every post they cost ~70 MB at 10,000.
    set_a, set_b = set(words_a), set(words_b)
    repeats = min(len(words_a) - len(set_a), len(words_b) - len(set_b))
    bound = len(set_a & set_b) + repeats
    if 2 * bound / (len(words_a) + len(words_b)) < similarity:
        return False
    # ratio() <= quick_ratio() <= real_quick_ratio(), so asking only ratio() gives the same
    # answer; the bound above already turned away nearly every pair those two would.
    # Imported here: most runs, and every one-draft lint, compare no pair this far.
    import difflib

    matcher = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False)
    return matcher.ratio() >= similarity


RULES: tuple[type[QueueRule], ...] = (DuplicatePost,)
