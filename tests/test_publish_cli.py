"""The publishing commands through the real CLI: publish, approve, add --next-slot, queue,
status and history, the clock override, exit codes, and the lint gate."""

from __future__ import annotations

import json
import sys
import tomllib
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

CONFIG = """\
timezone = "Europe/London"
default_platforms = ["mastodon"]
[platforms.mastodon]
adapter = "outbox"
[platforms.linkedin]
adapter = "outbox"
[[slots]]
days = "mon-fri"
times = ["09:30", "13:00"]
[publish]
require_approval = true
lint_gate = false
"""

APPROVED = 'text = "Due now: what do you think?"\nat = 2026-12-01T09:30:00\nstatus = "approved"\n'


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def set_now(when: str) -> None:
        monkeypatch.setenv("SOULPOST_NOW", when)

    return set_now


def outbox(root: Path) -> list[dict[str, Any]]:
    path = root / ".soulpost" / "outbox.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_publish_due_exit_codes_and_outbox(cli: Any, workspace: Any, at: Any) -> None:
    root = workspace(
        CONFIG,
        {
            "due.toml": APPROVED,
            "draft.toml": 'text = "A draft: thoughts?"\nat = 2026-12-01T09:30:00\n',
            "old.toml": 'text = "Old: thoughts?"\nat = 2026-11-30T09:30:00\nstatus = "approved"\n',
        },
    )
    at("2026-12-01T09:30:20Z")
    result = cli("publish", "--due", cwd=root)
    assert result.code == 1, result.out + result.err  # "old" was missed: a person should look
    assert "published  due on mastodon: outbox:" in result.out
    assert "missed     old on mastodon: 1d" in result.out
    assert "draft" not in result.out  # held for approval: not a problem
    assert [r["payload"]["text"] for r in outbox(root)] == ["Due now: what do you think?"]
    again = cli("publish", "--due", cwd=root)
    # Issue 12 item 4: until a person settles "old", every pass says so and exits 1.
    assert again.code == 1 and "nothing due" in again.out
    assert "missed: old on mastodon" in again.out
    status = cli("status", cwd=root)
    assert status.code == 1
    assert "1 published, 1 missed" in status.out
    assert "missed: old on mastodon" in status.out
    data = json.loads(cli("status", "--json", cwd=root).out)
    assert data["counts"]["published"] == 1 and data["counts"]["queued"] == 1
    assert data["last_run"]["kind"] == "publish"
    history = json.loads(cli("history", "due", "--json", cwd=root).out)
    assert history["publications"][0]["state"] == "published"
    assert [a["outcome"] for a in history["attempts"]] == ["published"]


def test_publish_usage_errors_exit_2(cli: Any, workspace: Any, at: Any) -> None:
    root = workspace(CONFIG, {"due.toml": APPROVED})
    assert cli("publish", cwd=root).code == 2
    assert cli("publish", "due", cwd=root).code == 2  # needs --now
    missing = cli("publish", "nope", "--now", cwd=root)
    assert missing.code == 2 and "no post with id nope" in missing.err
    at("yesterday")
    bad = cli("publish", "--due", cwd=root)
    assert bad.code == 2 and "SOULPOST_NOW" in bad.err
    (root / "config.toml").write_text(CONFIG + "bogus = 1\n")
    assert cli("publish", "--due", cwd=root).code == 2


def test_dry_run_writes_nothing(cli: Any, workspace: Any, at: Any) -> None:
    root = workspace(CONFIG, {"due.toml": APPROVED})
    at("2026-12-01T09:31:00Z")
    result = cli("publish", "--due", "--dry-run", cwd=root)
    assert result.code == 0
    assert "rendered   due on mastodon" in result.out and "Due now" in result.out
    now = cli("publish", "due", "--now", "--dry-run", cwd=root)
    assert now.code == 0 and "rendered" in now.out
    assert not (root / ".soulpost").exists()


