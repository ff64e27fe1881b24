"""``soulpost import feed|csv``: turn feed items or spreadsheet rows into draft files.

(The module is ``import_`` because ``import`` is a Python keyword.) Exit codes: 0 when
everything given was imported; 1 when some rows or items were refused (each named) or the
new drafts have lint errors; 2 when a whole source could not be read (a malformed feed, an
unreadable file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from soulpost.commands import open_workspace

LAYOUT_HELP = "column layout: soulpost (ours, the default), buffer or hootsuite (docs/csv.md)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    feed = sub.add_parser(
        "feed",
        help="new items of RSS/Atom feeds become drafts",
        description="Turn new items of RSS/Atom feeds into draft files (docs/feeds.md).",
    )
    feed.add_argument(
        "sources",
        nargs="*",
        metavar="NAME|URL|FILE",
        help="a [[feeds]] name, or a feed URL or file (default: every configured feed)",
    )
    feed.add_argument("--template", help="the drafts' text, e.g. 'New: {title} {link}'")
    csv = sub.add_parser(
        "csv",
        help="rows of a CSV file become posts",
        description="Turn the rows of a CSV file into post files (docs/csv.md).",
    )
    csv.add_argument("file", type=Path, metavar="FILE", help="the CSV file ('-': standard input)")
    csv.add_argument("--layout", choices=("soulpost", "buffer", "hootsuite"), default="soulpost")
    csv.add_argument(
        "-p",
        "--platform",
        action="append",
        default=[],
        metavar="NAME",
        help="platforms of rows that name none (buffer and hootsuite files never do)",
    )
    csv.add_argument(
        "--date-order",
        choices=("dmy", "mdy"),
        default="dmy",
        help="hootsuite dates: dd/mm/yyyy (dmy, the default) or mm/dd/yyyy (mdy)",
    )
    csv.add_argument("--force", action="store_true", help="replace posts that already exist")


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.publish import clock_for

    ws = open_workspace(args)
    now = clock_for().now()
    if args.kind == "feed":
        from soulpost.importers.pipeline import import_feeds, resolve_feeds

        sources = [_from_cwd(s, ws.settings.feeds, ws.root) for s in args.sources]
        outcome = import_feeds(ws, resolve_feeds(ws, sources, args.template), now=now)
    else:
        from soulpost.importers.csvfile import read_rows
        from soulpost.importers.fetch import read_text
        from soulpost.importers.pipeline import import_rows

        text = read_text(args.file if str(args.file) == "-" else args.file.resolve(), ws.root)
        posts, problems = read_rows(
            text,
            str(args.file),
            ws.settings,
            layout=args.layout,
            platforms=list(dict.fromkeys(args.platform)),
            date_order=args.date_order,
        )
        outcome = import_rows(ws, posts, problems, now=now, force=args.force)
    return _report(ws.root, outcome)


def _from_cwd(source: str, feeds: list[Any], root: Path) -> str:
    """A file named on the command line is relative to where the command runs (a feed's
    ``url`` in config.toml is relative to the workspace); it is recorded relative to the
    workspace when inside it, so the record of seen items means the same on every clone."""
    if "://" in source or any(source in (f.name, f.url) for f in feeds):
        return source
    path = Path(source).resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _report(root: Path, outcome: object) -> int:
    from soulpost.importers.pipeline import Outcome

    assert isinstance(outcome, Outcome)
    for path in outcome.written:
        print(f"added {path.relative_to(root)}")
    for note in outcome.notes:
        print(note)
    for problem in outcome.problems:
        print(f"error: {problem}", file=sys.stderr)
    for broken in outcome.broken:
        print(f"error: {broken}", file=sys.stderr)
    if outcome.lint_text:
        print()
        print(outcome.lint_text, end="")
    if outcome.broken:
        return 2
    lint_errors = outcome.lint is not None and outcome.lint.worst() >= 2
    return 1 if outcome.problems or lint_errors else 0
