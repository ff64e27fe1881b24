"""``soulpost queue``: the queue in time order, in the workspace's time zone."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from soulpost.commands import open_workspace, report_errors


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument("--all", action="store_true", help="include posts whose time has passed")


def _ledger_view(ws: Any) -> tuple[dict[str, datetime], dict[tuple[str, str], str]]:
    """Reserved slots and the newest publication state per (post, platform), read-only."""
    from soulpost.ledger import DB_NAME, open_ledger
    from soulpost.plan import newest_rows

    if ws.settings.publish.ledger == "sqlite" and not (ws.state_dir / DB_NAME).exists():
        return {}, {}
    ledger = open_ledger(ws.state_dir, settings=ws.settings.publish, read_only=True)
    try:
        rows = newest_rows(ledger.publications())
        states: dict[tuple[str, str], str] = {k: r.state for k, r in rows.items()}
        return ledger.slots(), states
    finally:
        ledger.close()


def rows(ws: Any, now: datetime) -> list[dict[str, Any]]:
    """One dict per post: id, resolved time, where the time came from (explicit, a reserved
    slot, or a provisional slot), platforms, status and each platform's publication state."""
    from soulpost.plan import approval_ok, resolve_times

    zone = ws.settings.zone() or UTC
    reserved, states = _ledger_view(ws)
    eligible = [p.id for p in ws.posts if approval_ok(p, ws.settings)]
    timings, _ = resolve_times(ws.posts, ws.settings, now, reserved, eligible)
    out = []
    for post in ws.posts:
        timing = timings[post.id]
        at = post.at if post.at is not None else timing.at  # explicit: as the file says
        source = timing.source if at is not None else "unscheduled"
        if source == "slot" and post.id not in reserved:
            source = "next slot"  # what it would take now; a pass reserves it
        local = at.astimezone(zone) if at is not None else None
        first_line = next((line.strip() for line in post.text.splitlines() if line.strip()), "")
        out.append(
            {
                "id": post.id,
                "at": at.isoformat() if at else None,
                "local": local.isoformat() if local else None,
                "time_source": source,
                "time_kind": post.time_kind.value if post.time_kind else None,
                "platforms": post.platforms,
                "status": post.status,
                "publications": {p: states.get((post.id, p), "queued") for p in post.platforms},
                "path": str(post.path.relative_to(ws.root)) if post.path else None,
                "text": first_line,
                "_local": local,
                "_sort": (at is None, at or now, post.id),
            }
        )
    out.sort(key=lambda row: row["_sort"])
    for row in out:
        del row["_sort"]
    return out


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.publish import clock_for

    ws = open_workspace(args)
    now = clock_for().now()
    table = rows(ws, now)
    if args.json:
        json.dump(
            {"version": 1, "timezone": ws.settings.timezone, "posts": [_public(r) for r in table]},
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        sys.stdout.write("\n")
    else:
        zone = ws.settings.zone() or UTC
        if not table:
            print('the queue is empty: add a post with `soulpost add "..."`')
        headers = ("WHEN", "ID", "PLATFORMS", "STATUS", "FROM", "PUBLISHED", "TEXT")
        lines = []
        for row in table:
            if row["_local"] is not None:
                when = row["_local"].strftime("%a %Y-%m-%d %H:%M %Z")
                if row["time_kind"] in ("gap", "ambiguous"):
                    when += f" ({row['time_kind']})"
            else:
                when = "no free slot"
            states = row["publications"]
            distinct = set(states.values())
            published = (
                distinct.pop().replace("_", " ")
                if len(distinct) == 1
                else ",".join(f"{p}:{v}" for p, v in states.items())
            )
            lines.append(
                (
                    when,
                    row["id"],
                    ",".join(row["platforms"]),
                    row["status"],
                    row["time_source"],
                    published,
                    _shorten(row["text"], 50),
                )
            )
        if lines:
            widths = [
                max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers[:-1])
            ]
            print(
                "  ".join(h.ljust(w) for h, w in zip(headers, [*widths, 0], strict=True)).rstrip()
            )
            for line in lines:
                print(
                    "  ".join(c.ljust(w) for c, w in zip(line, [*widths, 0], strict=True)).rstrip()
                )
            print(f"\n{len(lines)} post(s); times in {ws.settings.timezone or 'UTC'} ({zone})")
    return 2 if report_errors(ws) else 0
