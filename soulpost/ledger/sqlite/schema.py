"""The SQLite ledger's schema (versioned migrations), how its file is opened, the marker
that tells a lost ledger from a new one, and the translation of SQLite's errors into one
clear line each.

**The marker.** When a ledger file is created, ``ledger.id`` is written beside it. A ledger
file that is missing or empty while the marker exists was lost (truncated, deleted, a
failed restore); treating it as new would send every post again, so it is refused.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from soulpost.ledger.base import LedgerUnusable
from soulpost.ledger.migrate import Migration, latest, pending

BUSY_TIMEOUT = 30.0
"""Seconds to wait for another process's write before giving up (with a clear message)."""

VERSIONS_TABLE = "soulpost_migrations"

_V1 = """
CREATE TABLE IF NOT EXISTS publications (
    post_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    scheduled_at TEXT,
    idem_key TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    reason TEXT,
    force INTEGER NOT NULL DEFAULT 0,
    owner_token TEXT,
    owner_pid INTEGER,
    owner_host TEXT,
    owner_started TEXT,
    claimed_at TEXT,
    remote_id TEXT,
    url TEXT,
    published_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (post_id, platform, content_hash)
);
CREATE TABLE IF NOT EXISTS parts (
    post_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    part INTEGER NOT NULL,
    part_key TEXT NOT NULL,
    state TEXT NOT NULL,
    remote_id TEXT,
    url TEXT,
    published_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (post_id, platform, content_hash, part)
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    post_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    part INTEGER NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS attempts_post ON attempts (post_id);
CREATE INDEX IF NOT EXISTS publications_content ON publications (content_hash);
CREATE TABLE IF NOT EXISTS slots (
    post_id TEXT PRIMARY KEY,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    pid INTEGER NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '{}'
);
"""


def _v1(db: sqlite3.Connection) -> None:
    """The schema as it was before versions: a no-op on a ledger from then."""
    for statement in _V1.split(";"):
        if statement.strip():
            db.execute(statement)


def _v2(db: sqlite3.Connection) -> None:
    """Claim leases, the size of a publication (threads), a person's acknowledgement."""
    db.execute("ALTER TABLE publications ADD COLUMN lease_until TEXT")
    db.execute("ALTER TABLE publications ADD COLUMN parts_total INTEGER")
    db.execute("ALTER TABLE publications ADD COLUMN acknowledged INTEGER NOT NULL DEFAULT 0")


def _v3(db: sqlite3.Connection) -> None:
    """Link cards noted per publication part, so a retry never fetches the page again."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS link_cards (part_key TEXT NOT NULL, platform TEXT NOT "
        "NULL, url TEXT NOT NULL, card TEXT, why TEXT NOT NULL DEFAULT '', noted_at TEXT NOT "
        "NULL, PRIMARY KEY (part_key, platform, url))"
    )


MIGRATIONS = (
    Migration(1, "initial schema", _v1),
    Migration(2, "leases, thread size, acknowledgement", _v2),
    Migration(3, "link cards", _v3),
)

REQUIRED = {
    "publications": {"post_id", "platform", "content_hash", "state", "owner_token", "lease_until"},
    "parts": {"post_id", "platform", "content_hash", "part", "state"},
    "attempts": {"post_id", "outcome"},
    "slots": {"post_id", "at"},
    "runs": {"started_at", "summary"},
}


def marker_path(path: Path) -> Path:
    """``ledger.id`` for ``ledger.sqlite3``."""
    return path.with_name(path.stem + ".id")


def check_not_lost(path: Path) -> bool:
    """Whether the ledger file holds data; refuses a lost one (see the module docstring)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = -1
    except OSError as exc:
        raise LedgerUnusable(f"{path}: cannot read the ledger ({exc.strerror})") from None
    if size > 0:
        return True
    if marker_path(path).exists():
        what = "is empty (0 bytes)" if size == 0 else "is missing"
        raise LedgerUnusable(
            f"{path} {what}, but {marker_path(path).name} beside it says a ledger existed "
            "here: treating it as new would send every post again. Restore it from a "
            f"backup; to really start over, delete {marker_path(path)}"
        )
    return False


def write_marker(path: Path) -> None:
    marker = marker_path(path)
    if not marker.exists():
        marker.write_text(f"{uuid.uuid4().hex}\n", encoding="ascii")


def version(db: sqlite3.Connection) -> int:
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (VERSIONS_TABLE,)
    ).fetchone()
    if not exists:
        return 0
    row = db.execute(f"SELECT MAX(version) FROM {VERSIONS_TABLE}").fetchone()
    return int(row[0] or 0)


