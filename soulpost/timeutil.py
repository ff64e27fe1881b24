"""Time zones, DST rules, durations and the human forms of `--at`.

The documented rule for local (naive) times, applied everywhere soulpost resolves one:

* a local time that exists once is taken as it is;
* a local time that falls in a DST **gap** (the clocks jump over it) does not exist: it is
  resolved to the instant the wall clock would show had it not jumped (PEP 495 ``fold=0``,
  so 02:30 in a 02:00->03:00 gap becomes 03:30) *and flagged*, and the linter reports
  it as an error, which blocks publishing until a person picks a real time;
* a local time in a DST **overlap** (it happens twice) is taken at its *first* occurrence
  (the earlier instant, ``fold=0``) and flagged, and the linter reports it as a warning.

Nothing is shifted silently: the flag travels with the post as :class:`LocalTimeKind`.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class LocalTimeKind(StrEnum):
    """How a local wall-clock time maps onto real instants in a zone."""

    EXPLICIT = "explicit"  # carried its own offset; no zone rule was needed
    NORMAL = "normal"  # exists exactly once
    GAP = "gap"  # does not exist (clocks jumped over it)
    AMBIGUOUS = "ambiguous"  # exists twice (clocks went back)


def load_zone(name: str) -> ZoneInfo:
    """Return the IANA zone *name* or raise ValueError saying what was expected."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}: expected an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from exc


def classify_local(naive: datetime, zone: tzinfo) -> LocalTimeKind:
    """Tell whether *naive* exists once, never (gap) or twice (overlap) in *zone*."""
    early = naive.replace(tzinfo=zone, fold=0)
    late = naive.replace(tzinfo=zone, fold=1)
    if early.utcoffset() == late.utcoffset():
        return LocalTimeKind.NORMAL
    # In a gap the round trip through UTC lands on a different wall time.
    back = early.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return LocalTimeKind.GAP if back != naive else LocalTimeKind.AMBIGUOUS


def resolve_local(naive: datetime, zone: tzinfo) -> tuple[datetime, LocalTimeKind]:
    """Resolve a wall-clock time in *zone* by the module's documented rule."""
    if naive.tzinfo is not None:
        return naive, LocalTimeKind.EXPLICIT
    kind = classify_local(naive, zone)
    aware = naive.replace(tzinfo=zone, fold=0)
    if kind is LocalTimeKind.GAP:
        # Normalise to a real instant: the wall time "as if the clock had not jumped".
        aware = aware.astimezone(UTC).astimezone(zone)
    return aware, kind


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|min|s)\b", re.IGNORECASE)
_UNITS = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "min": 60.0, "s": 1.0}


# No duration soulpost reads means anything past ten years; this also keeps every sum of a
# time and a duration far from the end of the calendar (datetime.max).
MAX_DURATION = timedelta(days=3660)


def parse_duration(value: object, *, signed: bool = False) -> timedelta:
    """Parse ``"90m"``, ``"2h"``, ``"1d 12h"``, ``"7d"`` or a number of seconds.

    Anything else (a list, a table, a date, a boolean, infinity, NaN, or a length beyond
    :data:`MAX_DURATION`) is a ValueError saying what was expected, never an OverflowError
    or a TypeError: the value comes from a file a person wrote. With *signed*, a text may
    start with ``-`` (so that a range check can say what is wrong with ``"-1s"``).
    """
    if isinstance(value, timedelta):
        return _bounded(value.total_seconds(), value)
    if isinstance(value, bool):
        raise ValueError("expected a duration such as '2h', '30m' or '1d', not a boolean")
    if isinstance(value, int | float):
        return _bounded(float(value), value)
    if not isinstance(value, str):
        raise ValueError(
            f"expected a duration such as '2h', '30m', '1d 12h' or a number of seconds, "
            f"not {_kind(value)}"
        )
    text = value.strip()
    sign = -1.0 if signed and text.startswith("-") else 1.0
    if sign < 0:
        text = text[1:].lstrip()
    pos = 0
    total = 0.0
    for match in _DURATION.finditer(text):
        if text[pos : match.start()].strip():
            break
        total += float(match.group(1)) * _UNITS[match.group(2).lower()]
        pos = match.end()
    if pos == 0 or text[pos:].strip():
        raise ValueError(
            f"expected a duration such as '2h', '30m', '1d 12h' or '7d', got {value!r:.60}"
        )
    return _bounded(sign * total, value)


