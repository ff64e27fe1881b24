"""A small workspace for hostile inputs: one good post, due, published by the outbox
adapter, next to whatever broken entries a test puts into ``queue/``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOW = "2026-12-01T09:31:00Z"

CONFIG = """\
timezone = "Europe/London"
default_platforms = ["mastodon"]
[platforms.mastodon]
adapter = "outbox"
[publish]
lint_gate = false
"""

GOOD = 'text = "Good post: what do you think?"\nat = 2026-12-01T09:30:00\nstatus = "approved"\n'


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def make(root: Path, config: str = CONFIG) -> Path:
    """A workspace at *root* with config and ``queue/good.toml``."""
    (root / "config.toml").write_text(config, encoding="utf-8")
    (root / "queue").mkdir(exist_ok=True)
    (root / "queue" / "good.toml").write_text(GOOD, encoding="utf-8")
    return root


def soulpost(
    root: Path,
    *args: str,
    now: str | None = NOW,
    timeout: float = 60,
    extra_env: dict[str, str] | None = None,
) -> Run:
    """The installed ``soulpost`` script in a subprocess (a hang fails after *timeout*)."""
    exe = Path(sys.executable).with_name("soulpost")
    env = {k: v for k, v in os.environ.items() if k != "SOULPOST_NOW"}
    env.update(extra_env or {})
    if now is not None:
        env["SOULPOST_NOW"] = now
    proc = subprocess.run(
        [str(exe), *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


run_soulpost = soulpost


def outbox(root: Path) -> list[dict[str, Any]]:
    path = root / ".soulpost" / "outbox.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def published(root: Path) -> list[str]:
    """Ids of the posts in the outbox, in order."""
    return [m["key"].removeprefix("sp-").rsplit("-mastodon-", 1)[0] for m in outbox(root)]


def assert_clean(run: Run) -> None:
    assert "Traceback" not in run.text, run.text
    assert "RecursionError" not in run.text, run.text


def check_all_commands(
    root: Path, bad: str, key: str | None = None, env: dict[str, str] | None = None
) -> None:
    """``queue``, ``lint``, ``publish --due`` and ``status`` name the broken file *bad* (and
    *key*), exit as documented, print no traceback, and still handle ``good.toml``."""

    def soulpost(root: Path, *args: str) -> Run:
        return run_soulpost(root, *args, extra_env=env)

    queue = soulpost(root, "queue", "--json")
    assert_clean(queue)
    assert queue.code == 2, queue.text
    assert bad in queue.err, queue.err
    if key is not None:
        assert key in queue.err, queue.err
    assert [p["id"] for p in json.loads(queue.out)["posts"]] == ["good"]

    lint = soulpost(root, "lint", "--format", "json")
    assert_clean(lint)
    assert lint.code == 2, lint.text
    report = json.loads(lint.out)
    assert report["summary"]["posts"] == 1, report
    assert any(bad in (e.get("path") or "") for e in report["errors"]), report["errors"]
    if key is not None:
        assert any(key in json.dumps(e) for e in report["errors"]), report["errors"]

    publish = soulpost(root, "publish", "--due")
    assert_clean(publish)
    assert publish.code in (1, 2), publish.text
    assert bad in publish.text, publish.text
    assert published(root) == ["good"], outbox(root)

    status = soulpost(root, "status")
    assert_clean(status)
    assert status.code == 1, status.text
    assert bad in status.text, status.text
