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
regular-expression scans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from soulpost.lint.draft import ALNUM, Draft, QueueView, Segment
from soulpost.lint.rule import Hit, QueueRule, Rule, RuleOptions, SegmentRule
from soulpost.timeutil import format_duration, parse_duration


def _units(phrase: str) -> list[str]:
    """Regex pieces for one lower-cased phrase: spaces match any run of space, ' matches ’."""
    out: list[str] = []
    for char in phrase:
        if char.isspace():
            if out and out[-1] != r"\s+":
                out.append(r"\s+")
        elif char in "'’":
            out.append("['’]")
        else:
            out.append(re.escape(char))
    return out


def phrase_regex(phrases: list[str]) -> str:
    """One regex for many literal phrases, as a trie, to run on lower-cased text.

    Python's ``re`` tries every branch of an alternation at every position; a trie shares
    prefixes, so fifty phrases cost about as much as a few. Phrases that start or end with
    a letter or digit match whole words only.
    """
    tries: dict[bool, dict[str, Any]] = {True: {}, False: {}}
    for phrase in phrases:
        node = tries[phrase[:1].isalnum()]
        for unit in _units(phrase):
            node = node.setdefault(unit, {})
        node[""] = r"\b" if phrase[-1:].isalnum() else ""

    def emit(node: dict[str, Any]) -> str:
        alternatives = [unit + emit(child) for unit, child in sorted(node.items()) if unit]
        if "" in node:
            alternatives.append(node[""])  # the shorter phrase last: longest match first
        if len(alternatives) == 1:
            return str(alternatives[0])
        return "(?:" + "|".join(alternatives) + ")"

    parts = []
    if tries[True]:
        parts.append(r"\b" + emit(tries[True]))
    if tries[False]:
        parts.append(emit(tries[False]))
    return "|".join(parts)


_LEADING_WORDS = re.compile(r"\\b([a-z0-9]+(?: [a-z0-9]+)*)(?:\\b| )", re.IGNORECASE)
_LEADING_GROUP = re.compile(r"\\b\(\?:([a-z0-9]+(?:\|[a-z0-9]+)*)\)(?:\\b| )", re.IGNORECASE)


def pattern_words(pattern: str) -> frozenset[str] | None:
    r"""Words of which one must appear for *pattern* to match, or None when unknown.

    Only the plain cases are recognised: a pattern that starts with ``\b`` and whole
    words (``\bonly \d+``), or with a group of whole-word alternatives
    (``\b(?:like|share)\b``). Anything else runs on every text.
    """
    group = _LEADING_GROUP.match(pattern)
    if group:
        return frozenset(word.lower() for word in group.group(1).split("|"))
    words = _LEADING_WORDS.match(pattern)
    if words:
        return frozenset([max(words.group(1).lower().split(), key=len)])
    return None


def _check_patterns(value: list[str]) -> list[str]:
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return value


def _check_duration(value: str) -> str:
    parse_duration(value)
    return value


class PhrasesOptions(RuleOptions):
    phrases: list[str] = Field(default_factory=list, description="phrases to look for")
    patterns: list[str] = Field(
        default_factory=list, description="regular expressions to look for (case-insensitive)"
    )
    min_count: int = Field(1, ge=1, description="fire only when this many distinct ones appear")
    max_words: int | None = Field(
        None, ge=1, description="check only texts of at most this many words (None: all)"
    )
    lead_only: bool = Field(
        False, description="check only the text people see first, not the parts of a thread"
    )

    _patterns = field_validator("patterns")(_check_patterns)


