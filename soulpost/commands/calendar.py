"""``soulpost calendar``: the schedule as a week or month grid in the terminal, per platform,
with free slots, gaps and each post's state; ``--ics FILE`` writes an RFC 5545 calendar."""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import UTC, date

from soulpost.commands import start_dir
from soulpost.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    span = parser.add_mutually_exclusive_group()
    span.add_argument("--week", action="store_true", help="one week, Monday first (default)")
    span.add_argument("--month", action="store_true", help="one calendar month")
    parser.add_argument(
        "--from",
        dest="start",
        metavar="DATE",
        help="YYYY-MM-DD: the week starting that day, or that day's month (default: today)",
    )
    parser.add_argument(
        "-p", "--platform", action="append", default=[], help="only this platform (repeatable)"
    )
    parser.add_argument(
        "--ics",
        metavar="FILE",
        help="write every scheduled post as an iCalendar file ('-': stdout)",
    )
    parser.add_argument(
        "--now", metavar="WHEN", help="as of this instant (default: SOULPOST_NOW or now)"
    )
    parser.add_argument("--width", type=int, help="terminal width (default: detected)")


def _start(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--from: expected a date such as 2026-12-01, got {text!r}") from None


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.preview import now_for

    now = now_for(args)
    start = _start(args.start)
    if args.ics:
        return _ics(args, now)
    from soulpost.review.calendar import (
        build_calendar,
        month_text,
        week_text,
        window,
        window_bounds,
    )
    from soulpost.review.schedule import schedule
    from soulpost.workspace import find_root, load_settings

    root = find_root(start_dir(args))
    kind = "month" if args.month else "week"

    settings, _ = load_settings(root)
    zone = settings.zone()
    today = now.astimezone(zone).date() if zone else now.date()
    first, days = window(kind, start, today)
    low, high = window_bounds(first, days, zone or UTC)
    found = schedule(root, now, low, high)
    cal = build_calendar(
        found.entries,
        found.settings,
        start=first,
        days=days,
        platforms=args.platform or None,
        now=now,
    )
    cal.unscheduled = found.unscheduled
    cols = args.width or shutil.get_terminal_size((120, 24)).columns
    sys.stdout.write(month_text(cal, cols) if kind == "month" else week_text(cal, cols))
    for note in found.notes:
        print(f"note: {note}", file=sys.stderr)
    for error in found.errors:
        print(f"error: {error}", file=sys.stderr)
    return 2 if found.errors else 0


def _ics(args: argparse.Namespace, now: object) -> int:
    from datetime import datetime

    from soulpost.commands import open_workspace, report_errors
    from soulpost.review.ics import calendar_ics
    from soulpost.review.model import build_review

    assert isinstance(now, datetime)
    ws = open_workspace(args)
    review = build_review(ws, now)
    if args.platform:
        for post in review.posts:
            post.cards = [c for c in post.cards if c.platform in args.platform]
    data = calendar_ics(review, now)
    if args.ics == "-":
        sys.stdout.buffer.write(data)
    else:
        from pathlib import Path

        target = Path(args.ics)
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise UsageError(f"--ics {args.ics}: cannot write ({exc.strerror or exc})") from None
        events = data.count(b"BEGIN:VEVENT")
        print(f"wrote {target} ({events} events)")
    return 2 if report_errors(ws) else 0
