"""Crash safety: `publish --due` killed with SIGKILL at random points, then fresh runs.

The "platform" is a real server on 127.0.0.1 that counts what it receives. Whatever the
kill points, every post ends published exactly once or in doubt, and none arrives twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from soulpost.ledger import SqliteLedger
from tests.localserver import LocalServer, Reply

POSTS = 30
NOW = "2026-12-01T09:00:30Z"


def _workspace(root: Path, server: LocalServer, *, lookup: bool) -> None:
    options = f'url = "{server.url}", read_timeout = 5'
    if lookup:
        options += f', lookup_url = "{server.lookup_url}"'
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
        )
    )
    queue = root / "queue"
    queue.mkdir()
    for i in range(POSTS):
        thread = 'thread = ["second part"]\n' if i % 5 == 0 else ""
        (queue / f"p{i:02d}.toml").write_text(
            f'text = "Post number {i}, what do you think?"\nplatforms = ["hook"]\n'
            f"at = 2026-12-01T09:00:00Z\n{thread}"
        )


def _publish(root: Path) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("soulpost")
    return subprocess.Popen(
        [str(exe), "-C", str(root), "publish", "--due", "-q"],
        env={**os.environ, "SOULPOST_NOW": NOW},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
@pytest.mark.parametrize("lookup", [False, True], ids=["no-lookup", "lookup"])
def test_sigkill_never_double_posts(tmp_path: Path, lookup: bool) -> None:
    rng = random.Random(20261201 + lookup)
    with LocalServer(default=Reply(200, delay=0.01)) as server:
        _workspace(tmp_path, server, lookup=lookup)
        kills = 0
        for _ in range(8):
            proc = _publish(tmp_path)
            time.sleep(rng.uniform(0.15, 0.6))  # real time: the thing killed runs in real time
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
        for _ in range(2):  # fresh runs to completion
            proc = _publish(tmp_path)
            assert proc.wait(timeout=120) in (0, 1)
        ledger = SqliteLedger(tmp_path / ".soulpost" / "ledger.sqlite3", read_only=True)
        pubs = ledger.publications()
        ledger.close()
        assert kills >= 3, "the random kills should interrupt several runs"
        assert len(pubs) == POSTS
        for pub in pubs:
            for index in range(2 if int(pub.post_id[1:]) % 5 == 0 else 1):
                received = server.count(pub.key.idempotency_key(index))
                assert received <= 1, f"{pub.post_id} part {index} arrived {received} times"
            if pub.state == "published":
                assert all(p.state == "sent" for p in pub.parts)
                assert server.count(pub.key.idempotency_key(0)) == 1
            else:
                assert pub.state == "in_doubt", (pub.post_id, pub.state, pub.reason)
                assert not lookup, "with a lookup every doubt is settled"
        total_parts = sum(2 if i % 5 == 0 else 1 for i in range(POSTS))
        assert server.count() <= total_parts
