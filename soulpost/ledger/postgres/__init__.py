"""The PostgreSQL ledger backend: one database shared by publishers on several hosts.

``schema.py`` holds its migrations, how a connection is opened and how errors are told
(never with the URL's password); ``claims.py`` the SQL of claims, leases and heartbeats
(row locks that skip, never wait; the database's clock); ``person.py`` a person's answers.
psycopg 3 is needed only here (``pip install 'soulpost[postgres]'``), imported when used.
"""

from __future__ import annotations

from soulpost.ledger.postgres.store import PostgresLedger

__all__ = ["PostgresLedger"]
