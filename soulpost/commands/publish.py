"""``soulpost publish``: one pass now (``--due``), or named posts at once (``ID... --now``).

Exit codes: 0 every due post published (or nothing due, or another pass is running);
1 something failed, was missed, is in doubt or was blocked by lint, in this pass or an
earlier one and not yet settled by a person (each such publication is printed, even with
``-q``); 2 usage, config or ledger error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from soulpost.commands import start_dir
from soulpost.errors import UsageError

if TYPE_CHECKING:
    from soulpost.clock import Clock
    from soulpost.run import PassReport
    from soulpost.run.scanahead import EarlyScan


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID", help="posts to publish (with --now)")
    parser.add_argument("--due", action="store_true", help="publish everything that is due")
    parser.add_argument(
        "--now", action="store_true", help="publish the named posts now, whatever their time"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="render every payload; send and write nothing"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")


SETTLE_HINT = (
    "settle with `soulpost retry ID --platform P` or "
    "`soulpost resolve ID --platform P --published URL|--not-published`"
)


CLOCK_RANGE = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC))
"""The instants soulpost plans in: posting slots look a year ahead and backoffs add hours,
so a clock near the end of the calendar would overflow half way through a pass."""


def clock_for() -> Clock:
    """The command's clock: real time, or SOULPOST_NOW's (see docs/operations.md)."""
    from soulpost.clock import ENV_NOW, clock_from_env

    try:
        clock = clock_from_env()
        now = clock.now().astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        detail = str(exc) if isinstance(exc, ValueError) else "out of the calendar's range"
        raise UsageError(f"{ENV_NOW}: {detail}") from None
    low, high = CLOCK_RANGE
    if not low <= now < high:
        raise UsageError(
            f"{ENV_NOW}: {now.isoformat()} is outside the range soulpost plans in "
            f"({low.year} to {high.year}); set a realistic instant or unset it"
        )
    return clock


def run(args: argparse.Namespace) -> int:
    if args.due == bool(args.ids):
        raise UsageError("say either --due, or one or more post IDs with --now")
    if args.ids and not args.now:
        raise UsageError("publishing named posts needs --now (they go out immediately)")
    if args.due and args.now:
        raise UsageError("--now goes with post IDs, not with --due")
    early = None
    if args.due and not args.dry_run:  # the queue's scan starts before the imports below
        from soulpost.run.scanahead import start_early

        early = start_early(start_dir(args))
    try:
        return _run(args, early)
    finally:
        if early is not None:
            early.close()


def _run(args: argparse.Namespace, early: EarlyScan | None) -> int:
    from soulpost.run import PassOptions, run_pass
    from soulpost.workspace import find_root, load_workspace

    root = find_root(start_dir(args))
    clock = clock_for()
    options = PassOptions(dry_run=args.dry_run, kind="publish-now" if args.now else "publish")
    options.early = early
    if args.ids:
        known = load_workspace(root=root).by_id()
        missing = [i for i in args.ids if i not in known]
        if missing:
            raise UsageError(
                f"no post with id {', '.join(missing)} in the queue (see `soulpost queue` for ids)"
            )
        options.only = set(args.ids)
    report = run_pass(root, clock=clock, options=options, log=lambda line: None)
    print_report(report, quiet=args.quiet, dry_run=args.dry_run)
    if args.dry_run and report.results:  # what the real pass would fail on (issue 11 item 5)
        from soulpost.accounts import stored_roles
        from soulpost.credentials import warn_missing
        from soulpost.workspace import load_settings

        targets = [result.platform for result in report.results]
        settings = load_settings(root)[0]
        say = lambda line: print(line, file=sys.stderr)  # noqa: E731
        warn_missing(settings, targets, say, stored_roles)
    return report.exit_code


def print_report(report: PassReport, *, quiet: bool = False, dry_run: bool = False) -> None:
    out = sys.stdout
    if report.skipped:
        print(f"soulpost: nothing done: {report.skipped}", file=sys.stderr)
        return
    for error in report.load_errors:
        print(f"error: {error}", file=sys.stderr)
    for result in report.results:
        if quiet and not result.needs_attention:
            continue
        state = result.state.replace("_", " ")
        detail = result.url or result.reason or ""
        line = f"{state:<10} {result.post_id} on {result.platform}"
        print(f"{line}: {detail}" if detail else line, file=out)
    for note in report.notes:
        print(f"note: {note}", file=out)
    for line in report.attention:  # older problems still waiting for a person: even with -q
        print(line, file=out)
    if report.attention and not quiet:
        print(SETTLE_HINT, file=out)
    if quiet:
        return
    counts = report.counts()
    if not report.results:
        print("nothing due", file=out)
    else:
        summary = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(counts.items()))
        prefix = "dry run: " if dry_run else ""
        print(f"{prefix}{summary}", file=out)
    if report.stopped_early:
        print("stopped early; the rest goes out on the next pass", file=out)
