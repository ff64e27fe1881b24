"""``soulpost daemon``: publish each post at its time until stopped (SIGTERM/SIGINT).

Run it under systemd (see docs/operations.md). It exits 0 after a clean stop, 2 when the
workspace cannot be used or another daemon holds it. A stop never takes longer than
``--shutdown-grace`` seconds (default 20) plus a moment: a publication still in flight by
then is recorded as in doubt.
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
    parser.add_argument(
        "--shutdown-grace",
        type=float,
        default=None,
        metavar="SECONDS",
        help="after SIGTERM, how long the publication in flight may take before it is "
        "recorded as in doubt and the daemon exits (0 to 80; default 20)",
    )


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.publish import clock_for
    from soulpost.daemon import MAX_SHUTDOWN_GRACE, SHUTDOWN_GRACE, Daemon
    from soulpost.errors import UsageError
    from soulpost.workspace import find_root

    grace = SHUTDOWN_GRACE if args.shutdown_grace is None else args.shutdown_grace
    if not 0 <= grace <= MAX_SHUTDOWN_GRACE:  # NaN fails both comparisons too
        raise UsageError(
            f"--shutdown-grace must be between 0 and {MAX_SHUTDOWN_GRACE:g} seconds "
            "(systemd stops a unit after 90 s)"
        )
    root = find_root(start_dir(args))
    return Daemon(root, clock_for(), shutdown_grace=grace).run(wait_for_lock=args.wait_for_lock)
