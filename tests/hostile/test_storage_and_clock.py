"""Issue 12, item 12 (part) and item 14 (part): an unreadable ``queue/`` and a bad
``SOULPOST_NOW`` end in one clear line and exit 2, never a traceback; ``queue`` writes
nothing (so it works on a read-only ``.soulpost``); ``status`` counts broken drafts and
exits 1; ``lint`` judges times by ``SOULPOST_NOW`` as the docs say."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.hostile._ws import GOOD, NOW, assert_clean, make, soulpost

COMMANDS = [("queue",), ("lint",), ("publish", "--due"), ("status",)]


def _unreadable_queue(root: Path, how: str) -> None:
    queue = root / "queue"
    for item in queue.iterdir():
        item.unlink()
    queue.rmdir()
    if how == "file":
        queue.write_text("not a folder\n")
    elif how == "loop":
        queue.symlink_to("queue")
    else:
        queue.mkdir()
        queue.chmod(0)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(
    "how",
    [
        "file",
        "loop",
        pytest.param(
            "mode-000",
            marks=pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder"),
        ),
    ],
)
def test_unreadable_queue_is_one_line_and_exit_2(
    tmp_path: Path, command: tuple[str, ...], how: str
) -> None:
    root = make(tmp_path)
    _unreadable_queue(root, how)
    try:
        run = soulpost(root, *command)
    finally:
        if how == "mode-000":
            (root / "queue").chmod(0o755)
    assert_clean(run)
    assert run.code == 2, run.text
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and "queue" in lines[0] and "cannot read" in lines[0], run.err


BAD_NOW = [
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "2026-12-01T09:31:00",  # no offset
    "next tuesday",
    "2026-13-45T99:00:00Z",
]


@pytest.mark.parametrize("command", [*COMMANDS, ("daemon",)], ids=lambda c: c[0])
@pytest.mark.parametrize("value", BAD_NOW)
def test_bad_soulpost_now_is_one_line_naming_it(
    tmp_path: Path, command: tuple[str, ...], value: str
) -> None:
    root = make(tmp_path)
    run = soulpost(root, *command, now=value, timeout=30)
    assert_clean(run)
    assert run.code == 2, run.text
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and "SOULPOST_NOW" in lines[0], run.err


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(folder.rglob("*"))
    }


def test_queue_creates_no_state(tmp_path: Path) -> None:
    """What a read-only ``.soulpost`` needs of ``queue``: looking creates nothing."""
    root = make(tmp_path)
    run = soulpost(root, "queue")
    assert run.code == 0, run.text
    assert not (root / ".soulpost").exists()


def test_queue_changes_nothing_in_existing_state(tmp_path: Path) -> None:
    root = make(tmp_path)
    assert soulpost(root, "publish", "--due").code == 0
    (root / "queue" / "later.toml").write_text(GOOD.replace("09:30", "15:30"))
    before = _tree(root / ".soulpost")
    run = soulpost(root, "queue", "--json")
    assert run.code == 0, run.text
    assert len(json.loads(run.out)["posts"]) == 2
    # SQLite's -wal/-shm beside a WAL database appear for any reader; a read-only folder
    # is the ledger's to handle (it reads from a private copy). Everything else is as it was.
    after = {k: v for k, v in _tree(root / ".soulpost").items() if not k.endswith(("-wal", "-shm"))}
    assert after == {k: v for k, v in before.items() if not k.endswith(("-wal", "-shm"))}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_queue_on_a_read_only_state_folder(tmp_path: Path) -> None:
    root = make(tmp_path)
    assert soulpost(root, "publish", "--due").code == 0
    state = root / ".soulpost"
    state.chmod(0o555)
    try:
        run = soulpost(root, "queue")
    finally:
        state.chmod(0o755)
    assert_clean(run)
    assert run.code == 0, run.text


def test_status_counts_broken_drafts_and_exits_1(tmp_path: Path) -> None:
    root = make(tmp_path)
    (root / "queue" / "broken.toml").write_text('text = "x"\nat = "not a time"\n')
    (root / "queue" / "worse.toml").write_text("text = \n")
    run = soulpost(root, "status")
    assert_clean(run)
    assert run.code == 1, run.text
    assert "broken drafts: 2" in run.out, run.out
    assert "queue/broken.toml" in run.out and "queue/worse.toml" in run.out
    as_json = soulpost(root, "status", "--json")
    assert as_json.code == 1
    assert len(json.loads(as_json.out)["broken_drafts"]) == 2
    (root / "queue" / "broken.toml").unlink()
    (root / "queue" / "worse.toml").unlink()
    assert soulpost(root, "status").code == 0


def test_lint_honours_soulpost_now(tmp_path: Path) -> None:
    root = make(tmp_path)

    def past_time(now: str) -> bool:
        run = soulpost(root, "lint", "--format", "json", "--select", "past-time", now=now)
        assert run.code in (0, 1), run.text
        return any(f["name"] == "past-time" for f in json.loads(run.out)["findings"])

    assert not past_time("2026-12-01T08:00:00Z")  # before the post's 09:30
    assert past_time("2026-12-05T08:00:00Z")  # days after it
    assert NOW  # the suite's instant is the one the workspace is built around