def test_publish_now_sends_a_future_post(cli: Any, workspace: Any, at: Any) -> None:
    root = workspace(CONFIG, {"due.toml": APPROVED})
    at("2026-11-20T08:00:00Z")
    result = cli("publish", "due", "--now", cwd=root)
    assert result.code == 0, result.out
    assert len(outbox(root)) == 1
    assert "already published" in cli("publish", "due", "--now", cwd=root).out


APPROVE_ME = """\
# A comment that must survive.
text = '''
Hello, what do you think?
'''   # trailing comment
platforms = [ "mastodon",   "linkedin" ]
at = 2026-12-01T09:30:00
status = 'draft'  # was a draft

[lint]
ignore = ["no-question"]
"""


def test_approve_changes_only_status(cli: Any, workspace: Any) -> None:
    root = workspace(
        CONFIG,
        {
            "a.toml": APPROVE_ME,
            "b.toml": 'text = "No status yet?"\nplatforms = ["mastodon"]\n\n[lint]\nignore = []\n',
        },
    )
    result = cli("approve", "a", "b", cwd=root)
    assert result.code == 0, result.err
    a = (root / "queue" / "a.toml").read_text()
    assert a == APPROVE_ME.replace("status = 'draft'", 'status = "approved"')
    b = tomllib.loads((root / "queue" / "b.toml").read_text())
    assert b["status"] == "approved" and b["lint"] == {"ignore": []}
    assert "already approved" in cli("approve", "a", cwd=root).out
    assert cli("approve", "missing", cwd=root).code == 2
    assert cli("approve", "a", "--draft", cwd=root).code == 0
    assert tomllib.loads((root / "queue" / "a.toml").read_text())["status"] == "draft"


def test_add_next_slot_and_queue_sources(cli: Any, workspace: Any, at: Any) -> None:
    root = workspace(
        CONFIG,
        {
            "taken.toml": 'text = "Taken: ok?"\nat = 2026-12-01T09:30:00\nstatus = "approved"\n',
            "floating.toml": 'text = "Any slot: ok?"\nstatus = "approved"\n',
        },
    )
    at("2026-12-01T08:00:00Z")
    added = cli("add", "--next-slot", "--id", "new", "New post, what do you think?", cwd=root)
    assert added.code == 0, added.err
    data = tomllib.loads((root / "queue" / "new.toml").read_text())
    assert data["at"].isoformat() == "2026-12-02T09:30:00"  # 09:30 taken, 13:00 floating's
    rows = {r["id"]: r for r in json.loads(cli("queue", "--json", cwd=root).out)["posts"]}
    assert rows["taken"]["time_source"] == "explicit"
    assert rows["floating"]["time_source"] == "next slot"
    assert rows["floating"]["local"] == "2026-12-01T13:00:00+00:00"
    # A pass reserves the slot; from then on it is shown as a slot and does not move.
    assert cli("publish", "--due", cwd=root).code == 0
    at("2026-12-01T12:00:00Z")
    rows = {r["id"]: r for r in json.loads(cli("queue", "--json", cwd=root).out)["posts"]}
    assert rows["floating"]["time_source"] == "slot"
    assert rows["taken"]["publications"] == {"mastodon": "queued"}
    table = cli("queue", cwd=root).out
    assert "FROM" in table and "slot" in table
    both = cli("add", "--next-slot", "--at", "tomorrow", "x", cwd=root)
    assert both.code == 2


def test_queue_and_status_of_the_example_workspace(cli: Any, at: Any, tmp_path: Path) -> None:
    import shutil

    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    shutil.copytree(REPO / "queue", tmp_path / "queue")
    at("2026-12-01T09:31:00Z")
    result = cli("-C", tmp_path, "publish", "--due", "--dry-run")
    assert result.code in (0, 1), result.err
    assert "2026-12-01-onboarding-lessons on mastodon" in result.out
    status = cli("-C", tmp_path, "status")
    assert "last run: never" in status.out


