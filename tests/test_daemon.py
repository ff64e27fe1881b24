"""The daemon end to end, in a subprocess, on the real clock (bounded to a few seconds)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.localserver import LocalServer

EXE = str(Path(sys.executable).with_name("soulpost"))


def _config(root: Path, server: LocalServer, heartbeat: str = "1s") -> None:
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "Europe/London"
            [platforms.hook]
            adapter = "webhook"
            options = {{ url = "{server.url}" }}
            [publish]
            lint_gate = false
            heartbeat = "{heartbeat}"
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


LATE = 2.5  # seconds after its time that still counts as on time under a loaded test run


def _wait(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def _daemon(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [EXE, "-C", str(root), "daemon"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "SOULPOST_NOW"},
    )


@pytest.mark.slow
def test_daemon_picks_up_new_draft_publishes_on_time_and_stops_cleanly(tmp_path: Path) -> None:
    with LocalServer() as server:
        _config(tmp_path, server)
        proc = _daemon(tmp_path)
        try:
            beat = tmp_path / ".soulpost" / "heartbeat.json"
            assert _wait(beat.exists, 15), "no heartbeat"
            arrivals: list[float] = []
            at = datetime.now(UTC) + timedelta(seconds=1.5)
            _post(tmp_path, "fresh", at)
            assert _wait(lambda: server.count() >= 1, 10)
            arrivals.append(time.time())
            delay = arrivals[0] - at.timestamp()
            # Sent at its time, not early. The 1 s target is measured by bench/publish_bench.py;
            # here the bound only has to tell "at its time" from a missed one on a busy machine.
            assert -0.05 <= delay < LATE, f"published {delay:.3f}s from its time"
            # An edit that moves a post earlier, and a rename, are picked up too.
            later = datetime.now(UTC) + timedelta(hours=1)
            _post(tmp_path, "moved", later)
            time.sleep(0.5)
            soon = datetime.now(UTC) + timedelta(seconds=1)
            _post(tmp_path, "moved", soon)
            assert _wait(lambda: server.count() >= 2, 10)
            assert time.time() - soon.timestamp() < LATE
            # A deleted draft is dropped; a renamed one is picked up under its new name.
            _post(tmp_path, "gone", datetime.now(UTC) + timedelta(seconds=1.5))
            _post(tmp_path, "before", datetime.now(UTC) + timedelta(hours=2))
            time.sleep(0.5)
            (tmp_path / "queue" / "gone.toml").unlink()
            (tmp_path / "queue" / "before.toml").rename(tmp_path / "queue" / "after.toml")
            _post(tmp_path, "after", datetime.now(UTC) + timedelta(seconds=1))
            assert _wait(lambda: server.count() >= 3, 10)
            time.sleep(1.5)  # past gone's time
            data = json.loads(beat.read_text())
            assert data["pid"] == proc.pid and data["state"] == "running"
            proc.send_signal(signal.SIGHUP)
            time.sleep(0.3)
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        assert code == 0, err
        assert "SIGTERM" in err and err.rstrip().endswith("stopped")
        assert "SIGHUP: rescanning" in err
        assert "published fresh on hook" in err
        keys = [r.headers["Idempotency-Key"] for r in server.received]
        assert [k.split("-hook-")[0] for k in keys] == ["sp-fresh", "sp-moved", "sp-after"]
        assert json.loads(beat.read_text())["state"] == "stopped"


@pytest.mark.slow
def test_daemon_and_overlapping_passes_publish_each_post_once(tmp_path: Path) -> None:
    with LocalServer() as server:
        _config(tmp_path, server)
        now = datetime.now(UTC)
        for i in range(12):
            _post(tmp_path, f"past{i:02d}", now - timedelta(seconds=30))
        for i in range(8):
            _post(tmp_path, f"soon{i:02d}", now + timedelta(seconds=2 + i * 0.25))
        daemon = _daemon(tmp_path)
        passes = []
        try:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                passes.append(
                    subprocess.Popen(
                        [EXE, "-C", str(tmp_path), "publish", "--due"],
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                    )
                )
                time.sleep(0.4)
            codes = [p.wait(timeout=60) for p in passes]
            assert _wait(lambda: server.count() >= 20, 10)
            time.sleep(0.5)
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=15) == 0
        finally:
            for proc in [daemon, *passes]:
                if proc.poll() is None:
                    proc.kill()
        assert set(codes) == {0}, [p.stderr.read() for p in passes if p.stderr]
        keys = [r.headers["Idempotency-Key"] for r in server.received]
        assert len(keys) == 20 and len(set(keys)) == 20


def test_second_daemon_refuses_while_first_runs(tmp_path: Path) -> None:
    with LocalServer() as server:
        _config(tmp_path, server)
        first = _daemon(tmp_path)
        try:
            assert _wait((tmp_path / ".soulpost" / "heartbeat.json").exists, 15)
            second = subprocess.run(
                [EXE, "-C", str(tmp_path), "daemon", "--wait-for-lock", "0.5"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            assert second.returncode == 2
            assert "holds the workspace" in second.stderr
            busy = subprocess.run(
                [EXE, "-C", str(tmp_path), "publish", "--due"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            assert busy.returncode == 0 and "nothing done" in busy.stderr
        finally:
            first.send_signal(signal.SIGTERM)
            first.wait(timeout=15)


@pytest.mark.slow
def test_sigterm_lets_the_publication_in_flight_finish(tmp_path: Path) -> None:
    from soulpost.ledger import SqliteLedger
    from tests.localserver import Reply

    with LocalServer(default=Reply(200, delay=1.0)) as server:
        _config(tmp_path, server)
        for name in ("p1", "p2", "p3"):
            _post(tmp_path, name, datetime.now(UTC) - timedelta(seconds=5))
        proc = _daemon(tmp_path)
        try:
            assert _wait(lambda: server.count() >= 1, 20), "nothing was sent"
            proc.send_signal(signal.SIGTERM)  # the first request is in flight now
            code = proc.wait(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        assert code == 0, err
        assert server.count() == 1
        ledger = SqliteLedger(tmp_path / ".soulpost" / "ledger.sqlite3", read_only=True)
        states = sorted(p.state for p in ledger.publications())
        ledger.close()
        assert states == ["published"]  # finished and recorded; the others wait untouched
        assert "finishing the publication in flight" in err