class Phrases(SegmentRule):
    """Fires when listed phrases appear in a piece of text."""

    kind: ClassVar[str] = "phrases"
    Options = PhrasesOptions
    message: ClassVar[str] = "{match!r}"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, PhrasesOptions)
        phrases = [" ".join(p.lower().split()) for p in opts.phrases if p.strip()]
        # Compiled on first use: a calm post often never needs the regex at all, and
        # compiling fifty phrases costs more than linting one post.
        self.source = phrase_regex(phrases)
        # A phrase can only match when every word in it is a word of the text; checking one
        # (the longest) against the text's words skips most texts without running a regex.
        self.triggers: frozenset[str] = frozenset()
        self.always = False
        for phrase in phrases:
            runs = ALNUM.findall(phrase)
            if runs:
                self.triggers |= {max(runs, key=len)}
            else:
                self.always = True
        self.pattern_sources = [(p, pattern_words(p)) for p in opts.patterns]
        self.min_count = opts.min_count
        self.max_words = opts.max_words
        self.lead_only = opts.lead_only or self.parts == "lead"
        # The words of which a text needs one for _matches to find anything (phrases and
        # patterns together). Patterns without such words (``[⏰⏳]``) get one combined
        # search instead; only a phrase without letters or digits opens the gate for all.
        self.gate_open = bool(self.source and self.always)
        self.gate_words = (self.triggers if self.source else frozenset()).union(
            *(words for _p, words in self.pattern_sources if words is not None)
        )
        self.free_source = "|".join(
            f"(?:{p})" for p, words in self.pattern_sources if words is None
        )

    @cached_property
    def free(self) -> re.Pattern[str] | None:
        """The rule's patterns that no word gates, as one case-insensitive search."""
        return re.compile(self.free_source, re.IGNORECASE) if self.free_source else None

    def check(self, draft: Draft) -> Iterator[Hit]:
        # Most texts hold none of the rule's words: settle them here, in one loop per post,
        # rather than with a generator and a call per piece of text.
        gate_open, gate_words, lead_only = self.gate_open, self.gate_words, self.lead_only
        free = self.free
        for segment in draft.segments:
            if lead_only and not segment.lead:
                continue
            if (
                gate_open
                or not gate_words.isdisjoint(segment.runs)
                or (free is not None and free.search(segment.plain))
            ):
                yield from self.check_segment(segment, draft)

    @cached_property
    def literal(self) -> re.Pattern[str] | None:
        """The phrases as one regex, for lower-cased text."""
        return re.compile(self.source) if self.source else None

    @cached_property
    def literal_any_case(self) -> re.Pattern[str] | None:
        """The same, case-insensitive, for the rare text whose lower case changes length."""
        return re.compile(self.source, re.IGNORECASE) if self.source else None

    @cached_property
    def patterns(self) -> list[tuple[re.Pattern[str], frozenset[str] | None]]:
        """The rule's regular expressions, compiled, each with the words that gate it."""
        return [(re.compile(p, re.IGNORECASE), words) for p, words in self.pattern_sources]

    def _matches(self, segment: Segment, first_only: bool) -> list[tuple[int, int]]:
        """(start, end) of matches in the segment's plain text, in order."""
        found: list[tuple[int, int]] = []
        runs = segment.runs
        if self.source and (self.always or not self.triggers.isdisjoint(runs)):
            lower = segment.lower
            pattern = self.literal if lower is not None else self.literal_any_case
            target = lower if lower is not None else segment.plain
            assert pattern is not None
            if first_only:
                match = pattern.search(target)
                found += [match.span()] if match else []
            else:
                found += [m.span() for m in pattern.finditer(target)]
        for pattern, words in self.patterns:
            if words is not None and words.isdisjoint(runs):
                continue
            if first_only:
                match = pattern.search(segment.plain)
                found += [match.span()] if match else []
            else:
                found += [m.span() for m in pattern.finditer(segment.plain)]
        found.sort()
        return found

    def check_segment(self, segment: Segment, draft: Draft) -> Iterator[Hit]:
        if self.lead_only and not segment.lead:
            return
        spans = self._matches(segment, self.min_count == 1)
        if not spans:
            return
        if self.max_words is not None and segment.words > self.max_words:
            return
        text = segment.plain
        names = list(dict.fromkeys(" ".join(text[a:b].split()) for a, b in spans))
        if len({n.lower() for n in names}) < self.min_count:
            return
        start, end = spans[0]
        yield Hit(
            self.say(match=text[start:end], matches=", ".join(names), count=len(names)),
            segment.loc,
            start,
            segment.text,
        )


