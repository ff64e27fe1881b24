"""The ledger contract: atomic claims across processes, recovery of dead claims, a person's
settling. Every test runs against each backend in BACKENDS: SQLite, and PostgreSQL on a real
server the session starts (tests/pg.py); only the file-specific checks name SQLite."""

from __future__ import annotations

import contextlib
import multiprocessing
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.ledger import Ledger, LedgerError, Owner, PubKey, SqliteLedger, owner_alive

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEY = PubKey("post", "mastodon", "a" * 64)
BACKENDS = ["sqlite", "postgres"]
PG: list[Any] = []  # the session's server, once a postgres test asked for it


def open_backend(backend: str, where: Path, **options: Any) -> Ledger:
    """The ledger *backend* keeps in *where* (a directory; the same one means the same
    ledger: for PostgreSQL, *where* remembers the URL of its own schema)."""
    if backend == "sqlite":
        return SqliteLedger(where / "l.db", **options)
    if backend == "postgres":
        from soulpost.ledger.postgres import PostgresLedger

        remembered = where / "pg.url"
        if not remembered.exists():
            remembered.write_text(PG[0].fresh_url(), encoding="utf-8")
        ledger = PostgresLedger(remembered.read_text(encoding="utf-8"), **options)
        OPENED.append(ledger)
        return ledger
    raise ValueError(backend)


OPENED: list[Ledger] = []  # closed after each test: a writable one runs a heartbeat thread


@pytest.fixture(autouse=True)
def _close_ledgers() -> Iterator[None]:
    """Close every PostgreSQL ledger a test opened, so no heartbeat thread outlives it (a
    process with threads never forks workers, which later tests rely on)."""
    yield
    while OPENED:
        with contextlib.suppress(Exception):
            OPENED.pop().close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not PG:
        PG.append(request.getfixturevalue("pg_server"))
    return str(request.param)


def _claim_all(backend: str, where: str, count: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    ledger = open_backend(backend, Path(where))
    won = []
    for i in range(count):
        claim = ledger.claim(PubKey(f"p{i}", "mastodon", f"{i:064d}"), scheduled_at=NOW, now=NOW)
        if claim.publication is not None:
            won.append(i)
    ledger.close()
    queue.put(won)


def test_claims_are_exclusive_across_processes(tmp_path: Path, backend: str) -> None:
    open_backend(backend, tmp_path).close()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_claim_all, args=(backend, str(tmp_path), 60, queue)) for _ in range(4)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    won = [i for result in results for i in result]
    assert sorted(won) == list(range(60))  # every key claimed exactly once


def test_second_claim_loses_until_released(tmp_path: Path, backend: str) -> None:
    first = open_backend(backend, tmp_path)
    second = open_backend(backend, tmp_path)
    assert first.claim(KEY, scheduled_at=NOW, now=NOW).publication is not None
    lost = second.claim(KEY, scheduled_at=NOW, now=NOW)
    assert lost.publication is None and lost.reason == "already claimed"
    with pytest.raises(LedgerError):
        second.begin_part(KEY, 0, "k", NOW)  # only the holder may record
    first.finish(KEY, "pending", NOW, reason="not sent", next_attempt_at=NOW + timedelta(1))
    assert second.claim(KEY, scheduled_at=NOW, now=NOW).reason is not None  # not yet
    won = second.claim(KEY, scheduled_at=NOW, now=NOW + timedelta(days=2))
    assert won.publication is not None


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_dead_claim_with_request_in_flight_is_in_doubt(tmp_path: Path, backend: str) -> None:
    dead = Owner(_dead_pid(), socket.gethostname(), "", "dead-token")
    crashed = open_backend(backend, tmp_path, owner=dead)
    other = PubKey("quiet", "mastodon", "b" * 64)
    crashed.claim(KEY, scheduled_at=NOW, now=NOW)
    crashed.begin_part(KEY, 0, KEY.idempotency_key(), NOW)
    crashed.claim(other, scheduled_at=NOW, now=NOW)  # claimed, nothing sent yet
    crashed.close()
    fresh = open_backend(backend, tmp_path)
    changed = {p.post_id: p for p in fresh.recover(NOW, owner_alive)}
    assert changed["post"].state == "in_doubt"
    assert "may or may not be live" in (changed["post"].reason or "")
    assert changed["quiet"].state == "pending"  # nothing can have gone out: safe to send
    # A live claimant (this process) is left alone.
    fresh.claim(PubKey("mine", "x", "c" * 64), scheduled_at=NOW, now=NOW)
    assert fresh.recover(NOW, owner_alive) == []