def _fake_engine(monkeypatch: pytest.MonkeyPatch, findings: list[Any] | Exception) -> list[Any]:
    """Stand in for soulpost.lint.engine (being written concurrently) by its contract."""
    from soulpost.lint.model import Report

    calls: list[Any] = []

    def lint_workspace(ws: Any, *, now: Any, times: Any = None, paths: Any = None) -> Report:
        calls.append({"now": now, "times": times, "paths": paths})
        if isinstance(findings, Exception):
            raise findings
        return Report(findings=list(findings), rules={})

    def lint_posts(
        posts: Any, settings: Any, *, now: Any, times: Any = None, paths: Any = None, **_: Any
    ) -> Report:
        return lint_workspace(None, now=now, times=times, paths=paths)

    module = types.ModuleType("soulpost.lint.engine")
    module.lint_workspace = lint_workspace  # type: ignore[attr-defined]
    module.lint_posts = lint_posts  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "soulpost.lint.engine", module)
    return calls


def _finding(post_id: str, severity: str, platform: str | None = None) -> Any:
    from soulpost.lint.model import Finding

    return Finding(
        code="S001",
        name="shouting",
        lesson="listen",
        severity=severity,  # type: ignore[arg-type]
        message="ALL CAPS",
        path=None,
        post_id=post_id,
        platform=platform,
    )


def test_lint_gate_blocks_error_findings_per_platform(
    cli: Any, workspace: Any, at: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = CONFIG.replace("lint_gate = false", "lint_gate = true")
    two = 'text = "Two: ok?"\nplatforms = ["mastodon", "linkedin"]\nat = 2026-12-01T09:30:00\nstatus = "approved"\n'
    root = workspace(
        config,
        {
            "loud.toml": APPROVED,
            "two.toml": two,
            "warned.toml": APPROVED.replace("Due now", "Warned"),
        },
    )
    calls = _fake_engine(
        monkeypatch,
        [
            _finding("loud", "error"),
            _finding("two", "error", "linkedin"),
            _finding("warned", "warning"),
        ],
    )
    at("2026-12-01T09:30:10Z")
    result = cli("publish", "--due", cwd=root)
    assert result.code == 1
    assert "blocked    loud on mastodon: lint S001 shouting: ALL CAPS" in result.out
    assert "blocked    two on linkedin" in result.out
    assert "published  two on mastodon" in result.out
    assert "published  warned on mastodon" in result.out
    assert len(calls) == 1 and len(calls[0]["paths"]) == 3
    assert calls[0]["times"]["loud"].isoformat() == "2026-12-01T09:30:00+00:00"


def test_lint_gate_fails_closed_and_is_skipped_when_nothing_is_due(
    cli: Any, workspace: Any, at: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = CONFIG.replace("lint_gate = false", "lint_gate = true")
    root = workspace(config, {"due.toml": APPROVED})
    calls = _fake_engine(monkeypatch, RuntimeError("rule crashed"))
    at("2026-12-01T09:00:00Z")
    assert cli("publish", "--due", cwd=root).code == 0 and calls == []
    at("2026-12-01T09:30:10Z")
    result = cli("publish", "--due", cwd=root)
    assert result.code == 1
    assert "the linter failed (RuntimeError: rule crashed); not publishing unchecked" in result.out
    assert outbox(root) == []


def test_real_lint_gate_blocks_an_over_long_post_on_its_platform(
    cli: Any, workspace: Any, at: Any
) -> None:
    config = CONFIG.replace("lint_gate = false", "lint_gate = true").replace(
        '[platforms.linkedin]\nadapter = "outbox"',
        '[platforms.linkedin]\nadapter = "outbox"\n[platforms.bluesky]\nadapter = "outbox"',
    )
    long_text = "We wrote up what we learned this month. " * 10 + "What would you add?"
    body = (
        f'text = "{long_text}"\nplatforms = ["mastodon", "bluesky"]\n'
        'at = 2026-12-01T09:30:00\nstatus = "approved"\n'
    )
    root = workspace(config, {"long.toml": body})
    lint = cli("lint", cwd=root)
    assert "bluesky" in lint.out and lint.code == 1, lint.out
    at("2026-12-01T09:30:10Z")
    result = cli("publish", "--due", cwd=root)
    assert result.code == 1
    assert "blocked    long on bluesky: lint " in result.out
    assert "published  long on mastodon" in result.out
    assert [r["platform"] for r in outbox(root)] == ["mastodon"]
