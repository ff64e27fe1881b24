"""``soulpost calendar --ics``: a valid RFC 5545 file whose UIDs survive edits.

Validated by parsing it back with icalendar and with vobject, an independent parser.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import vobject
from icalendar import Calendar

from tests.conftest import Result
from tests.test_review_site_browser import example_copy

CLI = Callable[..., Result]
NOW = "2026-12-01T09:31:00Z"


def events(data: bytes) -> dict[str, dict[str, object]]:
    parsed = Calendar.from_ical(data)
    out: dict[str, dict[str, object]] = {}
    for event in parsed.walk("VEVENT"):
        uid = str(event["UID"])
        assert uid not in out, f"duplicate UID {uid}"
        out[uid] = {
            "start": event.decoded("DTSTART"),
            "summary": str(event["SUMMARY"]),
            "description": str(event["DESCRIPTION"]),
            "categories": [str(c) for c in event["CATEGORIES"].cats],
        }
    # A second, independent parser reads the same events.
    second = vobject.readOne(data.decode("utf-8"))
    assert sorted(str(e.uid.value) for e in second.vevent_list) == sorted(out)
    return out


def test_ics_has_one_event_per_post_and_platform(cli: CLI, tmp_path: Path) -> None:
    root = example_copy(tmp_path)
    target = tmp_path / "schedule.ics"
    result = cli("-C", root, "calendar", "--ics", str(target), "--now", NOW)
    assert result.code == 0, result.err
    found = events(target.read_bytes())
    # 43 (post, platform) pairs in the example queue: 14 posts (29 pairs), the weekly
    # office hours (6 occurrences on Mastodon) and 8 evergreen shares (4 Fridays, 2 networks)
    assert len(found) == 43
    assert "2026-12-07-office-hours@20261214T1600.mastodon@soulpost" in found
    assert "evergreen-ask-back@20261211T1500.bluesky.bluesky@soulpost" in found
    onboarding = found["2026-12-01-onboarding-lessons.mastodon@soulpost"]
    assert onboarding["start"] == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert "approved" in onboarding["categories"]
    assert "What would you add?" in str(onboarding["description"])
    flash = found["2026-12-02-flash-sale.x@soulpost"]
    assert "SP101" in str(flash["description"])  # findings travel with the event


def test_a_changed_post_keeps_its_uid(cli: CLI, tmp_path: Path) -> None:
    root = example_copy(tmp_path)
    before = tmp_path / "before.ics"
    assert cli("-C", root, "calendar", "--ics", str(before), "--now", NOW).code == 0
    post = root / "queue" / "2026-12-07-work-in-progress.toml"
    text = post.read_text(encoding="utf-8")
    post.write_text(
        text.replace("at = 2026-12-07T09:30:00", "at = 2026-12-08T16:45:00").replace(
            "Honest update", "An honest update"
        ),
        encoding="utf-8",
    )
    after = tmp_path / "after.ics"
    assert cli("-C", root, "calendar", "--ics", str(after), "--now", NOW).code == 0
    old, new = events(before.read_bytes()), events(after.read_bytes())
    assert set(old) == set(new)  # nothing added, nothing lost: the calendar updates
    uid = "2026-12-07-work-in-progress.mastodon@soulpost"
    assert new[uid]["start"] == datetime(2026, 12, 8, 16, 45, tzinfo=UTC)
    assert old[uid]["start"] != new[uid]["start"]
    assert "An honest update" in str(new[uid]["summary"])


def test_ics_to_stdout_and_unwritable_target(cli: CLI, tmp_path: Path) -> None:
    root = example_copy(tmp_path)
    result = cli("-C", root, "calendar", "--ics", "-", "--now", NOW)
    assert result.code == 0
    assert result.out.startswith("BEGIN:VCALENDAR")
    bad = cli("-C", root, "calendar", "--ics", str(tmp_path / "no" / "such" / "x.ics"))
    assert bad.code == 2 and "cannot write" in bad.err
