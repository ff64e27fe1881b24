"""Round trips to PostgreSQL per publication: each one is a wait for the server (and, on a
shared machine, a switch to its process), and a publisher makes thousands per pass. A new
publication is claimed with its intent in two round trips (the try-locks and the checks,
then the insert with part 0 and the commit) and released with its receipt in one, counted
from libpq's own trace of what the server answered (one ReadyForQuery per round trip)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from soulpost.ledger import PubKey

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEY = PubKey("post", "hook", "a" * 64)
PART = KEY.idempotency_key(0)


@pytest.fixture
def ledger(pg_server: Any) -> Iterator[Any]:
    from soulpost.ledger.postgres import PostgresLedger

    opened = PostgresLedger(pg_server.fresh_url())
    try:
        yield opened
    finally:
        opened.close()


@contextmanager
def _trips(ledger: Any, tmp_path: Path) -> Iterator[Callable[[], int]]:
    """Count the round trips made on the ledger's connection inside the block (read the
    count after it: libpq writes its trace when tracing stops)."""
    from psycopg import pq

    path = tmp_path / "trace.txt"
    with path.open("w") as out:
        pgconn = ledger._db.pgconn
        pgconn.trace(out.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            yield lambda: path.read_text().count("\tReadyForQuery\t")
        finally:
            pgconn.untrace()


def test_a_new_publication_is_claimed_with_its_intent_in_two_round_trips(
    ledger: Any, tmp_path: Path
) -> None:
    with _trips(ledger, tmp_path) as trips:
        claim = ledger.claim_to_send(KEY, scheduled_at=NOW, now=NOW, parts=1, part_key=PART)
        assert claim.begun and claim.publication is not None
    assert trips() == 2
    row = ledger.get(KEY)
    assert row.state == "claimed" and [(p.index, p.state) for p in row.parts] == [(0, "sending")]


def test_the_receipt_and_the_release_take_one_round_trip(ledger: Any, tmp_path: Path) -> None:
    assert ledger.claim_to_send(KEY, scheduled_at=NOW, now=NOW, parts=1, part_key=PART).begun
    with _trips(ledger, tmp_path) as trips:
        ledger.finish_published(KEY, 0, remote_id="r1", url="u1", published_at=NOW, now=NOW)
    assert trips() == 1
    row = ledger.get(KEY)
    assert (row.state, row.remote_id, row.url) == ("published", "r1", "u1")


def test_a_claim_refused_because_another_holds_it_takes_two_round_trips(
    ledger: Any, pg_server: Any, tmp_path: Path
) -> None:
    from soulpost.ledger.postgres import PostgresLedger

    other = PostgresLedger(ledger.url)
    try:
        assert other.claim(KEY, scheduled_at=NOW, now=NOW).publication is not None
        with _trips(ledger, tmp_path) as trips:
            lost = ledger.claim_to_send(KEY, scheduled_at=NOW, now=NOW, parts=1, part_key=PART)
            assert lost.publication is None and lost.reason == "already claimed"
        assert trips() == 2
    finally:
        other.close()
