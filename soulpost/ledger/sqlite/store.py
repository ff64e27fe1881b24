"""The ledger in one SQLite file (WAL mode), safe across processes on one host."""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

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
    from_ts,
    ts,
)
from soulpost.ledger.owner import Owner, lease_end
from soulpost.ledger.sqlite import cards, claims, person, schema
from soulpost.ledger.sqlite.schema import (
    explain,
)

_COLUMNS = (
    "post_id, platform, content_hash, state, scheduled_at, idem_key, attempts, "
    "next_attempt_at, reason, force, owner_pid, owner_host, claimed_at, remote_id, url, "
    "published_at, created_at, updated_at, lease_until, parts_total, acknowledged"
)
_KEY = "post_id = ? AND platform = ? AND content_hash = ?"

P = ParamSpec("P")
R = TypeVar("R")


def guarded(method: Callable[P, R]) -> Callable[P, R]:
    """SQLite and OS errors leave a method as one clear :class:`LedgerUnusable` line."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            self = args[0]
            explain(exc, getattr(self, "path", Path("ledger")), getattr(self, "timeout", 0))

    return wrapper


class SqliteLedger(cards.LinkCards, Ledger):
    """The ledger in one SQLite file (WAL mode), safe across processes on one host."""

    backend = "sqlite"

    def __init__(
        self,
        path: Path,
        *,
        owner: Owner | None = None,
        read_only: bool = False,
        timeout: float | None = None,
    ) -> None:
        self.path = path
        self.where = str(path)
        self.owner = owner or Owner.current()
        self.read_only = read_only
        self.timeout = schema.BUSY_TIMEOUT if timeout is None else timeout
        self._copy: tempfile.TemporaryDirectory[str] | None = None
        try:
            if read_only:
                self._db, self._copy = schema.open_read_only(path, self.timeout)
            else:
                self._db = schema.open_read_write(path, self.timeout)
        except (sqlite3.Error, OSError) as exc:
            self.close()
            explain(exc, path, self.timeout)

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            raise LedgerError("the ledger is open read-only (dry run)")
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _row(self, row: tuple[Any, ...], parts: tuple[Part, ...] = ()) -> Publication:
        (post_id, platform, chash, state, sched, idem, attempts, nxt, reason, force, opid,
         ohost, claimed, rid, url, pub_at, created, updated, lease, total, ack) = row  # fmt: skip
        return Publication(
            PubKey(post_id, platform, chash),
            state,
            from_ts(sched),
            idem,
            attempts,
            from_ts(nxt),
            reason,
            bool(force),
            opid,
            ohost,
            from_ts(claimed),
            rid,
            url,
            from_ts(pub_at),
            from_ts(created) or datetime.now(UTC),
            from_ts(updated) or datetime.now(UTC),
            parts,
            from_ts(lease),
            total,
            bool(ack),
        )

    def _parts(self, post_id: str | None = None) -> dict[PubKey, list[Part]]:
        sql = (
            "SELECT post_id, platform, content_hash, part, part_key, state, remote_id, url, "
            "published_at FROM parts"
        )
        args: tuple[Any, ...] = ()
        if post_id is not None:
            sql += " WHERE post_id = ?"
            args = (post_id,)
        out: dict[PubKey, list[Part]] = {}
        for pid, plat, chash, idx, pkey, state, rid, url, pub_at in self._db.execute(sql, args):
            out.setdefault(PubKey(pid, plat, chash), []).append(
                Part(idx, pkey, state, rid, url, from_ts(pub_at))
            )
        for parts in out.values():
            parts.sort(key=lambda p: p.index)
        return out

    def _get(self, key: PubKey) -> Publication | None:
        where = (key.post_id, key.platform, key.content_hash)
        row = self._db.execute(f"SELECT {_COLUMNS} FROM publications WHERE {_KEY}", where)
        found = row.fetchone()
        if found is None:
            return None
        parts = self._db.execute(
            "SELECT part, part_key, state, remote_id, url, published_at FROM parts "
            f"WHERE {_KEY} ORDER BY part",
            where,
        ).fetchall()
        return self._row(
            found, tuple(Part(i, k, s, r, u, from_ts(p)) for i, k, s, r, u, p in parts)
        )

    def _one(self, where: tuple[str, str, str]) -> Publication:
        pub = self._get(PubKey(*where))
        assert pub is not None
        return pub

    # -- reading --------------------------------------------------------------------------

    @guarded
    def publications(self, post_id: str | None = None) -> list[Publication]:
        sql = f"SELECT {_COLUMNS} FROM publications"
        args: tuple[Any, ...] = ()
        if post_id is not None:
            sql += " WHERE post_id = ?"
            args = (post_id,)
        sql += " ORDER BY created_at, rowid"
        parts = self._parts(post_id)
        out = []
        for row in self._db.execute(sql, args):
            key = PubKey(row[0], row[1], row[2])
            out.append(self._row(row, tuple(parts.get(key, ()))))
        return out

    @guarded
    def needing_attention(self, now: datetime) -> list[Publication]:
        # Newest per (post, platform) as publications() orders them: created_at, rowid.
        sql = (
            f"SELECT {_COLUMNS} FROM publications p WHERE state IN "
            "('failed', 'missed', 'in_doubt', 'claimed') AND NOT EXISTS (SELECT 1 FROM "
            "publications q WHERE q.post_id = p.post_id AND q.platform = p.platform AND "
            "(q.created_at > p.created_at OR (q.created_at = p.created_at AND "
            "q.rowid > p.rowid))) ORDER BY created_at, rowid"
        )
        rows = (self._row(row) for row in self._db.execute(sql))
        return [row for row in rows if row.needs_attention(now)]

    @guarded
    def get(self, key: PubKey) -> Publication | None:
        """One row by its key."""
        return self._get(key)

    @guarded
    def attempts(self, post_id: str | None = None) -> list[Attempt]:
        sql = "SELECT post_id, platform, content_hash, part, at, outcome, error FROM attempts"
        args: tuple[Any, ...] = ()
        if post_id is not None:
            sql += " WHERE post_id = ?"
            args = (post_id,)
        sql += " ORDER BY id"
        return [
            Attempt(PubKey(p, pl, h), part, datetime.fromisoformat(at), outcome, error)
            for p, pl, h, part, at, outcome, error in self._db.execute(sql, args)
        ]

    # -- a person's answers ---------------------------------------------------------------

    @guarded
    def retry(self, post_id: str, platform: str, now: datetime) -> Publication:
        with self._tx() as db:
            where = person.retry(db, post_id, platform, now)
            return self._one(where)

    @guarded
    def mark_published(
        self, post_id: str, platform: str, url: str, now: datetime, *, remote_id: str | None = None
    ) -> Publication:
        with self._tx() as db:
            where = person.mark_published(db, post_id, platform, url, now, remote_id=remote_id)
            return self._one(where)

    @guarded
    def mark_not_published(self, post_id: str, platform: str, now: datetime) -> Publication:
        with self._tx() as db:
            where = person.mark_not_published(db, post_id, platform, now)
            return self._one(where)

    # -- slots and runs -------------------------------------------------------------------

    @guarded
    def slots(self) -> dict[str, datetime]:
        return {
            post_id: datetime.fromisoformat(at)
            for post_id, at in self._db.execute("SELECT post_id, at FROM slots")
        }

    @guarded
    def change_stamp(self) -> str:
        """Every column of every publication, part and slot row, digested in SQLite's
        storage order: about 10 ms for 10,000 rows, with no objects built."""
        import hashlib

        digest = hashlib.sha256()
        for table in ("publications", "parts", "slots"):
            rows = self._db.execute(f"SELECT * FROM {table}")
            digest.update(repr(rows.fetchall()).encode())
        return digest.hexdigest()

    @guarded
    def reserve_slots(self, chosen: dict[str, datetime]) -> None:
        if not chosen:
            return
        with self._tx() as db:
            db.executemany(
                "INSERT INTO slots (post_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(post_id, ts(at)) for post_id, at in chosen.items()],
            )

    @guarded
    def start_run(self, now: datetime, kind: str) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO runs (started_at, pid, kind) VALUES (?, ?, ?)",
                (ts(now), os.getpid(), kind),
            )
            db.execute("DELETE FROM runs WHERE id < ? - 1000", (cur.lastrowid,))
        return int(cur.lastrowid or 0)

    @guarded
    def finish_run(self, run_id: int, now: datetime, summary: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?",
                (ts(now), json.dumps(summary, sort_keys=True), run_id),
            )

    @guarded
    def last_run(self) -> RunRecord | None:
        row = self._db.execute(
            "SELECT started_at, finished_at, pid, kind, summary FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        started, finished, pid, kind, summary = row
        return RunRecord(
            datetime.fromisoformat(started), from_ts(finished), pid, kind, json.loads(summary)
        )

    def close(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()
        if self._copy is not None:
            self._copy.cleanup()
            self._copy = None

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
        with self._tx() as db:
            why, _ = claims.claim(
                db,
                self.owner,
                key,
                scheduled_at=scheduled_at,
                now=now,
                allow_states=allow_states,
                parts=parts,
            )
            return Claim(None, why) if why else Claim(self._get(key))

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
        # One transaction, committed with FULL (on disk before the request leaves, as
        # begin_part's): the claim and, when nothing of it went out before, part 0 sending.
        with self._durable(), self._tx() as db:
            why, new = claims.claim(
                db,
                self.owner,
                key,
                scheduled_at=scheduled_at,
                now=now,
                allow_states=("pending",),
                parts=parts,
            )
            if why:
                return Claim(None, why)
            pub = (
                claims.new_row(self.owner, key, scheduled_at=scheduled_at, now=now, parts=parts)
                if new
                else self._get(key)
            )
            if pub is None or pub.parts:
                return Claim(pub)  # sent or in flight before: the sender settles each part
            claims.sending(db, key, 0, part_key, now)
            return Claim(pub, begun=True)

    @contextmanager
    def _durable(self) -> Iterator[None]:
        """Commit with ``synchronous=FULL`` inside: the WAL is synced at the commit (with
        everything committed before it), not only at the next checkpoint."""
        self._db.execute("PRAGMA synchronous=FULL")
        try:
            yield
        finally:
            self._db.execute("PRAGMA synchronous=NORMAL")

    @guarded
    def begin_part(self, key: PubKey, index: int, part_key: str, now: datetime) -> None:
        with self._durable(), self._tx() as db:  # on disk before the request leaves
            claims.renew(db, self.owner, key, now)
            claims.sending(db, key, index, part_key, now)

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
        where = (key.post_id, key.platform, key.content_hash)
        with self._tx() as db:
            claims.sent(db, key, index, remote_id, url, published_at, now)
            db.execute(  # progress renews the lease
                f"UPDATE publications SET lease_until = ? WHERE {_KEY} AND owner_token = ?",
                (ts(lease_end(now)), *where, self.owner.token),
            )

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
        # One commit; the receipt is committed even when the claim is no longer ours.
        with self._tx() as db:
            claims.sent(db, key, index, remote_id, url, published_at, now)
            held = claims.release(db, self.owner, key, "published", now)
        if not held:
            raise claims.not_held(key)

    @guarded
    def abort_part(self, key: PubKey, index: int) -> None:
        with self._tx() as db:
            db.execute(
                f"DELETE FROM parts WHERE {_KEY} AND part = ? AND state = 'sending'",
                (key.post_id, key.platform, key.content_hash, index),
            )

    @guarded
    def record_attempt(
        self, key: PubKey, index: int, now: datetime, outcome: str, error: str | None
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO attempts (post_id, platform, content_hash, part, at, outcome, error) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key.post_id, key.platform, key.content_hash, index, ts(now), outcome, error),
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
        with self._tx() as db:
            if not claims.release(
                db, self.owner, key, state, now, reason, next_attempt_at, count_attempt
            ):
                raise claims.not_held(key)

    @guarded
    def postpone(self, key: PubKey, until: datetime, now: datetime) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE publications SET next_attempt_at = ?, updated_at = ? "
                f"WHERE {_KEY} AND state = 'in_doubt'",
                (ts(until), ts(now), key.post_id, key.platform, key.content_hash),
            )

    @guarded
    def mark_missed(
        self, key: PubKey, scheduled_at: datetime | None, reason: str, now: datetime
    ) -> bool:
        with self._tx() as db:
            return claims.mark_missed(db, key, scheduled_at, reason, now)

    @guarded
    def recover(self, now: datetime, alive: Callable[[int, str, str], bool]) -> list[Publication]:
        if self.read_only:
            return []
        stale = claims.stale_claims(self._db, self.owner, now, alive)
        changed = []
        for key, token, why in stale:
            with self._tx() as db:
                if claims.settle_claim(db, key, token, now, why):
                    changed.append(key)
        return [p for p in (self._get(k) for k in changed) if p is not None]

    @guarded
    def release_held(self, now: datetime, why: str) -> list[Publication]:
        held = self._db.execute(
            "SELECT post_id, platform, content_hash FROM publications "
            "WHERE state = 'claimed' AND owner_token = ?",
            (self.owner.token,),
        ).fetchall()
        changed = []
        for row in held:
            key = PubKey(*row)
            with self._tx() as db:
                if claims.settle_claim(db, key, self.owner.token, now, why):
                    changed.append(key)
        return [p for p in (self._get(k) for k in changed) if p is not None]
