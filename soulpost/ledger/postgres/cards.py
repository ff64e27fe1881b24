"""Link cards on the PostgreSQL ledger (table ``link_cards``, migration 3).

The point of keeping them here rather than in one host's state directory: a retry on another
host sharing the ledger reuses the card (and the picture already uploaded for it) instead of
fetching the page again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from soulpost.ledger.postgres import schema


class LinkCards:
    """Mixed into :class:`~soulpost.ledger.postgres.store.PostgresLedger`."""

    _db: Any
    _tx: Callable[..., Any]
    url: str

    def link_card(self, key: str, platform: str, url: str) -> dict[str, Any] | None:
        import psycopg

        try:
            row = self._db.execute(
                "SELECT card, why FROM link_cards WHERE part_key = %s AND platform = %s "
                "AND url = %s",
                (key, platform, url),
            ).fetchone()
        except psycopg.Error as exc:
            schema.explain(exc, self.url)
        if row is None:
            return None
        return {"card": row[0] if isinstance(row[0], dict) else None, "why": row[1]}

    def note_link_card(
        self, key: str, platform: str, url: str, card: dict[str, Any] | None, why: str
    ) -> None:
        import psycopg
        from psycopg.types.json import Jsonb

        try:
            with self._tx() as db:
                db.execute(
                    "INSERT INTO link_cards (part_key, platform, url, card, why) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (key, platform, url, Jsonb(card) if card is not None else None, why),
                )
        except psycopg.Error as exc:
            schema.explain(exc, self.url)
