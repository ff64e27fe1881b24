"""SIGKILL around Meta's two steps, through the real CLI: a process killed after a Threads
container exists but before it is published, and one killed while the publish call is in
flight. Fresh runs then publish every post exactly once, settling the doubt by asking the
container rather than posting again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from soulpost.ledger import SqliteLedger
from tests.fakes.images import png
from tests.fakes.meta import MediaHost, ThreadsFake

pytestmark = pytest.mark.slow
NOW = "2026-12-01T09:00:30Z"
TOKEN = "threads-crash-token"


def _workspace(root: Path, fake: ThreadsFake, host: MediaHost) -> None:
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.threads]
            env = {{ token = "SP_THREADS_TOKEN" }}
            options = {{ base_url = "{fake.url}", media_base_url = "{host.url}", read_timeout = 30, poll_interval = 0.01 }}
            [publish]
            lint_gate = false
            """
        )
    )
    (root / "queue").mkdir()
    for i in range(3):
        (root / "media" / f"{i}.png").write_bytes(png(2 + i, 2))
        (root / "queue" / f"p{i}.toml").write_text(
            f'text = "Picture number {i}: what do you see?"\nplatforms = ["threads"]\n'
            f"at = 2026-12-01T09:00:0{i}Z\n"
            f'[[media]]\npath = "media/{i}.png"\nalt = "Picture {i}"\n'
        )


def _publish(root: Path) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("soulpost")
    env = {**os.environ, "SOULPOST_NOW": NOW, "SP_THREADS_TOKEN": TOKEN}
    return subprocess.Popen(
        [str(exe), "-C", str(root), "publish", "--due", "-q"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill_when(proc: subprocess.Popen[bytes], ready: object, what: str) -> None:
    deadline = time.monotonic() + 60
    while not ready():  # type: ignore[operator]
        assert proc.poll() is None, f"the pass ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_sigkill_between_container_and_publish_never_double_posts(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    with ThreadsFake(token=TOKEN, media_polls=1) as fake, MediaHost(tmp_path) as host:
        _workspace(tmp_path, fake, host)
        # 1. Killed while the first container is being checked: it exists, unpublished.
        fake.hang(method="GET", path=r"^/v1\.0/\d+$")
        proc = _publish(tmp_path)
        _kill_when(proc, lambda: fake.received("GET"), "the container check")
        assert fake.containers and not fake.posts
        # 2. Killed while a publish call is in flight (the platform publishes; no answer).
        fake.hang(processed=True, path="threads_publish")
        proc = _publish(tmp_path)
        _kill_when(proc, lambda: fake.posts, "a publish call")
        # 3. Fresh runs to completion.
        for _ in range(2):
            assert _publish(tmp_path).wait(timeout=120) in (0, 1)
        texts = [p["text"] for p in fake.posts.values()]
        assert sorted(texts) == sorted(set(texts)), "a post went out twice"
        ledger = SqliteLedger(tmp_path / ".soulpost" / "ledger.sqlite3", read_only=True)
        pubs = ledger.publications()
        ledger.close()
        states = {p.post_id: p.state for p in pubs}
        assert set(states) == {"p0", "p1", "p2"}
        # Threads can be asked (the container's state), so no doubt is left over.
        assert set(states.values()) == {"published"}, [(p.post_id, p.reason) for p in pubs]
        assert len(texts) == 3, (texts, states)
        # The container made before the first kill was published, not replaced.
        assert len([c for c in fake.containers.values() if c["state"] == "PUBLISHED"]) == 3
