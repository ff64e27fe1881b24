"""Issue 12 items 6 and 12: a lost, corrupt, foreign, newer, locked, full or read-only
ledger is one clear line and the right exit code, never a traceback, and never taken as a
new ledger (which would send every post again)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.ledger_helpers import make_ws, post

NOW = "2026-12-01T09:00:30Z"


def outbox(root: Path) -> int:
    path = root / ".soulpost" / "outbox.jsonl"
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.fixture
def published(tmp_path: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace whose one post went out (to the outbox)."""
    root = make_ws(tmp_path, "http://127.0.0.1:9/x", {"a": post(platforms='["box"]')})
    monkeypatch.setenv("SOULPOST_NOW", NOW)
    done = cli("-C", root, "publish", "--due")
    assert done.code == 0, done.err
    assert outbox(root) == 1
    return root


def one_clear_line(err: str, *words: str) -> None:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], err


def test_a_truncated_ledger_is_refused_not_taken_as_new(
    published: Path, cli: Callable[..., Any]
) -> None:
    db = published / ".soulpost" / "ledger.sqlite3"
    for extra in ("-wal", "-shm"):
        db.with_name(db.name + extra).unlink(missing_ok=True)
    db.write_bytes(b"")
    again = cli("-C", published, "publish", "--due")
    assert again.code == 2, again.out + again.err
    one_clear_line(again.err, "ledger.sqlite3", "empty", "backup")
    assert outbox(published) == 1  # nothing sent twice
    status = cli("-C", published, "status")
    assert status.code == 2
    one_clear_line(status.err, "ledger.sqlite3")


def test_a_deleted_ledger_is_refused_too(published: Path, cli: Callable[..., Any]) -> None:
    for path in (published / ".soulpost").glob("ledger.sqlite3*"):
        path.unlink()
    again = cli("-C", published, "publish", "--due")
    assert again.code == 2
    one_clear_line(again.err, "missing", "ledger.id")
    assert outbox(published) == 1


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"this is not a database at all, just some bytes" * 100, ("soulpost ledger", "backup")),
        ("tables", ("soulpost ledger", "backup")),
    ],
)
def test_corrupt_or_foreign_ledgers_fail_closed_with_one_line(
    published: Path, cli: Callable[..., Any], content: Any, words: tuple[str, ...]
) -> None:
    db = published / ".soulpost" / "ledger.sqlite3"
    for path in (published / ".soulpost").glob("ledger.sqlite3*"):
        path.unlink()
    if content == "tables":
        other = sqlite3.connect(db)
        other.execute("CREATE TABLE publications (something TEXT)")
        other.commit()
        other.close()
    else:
        db.write_bytes(content)
    for command in (("publish", "--due"), ("status",), ("history",), ("queue",)):
        result = cli("-C", published, *command)
        assert result.code == 2, (command, result.out, result.err)
        one_clear_line(result.err, "ledger.sqlite3", *words)
    assert outbox(published) == 1


def test_a_ledger_from_a_newer_soulpost_is_refused(
    published: Path, cli: Callable[..., Any]
) -> None:
    db = sqlite3.connect(published / ".soulpost" / "ledger.sqlite3")
    db.execute("INSERT INTO soulpost_migrations VALUES (99, 'from the future', 'x')")
    db.commit()
    db.close()
    for command in (("publish", "--due"), ("status",), ("history",)):
        result = cli("-C", published, *command)
        assert result.code == 2
        one_clear_line(result.err, "newer soulpost", "ledger.sqlite3")


def test_an_old_unversioned_ledger_is_upgraded(published: Path, cli: Callable[..., Any]) -> None:
    db = sqlite3.connect(published / ".soulpost" / "ledger.sqlite3")
    db.execute("DROP TABLE soulpost_migrations")
    for column in ("lease_until", "parts_total", "acknowledged"):
        db.execute(f"ALTER TABLE publications DROP COLUMN {column}")
    db.commit()
    db.close()
    status = cli("-C", published, "status", "--json")  # read-only: reads an upgraded copy
    assert status.code == 0 and json.loads(status.out)["counts"]["published"] == 1
    assert cli("-C", published, "publish", "--due").code == 0
    db = sqlite3.connect(published / ".soulpost" / "ledger.sqlite3")
    versions = [v for (v,) in db.execute("SELECT version FROM soulpost_migrations")]
    db.close()
    assert versions == [1, 2, 3]
    assert outbox(published) == 1


