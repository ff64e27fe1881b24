"""``soulpost preview``: each post as each platform will receive it, with its findings and
its ledger state (see soulpost/review/)."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import datetime

from soulpost.commands import open_workspace, report_errors
from soulpost.commands.lint import add_cache_flag, without_cache
from soulpost.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID", help="posts to show (default: all)")
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text for people, json for scripts, markdown for a GitHub job summary or PR",
    )
    parser.add_argument(
        "--changed-since",
        metavar="REF",
        help="only posts whose files differ from git REF (added or changed), with "
        "schedule changes and removed posts",
    )
    parser.add_argument(
        "--now",
        metavar="WHEN",
        help="plan and lint as of this instant (default: SOULPOST_NOW or now)",
    )
    parser.add_argument("--width", type=int, help="terminal width (default: detected)")
    add_cache_flag(parser)


def now_for(args: argparse.Namespace) -> datetime:
    """``--now``, else the command clock (``SOULPOST_NOW`` or the system clock)."""
    if getattr(args, "now", None):
        from soulpost.clock import parse_instant

        try:
            return parse_instant(args.now)
        except ValueError as exc:
            raise UsageError(f"--now: {exc}") from None
    from soulpost.commands.publish import clock_for

    return clock_for().now()


def run(args: argparse.Namespace) -> int:
    from soulpost.review.model import build_review
    from soulpost.review.preview import review_json, review_markdown, review_text

    ws = open_workspace(args)
    if args.no_cache:
        without_cache(ws)
    now = now_for(args)
    known = {p.id for p in ws.posts}
    unknown = [i for i in args.ids if i not in known]
    if unknown:
        raise UsageError(f"no post with id {', '.join(unknown)} in {ws.queue_dir}")
    ids: set[str] | None = set(args.ids) if args.ids else None
    changes = None
    if args.changed_since:
        from soulpost.review.changes import changed_since

        changes = changed_since(ws, args.changed_since)
        wanted = changes.paths()
        changed_ids = {p.id for p in ws.posts if p.path and _rel(p.path, ws.root) in wanted}
        ids = changed_ids if ids is None else ids & changed_ids
    review = build_review(ws, now, ids=ids)
    if args.format == "json":
        json.dump(review_json(review, changes), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.format == "markdown":
        sys.stdout.write(review_markdown(review, changes))
    else:
        cols = args.width or shutil.get_terminal_size((100, 24)).columns
        sys.stdout.write(review_text(review, cols))
    return 2 if report_errors(ws) else 0


def _rel(path: object, root: object) -> str:
    from pathlib import Path

    assert isinstance(path, Path) and isinstance(root, Path)
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
