"""``soulpost status``: counts by state, the last pass, the daemon's heartbeat, and every
publication a person should look at (failed, missed, in doubt and not yet settled by a
person, or a claim whose lease ran out) with its reason.

Exit 1 when something needs attention, so monitoring can run it as a check.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from typing import Any

from soulpost.commands import open_workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument(
        "--receipts",
        type=int,
        default=20,
        metavar="N",
        help="show the N newest receipts (0: all; default 20); --json always has all",
    )


def receipts(rows: Any) -> list[Any]:
    """Published rows, newest first: each one's proof of publication."""
    done = [r for r in rows if r.state == "published"]
    return sorted(done, key=lambda r: (r.published_at is None, r.published_at), reverse=True)


def read_heartbeat(ws: Any) -> dict[str, Any] | None:
    from soulpost.daemon import HEARTBEAT_FILE

    try:
        data = json.loads((ws.state_dir / HEARTBEAT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.publish import clock_for
    from soulpost.ledger import STATES, attention, describe, open_ledger
    from soulpost.plan import newest_rows
    from soulpost.timeutil import format_duration

    ws = open_workspace(args)
    now = clock_for().now()
    ledger = open_ledger(ws.state_dir, backend=ws.settings.publish.ledger, read_only=True)
    try:
        rows = newest_rows(ledger.publications())
        last = ledger.last_run()
    finally:
        ledger.close()
    counts = dict.fromkeys(STATES, 0)
    for row in rows.values():
        counts[row.state] += 1
    queued = sum(
        1 for post in ws.posts for platform in post.platforms if (post.id, platform) not in rows
    )
    needs = attention(list(rows.values()), now)  # incl. claims whose lease ran out
    waiting = [r for r in rows.values() if r.state == "pending" and r.reason]
    proofs = receipts(rows.values())
    beat = read_heartbeat(ws)
    beat_age = None
    if beat and beat.get("at"):
        beat_age = (now - datetime.fromisoformat(beat["at"])).total_seconds()
    if args.json:
        print(
            json.dumps(
                {
                    "version": 1,
                    "counts": {**counts, "queued": queued},
                    "last_run": None
                    if last is None
                    else {
                        "started_at": last.started_at.isoformat(),
                        "finished_at": last.finished_at.isoformat() if last.finished_at else None,
                        "kind": last.kind,
                        "pid": last.pid,
                        "summary": last.summary,
                    },
                    "heartbeat": None if beat is None else {**beat, "age_seconds": beat_age},
                    "attention": [
                        {
                            "id": r.post_id,
                            "platform": r.platform,
                            "state": r.state,
                            "reason": r.reason,
                            "scheduled_at": r.scheduled_at.isoformat() if r.scheduled_at else None,
                        }
                        for r in needs
                    ],
                    "receipts": [
                        {
                            "id": r.post_id,
                            "platform": r.platform,
                            "remote_id": r.remote_id,
                            "url": r.url,
                            "published_at": r.published_at.isoformat() if r.published_at else None,
                        }
                        for r in proofs
                    ],
                },
                indent=2,
            )
        )
        return 1 if needs else 0
    shown = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items() if n)
    print(f"publications: {shown or 'none yet'}; {queued} not yet in the ledger")
    if last is None:
        print("last run: never")
    else:
        ago = format_duration(max(timedelta(0), now - last.started_at))
        finished = "" if last.finished_at else " (did not finish)"
        summary = ", ".join(f"{v} {k}" for k, v in sorted(last.summary.items())) or "nothing"
        print(f"last run: {last.kind} {ago} ago by pid {last.pid}{finished}: {summary}")
    if beat is None or beat_age is None:
        print("daemon: no heartbeat (not running here, or never ran)")
    else:
        interval = float(beat.get("interval", 30))
        stale = beat_age > 3 * interval or beat.get("state") == "stopped"
        state = beat.get("state", "running")
        flag = ""
        if stale and state != "stopped":
            flag = " (STALE: the daemon is not running or is stuck)"
        age = format_duration_s(max(0.0, beat_age))
        print(f"daemon: {state}, pid {beat.get('pid')}, heartbeat {age} ago{flag}")
    limit = args.receipts if args.receipts > 0 else len(proofs)
    if proofs:
        print(f"receipts ({len(proofs)} published, newest first):")
    for row in proofs[:limit]:
        when = row.published_at.isoformat(timespec="seconds") if row.published_at else "-"
        where = row.url or "(no public URL)"
        print(f"  {when}  {row.post_id} on {row.platform}: {row.remote_id} {where}")
    if len(proofs) > limit:
        print(f"  ... and {len(proofs) - limit} more (`soulpost status --receipts 0` or `history`)")
    for row in waiting:  # retries planned, threads a person let continue
        print(f"waiting: {row.post_id} on {row.platform}: {row.reason}")
    for row in needs:
        when = row.scheduled_at.isoformat() if row.scheduled_at else "-"
        if row.state == "claimed":
            print(describe(row, now))
            continue
        state = row.state.replace("_", " ")
        print(f"{state}: {row.post_id} on {row.platform} (due {when}): {row.reason or ''}")
    if needs:
        from soulpost.commands.publish import SETTLE_HINT

        print(SETTLE_HINT)
    return 1 if needs else 0


def format_duration_s(seconds: float) -> str:
    from datetime import timedelta

    from soulpost.timeutil import format_duration

    return format_duration(timedelta(seconds=seconds))
