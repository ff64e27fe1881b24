"""``soulpost add``: write a new post file into ``queue/`` (atomically, never overwriting)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from soulpost.commands import open_workspace
from soulpost.errors import InputError, UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", help="the post's text; '-' reads standard input")
    parser.add_argument("-f", "--file", type=Path, help="read the text from this file")
    parser.add_argument(
        "-p",
        "--platform",
        action="append",
        default=[],
        metavar="NAME",
        help="target platform (repeatable; default: default_platforms from config)",
    )
    parser.add_argument(
        "--at",
        metavar="WHEN",
        help="when to post: ISO 8601 (2026-12-01T09:00, with or without offset), "
        "'tomorrow 9am', 'monday 09:30', 'in 2h'; local forms use the workspace timezone",
    )
    parser.add_argument(
        "--next-slot",
        action="store_true",
        help="write the next free posting slot of the post's platforms as its `at`",
    )
    parser.add_argument("--id", help="post id and file name (default: date + slug of the text)")
    parser.add_argument("-t", "--tag", action="append", default=[], help="tag (repeatable)")
    parser.add_argument("--approved", action="store_true", help='write status = "approved"')


def _read_text(args: argparse.Namespace) -> str:
    if args.file is not None and args.text not in (None,):
        raise UsageError("give the text either as an argument or with --file, not both")
    if args.file is not None:
        try:
            return Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read text: {exc}", path=args.file) from None
    if args.text == "-" or (args.text is None and not sys.stdin.isatty()):
        return sys.stdin.read()
    if args.text is None:
        raise UsageError("no text: pass it as an argument, with --file FILE, or on standard input")
    return str(args.text)


def build_post_data(args: argparse.Namespace, text: str, when: datetime | None) -> dict[str, Any]:
    """The new post's TOML data, in the order a person reads it."""
    data: dict[str, Any] = {"text": text.strip() + "\n"}
    if args.platform:
        data["platforms"] = list(dict.fromkeys(args.platform))
    if when is not None:
        data["at"] = when
    data["status"] = "approved" if args.approved else "draft"
    if args.tag:
        data["tags"] = list(dict.fromkeys(args.tag))
    return data


def _next_slot(ws: Any, args: argparse.Namespace) -> datetime:
    """The next free slot for the new post's platforms, as a local wall time when the
    workspace has a time zone (what a person would have typed), else with an offset."""
    from soulpost.commands.publish import clock_for
    from soulpost.commands.queue import _ledger_view
    from soulpost.plan import next_free_slot

    platforms = list(dict.fromkeys(args.platform)) or list(ws.settings.default_platforms)
    if not platforms:
        raise UsageError("--next-slot needs the post's platforms: pass -p NAME")
    reserved, _ = _ledger_view(ws)
    slot = next_free_slot(ws.posts, ws.settings, platforms, clock_for().now(), reserved)
    if slot is None:
        raise InputError(
            "no free posting slot in the next year",
            key="--next-slot",
            hint="add [[slots]] (days and times) to config.toml, or give --at",
        )
    zone = ws.settings.zone()
    return slot.astimezone(zone).replace(tzinfo=None) if zone else slot


def run(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    text = _read_text(args)
    if not text.strip():
        raise InputError(
            "the post's text is empty", key="text", hint="write something worth reading"
        )
    zone = ws.settings.zone()
    now = datetime.now(UTC)
    when: datetime | None = None
    if args.at and args.next_slot:
        raise UsageError("give either --at or --next-slot, not both")
    if args.next_slot:
        when = _next_slot(ws, args)
    if args.at:
        from soulpost.timeutil import parse_when

        try:
            when = parse_when(args.at, now=now, zone=zone or UTC)
        except ValueError as exc:
            raise InputError(str(exc), key="--at") from None
        if when.tzinfo is None and zone is None:
            raise InputError(
                "a local time needs a timezone in config.toml",
                key="--at",
                hint='add timezone = "Europe/London" or give an offset (+01:00)',
            )
    data = build_post_data(args, text, when)
    return write_post(ws, args, data, when, now)


def write_post(
    ws: Any, args: argparse.Namespace, data: dict[str, Any], when: datetime | None, now: datetime
) -> int:
    """Validate *data* as a post, then write it under a fresh, unused file name."""
    from soulpost.filesafe import write_new_file
    from soulpost.posts import PostInvalid, dump_post, parse_post, slugify
    from soulpost.workspace import post_context

    zone = ws.settings.zone()
    day = when if when is not None else now
    day_text = (day.astimezone(zone) if (zone and day.tzinfo) else day).date().isoformat()
    base = args.id or f"{day_text}-{slugify(data['text'])}"
    existing = {p.id for p in ws.posts}
    candidates = [base] if args.id else [base] + [f"{base}-{n}" for n in range(2, 100)]
    for post_id in candidates:
        path = ws.queue_dir / f"{post_id}.toml"
        if post_id in existing or path.exists():
            if args.id:
                raise InputError(
                    f"a post with id {post_id!r} already exists",
                    path=path,
                    key="--id",
                    hint="choose another id; soulpost add never overwrites a post",
                )
            continue
        content = dump_post(data)
        try:
            parse_post(content, path, post_context(ws.settings))
        except PostInvalid as exc:
            raise exc.errors[0] from None
        try:
            write_new_file(path, content)
        except FileExistsError:
            continue  # another writer took the name a moment ago; try the next one
        print(f"added {path.relative_to(ws.root)}")
        return 0
    raise InputError(
        f"no free file name for {base!r} in {ws.queue_dir}", key="--id", hint="pass --id"
    )
