"""``soulpost daemon``: publish each post at its time until stopped (SIGTERM/SIGINT).

Run it under systemd (see docs/operations.md). It exits 0 after a clean stop, 2 when the
workspace cannot be used or another daemon holds it.
"""

from __future__ import annotations

import argparse

from soulpost.commands import start_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait-for-lock",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for a running pass to finish before giving up (default 60)",
    )


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.publish import clock_for
    from soulpost.daemon import Daemon
    from soulpost.workspace import find_root

    root = find_root(start_dir(args))
    return Daemon(root, clock_for()).run(wait_for_lock=args.wait_for_lock)