def test_reused_pid_counts_as_dead() -> None:
    import os

    assert owner_alive(os.getpid(), socket.gethostname(), Owner.current().started)
    assert not owner_alive(os.getpid(), socket.gethostname(), "1")
    assert owner_alive(1, "some-other-host", "")  # cannot check: assume alive


def test_settle_published_continues_a_thread(tmp_path: Path, backend: str) -> None:
    ledger = open_backend(backend, tmp_path)
    ledger.claim(KEY, scheduled_at=NOW, now=NOW)
    ledger.begin_part(KEY, 0, "k0", NOW)
    ledger.finish(KEY, "in_doubt", NOW, reason="read timeout")
    with pytest.raises(LedgerError, match="resolve"):
        ledger.retry("post", "mastodon", NOW)
    pub = ledger.mark_published("post", "mastodon", "https://m/1", NOW)
    assert pub.state == "published" and pub.url == "https://m/1"
    assert pub.parts[0].state == "sent"
    with pytest.raises(LedgerError, match="already published"):
        ledger.mark_published("post", "mastodon", "https://m/2", NOW)


def test_settle_not_published_then_retry(tmp_path: Path, backend: str) -> None:
    ledger = open_backend(backend, tmp_path)
    ledger.claim(KEY, scheduled_at=NOW, now=NOW)
    ledger.begin_part(KEY, 0, "k0", NOW)
    ledger.finish(KEY, "in_doubt", NOW, reason="read timeout")
    pub = ledger.mark_not_published("post", "mastodon", NOW)
    assert pub.state == "failed" and pub.parts == ()
    pub = ledger.retry("post", "mastodon", NOW)
    assert pub.state == "pending" and pub.force
    assert ledger.claim(KEY, scheduled_at=NOW, now=NOW).publication is not None


def test_new_version_replaces_unsent_old_one_but_not_a_live_one(
    tmp_path: Path, backend: str
) -> None:
    ledger = open_backend(backend, tmp_path)
    ledger.claim(KEY, scheduled_at=NOW, now=NOW)
    ledger.finish(KEY, "pending", NOW, reason="not sent")
    edited = PubKey("post", "mastodon", "e" * 64)
    assert ledger.claim(edited, scheduled_at=NOW, now=NOW).publication is not None
    assert [p.key for p in ledger.publications()] == [edited]
    ledger.begin_part(edited, 0, "k", NOW)
    ledger.finish_part(edited, 0, remote_id="r", url="u", published_at=NOW, now=NOW)
    ledger.finish(edited, "published", NOW)
    again = ledger.claim(PubKey("post", "mastodon", "f" * 64), scheduled_at=NOW, now=NOW)
    assert again.publication is None and "published" in (again.reason or "")


def test_runs_slots_and_read_only(tmp_path: Path, backend: str) -> None:
    ledger = open_backend(backend, tmp_path)
    run_id = ledger.start_run(NOW, "publish")
    ledger.finish_run(run_id, NOW, {"published": 2})
    ledger.reserve_slots({"a": NOW})
    ledger.reserve_slots({"a": NOW + timedelta(hours=1)})  # first choice stays
    assert ledger.slots() == {"a": NOW}
    last = ledger.last_run()
    assert last is not None and last.summary == {"published": 2}
    ro = open_backend(backend, tmp_path, read_only=True)
    with pytest.raises(LedgerError):
        ro.claim(KEY, scheduled_at=NOW, now=NOW)
    missing = SqliteLedger(tmp_path / "nothing.db", read_only=True)
    assert missing.publications() == []
    assert not (tmp_path / "nothing.db").exists()


