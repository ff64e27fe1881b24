"""The ledger: machine state of every publication, kept apart from the drafts.

One row per (post, platform, content hash) moves through::

    pending -> claimed -> published | failed | missed | in_doubt
       ^          |
       +----------+  (not sent / rate limited: back to pending with a next attempt time)

* **Claims are atomic**: :meth:`Ledger.claim` decides and writes inside one
  ``BEGIN IMMEDIATE`` transaction, so two processes can never both hold a claim.
* **Intent before request**: before each request the part being sent is recorded as
  ``sending`` (committed); its receipt replaces that at once. A claim whose owner died is
  ``in_doubt`` only if a part was ``sending`` (the request may have gone out); with no
  request in flight nothing can have been sent and the row safely returns to ``pending``.
  Parts with receipts are never sent again, so a thread resumes where it stopped.
* The idempotency key includes the content hash, so an edited post is a new publication.

:class:`Ledger` is the interface callers use; :class:`SqliteLedger` implements it with the
standard library (WAL mode). A PostgreSQL backend implements the same methods.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

State = Literal["pending", "claimed", "published", "failed", "missed", "in_doubt"]
STATES: tuple[State, ...] = ("pending", "claimed", "published", "failed", "missed", "in_doubt")
ATTENTION: tuple[State, ...] = ("failed", "missed", "in_doubt")
DB_NAME = "ledger.sqlite3"


def ts(when: datetime) -> str:
    """A sortable UTC text form of an aware datetime (the ledger's only time format)."""
    if when.tzinfo is None:
        raise ValueError("the ledger stores timezone-aware datetimes only")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def from_ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _proc_start(pid: int) -> str:
    """The kernel's start time of *pid* (clock ticks since boot), to spot a reused pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            stat = handle.read()
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


@dataclass(frozen=True)
class Owner:
    """Who holds a claim: enough to tell later whether that process is still alive."""

    pid: int
    host: str
    started: str
    token: str

    @classmethod
    def current(cls) -> Owner:
        pid = os.getpid()
        return cls(pid, socket.gethostname(), _proc_start(pid), uuid.uuid4().hex)

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}"


def owner_alive(pid: int, host: str, started: str) -> bool:
    """Whether the claimant still runs. Another host cannot be checked: assume alive."""
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    now_started = _proc_start(pid)
    return not (started and now_started and now_started != started)


@dataclass(frozen=True)
class PubKey:
    """Identifies one publication: a post's rendered content on one platform."""

    post_id: str
    platform: str
    content_hash: str

    def idempotency_key(self, part: int = 0) -> str:
        base = f"sp-{self.post_id}-{self.platform}-{self.content_hash[:16]}"
        return base if part == 0 else f"{base}-p{part}"


@dataclass(frozen=True)
class Part:
    """One request of a publication (part 0 is the post, 1.. are thread replies)."""

    index: int
    key: str
    state: Literal["sending", "sent"]
    remote_id: str | None = None
    url: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True)
class Publication:
    """One row of the ledger."""

    key: PubKey
    state: State
    scheduled_at: datetime | None
    idem_key: str
    attempts: int
    next_attempt_at: datetime | None
    reason: str | None
    force: bool
    owner_pid: int | None
    owner_host: str | None
    claimed_at: datetime | None
    remote_id: str | None
    url: str | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    parts: tuple[Part, ...] = field(default=())

    @property
    def post_id(self) -> str:
        return self.key.post_id

    @property
    def platform(self) -> str:
        return self.key.platform


@dataclass(frozen=True)
class Attempt:
    """One try at one part, and what came of it."""

    key: PubKey
    part: int
    at: datetime
    outcome: str
    error: str | None


@dataclass(frozen=True)
class RunRecord:
    """One pass: when it ran, who ran it, and its counts."""

    started_at: datetime
    finished_at: datetime | None
    pid: int
    kind: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class Claim:
    """The outcome of :meth:`Ledger.claim`: the publication when won, else why not."""

    publication: Publication | None
    reason: str | None = None


