"""Issue 12 items 7, 11 and 14 (draft deleted during a pass): the engine bounds what a
platform asks for (Retry-After), backs off in-doubt lookups per publication, and re-checks
a draft right before sending it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from soulpost.clock import ManualClock
from soulpost.publish.send import RATE_WAIT_CAP, RATE_WAIT_FLOOR, RetryPolicy
from soulpost.run import PassOptions, run_pass
from tests.fakes.mastodon import MastodonFake
from tests.hostile.ledger_helpers import make_ws, post, rows, run
from tests.localserver import LocalServer, Reply

pytest_plugins = ["tests.fakes.fixtures"]

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def test_a_huge_retry_after_is_capped_and_max_lateness_wins(
    tmp_path: Path, server: LocalServer
) -> None:
    body = post() + 'max_lateness = "30m"\n'
    root = make_ws(tmp_path, server.url, {"a": body})
    server.push(Reply(429, headers={"Retry-After": "99999999999"}))
    report = run(root, ManualClock(T0))
    assert report.results[0].state == "pending"
    row = rows(root)[("a", "hook")]
    assert row.next_attempt_at is not None
    assert row.next_attempt_at <= T0 + timedelta(seconds=RATE_WAIT_CAP)
    # It cannot go out within its max_lateness any more: missed now, not parked for ever.
    later = run(root, ManualClock(T0 + timedelta(minutes=1)))
    assert [(r.post_id, r.state) for r in later.results] == [("a", "missed")]
    assert later.exit_code == 1
    assert server.count() == 1


def test_a_zero_retry_after_has_a_floor(tmp_path: Path, server: LocalServer) -> None:
    root = make_ws(tmp_path, server.url, {"a": post()})
    server.push(*[Reply(429, headers={"Retry-After": "0"})] * 2, Reply(200))
    clock = ManualClock(T0)
    report = run(root, clock)
    assert report.results[0].state == "published"
    assert clock.slept == [RATE_WAIT_FLOOR, RATE_WAIT_FLOOR]
    assert server.count() == 3


def test_in_doubt_lookups_back_off_per_publication(
    tmp_path: Path, mastodon_fake: MastodonFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SP_MASTODON_TOKEN", "test-token")
    (tmp_path / "config.toml").write_text(
        f'timezone = "UTC"\n[platforms.mastodon]\n'
        f'options = {{ base_url = "{mastodon_fake.url}" }}\n'
        'env = { token = "SP_MASTODON_TOKEN" }\n[publish]\nlint_gate = false\n'
        'max_lateness = "1d"\n',
        encoding="utf-8",
    )
    (tmp_path / "queue").mkdir()
    for name in ("a", "b"):
        (tmp_path / "queue" / f"{name}.toml").write_text(
            f'text = "{name}: what do you think?"\nplatforms = ["mastodon"]\n'
            "at = 2026-12-01T09:00:00Z\n",
            encoding="utf-8",
        )
    mastodon_fake.fail(500, {"error": "boom"}, times=100_000, path="statuses")
    clock = ManualClock(T0)
    options = PassOptions(policy=RetryPolicy(base_delay=60.0), jitter=lambda: 0.0)
    posts_at: list[datetime] = []
    for _ in range(120):  # a pass every 30 s for an hour
        before = len(mastodon_fake.received("POST"))
        run_pass(tmp_path, clock=clock, options=options, log=lambda line: None)
        if len(mastodon_fake.received("POST")) > before:
            posts_at.append(clock.now())
        clock.advance(timedelta(seconds=30))
    total = len(mastodon_fake.received("POST"))
    # Before: every pass re-POSTed both (408 POSTs in the hour). Now: rounds at 0, 30 s,
    # 1.5 min, 3.5 min, 7.5 min, 15.5 min, 31.5 min (60 s base doubling, jitter 0).
    assert len(posts_at) <= 8, posts_at
    assert total <= 40, total
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(posts_at)]
    assert gaps == sorted(gaps)  # exponential: never closer together than before
    assert max(gaps) >= 900
    assert {r.state for r in rows(tmp_path).values()} == {"in_doubt"}


class DeletingClock(ManualClock):
    """Deletes a draft while the pass waits for its due instant (just before sending)."""

    def __init__(self, start: datetime, victim: Path) -> None:
        super().__init__(start)
        self.victim = victim

    def sleep(self, seconds: float) -> None:
        self.victim.unlink(missing_ok=True)
        super().sleep(seconds)


def test_a_draft_deleted_during_the_pass_is_not_published(
    tmp_path: Path, server: LocalServer
) -> None:
    root = make_ws(tmp_path, server.url, {"a": post(), "b": post(text="Bee")})
    clock = DeletingClock(T0 - timedelta(seconds=2), root / "queue" / "b.toml")
    options = PassOptions(policy=RetryPolicy(), jitter=lambda: 0.0, not_before=T0)
    report = run_pass(root, clock=clock, options=options, log=lambda line: None)
    states = {r.post_id: r.state for r in report.results}
    assert states == {"a": "published", "b": "skipped"}
    assert server.count() == 1
    assert ("b", "hook") not in rows(root)
