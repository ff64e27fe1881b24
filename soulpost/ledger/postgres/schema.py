"""The PostgreSQL ledger's schema (versioned migrations), how a connection is opened, and
the translation of the driver's errors into one clear line that never shows the password.

Times are ``timestamptz``; the session runs in UTC. Leases are judged by the database's
clock (``clock_timestamp()``), the one clock every host shares, so hosts whose clocks
disagree still agree on when a claim ran out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from soulpost.ledger.base import LedgerUnusable
from soulpost.ledger.migrate import Migration, latest, pending

if TYPE_CHECKING:
    import psycopg

VERSIONS_TABLE = "soulpost_migrations"
MIGRATION_LOCK = 0x50_4C_45_44  # "soulpost ledger": one migrator at a time, per database
CONNECT_TIMEOUT = 10

_V1 = """
CREATE TABLE publications (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    post_id text NOT NULL,
    platform text NOT NULL,
    content_hash text NOT NULL,
    state text NOT NULL,
    scheduled_at timestamptz,
    idem_key text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    reason text,
    force boolean NOT NULL DEFAULT false,
    owner_token text,
    owner_pid integer,
    owner_host text,
    owner_started text,
    claimed_at timestamptz,
    remote_id text,
    url text,
    published_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    lease_until timestamptz,
    parts_total integer,
    acknowledged boolean NOT NULL DEFAULT false,
    PRIMARY KEY (post_id, platform, content_hash)
);
CREATE INDEX publications_content ON publications (content_hash, platform);
CREATE INDEX publications_claimed ON publications (owner_token) WHERE state = 'claimed';
CREATE TABLE parts (
    post_id text NOT NULL,
    platform text NOT NULL,
    content_hash text NOT NULL,
    part integer NOT NULL,
    part_key text NOT NULL,
    state text NOT NULL,
    remote_id text,
    url text,
    published_at timestamptz,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (post_id, platform, content_hash, part)
);
CREATE TABLE attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id text NOT NULL,
    platform text NOT NULL,
    content_hash text NOT NULL,
    part integer NOT NULL,
    at timestamptz NOT NULL,
    outcome text NOT NULL,
    error text
);
CREATE INDEX attempts_post ON attempts (post_id);
CREATE TABLE slots (
    post_id text PRIMARY KEY,
    at timestamptz NOT NULL
);
CREATE TABLE runs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    pid integer NOT NULL,
    host text NOT NULL DEFAULT '',
    kind text NOT NULL,
    summary jsonb NOT NULL DEFAULT '{}'
)
"""

_V2 = """
CREATE TABLE publishers (
    host text NOT NULL,
    pid integer NOT NULL,
    token text NOT NULL,
    started_at timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    state text NOT NULL DEFAULT 'running',
    PRIMARY KEY (host, pid)
)
"""


def _run(sql: str) -> Any:
    def apply(db: psycopg.Connection[Any]) -> None:
        for statement in sql.split(";"):
            if statement.strip():
                db.execute(statement.encode())

    return apply


_V3 = """
CREATE TABLE link_cards (
    part_key text NOT NULL,
    platform text NOT NULL,
    url text NOT NULL,
    card jsonb,
    why text NOT NULL DEFAULT '',
    noted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (part_key, platform, url)
)
"""

MIGRATIONS = (
    Migration(1, "initial schema", _run(_V1)),
    Migration(2, "publishers and their heartbeats", _run(_V2)),
    Migration(3, "link cards", _run(_V3)),
)


def redact(url: str) -> str:
    """The URL as it may be shown: user, host, port and database, never the password."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:
        return "postgres (an unreadable URL)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = str(parts.get("host") or "localhost")
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgres://{user}{host}{port}/{parts.get('dbname') or ''}"


def scrub(text: str, url: str) -> str:
    """*text* with the URL's password (and the URL itself) taken out."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        secret = str(conninfo_to_dict(url).get("password") or "")
    except Exception:
        secret = ""
    text = text.replace(url, redact(url))
    return text.replace(secret, "***") if secret else text


def explain(exc: BaseException, url: str) -> NoReturn:
    """One clear line for a driver error, naming the database (without its password)."""
    import psycopg

    where = redact(url)
    text = scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc), url)
    if isinstance(exc, psycopg.OperationalError):
        message = (
            f"{where}: cannot reach the ledger database ({text}); check that PostgreSQL "
            "runs and that the URL in the environment variable is right"
        )
    else:
        message = f"{where}: the ledger failed: {text}"
    raise LedgerUnusable(message) from None


def version(db: psycopg.Connection[Any]) -> int:
    exists = db.execute("SELECT to_regclass(%s)", (VERSIONS_TABLE,)).fetchone()
    if exists is None or exists[0] is None:
        return 0
    row = db.execute(f"SELECT MAX(version) FROM {VERSIONS_TABLE}").fetchone()
    return int(row[0] or 0) if row else 0


def check_ours(db: psycopg.Connection[Any], where: str) -> None:
    """Refuse a database whose ``publications`` table is not soulpost's."""
    if version(db) > 0:
        return
    found = db.execute("SELECT to_regclass('publications')").fetchone()
    if found is not None and found[0] is not None:
        raise LedgerUnusable(
            f"{where}: the database already has a 'publications' table that is not a "
            "soulpost ledger; use another database (or schema) for the ledger"
        )


def migrate(db: psycopg.Connection[Any], where: str) -> None:
    """Apply the missing migrations, one transaction each, under an advisory lock so two
    publishers starting at once do not both apply a step."""
    from datetime import UTC, datetime

    if not pending(version(db), MIGRATIONS, where):
        return
    for step in MIGRATIONS:
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} (version integer PRIMARY KEY, "
                "name text NOT NULL, applied_at timestamptz NOT NULL)"
            )
            current = version(db)
            pending(current, MIGRATIONS, where)
            if step.version > current:
                if current == 0:
                    check_ours(db, where)
                step.apply(db)
                db.execute(
                    f"INSERT INTO {VERSIONS_TABLE} (version, name, applied_at) VALUES (%s, %s, %s)",
                    (step.version, step.name, datetime.now(UTC)),
                )


def connect(url: str, *, read_only: bool) -> psycopg.Connection[Any]:
    """A connection in UTC: autocommit for writers (each write is an explicit
    transaction); a reader's stays in one transaction that is never committed, so an older
    ledger can be upgraded in it for reading and nothing is written."""
    import psycopg

    db = psycopg.connect(
        url,
        autocommit=not read_only,
        connect_timeout=CONNECT_TIMEOUT,
        application_name="soulpost",
    )
    db.execute("SET TIME ZONE 'UTC'")
    return db


def open_ledger_db(url: str, *, read_only: bool) -> psycopg.Connection[Any]:
    """Open and (when writable) upgrade the ledger; refuse one from a newer soulpost."""
    where = redact(url)
    db = connect(url, read_only=read_only)
    try:
        current = version(db)
        pending(current, MIGRATIONS, where)
        if read_only:
            if current < latest(MIGRATIONS):
                _upgrade_for_reading(db, where)
        else:
            migrate(db, where)
    except BaseException:
        db.close()
        raise
    return db


def _upgrade_for_reading(db: psycopg.Connection[Any], where: str) -> None:
    """Inside the reader's open transaction (rolled back at close): the missing steps."""
    current = version(db)
    if current == 0:
        check_ours(db, where)
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} (version integer PRIMARY KEY, "
        "name text NOT NULL, applied_at timestamptz NOT NULL)"
    )
    for step in MIGRATIONS:
        if step.version > current:
            step.apply(db)