def test_a_claim_whose_lease_ran_out_is_recovered_even_if_its_owner_lives(
    tmp_path: Path, backend: str
) -> None:
    import os

    from soulpost.ledger import LEASE
    from soulpost.ledger.owner import proc_start

    alive = Owner(os.getpid(), socket.gethostname(), proc_start(os.getpid()), "other-pass")
    holder = open_backend(backend, tmp_path, owner=alive)
    holder.claim(KEY, scheduled_at=NOW, now=NOW)
    holder.begin_part(KEY, 0, "k0", NOW + timedelta(minutes=1))  # progress renews the lease
    fresh = open_backend(backend, tmp_path)
    assert fresh.recover(NOW + LEASE, owner_alive) == []  # renewed at NOW + 1 min
    changed = fresh.recover(NOW + LEASE + timedelta(minutes=2), owner_alive)
    assert [p.state for p in changed] == ["in_doubt"]
    assert "ran out" in (changed[0].reason or "")


def test_release_held_settles_only_this_processs_claims(tmp_path: Path, backend: str) -> None:
    mine = open_backend(backend, tmp_path)
    other = open_backend(backend, tmp_path)
    sent, quiet, theirs = (PubKey(n, "mastodon", n[0] * 64) for n in ("sent", "quiet", "theirs"))
    mine.claim(sent, scheduled_at=NOW, now=NOW)
    mine.begin_part(sent, 0, "k", NOW)
    mine.claim(quiet, scheduled_at=NOW, now=NOW)
    other.claim(theirs, scheduled_at=NOW, now=NOW)
    released = {p.post_id: p.state for p in mine.release_held(NOW, "the pass failed")}
    assert released == {"sent": "in_doubt", "quiet": "pending"}
    theirs_now = other.get(theirs)
    assert theirs_now is not None and theirs_now.state == "claimed"


def test_mark_published_on_a_part_of_a_longer_thread_leaves_the_rest(
    tmp_path: Path, backend: str
) -> None:
    ledger = open_backend(backend, tmp_path)
    ledger.claim(KEY, scheduled_at=NOW, now=NOW, parts=3)
    ledger.begin_part(KEY, 0, "k0", NOW)
    ledger.finish_part(KEY, 0, remote_id="r0", url="u0", published_at=NOW, now=NOW)
    ledger.begin_part(KEY, 1, "k1", NOW)
    ledger.finish(KEY, "in_doubt", NOW, reason="read timeout")
    pub = ledger.mark_published("post", "mastodon", "https://m/2", NOW, remote_id="r1")
    assert pub.state == "pending" and "part 3" in (pub.reason or "")
    assert [(p.index, p.state) for p in pub.parts] == [(0, "sent"), (1, "sent")]
    assert not pub.needs_attention(NOW)
    again = ledger.claim(KEY, scheduled_at=NOW, now=NOW)
    assert again.publication is not None and again.publication.parts_total == 3


def test_mark_published_keeps_the_id_a_later_part_replies_to_apart_from_the_url(
    tmp_path: Path, backend: str
) -> None:
    """A thread's next part replies to the part's platform id: the ledger keeps the id and
    the URL apart, and will not let a URL stand in for an id that a later part needs."""
    ledger = open_backend(backend, tmp_path)
    ledger.claim(KEY, scheduled_at=NOW, now=NOW, parts=3)
    ledger.begin_part(KEY, 0, "k0", NOW)
    ledger.finish_part(KEY, 0, remote_id="r0", url="u0", published_at=NOW, now=NOW)
    ledger.begin_part(KEY, 1, "k1", NOW)
    ledger.finish(KEY, "in_doubt", NOW, reason="read timeout")
    with pytest.raises(LedgerError, match=r"part 2 of 3 .*--remote-id"):
        ledger.mark_published("post", "mastodon", "https://m/@a/2", NOW)
    unchanged = ledger.get(KEY)
    assert unchanged is not None and unchanged.state == "in_doubt"
    assert [(p.index, p.state) for p in unchanged.parts] == [(0, "sent"), (1, "sending")]
    pub = ledger.mark_published("post", "mastodon", "https://m/@a/2", NOW, remote_id="2")
    assert (pub.parts[1].remote_id, pub.parts[1].url) == ("2", "https://m/@a/2")
    # The last part: nothing replies to it, so its URL may stand in for the id.
    ledger.claim(KEY, scheduled_at=NOW, now=NOW)
    ledger.begin_part(KEY, 2, "k2", NOW)
    ledger.finish(KEY, "in_doubt", NOW, reason="read timeout")
    done = ledger.mark_published("post", "mastodon", "https://m/@a/3", NOW)
    assert done.state == "published" and (done.remote_id, done.url) == ("r0", "u0")
    assert (done.parts[2].remote_id, done.parts[2].url) == ("https://m/@a/3", "https://m/@a/3")


