"""``soulpost site OUT/``: write the static HTML review site (see soulpost/review/site.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from soulpost.commands import open_workspace, report_errors
from soulpost.commands.lint import add_cache_flag, without_cache
from soulpost.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", metavar="OUT", help="folder to write the site into (created)")
    parser.add_argument(
        "--templates",
        metavar="DIR",
        help="your own templates, tried before the packaged ones (default: templates/ in "
        "the workspace, when it exists)",
    )
    parser.add_argument(
        "--now", metavar="WHEN", help="as of this instant (default: SOULPOST_NOW or now)"
    )
    add_cache_flag(parser)
    # As for lint: every page is written and closed, every worker waited for, when the
    # command returns; freeing a 10,000-post review's objects one by one at exit took
    # about 0.1 s, after the last page.
    parser.set_defaults(exit_fast=True, pause_gc=True)


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.preview import now_for
    from soulpost.review.model import lint_pending, plan_only
    from soulpost.review.sitewriter import write_site

    ws = open_workspace(args)
    if args.no_cache:
        without_cache(ws)
    now = now_for(args)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder; give a folder for the site")
    if out.resolve() == ws.root.resolve():
        raise UsageError(f"{out} is the workspace itself; give a separate folder, e.g. site/")
    templates = Path(args.templates) if args.templates else ws.root / "templates"
    if args.templates and not templates.is_dir():
        raise UsageError(f"--templates {args.templates}: no such folder")
    from soulpost.progress import Progress
    from soulpost.workspace import paused_gc

    # Millions of objects and hardly any garbage: the collector would walk them all again
    # and again (and, in the forked page writers, copy every page it walks).
    count = len(ws.posts)
    with paused_gc(count), Progress(f"writing the site for {count} post(s)"):
        review, pending, plan = plan_only(ws, now)
        try:
            # The page writers start composing while the linter runs.
            report = write_site(
                ws,
                review,
                pending,
                out,
                template_dir=templates,
                lint=lambda: lint_pending(ws, now, plan, review, pending),
            )
        except OSError as exc:
            raise UsageError(f"cannot write the site into {out}: {exc.strerror or exc}") from None
    for skipped in report.skipped_media or []:
        print(f"warning: media {skipped}")
    if report.removed:
        print(f"removed {len(report.removed)} page(s) of posts no longer in the queue")
    for note in review.notes:
        print(f"note: {note}")
    print(
        f"wrote {report.pages} pages ({report.bytes / 1024:.0f} KiB) and {report.media} "
        f"image(s) to {out}; open {out / 'index.html'}"
    )
    return 2 if report_errors(ws) else 0
