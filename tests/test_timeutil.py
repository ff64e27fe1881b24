"""Time zones and DST: gaps and overlaps are flagged by one documented rule, never shifted silently."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from soulpost.timeutil import (
    LocalTimeKind,
    classify_local,
    format_duration,
    load_zone,
    parse_clock,
    parse_duration,
    parse_when,
    resolve_local,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_normal_local_time_resolves_in_zone() -> None:
    aware, kind = resolve_local(datetime(2026, 12, 1, 9, 0), BERLIN)
    assert kind is LocalTimeKind.NORMAL
    assert aware.utcoffset() == timedelta(hours=1)
    assert aware.astimezone(UTC) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_gap_is_flagged_and_resolved_past_the_jump() -> None:
    # 2026-03-29 02:30 does not exist in Berlin: clocks jump 02:00 -> 03:00.
    naive = datetime(2026, 3, 29, 2, 30)
    assert classify_local(naive, BERLIN) is LocalTimeKind.GAP
    aware, kind = resolve_local(naive, BERLIN)
    assert kind is LocalTimeKind.GAP
    assert aware.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert aware.replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)


def test_overlap_takes_the_first_occurrence_and_is_flagged() -> None:
    # 2026-11-01 01:30 happens twice in New York (EDT, then EST).
    naive = datetime(2026, 11, 1, 1, 30)
    aware, kind = resolve_local(naive, NEW_YORK)
    assert kind is LocalTimeKind.AMBIGUOUS
    assert aware.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # EDT, UTC-4


def test_aware_times_pass_through_as_explicit() -> None:
    value = datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    assert resolve_local(value, BERLIN) == (value, LocalTimeKind.EXPLICIT)


def test_unknown_zone_names_what_was_expected() -> None:
    with pytest.raises(ValueError, match="IANA name"):
        load_zone("Mars/Olympus")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("2h", 7200), ("90m", 5400), ("1d 12h", 129600), ("45s", 45), (30, 30), ("1w", 604800)],
)
def test_durations(text: str | int, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("bad", ["soon", "2 hours later", "", "h2"])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_format_duration() -> None:
    assert format_duration(timedelta(minutes=90)) == "1h 30m"
    assert format_duration(timedelta(seconds=-5)) == "-5s"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:00", time(9)), ("9am", time(9)), ("5:15pm", time(17, 15)), ("12am", time(0))],
)
def test_clock(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T09:00+01:00", datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("Etc/GMT-1"))),
        ("2026-12-01 09:00", datetime(2026, 12, 1, 9)),
        ("2026-12-01", datetime(2026, 12, 1, 9)),
        ("tomorrow 9am", datetime(2026, 11, 26, 9)),
        ("today 17:30", datetime(2026, 11, 25, 17, 30)),
        ("monday 10:00", datetime(2026, 11, 30, 10)),
        ("wed 08:00", datetime(2026, 12, 2, 8)),  # the next Wednesday, not today
    ],
)
def test_parse_when(text: str, expected: datetime) -> None:
    assert parse_when(text, now=NOW, zone=BERLIN) == expected


def test_parse_when_relative_is_aware() -> None:
    assert parse_when("in 2h", now=NOW, zone=BERLIN) == NOW + timedelta(hours=2)


def test_parse_when_rejects_nonsense_with_examples() -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_when("next blue moon", now=NOW, zone=BERLIN)
