"""A pass does work in proportion to what changed and what is due (issue 13): the lint gate
lints only the due posts unless a queue rule can block, the queue index re-parses only
changed files, and an idle pass plans nothing when nothing changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

CONFIG = """\
timezone = "UTC"
default_platforms = ["mastodon"]
[platforms.mastodon]
adapter = "outbox"
[publish]
max_lateness = "3d"
"""

SAME = "Our spring workshop notes are online, with the slides. What did we miss?"


def outbox(root: Path) -> list[dict[str, Any]]:
    path = root / ".soulpost" / "outbox.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def publish_at(cli: Any, root: Path, monkeypatch: pytest.MonkeyPatch, when: str) -> Any:
    monkeypatch.setenv("SOULPOST_NOW", when)
    return cli("-C", root, "publish", "--due")


def test_the_gate_lints_only_due_posts_unless_a_queue_rule_can_block(
    cli: Any, workspace: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soulpost.lint import engine

    seen: list[int] = []
    real = engine.lint_workspace

    def counting(ws: Any, **kwargs: Any) -> Any:
        seen.append(len(ws.posts))
        return real(ws, **kwargs)

    monkeypatch.setattr(engine, "lint_workspace", counting)
    posts = {
        "first.toml": f'text = "{SAME}"\nat = 2026-11-30T09:00:00\n',
        "second.toml": f'text = "{SAME} Really."\nat = 2026-12-01T09:30:00\n',
        **{
            f"later-{n}.toml": f'text = "Later {n}: ideas?"\nat = 2027-01-0{n}T09:00:00\n'
            for n in range(1, 6)
        },
    }
    root: Path = workspace(CONFIG, posts)
    assert publish_at(cli, root, monkeypatch, "2026-11-30T09:01:00Z").code == 0
    # duplicate-post is a warning: only the due post is linted, and it goes out.
    result = publish_at(cli, root, monkeypatch, "2026-12-01T09:31:00Z")
    assert result.code == 0, result.out
    assert seen == [1, 1], result.out
    assert len(outbox(root)) == 2, result.out

    # As an error, duplicate-post can block: the gate lints the whole queue and holds it.
    posts["third.toml"] = f'text = "{SAME} Truly."\nat = 2026-12-01T10:00:00\n'
    (root / "queue" / "third.toml").write_text(posts["third.toml"])
    (root / "config.toml").write_text(CONFIG + '[lint]\nseverity = { duplicate-post = "error" }\n')
    seen.clear()
    blocked = publish_at(cli, root, monkeypatch, "2026-12-01T10:01:00Z")
    assert blocked.code == 1
    assert "blocked    third on mastodon: lint SP306 duplicate-post" in blocked.out
    assert seen == [len(posts)]
    assert len(outbox(root)) == 2