def test_a_first_start_killed_before_its_first_migration_is_finished_later(
    tmp_path: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A publisher SIGKILLed during its very first start can leave the migrations table
    made and empty, with no marker yet (tests/test_crash.py hit it): the next pass must
    finish the migrations, not refuse the file as another program's database."""
    root = make_ws(tmp_path, "http://127.0.0.1:9/x", {"a": post(platforms='["box"]')})
    monkeypatch.setenv("SOULPOST_NOW", NOW)
    state = root / ".soulpost"
    state.mkdir(exist_ok=True)
    db = sqlite3.connect(state / "ledger.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE soulpost_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    db.close()
    done = cli("-C", root, "publish", "--due")
    assert done.code == 0, done.err
    assert outbox(root) == 1


def test_a_ledger_locked_past_the_timeout_is_one_line(
    published: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from soulpost.ledger.sqlite import schema

    monkeypatch.setattr(schema, "BUSY_TIMEOUT", 0.2)
    holder = sqlite3.connect(published / ".soulpost" / "ledger.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = cli("-C", published, "publish", "--due")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.code == 2
    one_clear_line(result.err, "locked", "ledger.sqlite3")


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Mount a tmpfs or a read-only bind (needs root; skipped where not permitted)."""
    done: list[Path] = []

    def mount(*args: str) -> Path:
        target = Path(args[-1])
        result = subprocess.run(["mount", *args], capture_output=True, check=False)
        if result.returncode != 0:
            pytest.skip(f"mount not permitted here: {result.stderr.decode().strip()}")
        done.append(target)
        return target

    yield mount
    for target in reversed(done):
        subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


def test_read_only_state_dir_read_commands_work_without_writing(
    published: Path, cli: Callable[..., Any], mounted: Callable[..., Path]
) -> None:
    state = published / ".soulpost"
    mounted("--bind", str(state), str(state))
    mounted("-o", "remount,ro,bind", str(state))
    before = sorted(p.name for p in state.iterdir())
    for command in (("status",), ("history",), ("queue",), ("publish", "--due", "--dry-run")):
        result = cli("-C", published, *command)
        assert result.code in (0, 1), (command, result.err)
        assert "Traceback" not in result.err
    assert sorted(p.name for p in state.iterdir()) == before
    write = cli("-C", published, "publish", "--due")
    assert write.code == 2 and "Traceback" not in write.err
    assert write.err.count("\n") == 1, write.err


def test_disk_full_is_one_line(
    tmp_path: Path, cli: Callable[..., Any], mounted: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    small = tmp_path / "small"
    small.mkdir()
    mounted("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small))
    (tmp_path / "ws").mkdir()
    root = make_ws(
        tmp_path / "ws",
        "http://127.0.0.1:9/x",
        {f"p{i}": post(platforms='["box"]', text="x" * 200 + str(i)) for i in range(60)},
        publish=f'state_dir = "{small}"',
    )
    filler = small / "filler"
    # Leave the ledger almost no room.
    with filler.open("wb") as handle, contextlib.suppress(OSError):
        handle.write(b"\0" * 60_000)
    monkeypatch.setenv("SOULPOST_NOW", NOW)
    result = cli("-C", root, "publish", "--due")
    assert result.code == 2, result.out + result.err
    assert "Traceback" not in result.err
    assert "disk is full" in result.err or "No space" in result.err


def test_another_programs_database_or_an_empty_one_is_not_adopted(
    published: Path, cli: Callable[..., Any]
) -> None:
    db_path = published / ".soulpost" / "ledger.sqlite3"
    for path in (published / ".soulpost").glob("ledger.sqlite3*"):
        path.unlink()
    other = sqlite3.connect(db_path)
    other.execute("CREATE TABLE photos (name TEXT)")
    other.commit()
    other.close()
    result = cli("-C", published, "publish", "--due")
    assert result.code == 2
    one_clear_line(result.err, "not a soulpost ledger", "photos")
    db_path.unlink()
    sqlite3.connect(db_path).close()  # a valid, empty database file (a bad restore)
    result = cli("-C", published, "publish", "--due")
    assert result.code == 2
    one_clear_line(result.err, "ledger.id")
    assert outbox(published) == 1
