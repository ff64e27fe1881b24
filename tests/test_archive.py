"""``soulpost archive`` and ``[archive] after``: published posts leave queue/, their receipts
stay, and an archived post is never published again, even when moved back."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

CONFIG = """\
timezone = "UTC"
default_platforms = ["mastodon"]
[platforms.mastodon]
adapter = "outbox"
[platforms.linkedin]
adapter = "outbox"
[publish]
lint_gate = false
"""

POSTS = {
    "old.toml": 'text = "Old news: thoughts?"\nat = 2026-11-01T09:00:00\n',
    "sub/both.toml": (
        'text = "Both: thoughts?"\nplatforms = ["mastodon", "linkedin"]\nat = 2026-11-02T09:00:00\n'
    ),
    "later.toml": 'text = "Later: thoughts?"\nat = 2026-11-20T09:00:00\n',
    "future.toml": 'text = "Future: thoughts?"\nat = 2027-01-01T09:00:00\n',
}


def outbox(root: Path) -> list[dict[str, Any]]:
    path = root / ".soulpost" / "outbox.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def publish_at(cli: Any, root: Path, monkeypatch: pytest.MonkeyPatch, when: str) -> Any:
    monkeypatch.setenv("SOULPOST_NOW", when)
    return cli("-C", root, "publish", "--due")


@pytest.fixture
def published(cli: Any, workspace: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """old and both published on 1-2 November, later on 20 November; future not yet."""
    root: Path = workspace(CONFIG, POSTS)
    assert publish_at(cli, root, monkeypatch, "2026-11-01T09:01:00Z").code == 0
    assert publish_at(cli, root, monkeypatch, "2026-11-02T09:01:00Z").code == 0
    assert publish_at(cli, root, monkeypatch, "2026-11-20T09:01:00Z").code == 0
    assert len(outbox(root)) == 4
    return root


def test_archive_moves_fully_published_posts_and_keeps_receipts(
    cli: Any, published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = published
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T00:00:00Z")
    dry = cli("-C", root, "archive", "--published-before", "2026-11-10", "--dry-run")
    assert dry.code == 0, dry.err
    assert "would archive old: queue/old.toml -> archive/old.toml (moved)" in dry.out
    assert "would archive both: queue/sub/both.toml -> archive/sub/both.toml" in dry.out
    assert "later" not in dry.out and (root / "queue" / "old.toml").exists()

    done = cli("-C", root, "archive", "--published-before", "2026-11-10")
    assert done.code == 0, done.err
    assert not (root / "queue" / "old.toml").exists()
    assert (root / "archive" / "old.toml").exists()
    assert (root / "archive" / "sub" / "both.toml").exists()
    assert (root / "queue" / "later.toml").exists() and (root / "queue" / "future.toml").exists()

    history = cli("-C", root, "history", "old", "--json")
    states = [p["state"] for p in json.loads(history.out)["publications"]]
    assert states == ["published"]
    status = cli("-C", root, "status", "--json")
    assert status.code == 0, status.out

    # A duration counts back from now: 5 days before 1 December archives `later` too.
    again = cli("-C", root, "archive", "--published-before", "5d")
    assert "archived later" in again.out and "future" not in again.out


def test_an_archived_post_moved_back_is_never_published_again(
    cli: Any, published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = published
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T00:00:00Z")
    assert cli("-C", root, "archive").code == 0
    assert sorted(p.name for p in (root / "queue").rglob("*.toml")) == ["future.toml"]
    # Someone restores the files (a revert, a bad merge): their times are long past, so
    # a generous max_lateness would make them due if the ledger did not know them.
    for name in ("old.toml", "sub/both.toml"):
        (root / "queue" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / "archive" / name, root / "queue" / name)
    (root / "config.toml").write_text(CONFIG + 'max_lateness = "60d"\n')
    result = publish_at(cli, root, monkeypatch, "2026-12-01T00:00:00Z")
    assert result.code == 0, result.out + result.err
    assert len(outbox(root)) == 4  # nothing sent again


def test_automatic_archive_after_a_pass(
    cli: Any, workspace: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    root: Path = workspace(CONFIG + '[archive]\nafter = "7d"\n', POSTS)
    assert publish_at(cli, root, monkeypatch, "2026-11-01T09:01:00Z").code == 0
    assert publish_at(cli, root, monkeypatch, "2026-11-02T09:01:00Z").code == 0
    assert (root / "queue" / "old.toml").exists()  # published a day ago: stays
    result = publish_at(cli, root, monkeypatch, "2026-11-20T09:01:00Z")
    assert result.code == 0, result.out + result.err
    assert "archived 2 published post(s) to archive/" in result.out
    assert (root / "archive" / "old.toml").exists() and (root / "queue" / "later.toml").exists()


def test_archive_uses_git_mv_in_a_git_work_tree(
    cli: Any, published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = published
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
        ).stdout

    git("init", "-q")
    git("add", "queue", "config.toml")
    git("commit", "-q", "-m", "queue")
    (root / "queue" / "untracked.toml").write_text('text = "U: thoughts?"\n')
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T00:00:00Z")
    done = cli("-C", root, "archive", "--published-before", "2026-11-10")
    assert done.code == 0, done.err
    assert "queue/old.toml -> archive/old.toml (git mv)" in done.out
    staged = git("status", "--porcelain")
    assert "R  queue/old.toml -> archive/old.toml" in staged
    assert "R  queue/sub/both.toml -> archive/sub/both.toml" in staged


def test_archive_refuses_to_overwrite_and_rejects_bad_options(
    cli: Any, published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = published
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T00:00:00Z")
    (root / "archive").mkdir()
    (root / "archive" / "old.toml").write_text("kept\n")
    result = cli("-C", root, "archive", "--published-before", "2026-11-10")
    assert result.code == 1
    assert "archive/old.toml already exists; left in the queue" in result.out
    assert (root / "archive" / "old.toml").read_text() == "kept\n"
    assert (root / "queue" / "old.toml").exists()
    assert (root / "archive" / "sub" / "both.toml").exists()
    bad = cli("-C", root, "archive", "--published-before", "someday")
    assert bad.code == 2 and "--published-before 'someday'" in bad.err
    (root / "config.toml").write_text(CONFIG + '[archive]\ndir = "queue/old"\n')
    broken = cli("-C", root, "archive")
    assert broken.code == 2 and "outside queue/" in broken.err
