"""The schedule as a calendar: entries per platform, free slots and gaps, in the workspace
time zone, as plain data (:func:`build_calendar`) and as a terminal grid (:func:`week_text`,
:func:`month_text`).

An entry is one post on one platform at one instant with its state (see
:mod:`soulpost.review.model`). A *free slot* is a configured posting slot of that platform
no post takes. A *gap* is a stretch of more than ``gap_hours`` (default 48) inside the
window in which a platform has nothing scheduled: the quiet days a social media manager
wants to see before they happen.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

# soulpost.review.cells (wcwidth's tables, about 20 ms to import) is imported where text is
# drawn: the site and the calendar's planning need this module's entries, not the grid.

if TYPE_CHECKING:
    from soulpost.config import Settings

SYMBOLS = {
    "approved": "●",
    "draft": "○",
    "blocked": "✗",
    "published": "✓",
    "failed": "!",
    "missed": "⌀",
    "in doubt": "?",
    "publishing": "↻",
    "retrying": "↻",
    "unscheduled": "-",
    "free": "·",
}


@dataclass(frozen=True)
class Entry:
    """One post on one platform, or (``post_id`` None) a free slot."""

    at: datetime
    platform: str
    post_id: str | None
    state: str
    label: str = ""


@dataclass(frozen=True)
class Gap:
    platform: str
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass
class Calendar:
    """What a window of the schedule holds, by platform."""

    start: date
    days: int
    zone: tzinfo
    timezone: str
    platforms: list[str]
    entries: list[Entry] = field(default_factory=list)
    free: list[Entry] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    unscheduled: list[str] = field(default_factory=list)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days)

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def on(self, day: date, platform: str | None = None, *, free: bool = False) -> list[Entry]:
        pool = self.free if free else self.entries
        return [
            e
            for e in pool
            if e.at.astimezone(self.zone).date() == day
            and (platform is None or e.platform == platform)
        ]


def window(kind: str, start: date | None, today: date) -> tuple[date, int]:
    """The first day and length of a ``week`` (Monday first) or ``month`` window."""
    base = start or today
    if kind == "month":
        first = base.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return first, (nxt - first).days
    if start is not None:
        return start, 7
    return base - timedelta(days=base.weekday()), 7


def window_bounds(start: date, days: int, zone: tzinfo) -> tuple[datetime, datetime]:
    """The window's first and last instant (UTC): local midnights in *zone*."""
    from soulpost.timeutil import resolve_local

    low, _ = resolve_local(datetime.combine(start, datetime.min.time()), zone)
    high, _ = resolve_local(
        datetime.combine(start + timedelta(days=days), datetime.min.time()), zone
    )
    return low.astimezone(UTC), high.astimezone(UTC)


def build_calendar(
    entries: Iterable[Entry],
    settings: Settings,
    *,
    start: date,
    days: int,
    platforms: Sequence[str] | None = None,
    gap_hours: float = 48,
    now: datetime | None = None,
) -> Calendar:
    """Entries of the window, its free slots (those still ahead of *now*) and gaps, per
    platform."""
    from soulpost.slots import slot_instants

    zone = settings.zone() or UTC
    low, high = window_bounds(start, days, zone)
    inside = [e for e in entries if low <= e.at < high]
    names = list(platforms) if platforms else sorted({e.platform for e in inside})
    cal = Calendar(start, days, zone, settings.timezone or "UTC", names)
    cal.entries = sorted(
        (e for e in inside if e.platform in names),
        key=lambda e: (e.at, e.platform, e.post_id or ""),
    )
    for platform in names:
        taken = {e.at for e in cal.entries if e.platform == platform}
        rules = settings.slots_for(platform)
        for slot in slot_instants(rules, zone, low, days) if rules else ():
            if slot >= high:
                break
            if slot not in taken and (now is None or slot > now):
                cal.free.append(Entry(slot, platform, None, "free"))
        # a quiet stretch already behind us is not a gap anyone can fill
        since = max(low, now) if now is not None else low
        times = [since, *sorted(t for t in taken if t > since), high]
        for before, after in itertools.pairwise(times):
            if (after - before).total_seconds() > gap_hours * 3600:
                cal.gaps.append(Gap(platform, before, after))
    return cal


# -- terminal ----------------------------------------------------------------------------


_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}[-_]")


def short_id(post_id: str) -> str:
    """A post id without the date prefix most queues name files with (the grid shows it)."""
    return _DATED.sub("", post_id) or post_id