def check_ours(db: sqlite3.Connection, path: Path) -> None:
    """Before the first migration writes anything: refuse a database of another program,
    and an empty one where the marker says a ledger was (recreated after a loss)."""
    if version(db) > 0:
        return
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    # An empty migrations table alone is a first start killed by older soulposts (they made
    # it before the first migration's transaction): ours, and still new.
    tables.discard(VERSIONS_TABLE)
    if tables and "publications" not in tables:
        raise LedgerUnusable(
            f"{path} is not a soulpost ledger (it holds other tables: "
            f"{', '.join(sorted(tables)[:5])}); restore it from a backup or move it away"
        )
    if not tables and marker_path(path).exists():
        raise LedgerUnusable(
            f"{path} is empty, but {marker_path(path).name} beside it says a ledger existed "
            "here: treating it as new would send every post again. Restore it from a "
            f"backup; to really start over, delete {marker_path(path)}"
        )


def migrate(db: sqlite3.Connection, where: str) -> None:
    """Apply the missing migrations, one transaction each (safe against a concurrent
    opener: the version is read again inside the write lock)."""
    if not pending(version(db), MIGRATIONS, where):
        return
    for step in MIGRATIONS:
        db.execute("BEGIN IMMEDIATE")
        try:
            # Made in the first step's own transaction: a process killed before that
            # commits leaves no half-made ledger behind.
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            if step.version > version(db):
                step.apply(db)
                db.execute(
                    f"INSERT INTO {VERSIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)",
                    (step.version, step.name, datetime.now(UTC).isoformat()),
                )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def check_shape(db: sqlite3.Connection, where: str) -> None:
    """Refuse a database that is not (or no longer) a soulpost ledger."""
    pending(version(db), MIGRATIONS, where)
    if version(db) < latest(MIGRATIONS):
        return  # read-only on an older ledger: the caller upgrades a copy
    for table, columns in REQUIRED.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if not columns <= have:
            raise LedgerUnusable(
                f"{where} is not a soulpost ledger (table {table!r} is missing or has other "
                "columns); restore it from a backup"
            )


def explain(exc: BaseException, path: Path, timeout: float = BUSY_TIMEOUT) -> NoReturn:
    """Turn an SQLite or OS error into one clear line naming the file and what to do."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        message = (
            f"{path}: the ledger stayed locked by another process for {timeout:g} s; try "
            "again later (a stuck soulpost process may hold it)"
        )
    elif "full" in text or getattr(exc, "errno", None) == 28:
        message = f"{path}: the disk is full; free some space and run again"
    elif "readonly" in text or "read-only" in text or "unable to open" in text:
        message = (
            f"{path}: cannot write the ledger ({text}); check that the user running "
            "soulpost may write to its directory"
        )
    elif "not a database" in text or "malformed" in text or "no such" in text:
        message = f"{path} is not a usable soulpost ledger ({text}); restore it from a backup"
    else:
        message = f"{path}: the ledger failed: {text}"
    raise LedgerUnusable(message) from None


# -- opening the file --------------------------------------------------------------------


def connect(target: str | Path, timeout: float, *, uri: bool = False) -> sqlite3.Connection:
    db = sqlite3.connect(target, uri=uri, isolation_level=None, timeout=timeout)
    db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    return db


def open_read_write(path: Path, timeout: float) -> sqlite3.Connection:
    """Open (creating if new, never if lost) and upgrade the ledger; write its marker."""
    check_not_lost(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = connect(path, timeout)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        # NORMAL survives a killed process; the intent record before each request is
        # committed with FULL (claim_to_send, begin_part), which also makes everything before it
        # durable, so even a power cut can only turn a publication "in doubt", never
        # let it be sent twice.
        db.execute("PRAGMA synchronous=NORMAL")
        check_ours(db, path)
        migrate(db, str(path))
        check_shape(db, str(path))
    except BaseException:
        db.close()
        raise
    write_marker(path)  # also for a ledger made before markers existed
    return db


def open_read_only(
    path: Path, timeout: float
) -> tuple[sqlite3.Connection, tempfile.TemporaryDirectory[str] | None]:
    """Read without writing anything. An older ledger, or one in a directory this user
    cannot write (SQLite's WAL needs a shared-memory file beside it), is read from a
    private copy, upgraded there (returned too, to be cleaned up on close)."""
    if not check_not_lost(path):
        db = sqlite3.connect(":memory:", isolation_level=None)
        migrate(db, ":memory:")
        return db, None
    try:
        db = connect(f"file:{path}?mode=ro", timeout, uri=True)
        check_shape(db, str(path))
        if version(db) == latest(MIGRATIONS):
            return db, None
        db.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise
    copy = tempfile.TemporaryDirectory(prefix="soulpost-ledger-")
    target = Path(copy.name) / path.name
    shutil.copyfile(path, target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))
    try:
        db = connect(target, timeout)
        migrate(db, str(path))
        check_shape(db, str(path))
    except BaseException:
        copy.cleanup()
        raise
    return db, copy
