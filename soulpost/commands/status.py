"""``soulpost status``: which ledger (a SQLite file, or a PostgreSQL database named without
its password) and, on a shared one, every publisher with its host, pid and last heartbeat;
counts by state, the last pass, the daemon's heartbeat, and every publication a person
should look at (failed, missed, in doubt and not yet settled by a
person, or a claim whose lease ran out) with its reason.

Exit 1 when something needs attention, so monitoring can run it as a check.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from soulpost.commands import open_workspace

if TYPE_CHECKING:
    from soulpost.ledger import State


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
    from soulpost.ledger import STATES, attention, open_ledger
    from soulpost.plan import newest_rows

    ws = open_workspace(args)
    now = clock_for().now()
    ledger = open_ledger(ws.state_dir, settings=ws.settings.publish, read_only=True)
    try:
        rows = newest_rows(ledger.publications())
        last = ledger.last_run()
        ledger_info = {"backend": ledger.backend, "where": ledger.where}
        publishers = ledger.publishers()
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
    view = View(counts, queued, last, beat, beat_age, needs, waiting, proofs, now)
    view.broken = [e.render(ws.root) for e in ws.errors]  # drafts that will not publish
    view.ledger, view.publishers = ledger_info, publishers
    if args.json:
        _print_json(view)
    else:
        _print_text(view, args.receipts)
        _print_broken(view.broken)
    return 1 if needs or view.broken else 0


@dataclass
class View:
    """What status shows, gathered once for the JSON and the text form."""

    counts: dict[State, int]
    queued: int
    last: Any
    beat: dict[str, Any] | None
    beat_age: float | None
    needs: list[Any]
    waiting: list[Any]
    proofs: list[Any]
    now: datetime
    broken: list[str] = field(default_factory=list)
    ledger: dict[str, str] = field(default_factory=dict)
    publishers: list[dict[str, Any]] = field(default_factory=list)


def _print_json(v: View) -> None:
    print(
        json.dumps(
            {
                "version": 1,
                "ledger": v.ledger,
                "publishers": [
                    {k: (x.isoformat() if isinstance(x, datetime) else x) for k, x in p.items()}
                    for p in v.publishers
                ],
                "counts": {**v.counts, "queued": v.queued},
                "last_run": None
                if v.last is None
                else {
                    "started_at": v.last.started_at.isoformat(),
                    "finished_at": v.last.finished_at.isoformat() if v.last.finished_at else None,
                    "kind": v.last.kind,
                    "pid": v.last.pid,
                    "summary": v.last.summary,
                },
                "heartbeat": None if v.beat is None else {**v.beat, "age_seconds": v.beat_age},
                "attention": [
                    {
                        "id": r.post_id,
                        "platform": r.platform,
                        "state": r.state,
                        "reason": r.reason,
                        "scheduled_at": r.scheduled_at.isoformat() if r.scheduled_at else None,
                    }
                    for r in v.needs
                ],
                "broken_drafts": v.broken,
                "receipts": [
                    {
                        "id": r.post_id,
                        "platform": r.platform,
                        "remote_id": r.remote_id,
                        "url": r.url,
                        "published_at": r.published_at.isoformat() if r.published_at else None,
                    }
                    for r in v.proofs
                ],
            },
            indent=2,
        )
    )


def _print_ledger(v: View) -> None:
    """The backend, and each publisher sharing it (PostgreSQL) with its last heartbeat."""
    print(f"ledger: {v.ledger.get('backend')} {v.ledger.get('where')}")
    for p in v.publishers:
        age = format_duration_s(max(0.0, float(p["age_seconds"] or 0)))
        held = f", {p['claims']} claim(s) held" if p["claims"] else ""
        print(f"publisher: {p['host']} pid {p['pid']}: {p['state']}, heartbeat {age} ago{held}")


def _print_broken(broken: list[str]) -> None:
    """The drafts that do not load: they will not be published until fixed."""
    if broken:
        print(f"broken drafts: {len(broken)} problem(s); these posts will not be published")
        for line in broken:
            print(f"  {line}")


def _print_text(v: View, limit_arg: int) -> None:
    from soulpost.ledger import describe
    from soulpost.timeutil import format_duration

    now = v.now
    _print_ledger(v)
    shown = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in v.counts.items() if n)
    print(f"publications: {shown or 'none yet'}; {v.queued} not yet in the ledger")
    last = v.last
    if last is None:
        print("last run: never")
    else:
        ago = format_duration(max(timedelta(0), now - last.started_at))
        finished = "" if last.finished_at else " (did not finish)"
        summary = ", ".join(f"{n} {k}" for k, n in sorted(last.summary.items())) or "nothing"
        print(f"last run: {last.kind} {ago} ago by pid {last.pid}{finished}: {summary}")
    beat, beat_age = v.beat, v.beat_age
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
    limit = limit_arg if limit_arg > 0 else len(v.proofs)
    proofs = v.proofs
    if proofs:
        print(f"receipts ({len(proofs)} published, newest first):")
    for row in proofs[:limit]:
        when = row.published_at.isoformat(timespec="seconds") if row.published_at else "-"
        where = row.url or "(no public URL)"
        print(f"  {when}  {row.post_id} on {row.platform}: {row.remote_id} {where}")
    if len(proofs) > limit:
        print(f"  ... and {len(proofs) - limit} more (`soulpost status --receipts 0` or `history`)")
    for row in v.waiting:  # retries planned, threads a person let continue
        print(f"waiting: {row.post_id} on {row.platform}: {row.reason}")
    for row in v.needs:
        when = row.scheduled_at.isoformat() if row.scheduled_at else "-"
        if row.state == "claimed":
            print(describe(row, now))
            continue
        state = row.state.replace("_", " ")
        print(f"{state}: {row.post_id} on {row.platform} (due {when}): {row.reason or ''}")
    if v.needs:
        from soulpost.commands.publish import SETTLE_HINT

        print(SETTLE_HINT)


def format_duration_s(seconds: float) -> str:
    from datetime import timedelta

    from soulpost.timeutil import format_duration

    return format_duration(timedelta(seconds=seconds))