class Ledger(ABC):
    """What the engine and the commands need from a ledger backend."""

    owner: Owner

    @abstractmethod
    def publications(self, post_id: str | None = None) -> list[Publication]:
        """Every row (optionally one post's), oldest first, with their parts."""

    @abstractmethod
    def get(self, key: PubKey) -> Publication | None:
        """One row by its key, with its parts."""

    @abstractmethod
    def attempts(self, post_id: str | None = None) -> list[Attempt]:
        """Every attempt (optionally one post's), oldest first."""

    @abstractmethod
    def claim(
        self,
        key: PubKey,
        *,
        scheduled_at: datetime | None,
        now: datetime,
        allow_states: tuple[State, ...] = ("pending",),
    ) -> Claim:
        """Atomically take the publication for this process, creating it if new."""

    @abstractmethod
    def begin_part(self, key: PubKey, index: int, part_key: str, now: datetime) -> None:
        """Record that part *index* is about to be sent (committed before the request)."""

    @abstractmethod
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
        """Record part *index*'s receipt."""

    @abstractmethod
    def abort_part(self, key: PubKey, index: int) -> None:
        """Forget a ``sending`` part that certainly was not sent."""

    @abstractmethod
    def record_attempt(
        self, key: PubKey, index: int, now: datetime, outcome: str, error: str | None
    ) -> None:
        """Append one attempt to the history."""

    @abstractmethod
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
        """Release this process's claim into *state* (published takes part 0's receipt)."""

    @abstractmethod
    def mark_missed(
        self, key: PubKey, scheduled_at: datetime | None, reason: str, now: datetime
    ) -> bool:
        """Record a publication as missed unless it is claimed or settled; True if written."""

    @abstractmethod
    def recover(self, now: datetime, alive: Callable[[int, str, str], bool]) -> list[Publication]:
        """Settle claims whose process died: in doubt if a request was in flight, else
        pending. Returns the rows changed (as they are now)."""

    @abstractmethod
    def settle(
        self,
        post_id: str,
        platform: str,
        now: datetime,
        *,
        published_url: str | None = None,
        not_published: bool = False,
        retry: bool = False,
    ) -> Publication:
        """A person's decision on the newest row of (post, platform); see the commands."""

    @abstractmethod
    def slots(self) -> dict[str, datetime]:
        """Posting slots already given to posts without ``at``."""

    @abstractmethod
    def reserve_slots(self, chosen: dict[str, datetime]) -> None:
        """Remember slot choices so a post's time does not move as the clock runs."""

    @abstractmethod
    def start_run(self, now: datetime, kind: str) -> int:
        """Record that a pass started; returns its id."""

    @abstractmethod
    def finish_run(self, run_id: int, now: datetime, summary: dict[str, Any]) -> None:
        """Record a pass's end and counts."""

    @abstractmethod
    def last_run(self) -> RunRecord | None:
        """The most recent pass."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""


_SCHEMA = """
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

_COLUMNS = (
    "post_id, platform, content_hash, state, scheduled_at, idem_key, attempts, "
    "next_attempt_at, reason, force, owner_pid, owner_host, claimed_at, remote_id, url, "
    "published_at, created_at, updated_at"
)


class LedgerError(Exception):
    """A request to the ledger that the current state does not allow (message for people)."""


