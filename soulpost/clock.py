"""Clocks: where "now" and sleeping come from, so tests and operators can choose.

Every stage takes ``now`` as a parameter; only the drivers (CLI, daemon) hold a
:class:`Clock`. ``SOULPOST_NOW`` (ISO 8601 with an offset, e.g. ``2026-12-01T09:31:00Z``)
makes the CLI start its clock at that instant and let it run on from there, so a pass or the
daemon can be tried on a queue whose times are in the future or the past.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from soulpost.timeutil import check_instant

ENV_NOW = "SOULPOST_NOW"


class Clock(Protocol):
    """Tells the time (timezone-aware) and waits."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class ShiftedClock(SystemClock):
    """Real time, shifted so that it read *start* when created; it keeps running."""

    def __init__(self, start: datetime) -> None:
        self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


class ManualClock:
    """A clock for tests: stands still until moved; ``sleep`` moves it instead of waiting."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if seconds > 0:
            self._now += timedelta(seconds=seconds)

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, when: datetime) -> None:
        self._now = when


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with an offset (``Z`` accepted); ValueError names the form."""
    try:
        value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        shown = text if len(text) <= 60 else f"{text[:57]}..."
        raise ValueError(
            f"expected an instant with an offset such as 2026-12-01T09:31:00Z or "
            f"2026-12-01T09:31:00+00:00, got {shown!r}"
        )
    return check_instant(value)  # far from the calendar's ends: no overflow later


def clock_from_env(environ: Mapping[str, str] | None = None) -> Clock:
    """The system clock, or a running clock started at ``SOULPOST_NOW`` when it is set."""
    env = os.environ if environ is None else environ
    raw = env.get(ENV_NOW, "").strip()
    if not raw:
        return SystemClock()
    return ShiftedClock(parse_instant(raw))
