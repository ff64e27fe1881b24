"""``soulpost archive``: move published posts out of ``queue/`` (see soulpost.run.archive).

A post is archived when every platform it names is published, the last of them before
``--published-before`` (a date or time, or a duration meaning that long ago; default:
``[archive] after`` ago when set, else now). ``--dry-run`` lists what would move. Exit 0
when everything chosen moved (or nothing was due to), 1 when a file could not be moved,
2 on usage, config or ledger errors.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from soulpost.commands import start_dir
from soulpost.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from soulpost.config import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--published-before",
        metavar="WHEN",
        help='archive posts published before WHEN: a date or time ("2026-11-01"), or a '
        'duration meaning that long ago ("30d"); default: [archive] after ago, else now',
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would be archived; move nothing"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")


def cutoff(text: str | None, settings: Settings, now: datetime) -> datetime:
    """The instant *text* names (a duration counts back from *now*)."""
    from soulpost.timeutil import parse_duration, parse_when

    if text is None:
        after = settings.archive.after
        return now - after if after is not None else now
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        when = parse_when(text, now=now, zone=settings.zone() or UTC)
    except (ValueError, OverflowError) as exc:
        raise UsageError(
            f"--published-before {text!r}: {exc}; give a date such as 2026-11-01 or a "
            "duration such as 30d"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=settings.zone() or UTC)
    return when.astimezone(UTC)


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.publish import clock_for
    from soulpost.ledger import open_ledger
    from soulpost.plan import newest_rows
    from soulpost.run.archive import archivable, archive_posts
    from soulpost.workspace import find_root, load_settings

    root = find_root(start_dir(args))
    settings, config_path = load_settings(root)
    now = clock_for().now()
    before = cutoff(args.published_before, settings, now)
    state_dir = root / settings.publish.state_dir
    ledger = open_ledger(state_dir, settings=settings.publish, read_only=True)
    try:
        rows = newest_rows(ledger.publications())
    finally:
        ledger.close()
    chosen = archivable(_posts(root, settings, config_path), rows, before)
    report = archive_posts(root, settings, chosen, dry_run=args.dry_run)
    verb = "would archive" if args.dry_run else "archived"
    for move in report.moved:
        if not args.quiet:
            source, target = _shown(move.source, root), _shown(move.target, root)
            print(f"{verb} {move.post_id}: {source} -> {target} ({move.how})")
    for problem in report.problems:
        print(f"error: {problem}")
    if not args.quiet:
        print(f"{verb} {len(report.moved)} post(s) published before {before.isoformat()}")
    return 1 if report.problems else 0


def _posts(root: Path, settings: Settings, config_path: Path) -> list[tuple[str, Any, Any]]:
    """(id, platforms, file) of every post, from the queue index (parsing only drafts
    changed since the last pass), or from a full load when two drafts share an id."""
    from soulpost.queueindex import QueueState, scan_stamps
    from soulpost.workspace import QUEUE_DIR, load_workspace

    state = QueueState.load(root / settings.publish.state_dir, config_path)
    state.update(scan_stamps(root / QUEUE_DIR), settings, root)
    found = state.summaries()
    if found is not None:
        return [(s.id, s.platforms, s.path) for s in found[0]]
    ws = load_workspace(root=root)
    return [(p.id, p.platforms, p.path) for p in ws.posts]


def _shown(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path
