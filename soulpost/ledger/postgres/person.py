"""A person's three answers, on the PostgreSQL ledger: retry, it is live, it is not.

As on SQLite: each takes the newest row of (post, platform) inside one transaction (which
holds the (post, platform) lock claims try, so no publisher decides on it meanwhile),
checks that the answer fits its state (a claimed row is being worked on: never), writes it
and appends an attempt, so ``history`` shows who decided what and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from soulpost.ledger.base import LedgerError
from soulpost.ledger.postgres.claims import lock_post

if TYPE_CHECKING:
    import psycopg

    Db = psycopg.Connection[Any]

Where = tuple[str, str, str]
_KEY = "post_id = %s AND platform = %s AND content_hash = %s"


def newest(db: Db, post_id: str, platform: str) -> tuple[Where, str]:
    """The key and state of the newest row of (post, platform) that a person may settle."""
    lock_post(db, post_id, platform, wait=True)
    row = db.execute(
        "SELECT content_hash, state FROM publications WHERE post_id = %s AND platform = %s "
        "ORDER BY updated_at DESC, seq DESC LIMIT 1 FOR UPDATE",
        (post_id, platform),
    ).fetchone()
    if row is None:
        raise LedgerError(f"the ledger has nothing for {post_id} on {platform}")
    if row[1] == "claimed":
        raise LedgerError(f"{post_id} on {platform} is being published right now; try again later")
    return (post_id, platform, row[0]), row[1]


def _first(db: Db, sql: str, args: Where) -> Any:
    """The first column of a query that always yields one row (a count, a known row)."""
    row = db.execute(sql.encode(), args).fetchone()
    assert row is not None
    return row[0]


def _note(db: Db, where: Where, now: datetime, outcome: str, error: str | None) -> None:
    db.execute(
        "INSERT INTO attempts (post_id, platform, content_hash, part, at, outcome, error) "
        "VALUES (%s, %s, %s, 0, %s, %s, %s)",
        (*where, now, outcome, error),
    )


def retry(db: Db, post_id: str, platform: str, now: datetime) -> Where:
    where, state = newest(db, post_id, platform)
    if state == "in_doubt":
        raise LedgerError(
            f"{post_id} on {platform} is in doubt: it may already be live. Check "
            "the platform, then `soulpost resolve` it (--published URL or "
            "--not-published) before retrying"
        )
    if state not in ("failed", "missed", "pending"):
        raise LedgerError(f"{post_id} on {platform} is {state}; nothing to retry")
    db.execute(
        "UPDATE publications SET state = 'pending', force = true, attempts = 0, "
        f"acknowledged = false, next_attempt_at = NULL, reason = %s, updated_at = %s WHERE {_KEY}",
        ("retry requested by a person", now, *where),
    )
    _note(db, where, now, "retry-requested", None)
    return where


def _settled_part(db: Db, where: Where) -> int:
    """The part a person's "it is live" is about: the one in flight, else the first unsent."""
    sending = db.execute(
        f"SELECT part FROM parts WHERE {_KEY} AND state = 'sending' ORDER BY part LIMIT 1", where
    ).fetchone()
    if sending is not None:
        return int(sending[0])
    return int(_first(db, f"SELECT COUNT(*) FROM parts WHERE {_KEY} AND state = 'sent'", where))


def mark_published(
    db: Db,
    post_id: str,
    platform: str,
    url: str,
    now: datetime,
    *,
    remote_id: str | None = None,
) -> Where:
    """The part in doubt (or the first unsent) is live at *url* with id *remote_id*. When the
    ledger knows the publication has more parts than are now sent, the row goes back to
    ``pending`` (exempt from lateness, since part of it is live) and the next pass sends the
    rest, the next part replying to *remote_id*: so without one (the URL would stand in for
    it and misthread the reply, or fail it) a part that a later one replies to is refused."""
    where, state = newest(db, post_id, platform)
    if state == "published":
        raise LedgerError(f"{post_id} on {platform} is already published")
    index = _settled_part(db, where)
    total = _first(db, f"SELECT parts_total FROM publications WHERE {_KEY}", where)
    if remote_id is None and total is not None and index + 1 < total:
        raise LedgerError(
            f"{post_id} on {platform}: part {index + 1} of {total} is what part {index + 2} "
            "replies to, and its id on the platform is not known: give it with --remote-id"
        )
    rid = remote_id if remote_id is not None else url
    db.execute(
        "INSERT INTO parts (post_id, platform, content_hash, part, part_key, state, "
        "remote_id, url, published_at, updated_at) "
        "VALUES (%s, %s, %s, %s, '', 'sent', %s, %s, %s, %s) "
        "ON CONFLICT (post_id, platform, content_hash, part) DO UPDATE SET "
        "state = 'sent', remote_id = excluded.remote_id, url = excluded.url, "
        "published_at = excluded.published_at, updated_at = excluded.updated_at",
        (*where, index, rid, url, now, now),
    )
    sent_now = _first(db, f"SELECT COUNT(*) FROM parts WHERE {_KEY} AND state = 'sent'", where)
    if total is not None and sent_now < total:
        db.execute(
            "UPDATE publications SET state = 'pending', next_attempt_at = NULL, reason = %s, "
            f"acknowledged = false, updated_at = %s WHERE {_KEY}",
            (
                f"settled by a person: part {index + 1} of {total} is live; the thread "
                f"continues with part {sent_now + 1} at the next pass",
                now,
                *where,
            ),
        )
    else:
        first = db.execute(
            f"SELECT remote_id, url, published_at FROM parts WHERE {_KEY} AND part = 0 "
            "AND state = 'sent'",
            where,
        ).fetchone() or (rid, url, now)
        db.execute(
            "UPDATE publications SET state = 'published', reason = %s, remote_id = %s, "
            f"url = %s, published_at = %s, updated_at = %s WHERE {_KEY}",
            ("settled by a person: published", *first, now, *where),
        )
    _note(db, where, now, "resolved-published", url if rid == url else f"{url} (id {rid})")
    return where


def mark_not_published(db: Db, post_id: str, platform: str, now: datetime) -> Where:
    where, state = newest(db, post_id, platform)
    if state not in ("in_doubt", "failed", "missed"):
        raise LedgerError(
            f"{post_id} on {platform} is {state}; only in-doubt, failed or missed "
            "publications can be settled as not published"
        )
    db.execute(f"DELETE FROM parts WHERE {_KEY} AND state = 'sending'", where)
    db.execute(
        "UPDATE publications SET state = 'failed', reason = %s, acknowledged = true, "
        f"next_attempt_at = NULL, updated_at = %s WHERE {_KEY}",
        (
            "settled by a person: not published (`soulpost retry` sends it again)",
            now,
            *where,
        ),
    )
    _note(db, where, now, "resolved-not-published", None)
    return where
