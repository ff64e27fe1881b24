"""The ledger: machine state of every publication, kept apart from the drafts.

``base.py`` is the interface and its data types (the state machine is described there),
``owner.py`` who holds a claim and its lease, ``migrate.py`` versioned schemas, and each
backend lives in its own subpackage (``sqlite/``). Backends never import each other.
"""

from __future__ import annotations

from pathlib import Path

from soulpost.ledger.base import (
    ATTENTION,
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
from soulpost.ledger.owner import LEASE, Owner, owner_alive
from soulpost.ledger.sqlite import DB_NAME, SqliteLedger

__all__ = [
    "ATTENTION",
    "DB_NAME",
    "LEASE",
    "STATES",
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
) -> Ledger:
    """The workspace's ledger (``[publish] ledger`` picks the backend)."""
    if backend != "sqlite":
        raise LedgerError(f"ledger backend {backend!r} is not available")
    return SqliteLedger(state_dir / DB_NAME, read_only=read_only, owner=owner)