def _bounded(seconds: float, value: object) -> timedelta:
    if math.isnan(seconds) or abs(seconds) > MAX_DURATION.total_seconds():
        shown = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:37]}..."
        raise ValueError(
            f"duration {shown} is out of range: at most {format_duration(MAX_DURATION)}"
        )
    return timedelta(seconds=seconds)


def _kind(value: object) -> str:
    """What TOML calls the type of *value*, for messages."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, time):
        return "a time"
    return f"a {type(value).__name__}"


def check_range(
    value: timedelta, key: str, low: timedelta, high: timedelta, *, low_open: bool = False
) -> timedelta:
    """*value* if ``low <= value <= high`` (``low < value`` with *low_open*); else a
    ValueError naming *key* and the allowed range."""
    if value < low or value > high or (low_open and value == low):
        low_text = f"more than {_exact(low)}" if low_open else _exact(low)
        raise ValueError(
            f"{key} must be between {low_text} and {_exact(high)}, got {_exact(value)}"
        )
    return value


def _exact(delta: timedelta) -> str:
    """:func:`format_duration`, but exact below a second (``0.05s``, ``-1s``)."""
    seconds = delta.total_seconds()
    return f"{seconds:g}s" if abs(seconds) < 60 else format_duration(delta)


# The instants soulpost accepts, for post times and SOULPOST_NOW: far enough from both ends
# of the calendar that converting between zones, and adding any allowed duration, can never
# overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def check_instant(value: datetime) -> datetime:
    """*value* when it lies between :data:`EARLIEST` and :data:`LATEST` (a naive value is
    judged by its wall-clock reading); ValueError otherwise."""
    try:
        probe = value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    except OverflowError:
        probe = None
    if probe is None or not EARLIEST <= probe < LATEST:
        raise ValueError(
            f"{value.isoformat()} is out of range: give a time between "
            f"{EARLIEST.year} and {LATEST.year - 1}"
        )
    return value


def format_duration(delta: timedelta) -> str:
    """A short human form: ``2h``, ``1d 3h``, ``45s``."""
    seconds = int(abs(delta.total_seconds()))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    text = " ".join(parts[:2]) or "0s"
    return f"-{text}" if delta.total_seconds() < 0 else text


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def parse_clock(text: str) -> time:
    """Parse ``09:00``, ``9:30``, ``9am``, ``5:15pm``, ``17:00:30``."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"expected a time of day such as 09:00 or 9am, got {text!r}")
    hour, minute, second = int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0)
    meridiem = (match.group(4) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r}: with am/pm the hour must be 1-12")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{text!r} is not a valid time of day")
    return time(hour, minute, second)


def parse_when(text: str, *, now: datetime, zone: tzinfo) -> datetime:
    """Parse what a person types after ``--at`` into a datetime.

    Accepted: ISO 8601 with or without offset (``2026-12-01T09:00+01:00``,
    ``2026-12-01 09:00``, ``2026-12-01``), ``today 17:00``, ``tomorrow 9am``, a weekday
    (``monday 09:30``, the next one strictly after today), ``in 2h``/``+90m``. A result
    without an offset is local to *zone* and is returned naive, so that the post file keeps
    the wall-clock time the person wrote.
    """
    raw = text.strip()
    lowered = raw.lower()
    local_now = now.astimezone(zone)
    relative = re.fullmatch(r"(?:in\s+|\+)(.+)", lowered)
    if relative:
        return (now + parse_duration(relative.group(1))).astimezone(zone)
    words = lowered.split(None, 1)
    if words and (
        words[0] in ("today", "tomorrow")
        or words[0] in _WEEKDAYS
        or (words[0][:3] in {w[:3] for w in _WEEKDAYS} and len(words[0]) == 3)
    ):
        head = words[0]
        day: date = local_now.date()
        if head == "tomorrow":
            day += timedelta(days=1)
        elif head != "today":
            index = next(i for i, w in enumerate(_WEEKDAYS) if w.startswith(head[:3]))
            ahead = (index - day.weekday()) % 7 or 7
            day += timedelta(days=ahead)
        clock = parse_clock(words[1]) if len(words) > 1 else time(9, 0)
        return datetime.combine(day, clock)
    try:
        parsed = datetime.fromisoformat(
            raw.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", raw) else raw
        )
    except ValueError:
        raise ValueError(
            f"cannot read time {text!r}: use ISO 8601 (2026-12-01T09:00 or "
            "2026-12-01T09:00+01:00), 'today 17:00', 'tomorrow 9am', 'monday 09:30' or 'in 2h'"
        ) from None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        parsed = datetime.combine(parsed.date(), time(9, 0))
    return parsed