# Acronyms of four letters or more that are written in capitals on purpose; shorter tokens
# (API, CSV, UTC, FAQ, CEO) are never taken for shouting.
_DEFAULT_ACRONYMS = (
    "NASA",
    "HTML",
    "HTTP",
    "HTTPS",
    "JSON",
    "YAML",
    "TOML",
    "RSVP",
    "GDPR",
    "NATO",
    "UNESCO",
    "UNICEF",
    "ASCII",
    "IBAN",
    "TLDR",
    "README",
    "LGTM",
    "WCAG",
    "ARIA",
    "WIFI",
    "NASDAQ",
    "NYSE",
    "UNHCR",
    "AIDS",
    "COVID",
    "FIFA",
    "UEFA",
    "IKEA",
    "LEGO",
    "ISBN",
    "JPEG",
    "MPEG",
    "NOAA",
    "CERN",
    "IEEE",
    "ANSI",
    "OECD",
    "OPEC",
    "UNIX",
    "POSIX",
    "SARIF",
    "CSRF",
    "CORS",
    "REST",
    "CRUD",
    "SAML",
    "LDAP",
    "OAUTH",
)


class CapitalsOptions(RuleOptions):
    min_length: int = Field(
        4, ge=2, description="words shorter than this are never shouting (CEO, API, OK)"
    )
    min_words: int = Field(1, ge=1, description="fire when at least this many words shout")
    allow: list[str] = Field(
        default_factory=lambda: list(_DEFAULT_ACRONYMS),
        description="acronyms written in capitals on purpose; [lint] allow adds to it",
    )


_LETTERS = re.compile(r"(?<![\w])[^\W\d_]+(?![\w])")


class Capitals(SegmentRule):
    """Fires when words are written in capitals (shouting), acronyms aside."""

    kind: ClassVar[str] = "capitals"
    Options = CapitalsOptions
    message: ClassVar[str] = "{words} in capitals reads as shouting"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, CapitalsOptions)
        self.allowed = {w.upper() for w in opts.allow} | {w.upper() for w in self.allow}
        self.min_length = opts.min_length
        self.min_words = opts.min_words
        # A shouted word is min_length letters, none of them lower case, so the text holds
        # that many such characters in a row: most texts are ruled out by one search.
        self.gate = re.compile(rf"[^\W\da-z_]{{{self.min_length}}}")

    def check_segment(self, segment: Segment, draft: Draft) -> Iterator[Hit]:
        text = segment.text
        if not self.gate.search(text):
            return
        text = segment.plain
        shouted = [
            m
            for m in _LETTERS.finditer(text)
            if len(m.group(0)) >= self.min_length
            and m.group(0).isupper()
            and m.group(0) not in self.allowed
            and text[m.start() - 1 : m.start()] not in ("#", "@", "＃", "＠")  # a tag or handle
        ]
        if len(shouted) < self.min_words:
            return
        words = list(dict.fromkeys(m.group(0) for m in shouted))
        shown = ", ".join(words[:5]) + (", ..." if len(words) > 5 else "")
        yield Hit(
            self.say(words=shown, count=len(shouted), first=words[0]),
            segment.loc,
            shouted[0].start(),
            segment.text,
            hint="write it in normal case; for emphasis, say why it matters instead",
        )


class PunctuationOptions(RuleOptions):
    max_run: int = Field(
        1, ge=1, description="longest allowed run of ! (with or without ?), e.g. 1 allows '!'"
    )
    max_question_run: int = Field(2, ge=1, description="longest allowed run of ? alone")


_RUN = re.compile(r"[!?！？‼⁉]{2,}")
_FULLWIDTH = re.compile(r"[！？‼⁉]")


