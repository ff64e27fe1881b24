"""When a post goes out: times that have passed, and local times daylight saving breaks.

The DST rule itself is documented in :mod:`soulpost.timeutil`: a local time in a gap does
not exist (an error: a person must pick a real time) and one in an overlap happens twice
(a warning: the first occurrence is used).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from soulpost.lint.rule import Hit, PostRule
from soulpost.timeutil import LocalTimeKind, format_duration

if TYPE_CHECKING:
    from soulpost.lint.draft import Draft

# Later than any time a post can have: the past-time rule never fires on a post without one.
NEVER = datetime.max.replace(tzinfo=UTC)

# Examples run with the workspace time zone Europe/Berlin.
_GAP = "2027-03-28T02:30:00"
_OVERLAP = "2027-10-31T02:30:00"


class PastTime(PostRule):
    code = "SP607"
    name = "past-time"
    severity = "warning"
    lesson = "platform"
    summary = "The post is scheduled at a time that has already passed."
    why = (
        "A post whose time is further in the past than its allowed lateness will never be "
        "published: the publisher records it as missed rather than posting it late."
    )
    bad = ('text = "See you at the meetup tonight."\nat = 2020-01-07T18:00:00+01:00\n',)
    good = ('text = "See you at the meetup tonight."\nat = 2099-01-07T18:00:00+01:00\n',)
    message = "scheduled for {at}, {ago} ago; past its allowed lateness of {grace}"
    reads_clock = True  # draft.now: run on every lint, never cached

    def quiet_until(self, draft: Draft) -> datetime:
        at = draft.post.at
        if at is None:
            return NEVER
        grace = draft.post.max_lateness or draft.settings.publish.max_lateness
        try:
            return at + grace  # check() fires once now - grace is past at
        except OverflowError:
            return NEVER

    def check(self, draft: Draft) -> Iterator[Hit]:
        at = draft.post.at
        if at is None:
            return
        grace = draft.post.max_lateness or draft.settings.publish.max_lateness
        if at < draft.now - grace:
            zone = draft.settings.zone()
            shown = at.astimezone(zone) if zone else at
            yield Hit(
                self.say(
                    at=shown.strftime("%Y-%m-%d %H:%M %Z").strip(),
                    ago=format_duration(draft.now - at),
                    grace=format_duration(grace),
                ),
                ("at",),
                hint="pick a new time, or remove `at` to take the next free slot",
            )


class NonexistentLocalTime(PostRule):
    code = "SP608"
    name = "nonexistent-local-time"
    severity = "error"
    lesson = "platform"
    summary = "The local time does not exist: daylight saving skips over it."
    why = (
        "When the clocks jump forward, the skipped wall-clock times never happen. soulpost "
        "will not guess what was meant, so the post is held until a real time is chosen."
    )
    bad = (f'text = "Spring is here."\nat = {_GAP}\n',)
    good = ('text = "Spring is here."\nat = 2027-03-28T03:30:00\n',)
    message = "{local} does not exist in {zone}: the clocks jump forward over it"

    def check(self, draft: Draft) -> Iterator[Hit]:
        at = draft.post.at
        if at is None or draft.time_kind is not LocalTimeKind.GAP:
            return
        yield Hit(
            self.say(local=_wall(draft), zone=draft.settings.timezone or "the workspace zone"),
            ("at",),
            hint=f"pick a time that exists, e.g. {at.strftime('%Y-%m-%dT%H:%M:%S')}",
        )


class AmbiguousLocalTime(PostRule):
    code = "SP609"
    name = "ambiguous-local-time"
    severity = "warning"
    lesson = "platform"
    summary = "The local time happens twice (the clocks go back); the first one is used."
    why = (
        "When the clocks go back, an hour repeats. soulpost takes the first occurrence and "
        "says so, because a person may have meant the second."
    )
    bad = (f'text = "An extra hour of sleep tonight."\nat = {_OVERLAP}\n',)
    good = (
        'text = "An extra hour of sleep tonight."\nat = 2027-10-31T04:30:00\n',
        f'text = "An extra hour of sleep tonight."\nat = {_OVERLAP}+01:00\n',
    )
    message = "{local} happens twice in {zone}; the first ({offset}) is used"

    def check(self, draft: Draft) -> Iterator[Hit]:
        at = draft.post.at
        if at is None or draft.time_kind is not LocalTimeKind.AMBIGUOUS:
            return
        yield Hit(
            self.say(
                local=_wall(draft),
                zone=draft.settings.timezone or "the workspace zone",
                offset=at.strftime("%z"),
            ),
            ("at",),
            hint="add an offset (e.g. +01:00) to say which one you mean",
        )


def _wall(draft: Draft) -> str:
    """The local time as written in the file (the line of `at`), else the resolved one."""
    source = draft.post.source
    if source is not None:
        line = source.line_of(("at",))
        if line is not None and line <= len(source.lines):
            raw = source.lines[line - 1].split("=", 1)[-1].split("#", 1)[0].strip()
            if raw:
                return raw.strip("\"'")
    at = draft.post.at
    return at.strftime("%Y-%m-%dT%H:%M:%S") if at is not None else "?"


RULES: tuple[type[PostRule], ...] = (PastTime, NonexistentLocalTime, AmbiguousLocalTime)
