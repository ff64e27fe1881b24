"""The ledger: machine state of every publication, kept apart from the drafts.

``base.py`` is the interface and its data types (the state machine is described there),
``owner.py`` who holds a claim and its lease, ``migrate.py`` versioned schemas, and each
backend lives in its own subpackage: ``sqlite/`` (the embedded default) and ``postgres/``
(one database for publishers on several hosts; psycopg is imported only when it is chosen).
Backends never import each other.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from soulpost.ledger.base import (
    ATTENTION,
    DB_NAME,
    STATES,
    Attempt,
    Claim,
    Ledger,
    LedgerError,
    LedgerUnusable,
    Part,
    PubKey,
    Publication,
    RunRecord,
    State,
    attention,
    describe,
    from_ts,
    ts,
)
from soulpost.ledger.owner import HOST_ENV, LEASE, Owner, host_name, owner_alive

if TYPE_CHECKING:
    from soulpost.config import PublishSettings
    from soulpost.ledger.sqlite import SqliteLedger

URL_ENV = "SOULPOST_LEDGER_URL"
"""The environment variable holding the PostgreSQL ledger's URL unless config names another."""

__all__ = [
    "ATTENTION",
    "DB_NAME",
    "HOST_ENV",
    "LEASE",
    "STATES",
    "URL_ENV",
    "Attempt",
    "Claim",
    "Ledger",
    "LedgerError",
    "LedgerUnusable",
    "Owner",
    "Part",
    "PubKey",
    "Publication",
    "RunRecord",
    "SqliteLedger",
    "State",
    "attention",
    "describe",
    "from_ts",
    "host_name",
    "open_ledger",
    "owner_alive",
    "ts",
]


def open_ledger(
    state_dir: Path,
    *,
    backend: str = "sqlite",
    read_only: bool = False,
    owner: Owner | None = None,
    settings: PublishSettings | None = None,
) -> Ledger:
    """The workspace's ledger. *settings* (``[publish]``) pick the backend, the variable
    holding a PostgreSQL URL and the lease; without them, *backend* with the defaults."""
    if settings is not None:
        backend = settings.ledger
    if backend == "sqlite":
        from soulpost.ledger.sqlite import SqliteLedger

        return SqliteLedger(state_dir / DB_NAME, read_only=read_only, owner=owner)
    if backend != "postgres":
        raise LedgerError(f"ledger backend {backend!r} is not available")
    env = settings.ledger_url_env if settings is not None else URL_ENV
    url = os.environ.get(env, "").strip()
    if not url:
        raise LedgerUnusable(
            f'config.toml: [publish] ledger = "postgres" reads the ledger\'s URL from the '
            f"environment variable {env}, which is not set; set it where soulpost runs (e.g. "
            f"{env}=postgresql://soulpost@db.example/soulpost, password in ~/.pgpass or the "
            "service's environment file)"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise LedgerUnusable(
            'config.toml: [publish] ledger = "postgres" needs psycopg: install '
            "soulpost with `pip install 'soulpost[postgres]'`"
        ) from None
    from soulpost.ledger.postgres import PostgresLedger

    lease = settings.lease if settings is not None else LEASE
    return PostgresLedger(url, read_only=read_only, owner=owner, lease=lease)


def __getattr__(name: str) -> object:
    """``SqliteLedger`` imported when first asked for: a PostgreSQL publisher never loads
    sqlite3 (its C library took about 14 ms of every such process's start-up)."""
    if name == "SqliteLedger":
        from soulpost.ledger.sqlite import SqliteLedger

        return SqliteLedger
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
