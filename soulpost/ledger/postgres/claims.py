"""Claims on the PostgreSQL ledger, where publishers on several hosts share one database.

* **Nobody waits on anybody.** Taking a claim try-locks the (post, platform) and the
  (content, platform) for its transaction (``pg_try_advisory_xact_lock``) and reads the row
  ``FOR UPDATE SKIP LOCKED``: a publication another publisher is deciding on right now is
  skipped ("being claimed by another publisher") and the next pass looks again. Recovery
  takes stale rows the same way, so two hosts recovering at once split the work.
* **Leases on the database's clock.** ``lease_until`` is ``clock_timestamp()`` plus the
  lease, and "ran out" is judged against ``clock_timestamp()`` too, so clock skew between
  hosts cannot make a live claim look expired. *shift* is how far the caller's clock is
  from the real one (0 in production; a test's or ``SOULPOST_NOW``'s simulated time), so a
  simulated clock moves leases with it.
* The rule for a claim that will not be finished is today's: ``in_doubt`` only if a part
  was ``sending``, else ``pending``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from soulpost.ledger.base import LedgerError, PubKey, State
from soulpost.ledger.owner import Owner

if TYPE_CHECKING:
    import psycopg

    Db = psycopg.Connection[Any]

KEY = "post_id = %s AND platform = %s AND content_hash = %s"
COLUMNS = (
    "post_id, platform, content_hash, state, scheduled_at, idem_key, attempts, "
    "next_attempt_at, reason, force, owner_pid, owner_host, claimed_at, remote_id, url, "
    "published_at, created_at, updated_at, lease_until, parts_total, acknowledged"
)
BUSY = "being claimed by another publisher right now"
LEASE_AT = "clock_timestamp() + %s::interval + %s::interval"


def lock_post(db: Db, post_id: str, platform: str, *, wait: bool) -> bool:
    """Lock the (post, platform) for this transaction; without *wait*, False if taken."""
    fn = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    row = db.execute(
        f"SELECT {fn}(hashtextextended(%s, 0))::text", (f"p|{post_id}|{platform}",)
    ).fetchone()
    return wait or (row is not None and row[0] == "true")


LOCK_BOTH = (
    "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0)) "
    "AND pg_try_advisory_xact_lock(hashtextextended(%s, 0))"
)


def _lock_args(key: PubKey) -> tuple[str, str]:
    return f"p|{key.post_id}|{key.platform}", f"c|{key.content_hash}|{key.platform}"


def _lock_both(db: Db, key: PubKey) -> bool:
    """Try-lock the (post, platform) and the (content, platform) for this transaction, in
    one round trip: a renamed draft's twin is decided one at a time too. False if either
    is taken (one taken alone is released when the transaction ends, at once)."""
    row = db.execute(LOCK_BOTH, _lock_args(key)).fetchone()
    return bool(row and row[0])


def taken(db: Db, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """See :meth:`soulpost.ledger.Ledger.taken`: one query for all *pairs*."""
    rows = db.execute(
        "SELECT p.post_id, p.platform, p.state FROM publications p "
        "JOIN unnest(%s::text[], %s::text[]) AS w(post_id, platform) USING (post_id, platform) "
        "WHERE p.state IN ('claimed', 'published', 'in_doubt')",
        ([post for post, _ in pairs], [platform for _, platform in pairs]),
    ).fetchall()
    return {(post, platform): state for post, platform, state in rows}


BLOCKER = (
    "SELECT (SELECT state FROM publications WHERE post_id = %s AND platform = %s "
    "AND content_hash != %s AND state IN ('claimed', 'in_doubt', 'published') LIMIT 1), "
    "(SELECT post_id || ' ' || state FROM publications WHERE content_hash = %s AND "
    "platform = %s AND post_id != %s AND state IN ('claimed', 'in_doubt', 'published') "
    "AND (%s = '' OR left(post_id, length(%s)) != %s) LIMIT 1), "
    "EXISTS (SELECT 1 FROM parts WHERE post_id = %s AND platform = %s AND "
    "content_hash != %s AND state = 'sent'), "
    "EXISTS (SELECT 1 FROM publications WHERE post_id = %s AND platform = %s AND "
    "content_hash != %s AND state = 'pending')"
)


def _blocker_args(key: PubKey) -> tuple[str, ...]:
    where = (key.post_id, key.platform, key.content_hash)
    # The occurrences of one series (``id@time``) share their content on purpose.
    base = key.post_id.partition("@")[0] + "@" if "@" in key.post_id else ""
    series = (base, base, base)
    return (*where, key.content_hash, key.platform, key.post_id, *series, *where, *where)


def _blocker(db: Db, key: PubKey) -> tuple[str | None, bool]:
    """Why another row forbids claiming *key* (or None, as on SQLite), and whether an
    older, never sent version is pending (one query: one round trip)."""
    return _blocked_by(db.execute(BLOCKER, _blocker_args(key)).fetchone())


def _blocked_by(row: tuple[Any, ...] | None) -> tuple[str | None, bool]:
    """:func:`_blocker`'s answer from the row of :data:`BLOCKER`."""
    assert row is not None
    others, twin, partly, older = row
    if others:
        return f"an earlier version of the post is {others.replace('_', ' ')}", older
    if twin:
        post, state = twin.rsplit(" ", 1)
        # A renamed draft gets a new id (the file name); its content must not go twice.
        return f"the same content is already {state.replace('_', ' ')} as post {post}", older
    if partly:
        return "an earlier version of the post is partly published", older
    return None, older


