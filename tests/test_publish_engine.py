"""The pass against a real local HTTP server: every failure class, threads, edits, locks.

The clock is a ManualClock (sleeping moves it), so nothing here waits for real time except
socket timeouts of a fraction of a second that are the thing under test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from soulpost.clock import ManualClock
from soulpost.ledger import open_ledger
from soulpost.lock import PassLock
from soulpost.run import run_pass
from tests.hostile import ledger_helpers as helpers
from tests.localserver import LocalServer, Reply, free_port

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def make_ws(
    root: Path,
    url: str,
    posts: dict[str, str],
    *,
    lookup: str | None = None,
    publish: str = "",
    read_timeout: float = 0.5,
) -> Path:
    """:func:`ledger_helpers.make_ws`, with the webhook's optional ``lookup_url``."""
    options = f', lookup_url = "{lookup}"' if lookup else ""
    return helpers.make_ws(
        root, url, posts, publish=publish, options=options, read_timeout=read_timeout
    )


simple = helpers.post
run = helpers.run


def states(root: Path) -> dict[tuple[str, str], str]:
    return {key: pub.state for key, pub in helpers.rows(root).items()}


def test_publishes_due_posts_once_with_key(tmp_path: Path, server: LocalServer) -> None:
    root = make_ws(tmp_path, server.url, {"a": simple(), "later": simple("2026-12-01T10:00:00Z")})
    clock = ManualClock(T0 + timedelta(seconds=1))
    report = run(root, clock)
    assert [(r.post_id, r.state) for r in report.results] == [("a", "published")]
    assert report.exit_code == 0
    assert report.next_wake == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    sent = server.received[0]
    assert sent.headers["Idempotency-Key"].startswith("sp-a-hook-")
    assert sent.headers["User-Agent"].startswith("soulpost/")
    assert sent.body["payload"]["text"] == "Hi, what do you think?"
    again = run(root, clock)
    assert again.results == [] and server.count() == 1


