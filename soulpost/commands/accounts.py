"""``soulpost accounts``: what is connected, where it is stored, when it expires.

Lists each account in the token store (platform, account, store, expiry, whether it
refreshes itself); never a secret. ``--refresh`` refreshes every token that is near expiry
(or all refreshable ones with ``--refresh --force``) now, as a cron job may. ``--format
json`` prints the same as a JSON list.

Exit codes: 0 fine; 1 a refresh was refused (the message says which account and to run
``soulpost login``) or a token has expired.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soulpost.workspace import Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--refresh", action="store_true", help="refresh tokens near expiry now")
    parser.add_argument(
        "--force", action="store_true", help="with --refresh: refresh every refreshable token"
    )


def _when(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _rows(now: float) -> list[dict[str, Any]]:
    from soulpost.accounts.store import Store

    store = Store()
    rows = []
    for entry in store.index().values():
        expires = entry.get("expires_at")
        where = "keyring" if entry.get("backend") == "keyring" else str(store.root)
        rows.append(
            {
                "platform": entry.get("platform"),
                "account": entry.get("account"),
                "store": where,
                "expires_at": _when(expires),
                "expired": expires is not None and expires <= now,
                "refreshable": bool(entry.get("refreshable")),
                "scope": entry.get("scope"),
            }
        )
    return sorted(rows, key=lambda r: (str(r["platform"]), str(r["account"])))


def _refresh_all(now: float, force: bool) -> list[str]:
    """Refresh what needs it; the safe message of each failure."""
    from soulpost.accounts.refresh import current
    from soulpost.accounts.store import Store
    from soulpost.errors import PublishError

    store = Store()
    failures = []
    for entry in store.index().values():
        record = store.load(str(entry["platform"]), str(entry["account"]))
        if record is None:
            continue
        try:
            current(store, record, now, force=force and record.refreshable)
        except PublishError as exc:
            failures.append(exc.message)
    return failures


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.publish import clock_for

    now = clock_for().now().timestamp()
    failures = _refresh_all(now, args.force) if args.refresh else []
    rows = _rows(now)
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    elif not rows:
        print("no accounts connected (run `soulpost login PLATFORM`)")
    for row in rows if args.format == "text" else []:
        expiry = row["expires_at"] or "never"
        state = "EXPIRED" if row["expired"] else "valid"
        renew = ", refreshes itself" if row["refreshable"] else ""
        print(
            f"{row['platform']}  {row['account']}  [{row['store']}]  "
            f"expires {expiry} ({state}{renew})"
        )
    for message in failures:
        print(f"soulpost: error: {message}", file=sys.stderr)
    expired = any(r["expired"] and not r["refreshable"] for r in rows)
    return 1 if failures or expired else 0


def next_queued(ws: Workspace, platform: str, now: datetime) -> datetime | None:
    """When the next post still waiting for *platform* is due (None: nothing queued)."""
    from soulpost.ledger import open_ledger
    from soulpost.plan import Action, build_plan, newest_rows

    rows: dict[Any, Any] = {}
    reserved: dict[str, datetime] = {}
    try:
        ledger = open_ledger(ws.state_dir, read_only=True, settings=ws.settings.publish)
    except Exception:
        pass  # no ledger yet: every post is still to come
    else:
        try:
            rows, reserved = newest_rows(ledger.publications()), ledger.slots()
        finally:
            ledger.close()
    plan = build_plan(ws.posts, ws.settings, now, ledger_rows=rows, reserved=reserved)
    waiting = {Action.DUE, Action.FUTURE, Action.WAITING, Action.HELD}
    times = [
        item.at
        for item in plan.items
        if item.platform == platform and item.action in waiting and item.at is not None
    ]
    return min(times, default=None)


def doctor_tokens(
    ws: Workspace,
    report: Any,
    platform: str,
    account: str | None,
    *,
    now: datetime,
    last: datetime | None,
) -> bool:
    """``soulpost doctor``'s section on the stored token of *platform*: its expiry against
    the queue, refreshed now where the next post would find it expired. Adds lines to
    *report* (``ok``/``problems``); True when the platform's token comes from the store."""
    import os

    from soulpost.accounts.forecast import forecast

    conf = ws.settings.platforms.get(platform)
    if conf and any(os.environ.get(v) for v in conf.env.values()):
        return False  # environment variables win: the store is not used here
    said = forecast(
        platform, account, now=now, next_post=next_queued(ws, platform, now), last_post=last
    )
    if said is None:
        return False
    report.ok.extend(said.ok)
    report.problems.extend(said.problems)
    return True
