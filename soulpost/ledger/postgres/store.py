"""The ledger in one PostgreSQL database, shared by publishers on several hosts."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from soulpost.ledger.base import (
    Attempt,
    Claim,
    Ledger,
    LedgerError,
    Part,
    PubKey,
    Publication,
    RunRecord,
    State,
)
from soulpost.ledger.owner import LEASE, Owner
from soulpost.ledger.postgres import cards, claims, person, schema
from soulpost.ledger.postgres.rows import guarded, pipelined
from soulpost.ledger.postgres.rows import row_of as _row
from soulpost.ledger.postgres.rows import where_of as _where

if TYPE_CHECKING:
    import psycopg

_COLUMNS = claims.COLUMNS
_KEY = claims.KEY
_PARTS = "part, part_key, state, remote_id, url, published_at"


class PostgresLedger(cards.LinkCards, Ledger):
    """The ledger in a PostgreSQL database: many publishers, on many hosts, at once.

    While a writable ledger is open, a heartbeat thread (its own connection) renews this
    publisher's leases every third of *lease* and records it in ``publishers``, which
    ``status`` shows. *url* is never shown: :attr:`where` is its form without a password.
    """

    backend = "postgres"

    def __init__(
        self,
        url: str,
        *,
        owner: Owner | None = None,
        read_only: bool = False,
        lease: timedelta = LEASE,
    ) -> None:
        self.url = url
        self.where = schema.redact(url)
        self.owner = owner or Owner.current()
        self.read_only = read_only
        self.lease = lease
        self.shift = timedelta(0)  # the caller's clock minus the real one (see claims.py)
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self._open()
        if not read_only:
            try:
                self.beat("running")
            except BaseException:
                self._db.close()
                raise
            self._beat = threading.Thread(target=self._beating, daemon=True, name="heartbeat")
            self._beat.start()

    @guarded
    def _open(self) -> None:
        self._db: psycopg.Connection[Any] = schema.open_ledger_db(
            self.url, read_only=self.read_only
        )

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _tx(self, now: datetime | None = None) -> Iterator[psycopg.Connection[Any]]:
        self._writable(now)
        with self._db.transaction():
            yield self._db

    def _writable(self, now: datetime | None = None) -> None:
        """Refuse a write on a read-only ledger; remember how far *now* is from real time."""
        if self.read_only:
            raise LedgerError("the ledger is open read-only (dry run)")
        if now is not None:
            self.shift = now - datetime.now(UTC)

    @contextmanager
    def _pipeline(self, now: datetime) -> Iterator[psycopg.Pipeline]:
        self._writable(now)
        with pipelined(self._db) as pipe:
            yield pipe

    def _lease(self) -> tuple[timedelta, timedelta]:
        return self.shift, self.lease

    def _get(self, key: PubKey) -> Publication | None:
        where = (key.post_id, key.platform, key.content_hash)
        found = self._db.execute(
            f"SELECT {_COLUMNS} FROM publications WHERE {_KEY}", where
        ).fetchone()
        if found is None:
            return None
        parts = self._db.execute(
            f"SELECT {_PARTS} FROM parts WHERE {_KEY} ORDER BY part", where
        ).fetchall()
        return _row(found, tuple(Part(*p) for p in parts))

    def _all(self, keys: list[PubKey]) -> list[Publication]:
        return [p for p in (self._get(k) for k in keys) if p is not None]

    # -- the heartbeat --------------------------------------------------------------------

    @guarded
    def beat(self, state: str = "running") -> None:
        """Renew this publisher's leases and record it alive (on the main connection)."""
        with self._db.transaction():
            claims.heartbeat(self._db, self.owner, self.shift, self.lease, state)

    def _beating(self) -> None:
        """The heartbeat thread: its own connection (the main one may be inside a
        transaction), opened again after an error; a beat that fails is skipped (the
        lease then decides, as for a host that died)."""
        interval = max(0.2, self.lease.total_seconds() / 3)
        db: psycopg.Connection[Any] | None = None
        try:
            while not self._stop.wait(interval):
                try:
                    db = db if db is not None and not db.closed else self._connect()
                    with db.transaction():
                        claims.heartbeat(db, self.owner, self.shift, self.lease, "running")
                except Exception:
                    if db is not None:
                        db.close()
                    db = None
        finally:
            if db is not None:
                db.close()

    def _connect(self) -> psycopg.Connection[Any]:
        return schema.connect(self.url, read_only=False)

    @guarded
    def publishers(self) -> list[dict[str, Any]]:
        """Publishers seen in the last day, newest heartbeat first (for ``status``)."""
        rows = self._db.execute(
            "SELECT host, pid, state, started_at, heartbeat_at, "
            "EXTRACT(EPOCH FROM clock_timestamp() - heartbeat_at)::float8, "
            "(SELECT COUNT(*) FROM publications p WHERE p.state = 'claimed' AND "
            "p.owner_token = w.token) FROM publishers w WHERE heartbeat_at > "
            "clock_timestamp() - interval '1 day' ORDER BY heartbeat_at DESC"
        ).fetchall()
        keys = ("host", "pid", "state", "started_at", "heartbeat_at", "age_seconds", "claims")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    # -- reading --------------------------------------------------------------------------

    @guarded
    def publications(self, post_id: str | None = None) -> list[Publication]:
        extra, args = ("WHERE post_id = %s", (post_id,)) if post_id is not None else ("", ())
        parts: dict[PubKey, list[Part]] = {}
        for pid, plat, chash, *rest in self._db.execute(
            f"SELECT post_id, platform, content_hash, {_PARTS} FROM parts {extra} ORDER BY part",
            args,
        ):
            parts.setdefault(PubKey(pid, plat, chash), []).append(Part(*rest))
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM publications {extra} ORDER BY created_at, seq", args
        )
        return [_row(r, tuple(parts.get(PubKey(r[0], r[1], r[2]), ()))) for r in rows]

    @guarded
    def needing_attention(self, now: datetime) -> list[Publication]:
        # Newest per (post, platform) as publications() orders them: created_at, seq.
        sql = (
            f"SELECT {_COLUMNS} FROM publications p WHERE state IN "
            "('failed', 'missed', 'in_doubt', 'claimed') AND NOT EXISTS (SELECT 1 FROM "
            "publications q WHERE q.post_id = p.post_id AND q.platform = p.platform AND "
            "(q.created_at, q.seq) > (p.created_at, p.seq)) ORDER BY created_at, seq"
        )
        rows = (_row(row) for row in self._db.execute(sql))
        return [row for row in rows if row.needs_attention(now)]

    @guarded
    def get(self, key: PubKey) -> Publication | None:
        return self._get(key)

    @guarded
    def taken(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], State]:
        return claims.taken(self._db, pairs) if pairs else {}

    @guarded
    def attempts(self, post_id: str | None = None) -> list[Attempt]:
        extra, args = ("WHERE post_id = %s", (post_id,)) if post_id is not None else ("", ())
        rows = self._db.execute(
            "SELECT post_id, platform, content_hash, part, at, outcome, error FROM attempts "
            f"{extra} ORDER BY id",
            args,
        )
        return [
            Attempt(PubKey(p, pl, h), part, at, out, err) for p, pl, h, part, at, out, err in rows
        ]

    # -- a person's answers ---------------------------------------------------------------

    @guarded
    def retry(self, post_id: str, platform: str, now: datetime) -> Publication:
        with self._tx() as db:
            where = person.retry(db, post_id, platform, now)
        return self._all([PubKey(*where)])[0]

    @guarded
    def mark_published(
        self, post_id: str, platform: str, url: str, now: datetime, *, remote_id: str | None = None
    ) -> Publication:
        with self._tx() as db:
            where = person.mark_published(db, post_id, platform, url, now, remote_id=remote_id)
        return self._all([PubKey(*where)])[0]

    @guarded
    def mark_not_published(self, post_id: str, platform: str, now: datetime) -> Publication:
        with self._tx() as db:
            where = person.mark_not_published(db, post_id, platform, now)
        return self._all([PubKey(*where)])[0]

    # -- slots and runs -------------------------------------------------------------------

    @guarded
    def slots(self) -> dict[str, datetime]:
        return dict(self._db.execute("SELECT post_id, at FROM slots").fetchall())

    @guarded
    def reserve_slots(self, chosen: dict[str, datetime]) -> None:
        if not chosen:
            return
        with self._tx() as db, db.cursor() as cur:
            cur.executemany(
                "INSERT INTO slots (post_id, at) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                list(chosen.items()),
            )

    @guarded
    def start_run(self, now: datetime, kind: str) -> int:
        with self._tx(now) as db:
            row = db.execute(
                "INSERT INTO runs (started_at, pid, host, kind) VALUES (%s, %s, %s, %s) "
                "RETURNING id",
                (now, self.owner.pid, self.owner.host, kind),
            ).fetchone()
            run_id = int(row[0]) if row else 0
            db.execute("DELETE FROM runs WHERE id < %s - 10000", (run_id,))
        return run_id

    @guarded
    def finish_run(self, run_id: int, now: datetime, summary: dict[str, Any]) -> None:
        from psycopg.types.json import Jsonb

        with self._tx() as db:
            db.execute(
                "UPDATE runs SET finished_at = %s, summary = %s WHERE id = %s",
                (now, Jsonb(summary), run_id),
            )

    @guarded
    def last_run(self) -> RunRecord | None:
        row = self._db.execute(
            "SELECT started_at, finished_at, pid, kind, summary FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else RunRecord(*row)

    def close(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
            self._beat = None
        db = getattr(self, "_db", None)
        if db is not None and not db.closed:
            if not self.read_only:
                with contextlib.suppress(Exception):  # gone: the heartbeat's age says so
                    self.beat("idle")
            db.close()  # a reader's transaction is rolled back: nothing it did is kept

    # -- the claim and its parts (the SQL is in claims.py) ---------------------------------

    @guarded
    def claim(
        self,
        key: PubKey,
        *,
        scheduled_at: datetime | None,
        now: datetime,
        allow_states: tuple[State, ...] = ("pending",),
        parts: int | None = None,
    ) -> Claim:
        with self._tx(now) as db:
            why, row, new = claims.claim(
                db, self.owner, key, scheduled_at=scheduled_at, now=now,
                allow_states=allow_states, parts=parts, lease=self._lease(),
            )  # fmt: skip
        if row is None:
            return Claim(None, why)
        if new:
            return Claim(_row(row))  # no parts yet
        sent = self._db.execute(
            f"SELECT {_PARTS} FROM parts WHERE {_KEY} ORDER BY part", _where(key)
        ).fetchall()
        return Claim(_row(row, tuple(Part(*p) for p in sent)))

    @guarded
    def claim_to_send(
        self,
        key: PubKey,
        *,
        scheduled_at: datetime | None,
        now: datetime,
        parts: int | None,
        part_key: str,
    ) -> Claim:
        # A new publication (the usual case) in two round trips, part 0 begun in the
        # claim's commit (claims.claim_sending); otherwise the claim alone, as before.
        with self._pipeline(now) as pipe:
            sending = claims.claim_sending(
                self._db, pipe, self.owner, key, scheduled_at=scheduled_at, now=now,
                parts=parts, part_key=part_key, lease=self._lease(),
            )  # fmt: skip
        answer = sending()
        if answer is None:
            return self.claim(key, scheduled_at=scheduled_at, now=now, parts=parts)
        why, row = answer
        return Claim(None, why) if row is None else Claim(_row(row), begun=True)

    @guarded
    def begin_part(self, key: PubKey, index: int, part_key: str, now: datetime) -> None:
        # One statement, so one round trip, committed (synchronous_commit on, PostgreSQL's
        # default) before the request leaves: renew the lease if the claim is still ours,
        # and only then record the part as being sent.
        self._writable(now)
        done = self._db.execute(
            "WITH mine AS (UPDATE publications SET lease_until = "
            f"{claims.LEASE_AT} WHERE {_KEY} AND state = 'claimed' AND owner_token = %s "
            "RETURNING post_id, platform, content_hash) "
            "INSERT INTO parts (post_id, platform, content_hash, part, part_key, state, "
            "updated_at) SELECT post_id, platform, content_hash, %s, %s, 'sending', %s "
            "FROM mine ON CONFLICT (post_id, platform, content_hash, part) DO UPDATE SET "
            "state = 'sending', updated_at = excluded.updated_at RETURNING 1",
            (*self._lease(), *_where(key), self.owner.token, index, part_key, now),
        ).fetchone()
        if done is None:
            raise claims.lost(key)

    @guarded
    def finish_part(
        self,
        key: PubKey,
        index: int,
        *,
        remote_id: str,
        url: str | None,
        published_at: datetime,
        now: datetime,
    ) -> None:
        self._writable(now)
        self._db.execute(
            *claims.receipt(key, index, self.owner, self._lease(), remote_id=remote_id,
                            url=url, published_at=published_at, now=now)
        )  # fmt: skip

    @guarded
    def finish_published(
        self,
        key: PubKey,
        index: int,
        *,
        remote_id: str,
        url: str | None,
        published_at: datetime,
        now: datetime,
    ) -> None:
        # One round trip: both statements pipelined up to one Sync, so one implicit
        # transaction; the receipt is committed even when the claim is no longer ours.
        with self._pipeline(now):
            self._db.execute(
                *claims.receipt(key, index, self.owner, self._lease(), remote_id=remote_id,
                                url=url, published_at=published_at, now=now)
            )  # fmt: skip
            done = self._db.execute(*claims.release(key, "published", self.owner, now))
        if done.fetchone() is None:
            raise claims.lost(key)

    @guarded
    def abort_part(self, key: PubKey, index: int) -> None:
        self._writable()
        self._db.execute(
            f"DELETE FROM parts WHERE {_KEY} AND part = %s AND state = 'sending'",
            (*_where(key), index),
        )

    @guarded
    def record_attempt(
        self, key: PubKey, index: int, now: datetime, outcome: str, error: str | None
    ) -> None:
        self._writable()
        self._db.execute(
            "INSERT INTO attempts (post_id, platform, content_hash, part, at, outcome, "
            "error) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (*_where(key), index, now, outcome, error),
        )

    @guarded
    def finish(
        self,
        key: PubKey,
        state: State,
        now: datetime,
        *,
        reason: str | None = None,
        next_attempt_at: datetime | None = None,
        count_attempt: bool = False,
    ) -> None:
        self._writable(now)
        done = self._db.execute(
            *claims.release(key, state, self.owner, now, reason=reason,
                            next_attempt_at=next_attempt_at, count_attempt=count_attempt)
        ).fetchone()  # fmt: skip
        if done is None:
            raise claims.lost(key)

    @guarded
    def postpone(self, key: PubKey, until: datetime, now: datetime) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE publications SET next_attempt_at = %s, updated_at = %s "
                f"WHERE {_KEY} AND state = 'in_doubt'",
                (until, now, key.post_id, key.platform, key.content_hash),
            )

    @guarded
    def mark_missed(
        self, key: PubKey, scheduled_at: datetime | None, reason: str, now: datetime
    ) -> bool:
        where = (key.post_id, key.platform, key.content_hash)
        with self._tx() as db:
            if not claims.lock_post(db, key.post_id, key.platform, wait=False):
                return False  # another publisher is deciding on it: the next pass looks again
            row = db.execute(
                f"SELECT state FROM publications WHERE {_KEY} FOR UPDATE", where
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO publications (post_id, platform, content_hash, state, "
                    "scheduled_at, idem_key, reason, created_at, updated_at) "
                    "VALUES (%s, %s, %s, 'missed', %s, %s, %s, %s, %s)",
                    (*where, scheduled_at, key.idempotency_key(), reason, now, now),
                )
                return True
            if row[0] not in ("pending", "failed"):
                return False
            db.execute(
                "UPDATE publications SET state = 'missed', reason = %s, scheduled_at = %s, "
                f"acknowledged = false, updated_at = %s WHERE {_KEY}",
                (reason, scheduled_at, now, *where),
            )
            return True

    @guarded
    def recover(self, now: datetime, alive: Callable[[int, str, str], bool]) -> list[Publication]:
        if self.read_only:
            return []
        self.shift = now - datetime.now(UTC)
        changed = []
        for key, token, why, by_lease in claims.stale_claims(
            self._db, self.owner, self.shift, alive
        ):
            with self._tx() as db:
                expired_at = self.shift if by_lease else None
                if claims.settle_claim(db, key, token, now, why, expired_at=expired_at):
                    changed.append(key)
        return self._all(changed)

    @guarded
    def release_held(self, now: datetime, why: str) -> list[Publication]:
        held = self._db.execute(
            "SELECT post_id, platform, content_hash FROM publications "
            "WHERE state = 'claimed' AND owner_token = %s",
            (self.owner.token,),
        ).fetchall()
        changed = []
        for row in held:
            key = PubKey(*row)
            with self._tx() as db:
                if claims.settle_claim(db, key, self.owner.token, now, why, skip_locked=False):
                    changed.append(key)
        return self._all(changed)
