"""Claims on the SQLite ledger: taking one, checking it is still ours, and settling one
whose owner died, whose lease ran out, or whose pass failed.

Functions over an open write transaction; :class:`SqliteLedger` wraps them. Whether an
owner is alive is not decided here (``alive`` comes from ``ledger/owner.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

from soulpost.ledger.base import LedgerError, PubKey, Publication, State, from_ts, ts
from soulpost.ledger.owner import Owner, lease_end

_KEY = "post_id = ? AND platform = ? AND content_hash = ?"


def _blocker(db: sqlite3.Connection, key: PubKey) -> tuple[str | None, bool]:
    """Why another row forbids claiming *key* (or None), and whether an older, never
    sent version is pending (one query, as on PostgreSQL)."""
    where = (key.post_id, key.platform, key.content_hash)
    # The occurrences of one series (``id@time``) share their content on purpose.
    series = key.post_id.partition("@")[0] + "@" if "@" in key.post_id else ""
    row = db.execute(
        "SELECT (SELECT state FROM publications WHERE post_id = ? AND platform = ? "
        "AND content_hash != ? AND state IN ('claimed', 'in_doubt', 'published') LIMIT 1), "
        "(SELECT post_id || ' ' || state FROM publications WHERE content_hash = ? AND "
        "platform = ? AND post_id != ? AND state IN ('claimed', 'in_doubt', 'published') "
        "AND (? = '' OR substr(post_id, 1, length(?)) != ?) LIMIT 1), "
        "EXISTS (SELECT 1 FROM parts WHERE post_id = ? AND platform = ? "
        "AND content_hash != ? AND state = 'sent'), "
        "EXISTS (SELECT 1 FROM publications WHERE post_id = ? AND platform = ? "
        "AND content_hash != ? AND state = 'pending')",
        (*where, key.content_hash, key.platform, key.post_id, series, series, series,
         *where, *where),
    ).fetchone()  # fmt: skip
    others, twin, partly, older = row
    if others:
        return f"an earlier version of the post is {others.replace('_', ' ')}", bool(older)
    if twin:
        post, state = twin.rsplit(" ", 1)
        # A renamed draft gets a new id (the file name); its content must not go twice.
        return f"the same content is already {state.replace('_', ' ')} as post {post}", False
    if partly:
        return "an earlier version of the post is partly published", False
    return None, bool(older)


def claim(
    db: sqlite3.Connection,
    owner: Owner,
    key: PubKey,
    *,
    scheduled_at: datetime | None,
    now: datetime,
    allow_states: tuple[State, ...],
    parts: int | None,
) -> tuple[str | None, bool]:
    """Take *key* for *owner*: (None, whether its row is new) when won, else (why not,
    False)."""
    blocked, older = _blocker(db, key)
    if blocked:
        return blocked, False
    where = (key.post_id, key.platform, key.content_hash)
    sched = ts(scheduled_at) if scheduled_at else None
    # Older versions that never went out are replaced by this one.
    for table in ("parts", "publications") if older else ():
        db.execute(
            f"DELETE FROM {table} WHERE post_id = ? AND platform = ? "
            "AND content_hash != ? AND content_hash IN (SELECT content_hash FROM "
            "publications WHERE post_id = ? AND platform = ? AND state = 'pending')",
            (*where, key.post_id, key.platform),
        )
    row = db.execute(
        f"SELECT state, next_attempt_at, scheduled_at FROM publications WHERE {_KEY}", where
    ).fetchone()
    o, lease = owner, ts(lease_end(now))
    if row is None:
        db.execute(
            "INSERT INTO publications (post_id, platform, content_hash, state, scheduled_at, "
            "idem_key, owner_token, owner_pid, owner_host, owner_started, claimed_at, "
            "created_at, updated_at, lease_until, parts_total) "
            "VALUES (?, ?, ?, 'claimed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*where, sched, key.idempotency_key(), o.token, o.pid, o.host, o.started,
             ts(now), ts(now), ts(now), lease, parts),
        )  # fmt: skip
        return None, True
    state, nxt, old_sched = row
    rescheduled = state in ("failed", "missed") and old_sched != sched
    if state not in allow_states and not rescheduled:
        return f"already {state.replace('_', ' ')}", False
    if state in ("pending", "in_doubt") and nxt is not None and nxt > ts(now):
        return f"next attempt at {nxt}", False
    db.execute(
        "UPDATE publications SET state = 'claimed', owner_token = ?, owner_pid = ?, "
        "owner_host = ?, owner_started = ?, claimed_at = ?, updated_at = ?, "
        "scheduled_at = ?, force = 0, lease_until = ?, acknowledged = 0, "
        "parts_total = COALESCE(?, parts_total), "
        "attempts = CASE WHEN ? THEN 0 ELSE attempts END "
        f"WHERE {_KEY} AND state = ?",
        (o.token, o.pid, o.host, o.started, ts(now), ts(now), sched, lease, parts,
         rescheduled, *where, state),
    )  # fmt: skip
    return None, False


def new_row(
    owner: Owner, key: PubKey, *, scheduled_at: datetime | None, now: datetime, parts: int | None
) -> Publication:
    """The row :func:`claim` has just inserted for *key*, as reading it back would give it
    (times through the ledger's text form), without reading it back."""
    stamp = from_ts(ts(now))
    assert stamp is not None
    return Publication(
        key,
        "claimed",
        from_ts(ts(scheduled_at)) if scheduled_at else None,
        key.idempotency_key(),
        0,
        None,
        None,
        False,
        owner.pid,
        owner.host,
        stamp,
        None,
        None,
        None,
        stamp,
        stamp,
        (),
        from_ts(ts(lease_end(now))),
        parts,
        False,
    )


def not_held(key: PubKey) -> LedgerError:
    return LedgerError(f"{key.post_id} on {key.platform}: this process no longer holds the claim")


def renew(db: sqlite3.Connection, owner: Owner, key: PubKey, now: datetime) -> None:
    """Renew *owner*'s lease on *key* in one statement; refuse unless it holds the claim."""
    done = db.execute(
        f"UPDATE publications SET lease_until = ? WHERE {_KEY} AND state = 'claimed' "
        "AND owner_token = ?",
        (ts(lease_end(now)), key.post_id, key.platform, key.content_hash, owner.token),
    )
    if done.rowcount != 1:
        raise not_held(key)


def settle_claim(db: sqlite3.Connection, key: PubKey, token: str, now: datetime, why: str) -> bool:
    """Release a claim held by *token* that will not be finished: ``in_doubt`` if a part
    was being sent (it may be live), else ``pending`` (nothing can have gone out). *why*
    names the holder and what happened. False if the claim changed hands meanwhile."""
    where = (key.post_id, key.platform, key.content_hash)
    current = db.execute(
        f"SELECT owner_token FROM publications WHERE {_KEY} AND state = 'claimed'", where
    ).fetchone()
    if current is None or current[0] != token:
        return False
    sending = db.execute(
        f"SELECT part FROM parts WHERE {_KEY} AND state = 'sending' ORDER BY part", where
    ).fetchone()
    if sending is not None:
        state: str = "in_doubt"
        reason: str | None = (
            f"{why} while part {sending[0] + 1} was being sent; it may or may not be live"
        )
    else:
        state, reason = "pending", None
    db.execute(
        "UPDATE publications SET state = ?, reason = ?, owner_token = NULL, lease_until = NULL, "
        f"acknowledged = 0, updated_at = ? WHERE {_KEY}",
        (state, reason, ts(now), *where),
    )
    db.execute(
        "INSERT INTO attempts (post_id, platform, content_hash, part, at, outcome, error) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (*where, sending[0] if sending else 0, ts(now),
         "crashed" if sending else "abandoned", why),
    )  # fmt: skip
    return True