def claim(
    db: Db,
    owner: Owner,
    key: PubKey,
    *,
    scheduled_at: datetime | None,
    now: datetime,
    allow_states: tuple[State, ...],
    parts: int | None,
    lease: tuple[timedelta, timedelta],
) -> tuple[str | None, tuple[Any, ...] | None, bool]:
    """Take *key* for *owner* inside the caller's transaction: (None, the row's
    :data:`COLUMNS`, whether it is new) when won, else (why not, None, False). *lease* is
    (shift, length)."""
    if not _lock_both(db, key):
        return BUSY, None, False
    blocked, older = _blocker(db, key)
    if blocked:
        return blocked, None, False
    where = (key.post_id, key.platform, key.content_hash)
    for table in ("parts", "publications") if older else ():  # versions never sent
        db.execute(
            f"DELETE FROM {table} WHERE post_id = %s AND platform = %s "
            "AND content_hash != %s AND content_hash IN (SELECT content_hash FROM "
            "publications WHERE post_id = %s AND platform = %s AND state = 'pending')",
            (*where, key.post_id, key.platform),
        )
    # A new publication (the usual case) is inserted claimed at once; only when its row
    # exists is it read, locked, and judged.
    made = _insert(db, owner, key, scheduled_at=scheduled_at, now=now, parts=parts, lease=lease)
    if made:
        return None, made, True
    row = db.execute(
        f"SELECT state, next_attempt_at, scheduled_at FROM publications WHERE {KEY} "
        "FOR UPDATE SKIP LOCKED",
        where,
    ).fetchone()
    o = owner
    if row is None:
        return BUSY, None, False  # another publisher holds it
    state, nxt, old_sched = row
    rescheduled = state in ("failed", "missed") and old_sched != scheduled_at
    if state not in allow_states and not rescheduled:
        return f"already {state.replace('_', ' ')}", None, False
    if state in ("pending", "in_doubt") and nxt is not None and nxt > now:
        return f"next attempt at {nxt.isoformat()}", None, False
    taken = db.execute(
        "UPDATE publications SET state = 'claimed', owner_token = %s, owner_pid = %s, "
        "owner_host = %s, owner_started = %s, claimed_at = %s, updated_at = %s, "
        f"scheduled_at = %s, force = false, lease_until = {LEASE_AT}, acknowledged = false, "
        "parts_total = COALESCE(%s, parts_total), "
        "attempts = CASE WHEN %s THEN 0 ELSE attempts END "
        f"WHERE {KEY} RETURNING {COLUMNS}",
        (o.token, o.pid, o.host, o.started, now, now, scheduled_at, *lease, parts,
         rescheduled, *where),
    ).fetchone()  # fmt: skip
    return None, taken, False


INSERT = (
    "INSERT INTO publications (post_id, platform, content_hash, state, scheduled_at, "
    "idem_key, owner_token, owner_pid, owner_host, owner_started, claimed_at, "
    "created_at, updated_at, lease_until, parts_total) "
    "VALUES (%s, %s, %s, 'claimed', %s, %s, %s, %s, %s, %s, %s, %s, %s, "
    f"{LEASE_AT}, %s) ON CONFLICT DO NOTHING RETURNING {COLUMNS}"
)


def _insert_args(  # noqa: PLR0917 (the new row's own values)
    o: Owner,
    key: PubKey,
    scheduled_at: datetime | None,
    now: datetime,
    parts: int | None,
    lease: tuple[timedelta, timedelta],
) -> tuple[Any, ...]:
    return (key.post_id, key.platform, key.content_hash, scheduled_at, key.idempotency_key(),
            o.token, o.pid, o.host, o.started, now, now, now, *lease, parts)  # fmt: skip


def _insert(
    db: Db,
    o: Owner,
    key: PubKey,
    *,
    scheduled_at: datetime | None,
    now: datetime,
    parts: int | None,
    lease: tuple[timedelta, timedelta],
) -> tuple[Any, ...] | None:
    """A new row, claimed; None if it appeared meanwhile (another publisher holds it)."""
    return db.execute(INSERT, _insert_args(o, key, scheduled_at, now, parts, lease)).fetchone()