def test_postponed_doubt_cannot_be_claimed_before_its_time(tmp_path: Path, backend: str) -> None:
    ledger = open_backend(backend, tmp_path)
    ledger.claim(KEY, scheduled_at=NOW, now=NOW)
    ledger.finish(KEY, "in_doubt", NOW, reason="timeout")
    ledger.postpone(KEY, NOW + timedelta(minutes=4), NOW)
    early = ledger.claim(KEY, scheduled_at=NOW, now=NOW, allow_states=("in_doubt",))
    assert early.publication is None and "next attempt" in (early.reason or "")
    later = NOW + timedelta(minutes=5)
    assert ledger.claim(KEY, scheduled_at=NOW, now=later, allow_states=("in_doubt",)).publication


def test_a_settled_failure_no_longer_needs_attention(tmp_path: Path, backend: str) -> None:
    ledger = open_backend(backend, tmp_path)
    ledger.claim(KEY, scheduled_at=NOW, now=NOW)
    ledger.finish(KEY, "failed", NOW, reason="rejected")
    pub = ledger.get(KEY)
    assert pub is not None and pub.needs_attention(NOW)
    pub = ledger.mark_not_published("post", "mastodon", NOW)
    assert pub.state == "failed" and not pub.needs_attention(NOW)
    pub = ledger.retry("post", "mastodon", NOW)
    assert pub.state == "pending"


def test_needing_attention_is_the_newest_row_per_publication(tmp_path: Path, backend: str) -> None:
    ledger = open_backend(backend, tmp_path)
    old = PubKey("post", "mastodon", "o" * 64)
    ledger.claim(old, scheduled_at=NOW, now=NOW)
    ledger.finish(old, "failed", NOW, reason="rejected")
    assert [p.key for p in ledger.needing_attention(NOW)] == [old]
    edited = PubKey("post", "mastodon", "e" * 64)  # the edit replaces it and goes out
    ledger.claim(edited, scheduled_at=NOW, now=NOW + timedelta(seconds=1))
    ledger.begin_part(edited, 0, "k", NOW)
    ledger.finish_part(edited, 0, remote_id="r", url="u", published_at=NOW, now=NOW)
    ledger.finish(edited, "published", NOW)
    assert ledger.needing_attention(NOW) == []


def test_a_series_repeats_its_own_content_but_a_renamed_draft_may_not(
    tmp_path: Path, backend: str
) -> None:
    """Occurrences ``id@time`` of one series share their content on purpose; another post
    (a renamed draft, or another series) with the same content is still refused."""
    ledger = open_backend(backend, tmp_path)
    same = "c" * 64
    first = PubKey("weekly@20261207T0900", "mastodon", same)
    ledger.claim(first, scheduled_at=NOW, now=NOW)
    ledger.begin_part(first, 0, "k", NOW)
    ledger.finish_part(first, 0, remote_id="r", url="u", published_at=NOW, now=NOW)
    ledger.finish(first, "published", NOW)
    following = PubKey("weekly@20261214T0900", "mastodon", same)
    assert ledger.claim(following, scheduled_at=NOW, now=NOW).publication is not None
    for other in ("renamed@20261214T0900", "weekly", "week@20261221T0900"):
        refused = ledger.claim(PubKey(other, "mastodon", same), scheduled_at=NOW, now=NOW)
        assert refused.publication is None and "same content" in (refused.reason or ""), other
    ledger.close()
