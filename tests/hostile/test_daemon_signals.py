"""Issue 12 items 13 and 14: SIGTERM is bounded even with a hanging server, and SIGHUP with
a broken config keeps the old config running. The daemon runs in a subprocess on the real
clock; the shutdown grace is set to two seconds so nothing here waits long."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from soulpost.ledger import SqliteLedger
from tests.localserver import LocalServer, Reply

EXE = str(Path(sys.executable).with_name("soulpost"))
GRACE = 2.0


def _config(root: Path, server: LocalServer, read_timeout: float = 30) -> None:
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.hook]
            adapter = "webhook"
            options = {{ url = "{server.url}", read_timeout = {read_timeout} }}
            [publish]
            lint_gate = false
            heartbeat = "1s"
            rescan = "0.2s"
            """
        )
    )
    (root / "queue").mkdir(exist_ok=True)


def _post(root: Path, name: str, at: datetime) -> None:
    (root / "queue" / f"{name}.toml").write_text(
        f'text = "{name}: what do you think?"\nplatforms = ["hook"]\n'
        f"at = {at.isoformat(timespec='milliseconds')}\n"
    )


def _wait(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _daemon(root: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [EXE, "-C", str(root), "daemon", *extra],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "SOULPOST_NOW"},
    )


@pytest.mark.slow
def test_sigterm_with_a_hanging_server_exits_within_the_grace(tmp_path: Path) -> None:
    with LocalServer(default=Reply(hang=True)) as server:
        _config(tmp_path, server)
        for name in ("p1", "p2", "p3"):
            _post(tmp_path, name, datetime.now(UTC) - timedelta(seconds=5))
        proc = _daemon(tmp_path, "--shutdown-grace", str(GRACE))
        try:
            assert _wait(lambda: server.count() >= 1, 20), "nothing was sent"
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)  # the first request hangs (30 s read timeout)
            code = proc.wait(timeout=25)
            took = time.monotonic() - started
        finally:
            if proc.poll() is None:
                proc.kill()
            server.release.set()
        err = proc.stderr.read() if proc.stderr else ""
        assert took < GRACE + 3, f"took {took:.1f}s: {err}"
        assert code == 0, err
        assert server.count() == 1  # no new request after SIGTERM
        ledger = SqliteLedger(tmp_path / ".soulpost" / "ledger.sqlite3", read_only=True)
        states = {p.post_id: p.state for p in ledger.publications()}
        ledger.close()
        # The one in flight may be live: in doubt, for a person. The rest were not sent.
        assert sorted(states.values()) == ["in_doubt"], states
        assert "grace" in err


@pytest.mark.slow
def test_sighup_with_a_broken_config_keeps_the_old_one_running(tmp_path: Path) -> None:
    with LocalServer() as server:
        _config(tmp_path, server, read_timeout=5)
        proc = _daemon(tmp_path)
        try:
            beat = tmp_path / ".soulpost" / "heartbeat.json"
            assert _wait(beat.exists, 15), "no heartbeat"
            (tmp_path / "config.toml").write_text("timezone = = broken\n")
            proc.send_signal(signal.SIGHUP)
            time.sleep(0.5)
            _post(tmp_path, "after", datetime.now(UTC) + timedelta(seconds=1))
            assert _wait(lambda: server.count() >= 1, 10), "no pass ran with the old config"
            time.sleep(2.5)  # a few heartbeats and polls
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        assert code == 0, err
        broken = [line for line in err.splitlines() if "config.toml" in line]
        assert len(broken) == 1, err  # one clear line, not one a second
        assert "keeping the previous settings" in broken[0]
