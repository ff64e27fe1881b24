"""The SQLite ledger backend: one file in the workspace's state directory, WAL mode, safe
across processes on one host. ``schema.py`` holds its migrations and how the file is opened
and checked; ``claims.py`` and ``person.py`` the SQL of claims and of a person's answers."""

from __future__ import annotations

from soulpost.ledger.base import DB_NAME
from soulpost.ledger.sqlite.store import SqliteLedger

__all__ = ["DB_NAME", "SqliteLedger"]
