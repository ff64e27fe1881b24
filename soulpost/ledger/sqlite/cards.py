"""Link cards on the SQLite ledger (table ``link_cards``, migration 3).

A card is noted once per publication part, platform and URL: the platform's card object
(JSON, with the reference of the picture already uploaded) or why the page gave none. A
retry, even after a crash, reads it back instead of fetching the page again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from soulpost.ledger.base import ts
from soulpost.ledger.sqlite import schema


class LinkCards:
    """Mixed into :class:`~soulpost.ledger.sqlite.store.SqliteLedger`."""

    _db: sqlite3.Connection
    _tx: Callable[..., Any]
    path: Path
    timeout: float

    def link_card(self, key: str, platform: str, url: str) -> dict[str, Any] | None:
        try:
            row = self._db.execute(
                "SELECT card, why FROM link_cards WHERE part_key = ? AND platform = ? AND url = ?",
                (key, platform, url),
            ).fetchone()
        except (sqlite3.Error, OSError) as exc:
            schema.explain(exc, self.path, self.timeout)
        if row is None:
            return None
        card = json.loads(row[0]) if row[0] else None
        return {"card": card if isinstance(card, dict) else None, "why": row[1]}

    def note_link_card(
        self, key: str, platform: str, url: str, card: dict[str, Any] | None, why: str
    ) -> None:
        blob = json.dumps(card, sort_keys=True) if card is not None else None
        try:
            with self._tx() as db:
                db.execute(
                    "INSERT INTO link_cards (part_key, platform, url, card, why, noted_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (key, platform, url, blob, why, ts(datetime.now(UTC))),
                )
        except (sqlite3.Error, OSError) as exc:
            schema.explain(exc, self.path, self.timeout)
