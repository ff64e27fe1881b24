"""Helpers of the PostgreSQL ledger's methods: driver errors as one line, rows as
:class:`~soulpost.ledger.base.Publication`, pipelined statements."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from soulpost.ledger.base import Part, PubKey, Publication
from soulpost.ledger.postgres import schema

if TYPE_CHECKING:
    import psycopg

P = ParamSpec("P")
R = TypeVar("R")


def guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Driver errors leave a method as one :class:`LedgerUnusable` line without the password."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        import psycopg

        try:
            return method(*args, **kwargs)
        except psycopg.Error as exc:
            schema.explain(exc, getattr(args[0], "url", ""))

    return wrapper


def where_of(key: PubKey) -> tuple[str, str, str]:
    return (key.post_id, key.platform, key.content_hash)


def row_of(row: tuple[Any, ...], parts: tuple[Part, ...] = ()) -> Publication:
    (post_id, platform, chash, state, sched, idem, attempts, nxt, reason, force, opid, ohost,
     claimed, rid, url, pub_at, created, updated, lease, total, ack) = row  # fmt: skip
    return Publication(
        PubKey(post_id, platform, chash), state, sched, idem, attempts, nxt, reason,
        bool(force), opid, ohost, claimed, rid, url, pub_at, created, updated, parts, lease,
        total, bool(ack),
    )  # fmt: skip


@contextlib.contextmanager
def pipelined(db: psycopg.Connection[Any]) -> Iterator[psycopg.Pipeline]:
    """Statements queued on *db* and sent together when the block ends (or at the
    pipeline's ``sync()``): one round trip instead of one each. A transaction a failure
    leaves open is rolled back, so the connection serves the release that follows."""
    try:
        with db.pipeline() as pipe:
            yield pipe
    except BaseException:
        from psycopg.pq import TransactionStatus

        if not db.closed and db.info.transaction_status != TransactionStatus.IDLE:
            with contextlib.suppress(Exception):
                db.execute("ROLLBACK")
        raise