Sending = Callable[[], "tuple[str | None, tuple[Any, ...] | None] | None"]
"""What :func:`claim_sending` decided, read once the caller's transaction is committed."""


def claim_sending(
    db: Db,
    pipeline: psycopg.Pipeline,
    owner: Owner,
    key: PubKey,
    *,
    scheduled_at: datetime | None,
    now: datetime,
    parts: int | None,
    part_key: str,
    lease: tuple[timedelta, timedelta],
) -> Sending:
    """:func:`claim` of a pending publication with part 0 recorded as being sent, in two
    round trips on a pipelined connection, inside the caller's transaction: the try-locks
    and the checks of :func:`claim` (two statements, so the checks see what committed
    before the locks were had), then the claimed row and its part in one statement, sent
    with the commit. Read after the commit, the answer is (None, the row) when won, (why,
    None) when refused, and None when :func:`claim` must decide (the row exists and may be
    claimable, or an older version waits to be dropped). The transaction is this
    function's own (BEGIN and COMMIT are queued with the statements: psycopg's
    ``transaction()`` would add a round trip for each); the caller's pipeline sends the
    commit when it ends, and rolls back if anything fails."""
    db.execute("BEGIN")
    locked = db.execute(LOCK_BOTH, _lock_args(key))
    checks = db.execute(BLOCKER, _blocker_args(key))
    pipeline.sync()
    row = locked.fetchone()
    blocked, older = _blocked_by(checks.fetchone())
    if not (row and row[0]) or blocked or older:
        db.execute("ROLLBACK")  # nothing written; the try-locks released
        why = BUSY if not (row and row[0]) else blocked
        return lambda: (why, None) if why else None
    made = db.execute(
        f"WITH made AS ({INSERT}), part AS (INSERT INTO parts (post_id, platform, "
        "content_hash, part, part_key, state, updated_at) SELECT post_id, platform, "
        "content_hash, 0, %s, 'sending', %s FROM made) SELECT * FROM made",
        (*_insert_args(owner, key, scheduled_at, now, parts, lease), part_key, now),
    )
    found = db.execute(
        f"SELECT state FROM publications WHERE {KEY}",
        (key.post_id, key.platform, key.content_hash),
    )
    db.execute("COMMIT")

    def answer() -> tuple[str | None, tuple[Any, ...] | None] | None:
        won = made.fetchone()
        if won is not None:
            return None, won
        state = found.fetchone()
        if state is not None and state[0] in ("claimed", "in_doubt", "published"):
            return f"already {state[0].replace('_', ' ')}", None
        return None  # pending, failed or missed: the full rules of claim()

    return answer


def receipt(
    key: PubKey,
    index: int,
    owner: Owner,
    lease: tuple[timedelta, timedelta],
    *,
    remote_id: str,
    url: str | None,
    published_at: datetime,
    now: datetime,
) -> tuple[str, tuple[Any, ...]]:
    """One statement: part *index*'s receipt, its attempt, the claim's lease renewed."""
    where = (key.post_id, key.platform, key.content_hash)
    sql = (
        "WITH part AS (UPDATE parts SET state = 'sent', remote_id = %s, url = %s, "
        f"published_at = %s, updated_at = %s WHERE {KEY} AND part = %s RETURNING 1), "
        "attempt AS (INSERT INTO attempts (post_id, platform, content_hash, part, at, "
        "outcome) VALUES (%s, %s, %s, %s, %s, 'published') RETURNING 1) "
        f"UPDATE publications SET lease_until = {LEASE_AT} "
        f"WHERE {KEY} AND owner_token = %s"
    )
    return sql, (remote_id, url, published_at, now, *where, index, *where, index, now,
                 *lease, *where, owner.token)  # fmt: skip


def release(
    key: PubKey,
    state: State,
    owner: Owner,
    now: datetime,
    *,
    reason: str | None = None,
    next_attempt_at: datetime | None = None,
    count_attempt: bool = False,
) -> tuple[str, tuple[Any, ...]]:
    """One statement: the claim released into *state* if still *owner*'s (a row back when
    it was); "published" takes part 0's receipt."""
    receipt = {
        c: f"(SELECT {c} FROM parts r WHERE r.post_id = p.post_id AND r.platform = "
        "p.platform AND r.content_hash = p.content_hash AND r.part = 0)"
        if state == "published"
        else "NULL"
        for c in ("remote_id", "url", "published_at")
    }
    sql = (
        "UPDATE publications p SET state = %s, reason = %s, next_attempt_at = %s, "
        "attempts = attempts + %s, owner_token = NULL, lease_until = NULL, "
        f"acknowledged = false, remote_id = {receipt['remote_id']}, url = {receipt['url']}, "
        f"published_at = {receipt['published_at']}, updated_at = %s "
        f"WHERE {KEY} AND state = 'claimed' AND owner_token = %s RETURNING 1"
    )
    return sql, (state, reason, next_attempt_at, int(count_attempt), now, key.post_id,
                 key.platform, key.content_hash, owner.token)  # fmt: skip