class Punctuation(SegmentRule):
    """Fires on runs of exclamation and question marks."""

    kind: ClassVar[str] = "punctuation"
    Options = PunctuationOptions
    message: ClassVar[str] = "{run!r}: runs of ! and ? read as yelling ({count} in this text)"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, PunctuationOptions)
        self.max_run = opts.max_run
        self.max_question_run = opts.max_question_run

    def check_segment(self, segment: Segment, draft: Draft) -> Iterator[Hit]:
        text = segment.text
        if "!" not in text and "?" not in text and not _FULLWIDTH.search(text):
            return
        text = segment.plain
        runs = []
        for match in _RUN.finditer(text):
            run = match.group(0)
            loud = any(c in "!！‼⁉" for c in run)
            if (loud and len(run) > self.max_run) or (
                not loud and len(run) > self.max_question_run
            ):
                runs.append(match)
        if runs:
            yield Hit(
                self.say(run=runs[0].group(0), count=len(runs)),
                segment.loc,
                runs[0].start(),
                segment.text,
                hint="one mark is enough; let the words carry the feeling",
            )


Countable = Literal["hashtags", "exclamations", "emoji", "links", "mentions"]


class CountOptions(RuleOptions):
    what: Countable = Field("hashtags", description="what to count")
    max: int = Field(3, ge=0, description="the most allowed in one piece of text")


class Count(SegmentRule):
    """Fires when a piece of text has more of something than allowed."""

    kind: ClassVar[str] = "count"
    Options = CountOptions
    message: ClassVar[str] = "{count} {what} (at most {max})"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, CountOptions)
        self.what = opts.what
        self.max = opts.max

    def _items(self, text: str) -> list[int]:
        """Start offsets of the counted things."""
        if self.what == "exclamations":
            return [i for i, c in enumerate(text) if c in "!！"]
        from soulpost import text as textutil

        if self.what == "hashtags":
            return [start for start, _end, _tag in textutil.find_hashtags(text)]
        if self.what == "links":
            return [start for start, _end, _url in textutil.find_urls(text)]
        if self.what == "mentions":
            return [start for start, _end, _m in textutil.find_mentions(text)]
        return [start for start, _end, _e in textutil.find_emoji(text)]

    def check_segment(self, segment: Segment, draft: Draft) -> Iterator[Hit]:
        text = segment.text
        if self.what == "hashtags" and text.count("#") <= self.max:
            return
        if self.what == "exclamations" and text.count("!") + text.count("！") <= self.max:
            return
        items = self._items(text)
        if len(items) > self.max:
            yield Hit(
                self.say(count=len(items), what=self.what, max=self.max),
                segment.loc,
                items[self.max],
                text,
            )


Property = Literal["promotional", "invites_reply"]


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

    _window = field_validator("window")(_check_duration)


def _day(draft: Draft) -> str:
    when = draft.time
    if when is None:
        return "?"
    zone = draft.settings.zone()
    return (when.astimezone(zone) if zone else when).strftime("%d %b").lstrip("0")


def _names(drafts: list[Draft], limit: int = 5) -> str:
    ids = [d.id for d in drafts]
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


