"""A publication's two ledger steps around its request, on each backend: the claim with the
intent (``claim_to_send``: part 0 recorded as being sent in the claim's own commit) and the
receipt with the release (``finish_published``). They must leave exactly the rows the
separate steps leave (claim, begin_part; finish_part, finish), so recovery and a person's
answers see no difference; on SQLite they are two commits, the first one synced."""

from __future__ import annotations

import dataclasses
import socket
from datetime import timedelta
from pathlib import Path

import pytest

from soulpost.ledger import Ledger, LedgerError, Owner, PubKey, SqliteLedger, owner_alive
from soulpost.ledger.base import Publication
from tests.test_ledger import NOW, _close_ledgers, _dead_pid, backend, open_backend

__all__ = ["_close_ledgers", "backend"]  # the contract's fixtures, used here too

KEY = PubKey("post", "hook", "a" * 64)
PART = KEY.idempotency_key(0)


def _same(pub: Publication | None) -> tuple[object, ...]:
    """A row without what differs between two ledgers by design (owner, creation time)."""
    assert pub is not None
    skip = {"owner_pid", "owner_host", "claimed_at", "created_at", "updated_at", "lease_until"}
    values = dataclasses.asdict(pub)
    values["parts"] = [dataclasses.replace(p, published_at=None) for p in pub.parts]
    return tuple(v for k, v in sorted(values.items()) if k not in skip)


def _separate(ledger: Ledger) -> None:
    assert ledger.claim(KEY, scheduled_at=NOW, now=NOW, parts=1).publication is not None
    ledger.begin_part(KEY, 0, PART, NOW)


def test_the_claim_with_its_intent_leaves_the_rows_of_claim_then_begin_part(
    tmp_path: Path, backend: str
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    merged = open_backend(backend, tmp_path / "a")
    separate = open_backend(backend, tmp_path / "b")
    claim = merged.claim_to_send(KEY, scheduled_at=NOW, now=NOW, parts=1, part_key=PART)
    assert claim.publication is not None
    # The publication as the claim left it (the part not yet begun).
    assert claim.publication == dataclasses.replace(merged.get(KEY), parts=())  # type: ignore[arg-type]
    if not claim.begun:  # the backend's default: the claim alone, the sender begins
        merged.begin_part(KEY, 0, PART, NOW)
    _separate(separate)
    now_merged, now_separate = merged.get(KEY), separate.get(KEY)
    assert _same(now_merged) == _same(now_separate)
    assert now_merged is not None and [p.state for p in now_merged.parts] == ["sending"]


def test_a_claim_to_send_that_loses_writes_nothing(tmp_path: Path, backend: str) -> None:
    first = open_backend(backend, tmp_path)
    second = open_backend(backend, tmp_path)
    assert first.claim(KEY, scheduled_at=NOW, now=NOW).publication is not None
    lost = second.claim_to_send(KEY, scheduled_at=NOW, now=NOW, parts=1, part_key=PART)
    assert lost.publication is None and lost.reason == "already claimed" and not lost.begun
    row = first.get(KEY)
    assert row is not None and row.parts == ()


def test_a_partly_sent_thread_is_claimed_without_beginning_a_part(
    tmp_path: Path, backend: str
) -> None:
    ledger = open_backend(backend, tmp_path)
    ledger.claim(KEY, scheduled_at=NOW, now=NOW, parts=2)
    ledger.begin_part(KEY, 0, PART, NOW)
    ledger.finish_part(KEY, 0, remote_id="r0", url="u0", published_at=NOW, now=NOW)
    ledger.finish(KEY, "pending", NOW, reason="part 2 not sent")
    claim = ledger.claim_to_send(KEY, scheduled_at=NOW, now=NOW, parts=2, part_key=PART)
    assert claim.publication is not None and not claim.begun
    assert [(p.index, p.state) for p in claim.publication.parts] == [(0, "sent")]


def test_dying_after_the_claim_with_its_intent_leaves_it_in_doubt(
    tmp_path: Path, backend: str
) -> None:
    """The commit before the request holds the intent: a publisher that dies after it
    (its request may have gone out) leaves the publication in doubt, never pending."""
    dead = Owner(_dead_pid(), socket.gethostname(), "", "dead-token")
    crashed = open_backend(backend, tmp_path, owner=dead)
    claim = crashed.claim_to_send(KEY, scheduled_at=NOW, now=NOW, parts=1, part_key=PART)
    if not claim.begun:
        crashed.begin_part(KEY, 0, PART, NOW)
    crashed.close()
    fresh = open_backend(backend, tmp_path)
    changed = {p.post_id: p for p in fresh.recover(NOW, owner_alive)}
    assert changed["post"].state == "in_doubt"


def test_the_receipt_with_the_release_leaves_the_rows_of_finish_part_then_finish(
    tmp_path: Path, backend: str
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    merged = open_backend(backend, tmp_path / "a")
    separate = open_backend(backend, tmp_path / "b")
    for ledger in (merged, separate):
        _separate(ledger)
    later = NOW + timedelta(seconds=1)
    receipt = {"remote_id": "r1", "url": "https://x/1", "published_at": later, "now": later}
    merged.finish_published(KEY, 0, **receipt)  # type: ignore[arg-type]
    separate.finish_part(KEY, 0, **receipt)  # type: ignore[arg-type]
    separate.finish(KEY, "published", later)
    assert _same(merged.get(KEY)) == _same(separate.get(KEY))
    row = merged.get(KEY)
    assert row is not None and (row.state, row.remote_id, row.url) == (
        "published",
        "r1",
        "https://x/1",
    )
    assert [a.outcome for a in merged.attempts()] == [a.outcome for a in separate.attempts()]


def test_a_receipt_is_kept_when_the_claim_was_lost_meanwhile(tmp_path: Path, backend: str) -> None:
    """Another publisher recovered the claim while the request was out (its lease ran
    out): the receipt is still recorded, so nothing sends the part again, and the caller
    hears that it no longer held the claim."""
    mine = open_backend(backend, tmp_path)
    _separate(mine)
    other = open_backend(backend, tmp_path)
    other.recover(NOW + timedelta(days=1), owner_alive)  # the lease ran out
    with pytest.raises(LedgerError):
        mine.finish_published(KEY, 0, remote_id="r1", url="https://x/1", published_at=NOW, now=NOW)
    row = other.get(KEY)
    assert row is not None and row.state == "in_doubt"
    assert [(p.state, p.remote_id) for p in row.parts] == [("sent", "r1")]


def test_sqlite_records_a_publication_in_two_commits_the_first_synced(tmp_path: Path) -> None:
    ledger = SqliteLedger(tmp_path / "l.db")
    statements: list[str] = []
    ledger._db.set_trace_callback(statements.append)
    claim = ledger.claim_to_send(KEY, scheduled_at=NOW, now=NOW, parts=1, part_key=PART)
    assert claim.begun
    ledger.finish_published(KEY, 0, remote_id="r", url=None, published_at=NOW, now=NOW)
    commits = [i for i, s in enumerate(statements) if s == "COMMIT"]
    assert len(commits) == 2, statements
    full = statements.index("PRAGMA synchronous=FULL")
    back = statements.index("PRAGMA synchronous=NORMAL")
    assert full < commits[0] < back < commits[1]  # the intent's commit is the synced one
    assert len(statements) <= 14, statements
