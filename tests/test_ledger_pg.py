"""The PostgreSQL ledger beyond the shared contract (tests/test_ledger.py runs that on both
backends): chosen by config + an environment variable, its password never shown, versioned
migrations, publishers that never wait on each other's row locks, leases renewed by a
heartbeat and judged by the database's clock, claims of a dead host recovered by another,
and `status` naming the backend and each publisher. A real server (tests/pg.py)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.ledger import LedgerUnusable, Owner, PubKey, owner_alive
from tests.hostile.ledger_helpers import make_ws, post
from tests.pg import PASSWORD

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEY = PubKey("post", "hook", "a" * 64)


@pytest.fixture
def url(pg_server: Any) -> str:
    """The URL (with its password) of a new, empty ledger."""
    return str(pg_server.fresh_url())


def _ledger(url: str, **options: Any) -> Any:
    from soulpost.ledger.postgres import PostgresLedger

    return PostgresLedger(url, **options)


def _pg_ws(root: Path, env: str = "SOULPOST_LEDGER_URL") -> Path:
    publish = f'ledger = "postgres"\nledger_url_env = "{env}"'
    return make_ws(root, "http://127.0.0.1:9/x", {"a": post(platforms='["box"]')}, publish=publish)


def _no_secret(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text


# -- config, the URL and its password ------------------------------------------------------


def test_a_workspace_publishes_to_postgres_by_config_and_env_var(
    tmp_path: Path, url: str, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _pg_ws(tmp_path, env="MY_LEDGER")
    monkeypatch.setenv("MY_LEDGER", url)
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T09:00:30Z")
    done = cli("-C", root, "publish", "--due")
    assert done.code == 0, done.err
    _no_secret(done.out, done.err)
    assert not (root / ".soulpost" / "ledger.sqlite3").exists()  # nothing went to SQLite
    ledger = _ledger(url, read_only=True)
    assert [(p.post_id, p.state) for p in ledger.publications()] == [("a", "published")]
    ledger.close()
    status = cli("-C", root, "status")
    assert "ledger: postgres postgres://soulpost@127.0.0.1:" in status.out
    history = cli("-C", root, "history", "a")
    _no_secret(status.out, status.err, history.out, history.err)
    assert "published" in history.out
    queue = cli("-C", root, "queue", "--all")  # the other readers name the same variable
    assert queue.code == 0 and "published" in queue.out, queue.err
    preview = cli("-C", root, "preview", "a")
    assert "box (box) · published" in preview.out, preview.err


def test_a_cron_pass_opens_one_ledger_and_closes_it(
    tmp_path: Path, url: str, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The indexed pass hands its open ledger to the full pass: one connection (and one
    heartbeat) for the whole pass, and none left behind once it ends."""
    import soulpost.ledger

    root = _pg_ws(tmp_path)
    monkeypatch.setenv("SOULPOST_LEDGER_URL", url)
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T09:00:30Z")
    real, opened = soulpost.ledger.open_ledger, []

    def counted(*args: Any, **kwargs: Any) -> Any:
        opened.append(kwargs.get("read_only", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(soulpost.ledger, "open_ledger", counted)
    done = cli("-C", root, "publish", "--due")
    assert done.code == 0, done.err
    assert opened == [False], opened
    ledger = _ledger(url, read_only=True)
    assert [(p.post_id, p.state) for p in ledger.publications()] == [("a", "published")]
    ledger.close()
    assert not [t for t in threading.enumerate() if t.name == "heartbeat"]


def test_status_shows_each_publisher_without_the_password(
    tmp_path: Path, url: str, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _pg_ws(tmp_path)
    monkeypatch.setenv("SOULPOST_LEDGER_URL", url)
    a = _ledger(url, owner=Owner(4242, "host-a", "", "token-a"))
    a.claim(KEY, scheduled_at=NOW, now=NOW)
    b = _ledger(url, owner=Owner(77, "host-b", "", "token-b"))
    b.close()  # gone idle
    text = cli("-C", root, "status")
    data = json.loads(cli("-C", root, "status", "--json").out)
    a.close()
    _no_secret(text.out, text.err, json.dumps(data))
    assert "publisher: host-a pid 4242: running, heartbeat" in text.out
    assert "1 claim(s) held" in text.out
    assert "publisher: host-b pid 77: idle" in text.out
    assert data["ledger"]["backend"] == "postgres"
    assert data["ledger"]["where"].startswith("postgres://soulpost@127.0.0.1:")
    hosts = {(p["host"], p["pid"], p["state"]) for p in data["publishers"]}
    assert {("host-a", 4242, "running"), ("host-b", 77, "idle")} <= hosts


def test_a_wrong_password_or_no_server_is_one_line_without_the_secret(
    tmp_path: Path, pg_server: Any, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _pg_ws(tmp_path)
    wrong = "Wr0ng-" + PASSWORD
    monkeypatch.setenv("SOULPOST_LEDGER_URL", pg_server.url(password=wrong))
    for command in (("status",), ("publish", "--due"), ("history",)):
        result = cli("-C", root, *command)
        assert result.code == 2, (command, result.out, result.err)
        assert "Traceback" not in result.err
        assert wrong not in result.err + result.out
        _no_secret(result.err, result.out)
        assert f"postgres://soulpost@127.0.0.1:{pg_server.port}/postgres" in result.err
        assert "password authentication failed" in result.err
    monkeypatch.setenv("SOULPOST_LEDGER_URL", f"postgresql://soulpost:{PASSWORD}@127.0.0.1:9/x")
    result = cli("-C", root, "status")
    assert result.code == 2 and "cannot reach the ledger database" in result.err
    _no_secret(result.err, result.out)


def test_an_unset_url_variable_says_which_one(
    tmp_path: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _pg_ws(tmp_path, env="LEDGER_URL_FOR_TEST")
    monkeypatch.delenv("LEDGER_URL_FOR_TEST", raising=False)
    result = cli("-C", root, "status")
    assert result.code == 2
    assert "LEDGER_URL_FOR_TEST" in result.err and "is not set" in result.err
    assert "Traceback" not in result.err


def test_a_url_in_config_is_not_accepted(tmp_path: Path, cli: Callable[..., Any]) -> None:
    publish = 'ledger = "postgres"\nledger_url_env = "postgresql://u:pw@h/db"'
    root = make_ws(tmp_path, "http://127.0.0.1:9/x", {}, publish=publish)
    result = cli("-C", root, "status")
    assert result.code == 2 and "ledger_url_env" in result.err


# -- migrations ------------------------------------------------------------------------------


def test_an_older_ledger_is_upgraded_and_a_newer_one_refused(url: str) -> None:
    import psycopg

    from soulpost.ledger.postgres import schema

    with psycopg.connect(url, autocommit=True) as db:  # a ledger as version 1 left it
        schema.MIGRATIONS[0].apply(db)
        db.execute(
            "CREATE TABLE soulpost_migrations (version integer PRIMARY KEY, name text NOT "
            "NULL, applied_at timestamptz NOT NULL)"
        )
        db.execute("INSERT INTO soulpost_migrations VALUES (1, 'initial schema', now())")
    reader = _ledger(url, read_only=True)  # reads it upgraded, writes nothing
    assert reader.publications() == [] and reader.publishers() == []
    reader.close()
    with psycopg.connect(url) as db:
        assert db.execute("SELECT to_regclass('publishers')").fetchone() == (None,)
    writer = _ledger(url)
    writer.claim(KEY, scheduled_at=NOW, now=NOW)
    writer.close()
    with psycopg.connect(url, autocommit=True) as db:
        versions = [v for (v,) in db.execute("SELECT version FROM soulpost_migrations")]
        assert versions == [1, 2, 3]
        db.execute("INSERT INTO soulpost_migrations VALUES (99, 'from the future', now())")
    for read_only in (False, True):
        with pytest.raises(LedgerUnusable, match="newer soulpost") as refused:
            _ledger(url, read_only=read_only)
        assert "schema version 99" in str(refused.value)
        _no_secret(str(refused.value))


def test_another_programs_publications_table_is_not_adopted(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE publications (id integer)")
    with pytest.raises(LedgerUnusable, match="not a soulpost ledger"):
        _ledger(url)


# -- leases, heartbeats, locks -----------------------------------------------------------------


def _in_thread(call: Callable[[], Any]) -> Any:
    """Run *call*; fail (instead of hanging) if it waits on a lock for 10 s."""
    out: list[Any] = []
    worker = threading.Thread(target=lambda: out.append(call()), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert out, "the call waited on another publisher's lock"
    return out[0]


def test_publishers_never_wait_on_each_others_row_locks(url: str) -> None:
    import psycopg

    ledger = _ledger(url)
    ledger.claim(KEY, scheduled_at=NOW, now=NOW)
    ledger.finish(KEY, "pending", NOW, reason="not sent")
    other = PubKey("other", "hook", "b" * 64)
    with psycopg.connect(url) as holder:  # another publisher in the middle of a transaction
        holder.execute("SELECT 1 FROM publications WHERE post_id = 'post' FOR UPDATE")
        busy = _in_thread(lambda: ledger.claim(KEY, scheduled_at=NOW, now=NOW))
        assert busy.publication is None and "another publisher" in (busy.reason or "")
        assert _in_thread(lambda: ledger.claim(other, scheduled_at=NOW, now=NOW)).publication
        holder.rollback()
    assert ledger.claim(KEY, scheduled_at=NOW, now=NOW).publication is not None
    ledger.close()


def test_recovery_skips_a_row_another_publisher_is_settling(url: str) -> None:
    import psycopg

    dead = _ledger(url, owner=Owner(1, "host-a", "", "token-a"), lease=timedelta(minutes=1))
    dead.claim(KEY, scheduled_at=NOW, now=NOW)
    dead.close()
    later = NOW + timedelta(minutes=2)
    ledger = _ledger(url)
    with psycopg.connect(url) as holder:
        holder.execute("SELECT 1 FROM publications FOR UPDATE")
        assert _in_thread(lambda: ledger.recover(later, owner_alive)) == []
        holder.rollback()
    assert [p.state for p in ledger.recover(later, owner_alive)] == ["pending"]
    ledger.close()


def test_a_dead_hosts_claim_is_recovered_by_another_host_after_its_lease(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lease = timedelta(seconds=30)
    monkeypatch.setenv("SOULPOST_HOST", "host-a")
    on_a = _ledger(url, owner=Owner.current(), lease=lease)
    assert on_a.owner.host == "host-a" and on_a.owner.pid == os.getpid()
    sent, quiet = KEY, PubKey("quiet", "hook", "q" * 64)
    on_a.claim(sent, scheduled_at=NOW, now=NOW)
    on_a.begin_part(sent, 0, sent.idempotency_key(), NOW)
    on_a.claim(quiet, scheduled_at=NOW, now=NOW)
    on_a._stop.set()  # host A "dies": no more heartbeats (its connection stays open)
    monkeypatch.setenv("SOULPOST_HOST", "host-b")
    on_b = _ledger(url, owner=Owner.current(), lease=lease)
    # Same pid, other host: its liveness cannot be checked from here; the lease decides.
    assert on_b.recover(NOW + lease - timedelta(seconds=2), owner_alive) == []
    changed = {p.post_id: p for p in on_b.recover(NOW + lease + timedelta(seconds=2), owner_alive)}
    assert changed["post"].state == "in_doubt"  # a request was in flight
    assert "host-a" in (changed["post"].reason or "") and "ran out" in (
        changed["post"].reason or ""
    )
    assert changed["quiet"].state == "pending"  # nothing went out: safe to send
    won = on_b.claim(quiet, scheduled_at=NOW, now=NOW + lease + timedelta(seconds=3))
    assert won.publication is not None and won.publication.owner_host == "host-b"
    on_a.close()
    on_b.close()


def test_the_heartbeat_renews_leases_on_the_databases_clock(url: str) -> None:
    ledger = _ledger(url, lease=timedelta(minutes=1))
    now = datetime.now(UTC)
    first = ledger.claim(KEY, scheduled_at=now, now=now).publication
    assert first is not None and first.lease_until is not None
    ledger.beat()
    renewed = ledger.get(KEY)
    assert renewed is not None and renewed.lease_until is not None
    assert renewed.lease_until > first.lease_until  # later by the database's clock
    seen = {(p["host"], p["pid"]): p for p in ledger.publishers()}
    mine = seen[(ledger.owner.host, ledger.owner.pid)]
    assert mine["claims"] == 1 and mine["state"] == "running"
    ledger.close()
    assert {(p["host"], p["state"]) for p in _ledger(url, read_only=True).publishers()} == {
        (ledger.owner.host, "idle")
    }


def test_the_heartbeat_thread_keeps_a_long_claim_alive(url: str) -> None:
    """While the ledger is open its thread renews the lease every third of it, so a slow
    request does not lose its claim; once closed, the renewals stop."""
    import time

    ledger = _ledger(url, lease=timedelta(seconds=0.9))  # a beat every 0.3 s
    now = datetime.now(UTC)
    taken = ledger.claim(KEY, scheduled_at=now, now=now).publication
    assert taken is not None and taken.lease_until is not None
    seen = {taken.lease_until}
    deadline = time.monotonic() + 10
    while len(seen) < 4 and time.monotonic() < deadline:  # real time: a real thread
        time.sleep(0.05)
        row = ledger.get(KEY)
        assert row is not None and row.state == "claimed"
        seen.add(row.lease_until)
    assert len(seen) >= 4, "the heartbeat thread did not renew the lease"
    other = _ledger(url)
    assert other.recover(datetime.now(UTC), owner_alive) == []  # still alive by its lease
    ledger._stop.set()  # the publisher hangs or dies: no more beats
    ledger._beat.join()
    expired = datetime.now(UTC) + timedelta(seconds=1)
    assert [p.post_id for p in other.recover(expired, owner_alive)] == ["post"]
    ledger.close()
    other.close()
