"""``soulpost export csv``: the queue as a CSV file, in our layout or Buffer's or Hootsuite's.

Written to standard output or ``-o FILE`` (never over an existing file without ``--force``);
``soulpost import csv`` reads every layout back (docs/csv.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from soulpost.commands import open_workspace, report_errors
from soulpost.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    csv = sub.add_parser(
        "csv",
        help="the queue as CSV",
        description="Write the queue as CSV (docs/csv.md).",
    )
    csv.add_argument("--layout", choices=("soulpost", "buffer", "hootsuite"), default="soulpost")
    csv.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here, not stdout")
    csv.add_argument("--force", action="store_true", help="replace FILE if it exists")
    csv.add_argument(
        "--date-order",
        choices=("dmy", "mdy"),
        default="dmy",
        help="hootsuite dates: dd/mm/yyyy (dmy, the default) or mm/dd/yyyy (mdy)",
    )
    csv.add_argument("ids", nargs="*", metavar="ID", help="only these posts (default: all)")


def run(args: argparse.Namespace) -> int:
    from soulpost.importers.csvfile import export_rows

    ws = open_workspace(args)
    broken = report_errors(ws)
    posts = sorted(ws.posts, key=lambda p: p.id)
    if args.ids:
        unknown = sorted(set(args.ids) - {p.id for p in posts})
        if unknown:
            raise InputError(f"no post with id {', '.join(unknown)}", key="ID")
        posts = [p for p in posts if p.id in set(args.ids)]
    text, left_out = export_rows(posts, ws.settings, args.layout, args.date_order)
    if left_out:
        print(
            f"left out {len(left_out)} post(s) without a time (Hootsuite needs one): "
            + ", ".join(left_out),
            file=sys.stderr,
        )
    if args.output is None:
        sys.stdout.write(text)
    else:
        _write(Path(args.output), text, force=args.force)
        print(f"wrote {len(posts) - len(left_out)} post(s) to {args.output}", file=sys.stderr)
    return 1 if broken else 0


def _write(path: Path, text: str, *, force: bool) -> None:
    from soulpost.filesafe import replace_file, write_new_file

    try:
        if path.exists() and force:
            replace_file(path, text)
        else:
            write_new_file(path, text)
    except FileExistsError:
        raise InputError("already exists", path=path, hint="pass --force to replace it") from None
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", path=path) from None