def lost(key: PubKey) -> LedgerError:
    return LedgerError(f"{key.post_id} on {key.platform}: this process no longer holds the claim")


def settle_claim(
    db: Db,
    key: PubKey,
    token: str,
    now: datetime,
    why: str,
    *,
    expired_at: timedelta | None = None,
    skip_locked: bool = True,
) -> bool:
    """Release a claim held by *token* that will not be finished: ``in_doubt`` if a part
    was being sent, else ``pending``. False if it changed hands meanwhile, if another
    publisher is settling it right now (skipped, never waited for), or, with *expired_at*
    (the shift), if its holder renewed the lease since it was found expired. A holder
    releasing its own claims waits instead (*skip_locked* False: its heartbeat may hold the
    row for a moment)."""
    where = (key.post_id, key.platform, key.content_hash)
    current = db.execute(
        "SELECT owner_token, lease_until IS NOT NULL AND lease_until < clock_timestamp() "
        f"+ %s::interval FROM publications WHERE {KEY} AND state = 'claimed' "
        + ("FOR UPDATE SKIP LOCKED" if skip_locked else "FOR UPDATE"),
        (expired_at or timedelta(0), *where),
    ).fetchone()
    if current is None or current[0] != token or (expired_at is not None and not current[1]):
        return False
    sending = db.execute(
        f"SELECT part FROM parts WHERE {KEY} AND state = 'sending' ORDER BY part LIMIT 1", where
    ).fetchone()
    if sending is not None:
        state, reason = (
            "in_doubt",
            (f"{why} while part {sending[0] + 1} was being sent; it may or may not be live"),
        )
    else:
        state, reason = "pending", None
    db.execute(
        "UPDATE publications SET state = %s, reason = %s, owner_token = NULL, "
        f"lease_until = NULL, acknowledged = false, updated_at = %s WHERE {KEY}",
        (state, reason, now, *where),
    )
    db.execute(
        "INSERT INTO attempts (post_id, platform, content_hash, part, at, outcome, error) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (*where, sending[0] if sending else 0, now,
         "crashed" if sending else "abandoned", why),
    )  # fmt: skip
    return True


def stale_claims(
    db: Db,
    owner: Owner,
    shift: timedelta,
    alive: Callable[[int, str, str], bool],
) -> list[tuple[PubKey, str, str, bool]]:
    """Claims to recover: (key, holder's token, why, whether by lease) for each whose lease
    ran out by the database's clock, or whose holder on this host died. Read without locks
    (nobody waits); :func:`settle_claim` checks again under the row's lock. This process's
    own live claims are left alone."""
    rows = db.execute(
        "SELECT post_id, platform, content_hash, owner_token, owner_pid, owner_host, "
        "owner_started, lease_until, lease_until < clock_timestamp() + %s::interval "
        "FROM publications WHERE state = 'claimed'",
        (shift,),
    ).fetchall()
    out = []
    for post_id, platform, chash, token, pid, host, started, lease, expired in rows:
        holder = f"pid {pid} on {host}"
        if expired:
            when = lease.isoformat(timespec="seconds")
            why = f"the claim of {holder} ran out at {when} (its host or pass stopped)"
        elif token != owner.token and not alive(pid or 0, host or "", started or ""):
            why = f"the process publishing it ({holder}) stopped"
        else:
            continue
        out.append((PubKey(post_id, platform, chash), token, why, bool(expired)))
    return out


def heartbeat(db: Db, owner: Owner, shift: timedelta, lease: timedelta, state: str) -> None:
    """Renew every lease *owner* holds and record that it is alive (database clock)."""
    db.execute(
        f"UPDATE publications SET lease_until = {LEASE_AT} "
        "WHERE state = 'claimed' AND owner_token = %s",
        (shift, lease, owner.token),
    )
    db.execute(
        "INSERT INTO publishers (host, pid, token, started_at, heartbeat_at, state) "
        "VALUES (%s, %s, %s, clock_timestamp(), clock_timestamp(), %s) "
        "ON CONFLICT (host, pid) DO UPDATE SET heartbeat_at = clock_timestamp(), "
        "state = excluded.state, started_at = CASE WHEN publishers.token = excluded.token "
        "THEN publishers.started_at ELSE excluded.started_at END, token = excluded.token",
        (owner.host, owner.pid, owner.token, state),
    )
