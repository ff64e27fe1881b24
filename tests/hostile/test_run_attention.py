"""Issue 12 items 4, 5 and 14 (status): whatever needs a person keeps every later
`publish --due` at exit 1 with a line even under -q, and a claim can no longer be held for
ever by a live process whose pass failed."""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.ledger import LEASE, Owner, PubKey, SqliteLedger
from soulpost.ledger.owner import proc_start
from soulpost.ledger.sqlite import claims
from tests.hostile.ledger_helpers import make_ws, post, rows, run
from tests.localserver import LocalServer, Reply

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def _dead_pid() -> int:
    import subprocess

    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_the_pass_after_a_crash_reports_the_in_doubt_post_and_every_later_one_too(
    tmp_path: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_ws(tmp_path, "http://127.0.0.1:9/none", {"a": post(platforms='["box"]')})
    # A publisher died with the request of post a in flight.
    dead = Owner(_dead_pid(), socket.gethostname(), "", "dead-token")
    ledger = SqliteLedger(root / ".soulpost" / "ledger.sqlite3", owner=dead)
    key = PubKey("a", "box", "f" * 64)
    ledger.claim(key, scheduled_at=T0, now=T0)
    ledger.begin_part(key, 0, key.idempotency_key(), T0)
    ledger.close()
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T09:01:00Z")
    first = cli("-C", root, "publish", "--due", "-q")
    assert first.code == 1, first.out + first.err
    assert "in doubt" in first.out + first.err and "a on box" in first.out + first.err
    for minute in ("05", "30"):
        monkeypatch.setenv("SOULPOST_NOW", f"2026-12-01T09:{minute}:00Z")
        later = cli("-C", root, "publish", "--due", "-q")
        assert later.code == 1
        assert "in doubt: a on box" in later.out + later.err
    # Settled by a person: passes are quiet and exit 0 again.
    assert cli("-C", root, "resolve", "a", "-p", "box", "--not-published").code == 0
    settled = cli("-C", root, "publish", "--due", "-q")
    assert settled.code == 0 and settled.out == "", settled.out + settled.err


def test_failed_and_missed_keep_passes_at_exit_1_until_settled(
    tmp_path: Path, server: LocalServer, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_ws(tmp_path, server.url, {"a": post()})
    server.push(Reply(422, body={"error": "no"}))
    assert run(root, ManualClock(T0)).exit_code == 1
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T09:30:00Z")
    again = cli("-C", root, "publish", "--due", "-q")
    assert again.code == 1 and "failed: a on hook" in again.out + again.err


def test_a_pass_that_fails_after_claiming_flags_what_it_held(
    tmp_path: Path,
    server: LocalServer,
    cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_ws(tmp_path, server.url, {"a": post(), "b": post(text="Bee")})
    # The disk fills up right after the request went out: the receipt cannot be recorded
    # (by whichever ledger method records it: the SQL of a part's receipt fails).
    real = claims.sent

    def full(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(claims, "sent", full)
    try:
        run(root, ManualClock(T0))
    except Exception as exc:  # the pass may stop; it must not leave a claim behind
        assert "disk is full" in str(exc)
    monkeypatch.setattr(claims, "sent", real)
    state = rows(root)[("a", "hook")]
    assert state.state == "in_doubt", state  # a request was in flight: a person checks
    assert server.count() >= 1
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T09:01:00Z")
    status = cli("-C", root, "status")
    assert status.code == 1 and "in doubt: a on hook" in status.out


def test_a_live_processs_stale_claim_is_recovered_once_its_lease_runs_out(
    tmp_path: Path, server: LocalServer, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_ws(tmp_path, server.url, {"a": post(), "b": post(text="Bee")})
    # This very process (alive) claimed both in an earlier pass that then failed; a
    # request for b was in flight.
    me = Owner(os.getpid(), socket.gethostname(), proc_start(os.getpid()), "earlier-pass")
    ledger = SqliteLedger(root / ".soulpost" / "ledger.sqlite3", owner=me)
    for key in (PubKey("a", "hook", "1" * 64), PubKey("b", "hook", "2" * 64)):
        ledger.claim(key, scheduled_at=T0, now=T0)
    ledger.begin_part(PubKey("b", "hook", "2" * 64), 0, "k", T0)
    ledger.close()
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T09:01:00Z")
    assert cli("-C", root, "status").code == 0  # within its lease: being worked on
    later = T0 + LEASE + timedelta(seconds=1)
    monkeypatch.setenv("SOULPOST_NOW", later.isoformat())
    status = cli("-C", root, "status")
    assert status.code == 1, status.out
    assert "stuck claim: a on hook" in status.out and "stuck claim: b on hook" in status.out
    report = run(root, ManualClock(later))
    got = rows(root)
    assert got[("b", "hook")].state == "in_doubt"  # may have gone out
    assert "ran out" in (got[("b", "hook")].reason or "")
    # a had nothing in flight: back to pending and, being due, sent (its content is new).
    assert [(r.post_id, r.state) for r in report.results if r.post_id == "a"] == [
        ("a", "published")
    ]


@pytest.mark.parametrize("lie", ["none", "exit"])
def test_an_adapter_that_returns_no_receipt_or_exits_is_contained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lie: str
) -> None:
    from soulpost.publish import registry
    from soulpost.publish.adapters.outbox import OutboxAdapter

    class Liar(OutboxAdapter):
        supports_lookup = False

        def publish(self, payload: Any, key: str) -> Any:
            if lie == "exit":
                raise SystemExit(3)
            return None  # not a receipt

    monkeypatch.setitem(registry._loaded, "liar", Liar)
    root = make_ws(tmp_path, "http://127.0.0.1:9/x", {
        "a": post(platforms='["lying"]'), "b": post(platforms='["box"]', text="Bee"),
    })  # fmt: skip
    config = (root / "config.toml").read_text() + '[platforms.lying]\nadapter = "liar"\n'
    (root / "config.toml").write_text(config)
    report = run(root, ManualClock(T0))
    states = {(r.post_id, r.platform): r.state for r in report.results}
    # The request may have gone out before the adapter broke: in doubt, never claimed for
    # ever; the other post still goes.
    assert states == {("a", "lying"): "in_doubt", ("b", "box"): "published"}
    assert rows(root)[("a", "lying")].state == "in_doubt"
    assert report.exit_code == 1
