"""Kinds that look across the queue, per platform: ``queue-share`` and ``spacing``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from pydantic import Field, ValidationInfo, field_validator

from soulpost.lint.draft import Draft, QueueView, Segment
from soulpost.lint.kinds.gatewords import pattern_words
from soulpost.lint.kinds.literals import LiteralIndex, gate_of
from soulpost.lint.kinds.patterns import (
    Search,
    WordIndex,
    any_search,
    check_patterns,
    lazy_search,
)
from soulpost.lint.kinds.wordgates import (
    UNSET,
    WordGate,
    word_gate,
    word_passes,
    words_line_up,
)
from soulpost.lint.rule import Hit, QueueRule, RuleOptions
from soulpost.timeutil import format_duration, parse_duration

if TYPE_CHECKING:
    from soulpost.lint.cachestate import StateView

# A post on a timeline: a draft, or its index in the lint cache's kept state of the queue.
_H = TypeVar("_H")


def _check_duration(value: str) -> str:
    parse_duration(value)
    return value


Property = Literal["promotional", "invites_reply"]
# One language's signals: their searches, and which of them a text's words let through.
# First the patterns no word gates (shipped, so untimed), behind their substring gates.
# Then the others, each with its source (None: timed, never gated by words) and its word
# gate, worked out when a text first reaches it (UNSET until then; see wordgates).
_Signals = tuple[
    list[Search],
    LiteralIndex,
    list[Search],
    WordIndex,
    list[str | None],
    list[WordGate | None],
]


class QueueShareOptions(RuleOptions):
    property: Property = Field(
        "promotional", description="what to count: promotional posts, or posts inviting a reply"
    )
    max_share: float | None = Field(
        None, ge=0, le=1, description="fire when the share is above this (0.2 = 20%)"
    )
    min_share: float | None = Field(
        None, ge=0, le=1, description="fire when the share is below this"
    )
    window: str = Field("7d", description="the rolling window, e.g. '7d', '14d'")
    min_posts: int = Field(
        5, ge=1, description="judge a window only when it holds at least this many posts"
    )
    signals: dict[str, list[str]] = Field(
        default_factory=dict,
        description="more regular expressions that give a post the property, by the language "
        "of the post (ISO 639-1 code, or 'any' for every language)",
    )
    unless: dict[str, list[str]] = Field(
        default_factory=dict,
        description="regular expressions that, found in a post that has the property, take "
        "it away again, by the language of the post (ISO 639-1 code, or 'any'): a free "
        "service of the council offered to residents is not a sale",
    )

    _window = field_validator("window")(_check_duration)

    @field_validator("signals", "unless")
    @classmethod
    def _signals(cls, value: dict[str, list[str]], info: ValidationInfo) -> dict[str, list[str]]:
        for patterns in value.values():
            check_patterns(patterns, info)
        return value


def day_of(draft: Draft) -> str:
    """The day *draft* is shown as in a share rule's message: "2 Dec" ("?" without a time)."""
    when = draft.time
    if when is None:
        return "?"
    zone = draft.settings.zone()
    return (when.astimezone(zone) if zone else when).strftime("%d %b").lstrip("0")


def _found(signals: _Signals, segment: Segment) -> bool:
    """Whether one of *signals* finds something in the segment's quiet text (one gated by
    words only when the text holds one of them, and all the whole words it needs)."""
    text, runs = segment.quiet, segment.runs
    free, literals, searches, words, sources, gates = signals
    if free and any(free[i](text) for i in literals.select(text)):
        return True
    lined_up: bool | None = None
    for i in words.select(runs):
        gate = gates[i]
        if gate == UNSET:
            source = sources[i]
            gate = gates[i] = None if source is None else word_gate(source)
        if gate is not None:
            if lined_up is None:
                lined_up = words_line_up(segment)
            if lined_up and not word_passes(gate, runs):
                continue
        if searches[i](text):
            return True
    return False


def _names(ids: list[str], limit: int = 5) -> str:
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


