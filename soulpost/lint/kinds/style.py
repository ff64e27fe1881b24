"""Kinds that judge how a piece of text looks: ``capitals``, ``punctuation`` and ``count``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar, Literal

from pydantic import Field

from soulpost.lint.draft import Draft, Segment
from soulpost.lint.rule import Hit, RuleOptions, SegmentRule

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
