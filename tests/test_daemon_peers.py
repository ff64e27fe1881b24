"""Daemons on several hosts sharing one PostgreSQL ledger (issue 13, branch pgdaemons).

* A daemon's ``due`` pass wakes before the instant its posts are due and waits for it; the
  adapters those posts go through are built before that wait, not by the first request
  after it (which imported the HTTP stack and built the adapter after the due instant, in
  every daemon at once).
* A publisher's place among those sharing the ledger (``soulpost.run.sharing.place``)
  counts only publishers whose heartbeat is younger than the lease: a daemon killed with
  its row still "running" left a share nobody would start on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.daemon import Daemon
from soulpost.ledger import Owner
from soulpost.run.adapters import Adapters
from soulpost.run.sharing import place
from tests.localserver import LocalServer

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _workspace(root: Path, url: str, due_at: datetime, count: int) -> None:
    (root / "config.toml").write_text(
        f'timezone = "UTC"\n[platforms.hook]\nadapter = "webhook"\noptions = {{ url = "{url}" }}\n',
        encoding="utf-8",
    )
    (root / "queue").mkdir()
    for n in range(count):
        (root / "queue" / f"b{n}.toml").write_text(
            f'text = "Burst note {n} on tides, thoughts?"\nplatforms = ["hook"]\n'
            f"at = {due_at.isoformat()}\n",
            encoding="utf-8",
        )


def test_the_due_pass_builds_its_adapters_before_waiting_for_the_instant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    due_at = T0 + timedelta(seconds=3)
    clock = ManualClock(T0)
    built: list[tuple[str, int]] = []  # (platform, how many sleeps the clock had by then)
    real_get = Adapters.get

    def noting(self: Adapters, platform: str) -> Any:
        if platform not in self._made:
            built.append((platform, len(clock.slept)))
        return real_get(self, platform)

    monkeypatch.setattr(Adapters, "get", noting)
    with LocalServer() as server:
        _workspace(tmp_path, server.url, due_at, 3)
        daemon = Daemon(tmp_path, clock, log=[].append)
        assert daemon.lock.acquire()
        try:
            daemon.tick("due", due_at)  # woken early, as its scheduled job is
        finally:
            daemon.lock.release()
        assert server.count() == 3
    assert clock.slept and clock.slept[0] == pytest.approx(3.0)  # it did wait for the instant
    assert built == [("hook", 0)]  # built once, before the wait


def test_a_publisher_whose_heartbeat_is_older_than_the_lease_has_no_share(
    pg_server: Any,
) -> None:
    import psycopg

    from soulpost.ledger.postgres import PostgresLedger

    url = pg_server.fresh_url()
    lease = timedelta(minutes=5)
    me = PostgresLedger(url, owner=Owner(10, "host-a", "", "token-a"), lease=lease)
    live = PostgresLedger(url, owner=Owner(20, "host-b", "", "token-b"), lease=lease)
    gone = PostgresLedger(url, owner=Owner(30, "host-c", "", "token-c"), lease=lease)
    gone.close()
    try:
        with psycopg.connect(url, autocommit=True) as db:  # killed ten minutes ago
            db.execute(
                "UPDATE publishers SET state = 'running', heartbeat_at = "
                "clock_timestamp() - interval '10 minutes' WHERE host = 'host-c'"
            )
        assert place(me) == (0, 2)  # host-a and host-b; host-c's row is stale
        assert place(live) == (1, 2)
        with psycopg.connect(url, autocommit=True) as db:  # host-c beats again: back
            db.execute("UPDATE publishers SET heartbeat_at = clock_timestamp()")
        assert place(me) == (0, 3)
    finally:
        me.close()
        live.close()
