"""``soulpost resolve ID --platform P --published URL | --not-published``: a person settles
a publication that is in doubt (or failed) after checking the platform.

``--published URL`` records it as live (a thread then continues with its next part);
``--not-published`` records it as failed, and ``soulpost retry`` sends it again.
"""

from __future__ import annotations

import argparse

from soulpost.commands import open_workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="the post id")
    parser.add_argument("-p", "--platform", required=True, help="the platform to settle")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--published", metavar="URL", help="it is live at URL")
    group.add_argument("--not-published", action="store_true", help="it did not go out")


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.publish import clock_for
    from soulpost.ledger import open_ledger

    ws = open_workspace(args)
    now = clock_for().now()
    ledger = open_ledger(ws.state_dir, backend=ws.settings.publish.ledger)
    try:  # a LedgerError says why the answer does not fit (exit 2)
        if args.published is not None:
            pub = ledger.mark_published(args.id, args.platform, args.published, now)
        else:
            pub = ledger.mark_not_published(args.id, args.platform, now)
    finally:
        ledger.close()
    state = pub.state.replace("_", " ")
    print(f"{args.id} on {args.platform}: {state}" + (f" ({pub.reason})" if pub.reason else ""))
    return 0
