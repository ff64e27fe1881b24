"""Recurring posts: one draft with an RFC 5545 recurrence rule stands for a series.

``repeat = "FREQ=WEEKLY;BYDAY=MO;COUNT=52"`` (parsed by python-dateutil) repeats the post
from its ``at``. The rule is read in the workspace time zone, on the wall clock: a weekly
09:00 stays at 09:00 across daylight saving changes, and each occurrence's local time is
resolved exactly as an ``at`` is (a time in a DST gap is blocked, an ambiguous one takes
its first occurrence). A rule must end (``COUNT`` or ``UNTIL``) within
:data:`MAX_OCCURRENCES`: a series without an end would never stop posting.

Each occurrence is a post of its own, with the id ``<post id>@<local YYYYMMDDTHHMM>``, so the
ledger keys, retries and settles each one alone: one failed occurrence never blocks or
repeats another. ``queue``, ``calendar``, ``preview`` and ``lint`` see the occurrences.
An id never holds ``@`` otherwise, so :func:`series_of` tells which series a post belongs to.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

MAX_OCCURRENCES = 1000
SEPARATOR = "@"
_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)
_FORBIDDEN = ("DTSTART", "RDATE", "EXDATE", "EXRULE")


def series_of(post_id: str) -> str | None:
    """The id of the series *post_id* is an occurrence of, or None."""
    base, sep, _ = post_id.partition(SEPARATOR)
    return base if sep else None


def check_rule(rule: str, at: object, zone: tzinfo | None) -> str:
    """*rule* when a series can start at *at* and be published; ValueError otherwise."""
    if not isinstance(at, datetime):
        raise ValueError("a series starts at the post's `at`: add at = 2026-12-07T09:00:00")
    occurrences(rule, at.replace(tzinfo=None), zone or UTC)  # every problem of the rule
    return rule


def local_start(at: datetime, zone: tzinfo) -> datetime:
    """The wall-clock time in *zone* the series starts at (naive)."""
    return at.astimezone(zone).replace(tzinfo=None)


def occurrences(rule: str, start: datetime, zone: tzinfo) -> list[datetime]:
    """The local (naive) times of the series *rule* starting at naive *start*.

    ValueError, worded for the person who wrote the rule, when it does not parse, has no
    end, names its own start, or has more than :data:`MAX_OCCURRENCES` occurrences.
    """
    from dateutil.rrule import rrulestr

    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    upper = text.upper()
    for word in _FORBIDDEN:
        if word in upper:
            raise ValueError(f"{word} is not allowed here: the series starts at the post's `at`")
    if "COUNT=" not in upper and "UNTIL=" not in upper:
        raise ValueError(
            "the rule has no end: add COUNT=N or UNTIL=YYYYMMDDTHHMMSS, e.g. "
            '"FREQ=WEEKLY;BYDAY=MO;COUNT=52"'
        )

    def local_until(match: re.Match[str]) -> str:
        moment = datetime.strptime(match[1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return "UNTIL=" + moment.astimezone(zone).strftime("%Y%m%dT%H%M%S")

    text = _UNTIL_UTC.sub(local_until, text)
    try:
        parsed = rrulestr(text, dtstart=start)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"not a recurrence rule ({exc}); e.g. FREQ=WEEKLY;COUNT=10") from None
    found: list[datetime] = []
    for moment in parsed:
        if len(found) == MAX_OCCURRENCES:
            raise ValueError(
                f"more than {MAX_OCCURRENCES} occurrences: end the series sooner "
                "(COUNT or UNTIL), or split it"
            )
        found.append(moment)
    return found