def test_not_sent_retries_with_backoff_then_gives_up(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/post"
    root = make_ws(tmp_path, dead, {"a": simple()}, publish='max_lateness = "7d"')
    clock = ManualClock(T0)
    report = run(root, clock)
    assert report.results[0].state == "pending"
    assert "could not connect" in (report.results[0].reason or "")
    assert clock.slept == [0.5, 1.0]  # in-pass tries, exponential
    assert report.exit_code == 0  # a retry is planned: nothing for a person yet
    ledger = open_ledger(tmp_path / ".soulpost", read_only=True)
    first = ledger.publications()[0]
    ledger.close()
    assert first.next_attempt_at is not None
    assert first.next_attempt_at - clock.now() == timedelta(seconds=30)  # 60 s * (0.5 + 0)
    # Before the retry time nothing is tried; each pass after it doubles the delay.
    assert run(root, clock).results == []
    delays = []
    for _ in range(4):
        clock.set(first.next_attempt_at)
        report = run(root, clock)
        ledger = open_ledger(tmp_path / ".soulpost", read_only=True)
        first = ledger.publications()[0]
        ledger.close()
        if first.next_attempt_at is not None:
            delays.append((first.next_attempt_at - clock.now()).total_seconds())
    assert delays == [60.0, 120.0, 240.0]
    assert first.state == "failed" and "gave up after 5 passes" in (first.reason or "")
    assert report.exit_code == 1


def test_rate_limit_waits_until_reset(tmp_path: Path, server: LocalServer) -> None:
    root = make_ws(tmp_path, server.url, {"a": simple(), "b": simple(text="Bee")})
    # A short wait is waited out in the pass; a long one is deferred to the reset time.
    server.push(Reply(429, headers={"Retry-After": "5"}), Reply(200))
    server.push(Reply(429, headers={"X-RateLimit-Reset": "2026-12-01T09:30:00Z"}))
    clock = ManualClock(T0)
    report = run(root, clock)
    assert [r.state for r in report.results] == ["published", "pending"]
    assert clock.slept == [5.0]
    assert "rate limited until 2026-12-01T09:30:00" in (report.results[1].reason or "")
    assert run(root, clock).results == []  # still before the reset
    clock.set(datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    assert [r.state for r in run(root, clock).results] == ["published"]
    assert server.count() == 4


def test_rejection_fails_with_the_platforms_message(tmp_path: Path, server: LocalServer) -> None:
    root = make_ws(tmp_path, server.url, {"a": simple()})
    server.push(Reply(422, body={"error": "Validation failed: Text character limit exceeded"}))
    report = run(root, ManualClock(T0))
    assert report.results[0].state == "failed"
    assert "character limit exceeded" in (report.results[0].reason or "")
    assert report.exit_code == 1
    assert run(root, ManualClock(T0)).results == []  # never retried on its own
    assert server.count() == 1


def test_auth_error_never_leaks_the_token(
    tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_ws(tmp_path, server.url, {"a": simple()})
    config = (root / "config.toml").read_text()
    config = config.replace(
        'adapter = "webhook"', 'adapter = "webhook"\nenv = { token = "HOOK_TOKEN" }'
    )
    (root / "config.toml").write_text(config)
    monkeypatch.setenv("HOOK_TOKEN", "s3cret-token-value")
    server.push(Reply(401, body={"error": "invalid token s3cret-token-value"}))
    report = run(root, ManualClock(T0))
    assert report.results[0].state == "failed"
    assert "s3cret" not in (report.results[0].reason or "")
    assert server.received[0].headers["Authorization"] == "Bearer s3cret-token-value"


@pytest.mark.parametrize("reply", [Reply(hang=True), Reply(502), Reply(drop=True)])
def test_unknown_outcome_is_in_doubt_and_never_retried(
    tmp_path: Path, server: LocalServer, reply: Reply
) -> None:
    root = make_ws(tmp_path, server.url, {"a": simple()}, read_timeout=0.3)
    server.push(reply)
    clock = ManualClock(T0)
    report = run(root, clock)
    assert report.results[0].state == "in_doubt"
    assert "soulpost resolve" in (report.results[0].reason or "")
    assert report.exit_code == 1
    for _ in range(3):
        clock.advance(timedelta(minutes=10))
        assert run(root, clock).results == []
    assert server.count() == 1


def test_in_doubt_is_settled_by_lookup(tmp_path: Path, server: LocalServer) -> None:
    root = make_ws(
        tmp_path, server.url, {"a": simple(), "b": simple(text="Bee")},
        lookup=server.lookup_url, read_timeout=0.3,
    )  # fmt: skip
    # a: the server took it and never answered -> lookup finds it: published, not re-sent.
    # b: a 503 that was not stored -> lookup says absent -> safe to send again.
    server.push(Reply(hang=True), Reply(503, store=False), Reply(200))
    report = run(root, ManualClock(T0))
    assert [r.state for r in report.results] == ["published", "published"]
    keys = [r.headers["Idempotency-Key"] for r in server.received]
    assert len(keys) == 3 and keys[1] == keys[2] and keys[0] != keys[1]


def test_resolve_and_retry_by_a_person(
    tmp_path: Path, server: LocalServer, cli: Callable[..., object], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_ws(tmp_path, server.url, {"a": simple(), "b": simple(text="Bee")})
    server.push(Reply(500), Reply(400, body={"error": "nope"}))
    run(root, ManualClock(T0))
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T09:05:00Z")
    status = cli("-C", root, "status")
    assert status.code == 1  # type: ignore[attr-defined]
    assert "in doubt: a on hook" in status.out  # type: ignore[attr-defined]
    assert "failed: b on hook" in status.out  # type: ignore[attr-defined]
    refused = cli("-C", root, "retry", "a")
    assert refused.code == 2 and "no failed or missed" in refused.err  # type: ignore[attr-defined]
    refused = cli("-C", root, "retry", "a", "--platform", "hook")
    assert "resolve" in refused.err  # type: ignore[attr-defined]
    done = cli("-C", root, "resolve", "a", "--platform", "hook", "--published", "https://x/1")
    assert done.code == 0 and "published" in done.out  # type: ignore[attr-defined]
    assert cli("-C", root, "retry", "b").code == 0
    # Three days later the retried post still goes: a person asked for it.
    report = run(root, ManualClock(T0 + timedelta(days=3)))
    assert [(r.post_id, r.state) for r in report.results] == [("b", "published")]
    assert states(root) == {("a", "hook"): "published", ("b", "hook"): "published"}
    history = cli("-C", root, "history", "a")
    assert "resolved-published" in history.out  # type: ignore[attr-defined]
    assert cli("-C", root, "status").code == 0


def test_thread_resumes_without_duplicating_parts(tmp_path: Path, server: LocalServer) -> None:
    post = simple() + 'thread = ["part two", "part three"]\n'
    root = make_ws(tmp_path, server.url, {"t": post}, publish="max_attempts = 3")
    server.push(Reply(200), Reply(200), Reply(400, body={"error": "too long"}))
    report = run(root, ManualClock(T0))
    assert report.results[0].state == "failed"
    assert server.count() == 3
    parent = server.received[0]
    assert server.received[1].body["reply_to"] == "remote-1"
    assert parent.body["reply_to"] is None
    run_pass  # noqa: B018
    from soulpost.cli import main

    assert main(["-C", str(root), "retry", "t"]) == 0
    report = run(root, ManualClock(T0 + timedelta(minutes=5)))
    assert report.results[0].state == "published"
    third = [r for r in server.received if r.body["payload"]["text"] == "part three"]
    assert len(third) == 2  # the rejected try and the retry; parts one and two sent once
    assert server.count() == 4
    assert third[-1].body["reply_to"] == "remote-2"


def test_edit_after_publish_is_reported_not_reposted(tmp_path: Path) -> None:
    root = make_ws(tmp_path, "http://127.0.0.1:9/unused", {"a": simple(platforms='["box"]')})
    clock = ManualClock(T0)
    assert run(root, clock).results[0].state == "published"
    path = root / "queue" / "a.toml"
    path.write_text(simple(platforms='["box"]', text="Edited"))
    import os

    future = T0.timestamp() + 60
    os.utime(path, (future, future))
    clock.advance(timedelta(minutes=2))
    report = run(root, clock)
    assert report.results == []
    assert any("edited after it was published" in n for n in report.notes)
    lines = (root / ".soulpost" / "outbox.jsonl").read_text().splitlines()
    assert len(lines) == 1


def test_edit_after_failure_is_a_new_publication(tmp_path: Path, server: LocalServer) -> None:
    root = make_ws(tmp_path, server.url, {"a": simple()})
    server.push(Reply(422, body={"error": "too shouty"}))
    clock = ManualClock(T0)
    assert run(root, clock).results[0].state == "failed"
    (root / "queue" / "a.toml").write_text(simple(text="Calmer"))
    report = run(root, clock)
    assert report.results[0].state == "published"
    keys = [r.headers["Idempotency-Key"] for r in server.received]
    assert keys[0] != keys[1]


def test_missed_is_recorded_once(tmp_path: Path, server: LocalServer) -> None:
    root = make_ws(tmp_path, server.url, {"a": simple()})
    clock = ManualClock(T0 + timedelta(hours=3))
    report = run(root, clock)
    assert [r.state for r in report.results] == ["missed"]
    assert report.exit_code == 1
    assert states(root) == {("a", "hook"): "missed"}
    assert run(root, clock).results == []
    assert server.count() == 0


def test_dry_run_renders_and_writes_nothing(tmp_path: Path, server: LocalServer) -> None:
    root = make_ws(tmp_path, server.url, {"a": simple(), "b": simple(platforms='["box"]')})
    report = run(root, ManualClock(T0), dry_run=True)
    assert sorted(r.state for r in report.results) == ["rendered", "rendered"]
    assert json.loads(report.results[0].reason or "")[0]["text"].endswith("think?")
    assert server.count() == 0
    assert not (root / ".soulpost").exists()


def test_second_pass_steps_aside_while_lock_is_held(tmp_path: Path, server: LocalServer) -> None:
    root = make_ws(tmp_path, server.url, {"a": simple()})
    lock = PassLock(root / ".soulpost")
    assert lock.acquire()
    try:
        report = run(root, ManualClock(T0))
        assert report.skipped and report.exit_code == 0
    finally:
        lock.release()
    assert server.count() == 0


def test_publish_now_ignores_the_time_but_not_approval(tmp_path: Path, server: LocalServer) -> None:
    root = make_ws(
        tmp_path,
        server.url,
        {"a": simple("2026-12-09T09:00:00Z"), "d": simple() + 'status = "draft"\n'},
        publish="require_approval = true",
    )
    (root / "queue" / "a.toml").write_text(simple("2026-12-09T09:00:00Z") + 'status = "approved"\n')
    report = run(root, ManualClock(T0), only={"a", "d"})
    assert {(r.post_id, r.state) for r in report.results} == {("a", "published"), ("d", "held")}
    assert server.count() == 1


def test_adapter_bug_is_treated_as_unknown(tmp_path: Path, server: LocalServer) -> None:
    root = make_ws(tmp_path, server.url, {"a": simple()})
    server.push(Reply(200, body="not json at all", headers={"Content-Type": "text/plain"}))
    report = run(root, ManualClock(T0))
    # A 2xx whose body cannot be read is still a success: the receipt falls back to the key.
    assert report.results[0].state == "published"


def test_idle_cron_pass_plans_from_the_index(tmp_path: Path, server: LocalServer) -> None:
    from soulpost.queueindex import Summary

    root = make_ws(
        tmp_path,
        server.url,
        {
            "a": simple("2026-12-01T10:00:00Z"),
            "floating": 'text = "Any time, ok?"\nplatforms = ["hook"]\n',
            "broken": "text = 5\n",
        },
    )
    (root / "config.toml").write_text(
        (root / "config.toml").read_text() + '[[slots]]\ndays = "daily"\ntimes = ["09:30"]\n'
    )
    clock = ManualClock(T0)
    first = run(root, clock)
    # The first pass builds the index and plans from its summaries: nothing is due.
    assert first.plan is not None and isinstance(first.plan.items[0].post, Summary)
    assert first.load_errors and first.exit_code == 1
    assert first.next_wake == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # the reserved slot
    idle = run(root, clock)
    assert idle.plan is None  # nothing changed since: nothing planned at all
    assert idle.load_errors == first.load_errors  # still reported without parsing
    assert idle.next_wake == first.next_wake
    # When something is due, the pass loads the queue properly and publishes.
    clock.set(datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    due = run(root, clock)
    assert [(r.post_id, r.state) for r in due.results] == [("floating", "published")]
    # An edit is never planned from a stale summary.
    (root / "queue" / "a.toml").write_text(simple("2026-12-01T09:31:00Z"))
    clock.set(datetime(2026, 12, 1, 9, 31, tzinfo=UTC))
    assert [(r.post_id, r.state) for r in run(root, clock).results] == [("a", "published")]
    assert server.count() == 2


def test_renamed_draft_is_not_posted_again(tmp_path: Path) -> None:
    # The outbox's payload does not carry the post id, so a renamed file (whose id is its
    # new stem) renders the same content: the ledger refuses to send it twice.
    root = make_ws(tmp_path, "http://127.0.0.1:9/unused", {"a": simple(platforms='["box"]')})
    clock = ManualClock(T0)
    assert run(root, clock).results[0].state == "published"
    (root / "queue" / "a.toml").rename(root / "queue" / "renamed.toml")
    report = run(root, clock)
    assert [(r.post_id, r.state) for r in report.results] == [("renamed", "skipped")]
    assert "already published as post a" in (report.results[0].reason or "")
    assert report.exit_code == 0
    assert len((root / ".soulpost" / "outbox.jsonl").read_text().splitlines()) == 1


def test_half_sent_thread_is_finished_even_when_late(tmp_path: Path, server: LocalServer) -> None:
    post = simple() + 'thread = ["part two"]\n'
    root = make_ws(tmp_path, server.url, {"t": post})
    # Part one goes out; part two is rate limited until well past max_lateness (2h).
    server.push(Reply(200), Reply(429, headers={"Retry-After": "10800"}))
    clock = ManualClock(T0)
    assert run(root, clock).results[0].state == "pending"
    clock.advance(timedelta(hours=3, seconds=1))  # past max_lateness (2h)
    report = run(root, clock)
    assert [r.state for r in report.results] == ["published"]
    texts = [r.body["payload"]["text"] for r in server.received]
    assert texts == ["Hi, what do you think?", "part two", "part two"]


def test_rate_limit_reset_headers_in_every_form_platforms_use() -> None:
    from soulpost.publish.http import redact, reset_time

    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert reset_time({"Retry-After": "30"}, now) == now + timedelta(seconds=30)
    assert reset_time({"retry-after": "Tue, 01 Dec 2026 09:05:00 GMT"}, now) == now + timedelta(
        minutes=5
    )
    mastodon = {"X-RateLimit-Reset": "2026-12-01T09:10:00.000Z"}
    assert reset_time(mastodon, now) == now + timedelta(minutes=10)
    x_epoch = {"x-rate-limit-reset": str(int((now + timedelta(minutes=15)).timestamp()))}
    assert reset_time(x_epoch, now) == now + timedelta(minutes=15)
    assert reset_time({"RateLimit-Reset": "42"}, now) == now + timedelta(seconds=42)
    assert reset_time({}, now) is None
    assert redact("Bearer abc.def token=xyz&a=1", ["abc.def"]) == (
        "Bearer [redacted] token=[redacted]&a=1"
    )


def test_status_flags_a_stale_daemon_heartbeat(
    tmp_path: Path, cli: Callable[..., object], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_ws(tmp_path, "http://127.0.0.1:9/unused", {})
    beat = {"pid": 1, "state": "running", "at": "2026-12-01T09:00:00+00:00", "interval": 30}
    (root / ".soulpost").mkdir()
    (root / ".soulpost" / "heartbeat.json").write_text(json.dumps(beat))
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T09:00:20Z")
    fresh = cli("-C", root, "status")
    assert "heartbeat 20s ago" in fresh.out and "STALE" not in fresh.out  # type: ignore[attr-defined]
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T09:05:00Z")
    stale = cli("-C", root, "status")
    assert "heartbeat 5m ago (STALE" in stale.out  # type: ignore[attr-defined]