class QueueShare(QueueRule):
    """Per platform, over a rolling window: the share of posts with a property."""

    kind: ClassVar[str] = "queue-share"
    needs_whole_posts: ClassVar[bool] = False
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

    def _has(self, draft: Draft) -> bool:
        if self.prop == "promotional":
            return draft.promotional is not None
        return draft.invites_reply

    def prepare(self, draft: Draft) -> None:
        self._has(draft)  # classify while the text is at hand; the result is cached

    def _bad(self, count: int, total: int) -> bool:
        share = count / total
        if self.max_share is not None and share > self.max_share:
            return True
        return self.min_share is not None and share < self.min_share

    def check_queue(self, queue: QueueView) -> Iterator[Hit]:
        reported: set[str] = set()
        window = self.window.total_seconds()
        for platform, line in sorted(queue.timelines.items()):
            flags = [self._has(d) for _t, _i, d in line]
            left = 0
            count = 0
            # A stretch is a run of overlapping bad windows: (first, last, worst window).
            stretches: list[tuple[int, int, tuple[int, int, int]]] = []
            for right, (when, _id, _d) in enumerate(line):
                count += flags[right]
                while when - line[left][0] >= window:
                    count -= flags[left]
                    left += 1
                total = right - left + 1
                if total < self.min_posts or not self._bad(count, total):
                    continue
                window_now = (left, right, count)
                if stretches and left <= stretches[-1][1]:
                    first, _last, worst = stretches[-1]
                    if self._worse(window_now, worst):
                        worst = window_now
                    stretches[-1] = (first, right, worst)
                else:
                    stretches.append((left, right, window_now))
            for first, last, (lo, hi, count) in stretches:
                members = [line[k][2] for k in range(first, last + 1)]
                total = hi - lo + 1
                limit = self.max_share if self.max_share is not None else self.min_share
                fields = {
                    "platform": platform,
                    "count": count,
                    "total": total,
                    "start": _day(line[lo][2]),
                    "end": _day(line[hi][2]),
                    "share": count / total,
                    "limit": limit or 0.0,
                    "window": format_duration(self.window),
                }
                if self.max_share is not None:
                    marked = [d for d in members if self._has(d)]
                    names = _names(marked)
                    for draft in marked:
                        if draft.id not in reported:
                            reported.add(draft.id)
                            yield self._hit(draft, fields, names)
                else:
                    unmarked = [d for d in members if not self._has(d)]
                    target = unmarked[-1] if unmarked else members[-1]
                    if target.id not in reported:
                        reported.add(target.id)
                        yield self._hit(target, fields, _names(unmarked))

    def _worse(self, a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
        share_a = a[2] / (a[1] - a[0] + 1)
        share_b = b[2] / (b[1] - b[0] + 1)
        return share_a > share_b if self.max_share is not None else share_a < share_b

    def _hit(self, draft: Draft, fields: dict[str, object], posts: str) -> Hit:
        what = "promotional" if self.prop == "promotional" else "inviting a reply"
        return Hit(
            self.say(**fields, what=what, posts=posts),
            ("at",),
            post=draft.post,
            platform=str(fields["platform"]),
        )


class SpacingOptions(RuleOptions):
    max_posts: int = Field(2, ge=1, description="the most posts on one platform within span")
    span: str = Field("1h", description="the time span, e.g. '1h', '30m', '1d'")

    _span = field_validator("span")(_check_duration)


class Spacing(QueueRule):
    """Fires when one platform gets more posts within a span than allowed."""

    kind: ClassVar[str] = "spacing"
    needs_whole_posts: ClassVar[bool] = False
    Options = SpacingOptions
    message: ClassVar[str] = "{count} posts on {platform} within {span} (at most {max}): {posts}"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, SpacingOptions)
        self.span = parse_duration(opts.span)
        self.max_posts = opts.max_posts

    def check_queue(self, queue: QueueView) -> Iterator[Hit]:
        span = self.span.total_seconds()
        for platform, line in sorted(queue.timelines.items()):
            left = 0
            for right, (when, _id, draft) in enumerate(line):
                while when - line[left][0] >= span:
                    left += 1
                count = right - left + 1
                if count > self.max_posts:
                    shown = [line[k][2].id for k in range(left, min(right, left + 5))]
                    more = right - left - len(shown)  # a crowded window costs no more to name
                    yield Hit(
                        self.say(
                            count=count,
                            platform=platform,
                            span=format_duration(self.span),
                            max=self.max_posts,
                            posts=", ".join(shown) + (f" and {more} more" if more else ""),
                        ),
                        ("at",),
                        post=draft.post,
                        platform=platform,
                        hint="spread them out; people hear a flood as noise",
                    )


KINDS: dict[str, type[Rule]] = {
    cls.kind: cls for cls in (Phrases, Capitals, Punctuation, Count, QueueShare, Spacing)
}
