"""``soulpost history [ID]``: every publication and attempt, oldest first."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from soulpost.commands import open_workspace

if TYPE_CHECKING:
    from soulpost.ledger import Attempt, PubKey, Publication


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", nargs="?", help="only this post")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def run(args: argparse.Namespace) -> int:
    from soulpost.ledger import open_ledger

    ws = open_workspace(args)
    ledger = open_ledger(ws.state_dir, settings=ws.settings.publish, read_only=True)
    try:
        pubs = ledger.publications(args.id)
        attempts = ledger.attempts(args.id)
    finally:
        ledger.close()
    if args.json:
        print(json.dumps(_as_json(pubs, attempts), indent=2))
    else:
        _print_text(pubs, attempts, args.id)
    return 0


def _as_json(pubs: list[Publication], attempts: list[Attempt]) -> dict[str, Any]:
    """``history --json``: every publication with its parts, then every attempt (version 1)."""
    return {
        "version": 1,
        "publications": [
            {
                "id": p.post_id,
                "platform": p.platform,
                "content_hash": p.key.content_hash,
                "idempotency_key": p.idem_key,
                "state": p.state,
                "scheduled_at": p.scheduled_at.isoformat() if p.scheduled_at else None,
                "attempts": p.attempts,
                "reason": p.reason,
                "remote_id": p.remote_id,
                "url": p.url,
                "published_at": p.published_at.isoformat() if p.published_at else None,
                "parts": [{"part": x.index, "state": x.state, "url": x.url} for x in p.parts],
            }
            for p in pubs
        ],
        "attempts": [
            {
                "id": a.key.post_id,
                "platform": a.key.platform,
                "part": a.part,
                "at": a.at.isoformat(),
                "outcome": a.outcome,
                "error": a.error,
            }
            for a in attempts
        ],
    }


def _print_text(pubs: list[Publication], attempts: list[Attempt], post_id: str | None) -> None:
    if not pubs:
        print(f"no publications recorded{' for ' + post_id if post_id else ''}")
        return
    by_key: dict[PubKey, list[Attempt]] = {}
    for attempt in attempts:
        by_key.setdefault(attempt.key, []).append(attempt)
    for pub in pubs:
        state = pub.state.replace("_", " ")
        where = f" {pub.url or pub.remote_id}" if pub.state == "published" else ""
        sched = pub.scheduled_at.isoformat() if pub.scheduled_at else "-"
        print(f"{pub.post_id} on {pub.platform}: {state}{where} (due {sched}, key {pub.idem_key})")
        if pub.reason:
            print(f"    {pub.reason}")
        for a in by_key.get(pub.key, []):
            line = f"    {a.at.isoformat()}  part {a.part + 1}  {a.outcome}"
            print(f"{line}: {a.error}" if a.error else line)