def _cell_lines(
    cal: Calendar, day: date, platform: str | None, cells: int, limit: int
) -> list[str]:
    """A week cell (one platform): posts and free slots in time order. A month cell (all
    platforms): each post once with the marks of its states, then the free-slot count."""
    from soulpost.review.cells import clip

    lines = []
    if platform is not None:
        shown = cal.on(day, platform) + cal.on(day, platform, free=True)
        shown.sort(key=lambda e: (e.at, e.post_id is None))
        for e in shown:
            local = e.at.astimezone(cal.zone).strftime("%H:%M")
            name = short_id(e.post_id) if e.post_id is not None else "free"
            lines.append(clip(f"{local}{SYMBOLS.get(e.state, '?')}{name}", cells))
    else:
        grouped: dict[tuple[datetime, str], list[Entry]] = {}
        for e in cal.on(day):
            grouped.setdefault((e.at, e.post_id or ""), []).append(e)
        for (at, post_id), group in sorted(grouped.items()):
            states = sorted({e.state for e in group}, key=list(SYMBOLS).index)
            marks = "".join(SYMBOLS.get(state, "?") for state in states)
            local = at.astimezone(cal.zone).strftime("%H:%M")
            lines.append(clip(f"{local}{marks}{short_id(post_id)}", cells))
        free = len(cal.on(day, free=True))
        if free:
            lines.append(f"{SYMBOLS['free']} {free} free")
    if len(lines) > limit:
        lines = [*lines[: limit - 1], f"+{len(lines) - limit + 1} more"]
    return lines


def _legend() -> str:
    return "  ".join(
        f"{symbol} {state}" for state, symbol in SYMBOLS.items() if state != "unscheduled"
    )


def _grid(
    rows: list[tuple[str, list[list[str]]]], headers: list[str], label_w: int, cell_w: int
) -> list[str]:
    from soulpost.review.cells import clip, pad

    sep = "─" * label_w + ("┼" + "─" * cell_w) * len(headers)
    out = [pad("", label_w) + "".join("│" + pad(clip(h, cell_w), cell_w) for h in headers), sep]
    for label, cells in rows:
        height = max(1, *(len(c) for c in cells))
        for i in range(height):
            head = pad(clip(label, label_w), label_w) if i == 0 else pad("", label_w)
            out.append(head + "".join("│" + pad(c[i] if i < len(c) else "", cell_w) for c in cells))
        out.append(sep)
    return out


def week_text(cal: Calendar, cols: int = 100) -> str:
    """Platforms down, days across: each post as ``HH:MM●id``, free slots as ``HH:MM·free``.

    Days with neither a post nor a free slot (a weekend without slots) are left out and
    named under the grid, so the days that matter get the width."""
    from soulpost.review.cells import width

    label_w = min(12, max([8, *(width(p) for p in cal.platforms)]))
    days = [d for d in cal.dates() if cal.on(d) or cal.on(d, free=True)] or cal.dates()
    cell_w = max(9, (cols - label_w) // max(1, len(days)) - 1)
    headers = [d.strftime("%a %d %b") for d in days]
    rows = [(p, [_cell_lines(cal, d, p, cell_w, 6) for d in days]) for p in cal.platforms]
    title = f"week of {cal.start:%a %d %b %Y}, times in {cal.timezone}"
    quiet = [d.strftime("%a %d") for d in cal.dates() if d not in days]
    footer = [f"nothing and no free slot: {', '.join(quiet)}"] if quiet else []
    grid = _grid(rows, headers, label_w, cell_w)
    return "\n".join([title, *grid, *footer, *_footer(cal)]) + "\n"


def month_text(cal: Calendar, cols: int = 100) -> str:
    """Weeks down, Monday to Sunday across; each day lists ``HH:MM●pl id``."""
    cell_w = max(9, cols // 7 - 1)
    first = cal.start - timedelta(days=cal.start.weekday())
    rows = []
    day = first
    while day < cal.end:
        week = []
        for _ in range(7):
            inside = cal.start <= day < cal.end
            lines = [f"{day.day:>2}"] + (_cell_lines(cal, day, None, cell_w, 5) if inside else [])
            week.append(lines if inside else [""])
            day += timedelta(days=1)
        rows.append(week)
    headers = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    title = f"{cal.start:%B %Y}, times in {cal.timezone}; platforms: {', '.join(cal.platforms)}"
    grid = _grid([("", w) for w in rows], headers, 0, cell_w)
    return "\n".join([title, *(line[0:] for line in grid), *_footer(cal)]) + "\n"


def _footer(cal: Calendar) -> list[str]:
    out = []
    for platform in cal.platforms:
        mine = [e for e in cal.entries if e.platform == platform]
        states: dict[str, int] = {}
        for e in mine:
            states[e.state] = states.get(e.state, 0) + 1
        counted = ", ".join(f"{n} {s}" for s, n in states.items()) or "nothing"
        free = sum(1 for e in cal.free if e.platform == platform)
        gaps = [g for g in cal.gaps if g.platform == platform]
        gap_text = "; ".join(
            f"{g.start.astimezone(cal.zone):%a %d %b %H:%M}–"
            f"{g.end.astimezone(cal.zone):%a %d %b %H:%M}"
            for g in gaps
        )
        line = f"{platform}: {len(mine)} post(s) ({counted}); {free} free slot(s)"
        out.append(line + (f"; gaps over 48h: {gap_text}" if gaps else ""))
    if cal.unscheduled:
        out.append(f"no time (no free slot): {', '.join(cal.unscheduled)}")
    out.append(_legend())
    return out
