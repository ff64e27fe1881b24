"""A lookup must not race a slow receiver into a second send (issue 12 item 14).

The receiver here answers only after the client's read timeout, and records the post only
after answering, as a real webhook receiver that does its work and then writes to its store
may. Looked up at once, it says "not there" and the engine sends again (5 of 5 arrived 2-3
times in the trials). The engine now waits ``RetryPolicy.lookup_settle`` before the lookup;
the test's clock spends that wait until the receiver has recorded (never longer than the
settle itself), so nothing here sleeps for a fixed time. Without a lookup the post is held in
doubt and never sent again by itself.
"""

from __future__ import annotations

import contextlib
import json
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from soulpost.clock import ManualClock
from soulpost.publish.send import RetryPolicy
from soulpost.run import PassOptions, PassReport, run_pass

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
READ_TIMEOUT = 0.2
ANSWER_AFTER = 0.6  # seconds: after the client gave up


class SlowReceiver:
    """POST: answer late, then record; GET /lookup?key=K: 200 once recorded, else 404."""

    def __init__(self) -> None:
        self.posts: list[str] = []
        self.recorded: dict[str, dict[str, str]] = {}
        self.stored = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client may have given up long ago
                    self.wfile.write(data)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key") or ""
                receiver.posts.append(key)
                time.sleep(ANSWER_AFTER)  # the slow receiver under test
                receipt = {"id": f"r-{len(receiver.posts)}", "url": None}
                self._answer(200, receipt)
                receiver.recorded[key] = receipt  # recorded only after answering
                receiver.stored.set()

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                key = parse_qs(parts.query).get("key", [""])[0]
                found = receiver.recorded.get(key)
                self._answer(200 if found else 404, found or {"error": "not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"


class SettlingClock(ManualClock):
    """A manual clock whose sleep ends early once the receiver has recorded something."""

    def __init__(self, start: datetime, receiver: SlowReceiver) -> None:
        super().__init__(start)
        self.receiver = receiver

    def sleep(self, seconds: float) -> None:
        self.receiver.stored.wait(timeout=min(seconds, 10.0))
        super().sleep(seconds)


@pytest.fixture
def receiver() -> Iterator[SlowReceiver]:
    slow = SlowReceiver()
    yield slow
    slow.server.shutdown()
    slow.server.server_close()


def workspace(root: Path, receiver: SlowReceiver, *, lookup: bool) -> Path:
    options = f'url = "{receiver.base}/post", read_timeout = {READ_TIMEOUT}'
    if lookup:
        options += f', lookup_url = "{receiver.base}/lookup"'
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.hook]
            adapter = "webhook"
            options = {{ {options} }}
            [publish]
            lint_gate = false
            """
        ),
        encoding="utf-8",
    )
    (root / "queue").mkdir(exist_ok=True)
    (root / "queue" / "a.toml").write_text(
        'text = "Hi, what do you think?"\nplatforms = ["hook"]\nat = 2026-12-01T09:00:00Z\n',
        encoding="utf-8",
    )
    return root


def run(root: Path, clock: ManualClock) -> PassReport:
    options = PassOptions(policy=RetryPolicy(), jitter=lambda: 0.0)
    return run_pass(root, clock=clock, options=options, log=lambda _: None)


def test_the_lookup_waits_for_a_slow_receiver(tmp_path: Path, receiver: SlowReceiver) -> None:
    root = workspace(tmp_path, receiver, lookup=True)
    report = run(root, SettlingClock(T0, receiver))
    assert [r.state for r in report.results] == ["published"]
    assert len(receiver.posts) == 1


def test_without_a_lookup_it_stays_in_doubt_and_is_not_sent_again(
    tmp_path: Path, receiver: SlowReceiver
) -> None:
    root = workspace(tmp_path, receiver, lookup=False)
    clock = SettlingClock(T0, receiver)
    assert [r.state for r in run(root, clock).results] == ["in_doubt"]
    clock.advance(timedelta(minutes=30))
    run(root, clock)
    assert len(receiver.posts) == 1