def stale_claims(
    db: sqlite3.Connection, owner: Owner, now: datetime, alive: Callable[[int, str, str], bool]
) -> list[tuple[PubKey, str, str]]:
    """Claims to recover: (key, holder's token, why) for each whose holder died or whose
    lease ran out. This process's own live claims are left alone."""
    rows = db.execute(
        "SELECT post_id, platform, content_hash, owner_token, owner_pid, owner_host, "
        "owner_started, lease_until FROM publications WHERE state = 'claimed'"
    ).fetchall()
    out = []
    for post_id, platform, chash, token, pid, host, started, lease in rows:
        expired = lease is not None and lease < ts(now)
        holder = f"pid {pid} on {host}"
        if expired:
            why = f"the claim of {holder} ran out at {lease} (its pass failed or hung)"
        elif token != owner.token and not alive(pid or 0, host or "", started or ""):
            why = f"the process publishing it ({holder}) stopped"
        else:
            continue
        out.append((PubKey(post_id, platform, chash), token, why))
    return out


# -- a claimed publication's steps (the SQL of SqliteLedger's methods) ------------------


def sending(db: sqlite3.Connection, key: PubKey, index: int, part_key: str, now: datetime) -> None:
    """Part *index* is about to be sent (its row, ``sending``)."""
    db.execute(
        "INSERT INTO parts (post_id, platform, content_hash, part, part_key, state, "
        "updated_at) VALUES (?, ?, ?, ?, ?, 'sending', ?) "
        "ON CONFLICT DO UPDATE SET state = 'sending', updated_at = excluded.updated_at",
        (key.post_id, key.platform, key.content_hash, index, part_key, ts(now)),
    )


