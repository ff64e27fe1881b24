"""``soulpost retry ID [--platform P]``: send a failed or missed publication again at the
next pass (even if it is late now: a person asked for it). In-doubt ones must be settled
with ``soulpost resolve`` first, since they may already be live."""

from __future__ import annotations

import argparse

from soulpost.commands import open_workspace
from soulpost.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="the post id")
    parser.add_argument(
        "-p", "--platform", action="append", default=[], help="only this platform (repeatable)"
    )


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.publish import clock_for
    from soulpost.ledger import open_ledger

    ws = open_workspace(args)
    now = clock_for().now()
    ledger = open_ledger(ws.state_dir, settings=ws.settings.publish)
    try:
        platforms = args.platform or sorted(
            {p.platform for p in ledger.publications(args.id) if p.state in ("failed", "missed")}
        )
        if not platforms:
            raise UsageError(f"{args.id} has no failed or missed publication to retry")
        for platform in platforms:
            ledger.retry(args.id, platform, now)  # a LedgerError says why not (exit 2)
            print(f"{args.id} on {platform}: will be sent at the next pass")
    finally:
        ledger.close()
    return 0
