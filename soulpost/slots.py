"""Posting slots as instants: the one place a weekly slot rule becomes times.

Both the plan (a post without ``at`` takes the next free slot) and the evergreen pool (its
own slots) read slots through :func:`slot_instants`, so they agree on what a slot is: a
weekday and a wall-clock time in the workspace zone, skipped on a day that time does not
exist (a DST gap), the first of the two on a day it exists twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from soulpost.timeutil import LocalTimeKind, resolve_local


class SlotRule(Protocol):
    """What a slot rule says (``config.SlotRule``): weekdays and wall-clock times."""

    times: list[time]

    def weekday_numbers(self) -> set[int]: ...


SLOT_HORIZON_DAYS = 366


def slot_instants(
    rules: Sequence[SlotRule], zone: tzinfo, start: datetime, days: int = SLOT_HORIZON_DAYS
) -> Iterator[datetime]:
    """Every slot instant at or after *start*, in order, for *days* days."""
    first: date = start.astimezone(zone).date()
    for offset in range(days + 1):
        day = first + timedelta(days=offset)
        found = []
        for rule in rules:
            if day.weekday() not in rule.weekday_numbers():
                continue
            for clock in rule.times:
                naive = datetime.combine(day, clock)
                aware, kind = resolve_local(naive, zone)
                if kind is LocalTimeKind.GAP:
                    continue  # that wall time does not exist today
                if aware >= start:
                    found.append(aware.astimezone(UTC))
        yield from sorted(set(found))
