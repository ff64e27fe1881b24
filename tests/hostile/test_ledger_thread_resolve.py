"""Issue 12 item 3: a person's `resolve --published` on one part of a thread must not drop
the parts after it: the next pass sends them, and `status` shows the thread continuing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from tests.hostile.ledger_helpers import make_ws, post, rows, run
from tests.localserver import LocalServer, Reply

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def test_resolve_published_on_a_thread_part_sends_the_rest(
    tmp_path: Path, server: LocalServer, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = post() + 'thread = ["part two", "part three"]\n'
    root = make_ws(tmp_path, server.url, {"t": thread}, read_timeout=0.3)
    # Part one lands; part two's answer never comes: in doubt (the webhook cannot look up).
    server.push(Reply(200), Reply(hang=True))
    report = run(root, ManualClock(T0))
    assert report.results[0].state == "in_doubt"
    assert server.count() == 2
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T09:10:00Z")
    done = cli(
        "-C", root, "resolve", "t", "--platform", "hook", "--published", "https://x/2",
        "--remote-id", "remote-2",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert "continues" in done.out  # the person is told the thread goes on
    status = cli("-C", root, "status")
    assert "t on hook" in status.out and "part 3" in status.out
    # The next pass sends part three (once), replying to the part the person confirmed.
    report = run(root, ManualClock(T0 + timedelta(minutes=10)))
    assert [(r.post_id, r.state) for r in report.results] == [("t", "published")]
    third = [r for r in server.received if r.body["payload"]["text"] == "part three"]
    assert len(third) == 1
    assert third[0].body["reply_to"] == "remote-2"
    assert server.count() == 3
    assert rows(root)[("t", "hook")].state == "published"
    assert cli("-C", root, "status").code == 0
    assert run(root, ManualClock(T0 + timedelta(minutes=20))).results == []
    assert server.count() == 3
