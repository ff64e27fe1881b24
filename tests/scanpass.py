"""A cron pass over a small queue through the real CLI, for the tests of the pass's forked
queue scan (tests/test_publish_scanahead.py, tests/test_publish_earlyscan.py) and of shared
PostgreSQL passes (tests/test_publish_deferred.py, tests/test_publish_helping.py): one webhook
platform pointed at a local server, the lint gate on, drafts written by hand."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

from soulpost.ledger import PubKey
from tests.localserver import LocalServer


def write_config(root: Path, url: str, extra: str = "") -> Path:
    """The workspace's config.toml (with *extra* appended) and an empty queue folder."""
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.hook]
            adapter = "webhook"
            options = {{ url = "{url}", read_timeout = 2, connect_timeout = 2 }}
            [publish]
            lint_gate = true
            """
        )
        + extra,
        encoding="utf-8",
    )
    queue = root / "queue"
    queue.mkdir()
    return queue


def draft(path: Path, at: str, text: str, post_id: str | None = None) -> None:
    head = f'id = "{post_id}"\n' if post_id else ""
    body = f'{head}text = "{text}, what do you think?"\nplatforms = ["hook"]\nat = {at}\n'
    path.write_text(body, encoding="utf-8")


def publish_due(start: Path, now: str) -> subprocess.CompletedProcess[str]:
    """The real CLI, as cron runs it: a fresh process (no threads, so it can fork), from
    *start* (the workspace or a folder inside it)."""
    env = {**os.environ, "SOULPOST_NOW": now}
    return subprocess.run(
        [sys.executable, "-m", "soulpost", "-C", str(start), "publish", "--due", "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def posted_texts(server: LocalServer) -> list[str]:
    return sorted(str(r.body.get("text", "")) for r in server.received if r.method == "POST")


def hook_keys(root: Path, ids: list[str], now: datetime) -> list[PubKey]:
    """The keys a publisher will claim for *ids* on the workspace's ``hook`` platform (their
    rendered content), for tests that mark posts as another publisher's before a pass."""
    from soulpost.clock import ShiftedClock
    from soulpost.publish.registry import build
    from soulpost.workspace import load_workspace

    ws = load_workspace(root=root)
    adapter = build(ws, "hook", ShiftedClock(now))
    posts = ws.by_id()
    keys = [PubKey(i, "hook", adapter.compose(posts[i]).content_hash()) for i in ids]
    adapter.close()
    return keys