def sent(  # noqa: PLR0917 (finish_part's arguments, passed on)
    db: sqlite3.Connection,
    key: PubKey,
    index: int,
    remote_id: str,
    url: str | None,
    published_at: datetime,
    now: datetime,
) -> None:
    """Part *index*'s receipt and its attempt."""
    where = (key.post_id, key.platform, key.content_hash)
    db.execute(
        "UPDATE parts SET state = 'sent', remote_id = ?, url = ?, published_at = ?, "
        f"updated_at = ? WHERE {_KEY} AND part = ?",
        (remote_id, url, ts(published_at), ts(now), *where, index),
    )
    db.execute(
        "INSERT INTO attempts (post_id, platform, content_hash, part, at, outcome) "
        "VALUES (?, ?, ?, ?, ?, 'published')",
        (*where, index, ts(now)),
    )


def release(  # noqa: PLR0917 (finish's arguments, passed on)
    db: sqlite3.Connection,
    owner: Owner,
    key: PubKey,
    state: State,
    now: datetime,
    reason: str | None = None,
    next_attempt_at: datetime | None = None,
    count_attempt: bool = False,
) -> bool:
    """Release *owner*'s claim on *key* into *state*, in one statement (only if still
    its; "published" takes part 0's receipt); False when it does not hold it."""
    where = (key.post_id, key.platform, key.content_hash)
    receipt = {
        c: f"(SELECT {c} FROM parts r WHERE r.post_id = publications.post_id AND "
        "r.platform = publications.platform AND r.content_hash = "
        "publications.content_hash AND r.part = 0)"
        if state == "published"
        else "NULL"
        for c in ("remote_id", "url", "published_at")
    }
    done = db.execute(
        "UPDATE publications SET state = ?, reason = ?, next_attempt_at = ?, "
        "attempts = attempts + ?, owner_token = NULL, lease_until = NULL, "
        f"acknowledged = 0, remote_id = {receipt['remote_id']}, url = {receipt['url']}, "
        f"published_at = {receipt['published_at']}, updated_at = ? "
        f"WHERE {_KEY} AND state = 'claimed' AND owner_token = ?",
        (state, reason, ts(next_attempt_at) if next_attempt_at else None,
         int(count_attempt), ts(now), *where, owner.token),
    )  # fmt: skip
    return done.rowcount == 1


def mark_missed(
    db: sqlite3.Connection, key: PubKey, scheduled_at: datetime | None, reason: str, now: datetime
) -> bool:
    """Record *key* as missed unless it is claimed or settled; True if written."""
    sched = ts(scheduled_at) if scheduled_at else None
    where = (key.post_id, key.platform, key.content_hash)
    row = db.execute(f"SELECT state FROM publications WHERE {_KEY}", where).fetchone()
    if row is None:
        db.execute(
            "INSERT INTO publications (post_id, platform, content_hash, state, "
            "scheduled_at, idem_key, reason, created_at, updated_at) "
            "VALUES (?, ?, ?, 'missed', ?, ?, ?, ?, ?)",
            (*where, sched, key.idempotency_key(), reason, ts(now), ts(now)),
        )
        return True
    if row[0] not in ("pending", "failed"):
        return False
    db.execute(
        "UPDATE publications SET state = 'missed', reason = ?, scheduled_at = ?, "
        f"acknowledged = 0, updated_at = ? WHERE {_KEY}",
        (reason, sched, ts(now), *where),
    )
    return True