class SqliteLedger(Ledger):
    """The ledger in one SQLite file (WAL mode), safe across processes on one host."""

    def __init__(self, path: Path, *, owner: Owner | None = None, read_only: bool = False) -> None:
        self.path = path
        self.owner = owner or Owner.current()
        self.read_only = read_only
        if read_only:
            if path.exists():
                self._db = sqlite3.connect(
                    f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=30
                )
            else:
                self._db = sqlite3.connect(":memory:", isolation_level=None)
                self._db.executescript(_SCHEMA)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL survives a killed process; the intent record before each request is
        # committed with FULL (see begin_part), which also makes everything before it
        # durable, so even a power cut can only turn a publication "in doubt", never
        # let it be sent twice.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(_SCHEMA)  # idempotent; each statement commits on its own

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
         ohost, claimed, rid, url, pub_at, created, updated) = row  # fmt: skip
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
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM publications "
            "WHERE post_id = ? AND platform = ? AND content_hash = ?",
            (key.post_id, key.platform, key.content_hash),
        ).fetchone()
        if row is None:
            return None
        parts = self._db.execute(
            "SELECT part, part_key, state, remote_id, url, published_at FROM parts "
            "WHERE post_id = ? AND platform = ? AND content_hash = ? ORDER BY part",
            (key.post_id, key.platform, key.content_hash),
        ).fetchall()
        return self._row(row, tuple(Part(i, k, s, r, u, from_ts(p)) for i, k, s, r, u, p in parts))

    # -- reading --------------------------------------------------------------------------

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

    def get(self, key: PubKey) -> Publication | None:
        """One row by its key."""
        return self._get(key)

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

    # -- the claim ------------------------------------------------------------------------

    def claim(
        self,
        key: PubKey,
        *,
        scheduled_at: datetime | None,
        now: datetime,
        allow_states: tuple[State, ...] = ("pending",),
    ) -> Claim:
        o = self.owner
        sched = ts(scheduled_at) if scheduled_at else None
        with self._tx() as db:
            others = db.execute(
                "SELECT state, content_hash FROM publications WHERE post_id = ? AND platform = ? "
                "AND content_hash != ? AND state IN ('claimed', 'in_doubt', 'published')",
                (key.post_id, key.platform, key.content_hash),
            ).fetchall()
            if others:
                state = others[0][0]
                return Claim(None, f"an earlier version of the post is {state.replace('_', ' ')}")
            twin = db.execute(
                "SELECT post_id, state FROM publications WHERE content_hash = ? AND platform = ? "
                "AND post_id != ? AND state IN ('claimed', 'in_doubt', 'published') LIMIT 1",
                (key.content_hash, key.platform, key.post_id),
            ).fetchone()
            if twin:
                # A renamed draft gets a new id (the file name); its content must not go twice.
                state = twin[1].replace("_", " ")
                return Claim(None, f"the same content is already {state} as post {twin[0]}")
            partly = db.execute(
                "SELECT 1 FROM parts WHERE post_id = ? AND platform = ? AND content_hash != ? "
                "AND state = 'sent' LIMIT 1",
                (key.post_id, key.platform, key.content_hash),
            ).fetchone()
            if partly:
                return Claim(None, "an earlier version of the post is partly published")
            # Older versions that never went out are replaced by this one.
            for table in ("parts", "publications"):
                db.execute(
                    f"DELETE FROM {table} WHERE post_id = ? AND platform = ? "
                    "AND content_hash != ? AND content_hash IN (SELECT content_hash FROM "
                    "publications WHERE post_id = ? AND platform = ? AND state = 'pending')",
                    (key.post_id, key.platform, key.content_hash, key.post_id, key.platform),
                )
            row = db.execute(
                "SELECT state, next_attempt_at, scheduled_at FROM publications "
                "WHERE post_id = ? AND platform = ? AND content_hash = ?",
                (key.post_id, key.platform, key.content_hash),
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO publications (post_id, platform, content_hash, state, "
                    "scheduled_at, idem_key, owner_token, owner_pid, owner_host, owner_started, "
                    "claimed_at, created_at, updated_at) "
                    "VALUES (?, ?, ?, 'claimed', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (key.post_id, key.platform, key.content_hash, sched, key.idempotency_key(),
                     o.token, o.pid, o.host, o.started, ts(now), ts(now), ts(now)),
                )  # fmt: skip
            else:
                state, nxt, old_sched = row
                rescheduled = state in ("failed", "missed") and old_sched != sched
                if state not in allow_states and not rescheduled:
                    return Claim(None, f"already {state.replace('_', ' ')}")
                if state == "pending" and nxt is not None and nxt > ts(now):
                    return Claim(None, f"next attempt at {nxt}")
                db.execute(
                    "UPDATE publications SET state = 'claimed', owner_token = ?, owner_pid = ?, "
                    "owner_host = ?, owner_started = ?, claimed_at = ?, updated_at = ?, "
                    "scheduled_at = ?, force = 0, "
                    "attempts = CASE WHEN ? THEN 0 ELSE attempts END "
                    "WHERE post_id = ? AND platform = ? AND content_hash = ? AND state = ?",
                    (o.token, o.pid, o.host, o.started, ts(now), ts(now), sched, rescheduled,
                     key.post_id, key.platform, key.content_hash, state),
                )  # fmt: skip
            pub = self._get(key)
        return Claim(pub)

    def _mine(self, db: sqlite3.Connection, key: PubKey) -> None:
        row = db.execute(
            "SELECT state, owner_token FROM publications "
            "WHERE post_id = ? AND platform = ? AND content_hash = ?",
            (key.post_id, key.platform, key.content_hash),
        ).fetchone()
        if row is None or row[0] != "claimed" or row[1] != self.owner.token:
            raise LedgerError(
                f"{key.post_id} on {key.platform}: this process no longer holds the claim"
            )

    def begin_part(self, key: PubKey, index: int, part_key: str, now: datetime) -> None:
        self._db.execute("PRAGMA synchronous=FULL")  # on disk before the request leaves
        try:
            with self._tx() as db:
                self._mine(db, key)
                db.execute(
                    "INSERT INTO parts (post_id, platform, content_hash, part, part_key, state, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, 'sending', ?) "
                    "ON CONFLICT DO UPDATE SET state = 'sending', updated_at = excluded.updated_at",
                    (key.post_id, key.platform, key.content_hash, index, part_key, ts(now)),
                )
        finally:
            self._db.execute("PRAGMA synchronous=NORMAL")

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
        with self._tx() as db:
            db.execute(
                "UPDATE parts SET state = 'sent', remote_id = ?, url = ?, published_at = ?, "
                "updated_at = ? WHERE post_id = ? AND platform = ? AND content_hash = ? "
                "AND part = ?",
                (remote_id, url, ts(published_at), ts(now), key.post_id, key.platform,
                 key.content_hash, index),
            )  # fmt: skip
            db.execute(
                "INSERT INTO attempts (post_id, platform, content_hash, part, at, outcome) "
                "VALUES (?, ?, ?, ?, ?, 'published')",
                (key.post_id, key.platform, key.content_hash, index, ts(now)),
            )

    def abort_part(self, key: PubKey, index: int) -> None:
        with self._tx() as db:
            db.execute(
                "DELETE FROM parts WHERE post_id = ? AND platform = ? AND content_hash = ? "
                "AND part = ? AND state = 'sending'",
                (key.post_id, key.platform, key.content_hash, index),
            )

    def record_attempt(
        self, key: PubKey, index: int, now: datetime, outcome: str, error: str | None
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO attempts (post_id, platform, content_hash, part, at, outcome, error) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key.post_id, key.platform, key.content_hash, index, ts(now), outcome, error),
            )

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
            self._mine(db, key)
            receipt: tuple[Any, ...] = (None, None, None)
            if state == "published":
                receipt = db.execute(
                    "SELECT remote_id, url, published_at FROM parts WHERE post_id = ? "
                    "AND platform = ? AND content_hash = ? AND part = 0",
                    (key.post_id, key.platform, key.content_hash),
                ).fetchone() or (None, None, None)
            db.execute(
                "UPDATE publications SET state = ?, reason = ?, next_attempt_at = ?, "
                "attempts = attempts + ?, owner_token = NULL, remote_id = ?, url = ?, "
                "published_at = ?, updated_at = ? "
                "WHERE post_id = ? AND platform = ? AND content_hash = ?",
                (state, reason, ts(next_attempt_at) if next_attempt_at else None,
                 int(count_attempt), *receipt, ts(now), key.post_id, key.platform,
                 key.content_hash),
            )  # fmt: skip

    def mark_missed(
        self, key: PubKey, scheduled_at: datetime | None, reason: str, now: datetime
    ) -> bool:
        sched = ts(scheduled_at) if scheduled_at else None
        with self._tx() as db:
            row = db.execute(
                "SELECT state FROM publications WHERE post_id = ? AND platform = ? "
                "AND content_hash = ?",
                (key.post_id, key.platform, key.content_hash),
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO publications (post_id, platform, content_hash, state, "
                    "scheduled_at, idem_key, reason, created_at, updated_at) "
                    "VALUES (?, ?, ?, 'missed', ?, ?, ?, ?, ?)",
                    (key.post_id, key.platform, key.content_hash, sched, key.idempotency_key(),
                     reason, ts(now), ts(now)),
                )  # fmt: skip
                return True
            if row[0] not in ("pending", "failed"):
                return False
            db.execute(
                "UPDATE publications SET state = 'missed', reason = ?, scheduled_at = ?, "
                "updated_at = ? WHERE post_id = ? AND platform = ? AND content_hash = ?",
                (reason, sched, ts(now), key.post_id, key.platform, key.content_hash),
            )
            return True

    def recover(self, now: datetime, alive: Callable[[int, str, str], bool]) -> list[Publication]:
        changed: list[PubKey] = []
        rows = self._db.execute(
            "SELECT post_id, platform, content_hash, owner_token, owner_pid, owner_host, "
            "owner_started FROM publications WHERE state = 'claimed'"
        ).fetchall()
        for post_id, platform, chash, token, pid, host, started in rows:
            if token == self.owner.token or alive(pid or 0, host or "", started or ""):
                continue
            key = PubKey(post_id, platform, chash)
            with self._tx() as db:
                current = db.execute(
                    "SELECT owner_token FROM publications WHERE post_id = ? AND platform = ? "
                    "AND content_hash = ? AND state = 'claimed'",
                    (post_id, platform, chash),
                ).fetchone()
                if current is None or current[0] != token:
                    continue  # settled by someone else meanwhile
                sending = db.execute(
                    "SELECT part FROM parts WHERE post_id = ? AND platform = ? "
                    "AND content_hash = ? AND state = 'sending'",
                    (post_id, platform, chash),
                ).fetchone()
                if sending is not None:
                    state, reason = (
                        "in_doubt",
                        f"the process publishing it (pid {pid} on {host}) stopped while "
                        f"part {sending[0] + 1} was being sent; it may or may not be live",
                    )
                else:
                    state, reason = "pending", None
                db.execute(
                    "UPDATE publications SET state = ?, reason = ?, owner_token = NULL, "
                    "updated_at = ? WHERE post_id = ? AND platform = ? AND content_hash = ?",
                    (state, reason, ts(now), post_id, platform, chash),
                )
                db.execute(
                    "INSERT INTO attempts (post_id, platform, content_hash, part, at, outcome, "
                    "error) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (post_id, platform, chash, sending[0] if sending else 0, ts(now),
                     "crashed" if sending else "abandoned",
                     f"claimant pid {pid} on {host} died"),
                )  # fmt: skip
            changed.append(key)
        return [p for p in (self._get(k) for k in changed) if p is not None]

    def settle(
        self,
        post_id: str,
        platform: str,
        now: datetime,
        *,
        published_url: str | None = None,
        not_published: bool = False,
        retry: bool = False,
    ) -> Publication:
        with self._tx() as db:
            row = db.execute(
                "SELECT content_hash, state FROM publications WHERE post_id = ? AND platform = ? "
                "ORDER BY updated_at DESC, rowid DESC LIMIT 1",
                (post_id, platform),
            ).fetchone()
            if row is None:
                raise LedgerError(f"the ledger has nothing for {post_id} on {platform}")
            chash, state = row
            where = (post_id, platform, chash)
            if state == "claimed":
                raise LedgerError(
                    f"{post_id} on {platform} is being published right now; try again later"
                )
            if retry:
                if state == "in_doubt":
                    raise LedgerError(
                        f"{post_id} on {platform} is in doubt: it may already be live. Check "
                        "the platform, then `soulpost resolve` it (--published URL or "
                        "--not-published) before retrying"
                    )
                if state not in ("failed", "missed", "pending"):
                    raise LedgerError(f"{post_id} on {platform} is {state}; nothing to retry")
                db.execute(
                    "UPDATE publications SET state = 'pending', force = 1, attempts = 0, "
                    "next_attempt_at = NULL, reason = ?, updated_at = ? "
                    "WHERE post_id = ? AND platform = ? AND content_hash = ?",
                    ("retry requested by a person", ts(now), *where),
                )
                outcome = "retry-requested"
            elif published_url is not None:
                if state == "published":
                    raise LedgerError(f"{post_id} on {platform} is already published")
                sending = db.execute(
                    "SELECT part FROM parts WHERE post_id = ? AND platform = ? "
                    "AND content_hash = ? AND state = 'sending' ORDER BY part LIMIT 1",
                    where,
                ).fetchone()
                index = sending[0] if sending else 0
                db.execute(
                    "INSERT INTO parts (post_id, platform, content_hash, part, part_key, state, "
                    "remote_id, url, published_at, updated_at) "
                    "VALUES (?, ?, ?, ?, '', 'sent', ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                    "state = 'sent', remote_id = excluded.remote_id, url = excluded.url, "
                    "published_at = excluded.published_at, updated_at = excluded.updated_at",
                    (*where, index, published_url, published_url, ts(now), ts(now)),
                )
                # A thread with parts still unsent goes on from the next part.
                first = db.execute(
                    "SELECT remote_id, url, published_at FROM parts WHERE post_id = ? "
                    "AND platform = ? AND content_hash = ? AND part = 0 AND state = 'sent'",
                    where,
                ).fetchone() or (published_url, published_url, ts(now))
                db.execute(
                    "UPDATE publications SET state = 'published', reason = ?, remote_id = ?, "
                    "url = ?, published_at = ?, updated_at = ? "
                    "WHERE post_id = ? AND platform = ? AND content_hash = ?",
                    ("settled by a person: published", *first, ts(now), *where),
                )
                outcome = "resolved-published"
            elif not_published:
                if state not in ("in_doubt", "failed"):
                    raise LedgerError(
                        f"{post_id} on {platform} is {state}; only in-doubt or failed "
                        "publications can be settled as not published"
                    )
                db.execute(
                    "DELETE FROM parts WHERE post_id = ? AND platform = ? AND content_hash = ? "
                    "AND state = 'sending'",
                    where,
                )
                db.execute(
                    "UPDATE publications SET state = 'failed', reason = ?, updated_at = ? "
                    "WHERE post_id = ? AND platform = ? AND content_hash = ?",
                    (
                        "settled by a person: not published (`soulpost retry` sends it again)",
                        ts(now),
                        *where,
                    ),
                )
                outcome = "resolved-not-published"
            else:
                raise LedgerError("nothing to settle: say --published URL or --not-published")
            db.execute(
                "INSERT INTO attempts (post_id, platform, content_hash, part, at, outcome, error) "
                "VALUES (?, ?, ?, 0, ?, ?, ?)",
                (*where, ts(now), outcome, published_url),
            )
            pub = self._get(PubKey(*where))
        assert pub is not None
        return pub

    # -- slots and runs -------------------------------------------------------------------

    def slots(self) -> dict[str, datetime]:
        return {
            post_id: datetime.fromisoformat(at)
            for post_id, at in self._db.execute("SELECT post_id, at FROM slots")
        }

    def reserve_slots(self, chosen: dict[str, datetime]) -> None:
        if not chosen:
            return
        with self._tx() as db:
            db.executemany(
                "INSERT INTO slots (post_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(post_id, ts(at)) for post_id, at in chosen.items()],
            )

    def start_run(self, now: datetime, kind: str) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO runs (started_at, pid, kind) VALUES (?, ?, ?)",
                (ts(now), os.getpid(), kind),
            )
            db.execute("DELETE FROM runs WHERE id < ? - 1000", (cur.lastrowid,))
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, now: datetime, summary: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?",
                (ts(now), json.dumps(summary, sort_keys=True), run_id),
            )

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
        self._db.close()


def open_ledger(state_dir: Path, *, backend: str = "sqlite", read_only: bool = False) -> Ledger:
    """The workspace's ledger (``[publish] ledger`` picks the backend)."""
    if backend != "sqlite":
        raise LedgerError(f"ledger backend {backend!r} is not available")
    return SqliteLedger(state_dir / DB_NAME, read_only=read_only)