class QueueShare(QueueRule):
    """Per platform, over a rolling window: the share of posts with a property."""

    kind: ClassVar[str] = "queue-share"
    needs_whole_posts: ClassVar[bool] = False
    state_loc: ClassVar[tuple[str, ...]] = ("at",)  # where every hit points (cacherules)
    Options = QueueShareOptions
    message: ClassVar[str] = (
        "on {platform}, {count} of {total} posts from {start} to {end} are {what} "
        "({share:.0%}; limit {limit:.0%}): {posts}"
    )

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, QueueShareOptions)
        self.window = parse_duration(opts.window)
        self.prop = opts.property
        self.max_share = opts.max_share
        self.min_share = opts.min_share
        self.min_posts = opts.min_posts
        # The languages whose signals a post with a given hint is searched for.
        self.by_hint: dict[str | None, list[tuple[str, _Signals]]] = {}
        shipped = self.spec.defaults.get("signals", {}) if self.spec.vetted else {}
        if any(
            p not in shipped.get(lang, ()) for lang, found in opts.signals.items() for p in found
        ):
            _ = self.signals  # a pattern that needs a time bound is compiled now: see there
        unless = self.spec.defaults.get("unless", {}) if self.spec.vetted else {}
        if any(p not in unless.get(lang, ()) for lang, found in opts.unless.items() for p in found):
            _ = self.excuses  # compiled now, as signals are (see there)
        # Cached on the draft, whose cache travels back from worker processes.
        self.mark = f"signal:{self.spec.code}"
        self.excused_mark = f"excused:{self.spec.code}"

    @cached_property
    def signals(self) -> dict[str, _Signals]:
        """Per language, the searches for its signals and which a text's words let through.

        The shipped pack's signals were reviewed here and run untimed, like its phrase
        patterns (see soulpost.lint.kinds.patterns), and are prepared when a post first
        needs them; others are compiled at set-up, so that a pattern the regex module
        rejects is a configuration error.
        """
        opts = self.options
        assert isinstance(opts, QueueShareOptions)
        shipped = self.spec.defaults.get("signals", {}) if self.spec.vetted else {}
        out: dict[str, _Signals] = {}
        for lang, patterns in opts.signals.items():
            vetted = set(shipped.get(lang, ()))
            found: list[tuple[frozenset[str] | None, Search, str | None]] = []
            free = [p for p in patterns if pattern_words(p) is None]
            untimed: list[str] = []
            if free and any(p not in vetted for p in free):
                joined = "|".join(f"(?:{p})" for p in free)
                found.append((None, lazy_search(joined, timed=True), None))
            else:
                # Untimed, each on its own: a text that passes one pattern's substring
                # gate then runs that pattern only, not a search over all of them.
                untimed = free
            for p in patterns:
                words = pattern_words(p)
                if words is not None:
                    timed = p not in vetted
                    found.append((words, lazy_search(p, timed=timed), None if timed else p))
            if found or untimed:
                out[lang] = (
                    [lazy_search(p, timed=False) for p in untimed],
                    LiteralIndex([gate_of(p) for p in untimed]),
                    [search for _w, search, _p in found],
                    WordIndex([w for w, _s, _p in found]),
                    [p for _w, _s, p in found],
                    [UNSET] * len(found),
                )
        return out

    @cached_property
    def excuses(self) -> dict[str, Search]:
        """Per language, the ``unless`` patterns as one search (the shipped pack's untimed,
        others with a time bound, compiled at set-up like the signals)."""
        opts = self.options
        assert isinstance(opts, QueueShareOptions)
        shipped = self.spec.defaults.get("unless", {}) if self.spec.vetted else {}
        out: dict[str, Search] = {}
        for lang, patterns in opts.unless.items():
            if patterns:
                timed = any(p not in shipped.get(lang, ()) for p in patterns)
                out[lang] = any_search(patterns, timed=timed)
        return out

    def _has(self, draft: Draft) -> bool:
        found = self._found(draft)
        if not found or not self.options.unless:  # type: ignore[attr-defined]
            return found
        cache = draft.__dict__
        excused = cache.get(self.excused_mark)
        if excused is None:
            excused = cache[self.excused_mark] = self._excused(draft)
        return not excused

    def _found(self, draft: Draft) -> bool:
        if self.prop == "promotional":
            if draft.promotional is not None:
                return True
        elif draft.invites_reply:
            return True
        if not self.options.signals:  # type: ignore[attr-defined]
            return False
        cache = draft.__dict__
        known = cache.get(self.mark)
        if known is None:
            known = cache[self.mark] = self._signalled(draft)
        return bool(known)

    def _excused(self, draft: Draft) -> bool:
        """Whether an ``unless`` pattern of the post's language (or of any) is in its text.
        Asked only of posts that have the property, so the language is told for few."""
        excuses = self.excuses
        langs = [lang for lang in ("any", draft.language_hint or draft.language) if lang]
        searches = [excuses[lang] for lang in langs if lang in excuses]
        for segment in draft.segments:
            for search in searches:
                try:
                    if search(segment.quiet):
                        return True
                except TimeoutError:
                    continue
        return False

    def _signalled(self, draft: Draft) -> bool:
        """Whether a signal of the post's language (or of any language) is in its text.

        The language is asked only when some language's signal matched."""
        hint = draft.language_hint
        signals = self.by_hint.get(hint)
        if signals is None:  # the function words tell: that language's signals only
            signals = self.by_hint[hint] = [
                (lang, found)
                for lang, found in self.signals.items()
                if hint is None or lang in (hint, "any")
            ]
        for segment in draft.segments:
            for lang, found in signals:
                try:
                    hit = _found(found, segment)
                except TimeoutError:
                    continue
                if hit and (lang in ("any", hint) or draft.language in (None, lang)):
                    return True
        return False

    def prepares_for(self, count: int) -> bool:
        return count >= self.min_posts  # fewer posts than a window needs: nothing to judge

    def prepare(self, draft: Draft) -> None:
        self._has(draft)  # classify while the text is at hand; the result is cached

    def check_queue(self, queue: QueueView) -> Iterator[Hit]:
        known: dict[Draft, bool] = {}  # asked once per draft, though on several timelines

        def flag(draft: Draft) -> bool:
            found = known.get(draft)
            if found is None:
                found = known[draft] = self._has(draft)
            return found

        for draft, hit in self._hits(queue.timelines, flag, day_of):
            hit.post = draft.post
            yield hit

    def state_row(self, draft: Draft) -> bool:
        """Whether *draft* has the property, as the lint cache keeps it for the whole queue
        (:mod:`soulpost.lint.cachestate`)."""
        return self._has(draft)

    @staticmethod
    def state_sound(rows: list[Any]) -> bool:
        """Whether kept rows have the shape :meth:`state_row` gives them."""
        return set(map(type, rows)) <= {bool}

    def check_state(self, view: StateView) -> Iterator[tuple[int, Hit]]:
        """:meth:`check_queue` over the kept state of a queue: (post index, hit) pairs."""
        flags: Sequence[bool] = view.rows[self.spec.code]
        yield from self._hits(view.timelines, flags.__getitem__, view.day)

    def _hits(
        self,
        timelines: Mapping[str, list[tuple[float, str, _H]]],
        flag: Callable[[_H], bool],
        day: Callable[[_H], str],
    ) -> Iterator[tuple[_H, Hit]]:
        """The hits over *timelines* (platform -> (time, id, post) in time order, a post
        being a draft or its index in the kept state), each with its post; *flag* tells
        whether a post has the property, *day* the day it is shown as."""
        reported: set[str] = set()
        for platform, line in sorted(timelines.items()):
            if len(line) < self.min_posts:
                continue  # no window can hold enough posts to be judged
            flags = [flag(post) for _t, _i, post in line]
            for first, last, (lo, hi, count) in self._stretches(line, flags):
                total = hi - lo + 1
                limit = self.max_share if self.max_share is not None else self.min_share
                fields = {
                    "platform": platform,
                    "count": count,
                    "total": total,
                    "start": day(line[lo][2]),
                    "end": day(line[hi][2]),
                    "share": count / total,
                    "limit": limit or 0.0,
                    "window": format_duration(self.window),
                }
                if self.max_share is not None:
                    marked = [line[k] for k in range(first, last + 1) if flags[k]]
                    message: str | None = None  # the same for every post of the stretch
                    for _t, post_id, post in marked:
                        if post_id not in reported:
                            reported.add(post_id)
                            if message is None:
                                names = _names([post_id for _t, post_id, _p in marked])
                                message = self._message(fields, names)
                            yield post, Hit(message, ("at",), platform=platform)
                else:
                    unmarked = [line[k] for k in range(first, last + 1) if not flags[k]]
                    _t, target_id, target = unmarked[-1] if unmarked else line[last]
                    if target_id not in reported:
                        reported.add(target_id)
                        names = _names([i for _t, i, _p in unmarked])
                        yield target, Hit(self._message(fields, names), ("at",), platform=platform)

    def _stretches(
        self, line: list[tuple[float, str, _H]], flags: list[bool]
    ) -> list[tuple[int, int, tuple[int, int, int]]]:
        """The runs of overlapping bad windows of *line*: (first, last, worst window), a
        window being (first, last, posts with the property)."""
        window = self.window.total_seconds()
        high, low, min_posts = self.max_share, self.min_share, self.min_posts
        left = 0
        count = 0
        stretches: list[tuple[int, int, tuple[int, int, int]]] = []
        for right, (when, _id, _d) in enumerate(line):
            count += flags[right]
            while when - line[left][0] >= window:
                count -= flags[left]
                left += 1
            total = right - left + 1
            if total < min_posts:
                continue
            share = count / total  # a bad window? (inline: this runs for every post of every line)
            if not ((high is not None and share > high) or (low is not None and share < low)):
                continue
            window_now = (left, right, count)
            if stretches and left <= stretches[-1][1]:
                first, _last, worst = stretches[-1]
                if self._worse(window_now, worst):
                    worst = window_now
                stretches[-1] = (first, right, worst)
            else:
                stretches.append((left, right, window_now))
        return stretches

    def _worse(self, a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
        share_a = a[2] / (a[1] - a[0] + 1)
        share_b = b[2] / (b[1] - b[0] + 1)
        return share_a > share_b if self.max_share is not None else share_a < share_b

    def _message(self, fields: dict[str, object], posts: str) -> str:
        what = "promotional" if self.prop == "promotional" else "inviting a reply"
        return self.say(**fields, what=what, posts=posts)


class SpacingOptions(RuleOptions):
    max_posts: int = Field(2, ge=1, description="the most posts on one platform within span")
    span: str = Field("1h", description="the time span, e.g. '1h', '30m', '1d'")

    _span = field_validator("span")(_check_duration)


class Spacing(QueueRule):
    """Fires when one platform gets more posts within a span than allowed."""

    kind: ClassVar[str] = "spacing"
    needs_whole_posts: ClassVar[bool] = False
    state_loc: ClassVar[tuple[str, ...]] = ("at",)  # where every hit points (cacherules)
    Options = SpacingOptions
    message: ClassVar[str] = "{count} posts on {platform} within {span} (at most {max}): {posts}"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, SpacingOptions)
        self.span = parse_duration(opts.span)
        self.max_posts = opts.max_posts

    def check_queue(self, queue: QueueView) -> Iterator[Hit]:
        for draft, hit in self._hits(queue.timelines):
            hit.post = draft.post
            yield hit

    def state_row(self, draft: Draft) -> int:
        """Nothing besides the post's id, platforms and time (:mod:`soulpost.lint.cachestate`)."""
        return 0

    @staticmethod
    def state_sound(rows: list[Any]) -> bool:
        """Whether kept rows have the shape :meth:`state_row` gives them."""
        return set(map(type, rows)) <= {int}

    def check_state(self, view: StateView) -> Iterator[tuple[int, Hit]]:
        """:meth:`check_queue` over the kept state of a queue: (post index, hit) pairs."""
        yield from self._hits(view.timelines)

    def _hits(
        self, timelines: Mapping[str, list[tuple[float, str, _H]]]
    ) -> Iterator[tuple[_H, Hit]]:
        """The hits over *timelines* (see :meth:`QueueShare._hits`), each with its post."""
        span = self.span.total_seconds()
        for platform, line in sorted(timelines.items()):
            left = 0
            for right, (when, _id, post) in enumerate(line):
                while when - line[left][0] >= span:
                    left += 1
                count = right - left + 1
                if count > self.max_posts:
                    shown = [line[k][1] for k in range(left, min(right, left + 5))]
                    more = right - left - len(shown)  # a crowded window costs no more to name
                    yield (
                        post,
                        Hit(
                            self.say(
                                count=count,
                                platform=platform,
                                span=format_duration(self.span),
                                max=self.max_posts,
                                posts=", ".join(shown) + (f" and {more} more" if more else ""),
                            ),
                            ("at",),
                            platform=platform,
                            hint="spread them out; people hear a flood as noise",
                        ),
                    )
