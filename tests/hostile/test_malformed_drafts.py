"""Issue 12, item 2: one malformed draft must never stop the other posts. Each input named
in the issue becomes a per-file error (file, key when there is one, what to do) while the
good post beside it still loads, lints and publishes, in every command and in the daemon."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.hostile._ws import (
    assert_clean,
    check_all_commands,
    make,
    published,
    soulpost,
)

GOOD_TEXT = 'text = "Broken neighbour: thoughts?"\nat = 2026-12-01T09:30:00\nstatus = "approved"\n'

LATENESS = {
    "list": "max_lateness = [1, 2]\n",
    "table": "max_lateness = { h = 2 }\n",
    "date": "max_lateness = 2026-12-01\n",
    "huge-int": f"max_lateness = {10**300}\n",
    "inf": "max_lateness = inf\n",
    "huge-weeks": 'max_lateness = "99999999999w"\n',
}


@pytest.mark.parametrize("name", sorted(LATENESS))
def test_max_lateness_values(tmp_path: Path, name: str) -> None:
    root = make(tmp_path)
    (root / "queue" / "bad.toml").write_text(GOOD_TEXT + LATENESS[name], encoding="utf-8")
    check_all_commands(root, "bad.toml", "max_lateness")


@pytest.mark.parametrize(
    "at", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"], ids=["max", "min"]
)
def test_at_that_overflows_in_utc(tmp_path: Path, at: str) -> None:
    root = make(tmp_path)
    body = f'text = "Overflow: thoughts?"\nat = {at}\nstatus = "approved"\n'
    (root / "queue" / "bad.toml").write_text(body, encoding="utf-8")
    check_all_commands(root, "bad.toml", "at")


NESTED = {
    "arrays-400": "tags = " + "[" * 400 + "]" * 400 + "\n",
    "arrays-1000": "tags = " + "[" * 1000 + "]" * 1000 + "\n",
    "tables-400": "lint = " + "{ a = " * 400 + "1" + " }" * 400 + "\n",
    "dotted-key": "lint." + ".".join(["a"] * 3000) + " = 1\n",
    "dotted-key-900": "variants." + ".".join(["a"] * 900) + " = 1\n",
    "dotted-header": "[lint." + ".".join(["a"] * 990) + "]\nx = 1\n",
}


@pytest.mark.parametrize("name", sorted(NESTED))
def test_deep_nesting(tmp_path: Path, name: str) -> None:
    root = make(tmp_path)
    body = 'text = "Deep: thoughts?"\nat = 2026-12-01T09:30:00\n' + NESTED[name]
    (root / "queue" / "bad.toml").write_text(body, encoding="utf-8")
    check_all_commands(root, "bad.toml")


def test_symlink_loop(tmp_path: Path) -> None:
    root = make(tmp_path)
    os.symlink("loop.toml", root / "queue" / "loop.toml")
    check_all_commands(root, "loop.toml")


def test_directory_loop(tmp_path: Path) -> None:
    root = make(tmp_path)
    sub = root / "queue" / "sub"
    sub.mkdir()
    os.symlink("..", sub / "back")  # back into the queue: 2**40 paths if followed blindly
    os.symlink(".", root / "queue" / "again")
    os.symlink("..", root / "queue" / "more")
    run = soulpost(root, "queue", "--json", timeout=30)
    assert_clean(run)
    assert [p["id"] for p in json.loads(run.out)["posts"]] == ["good"]
    # The link leading out of queue/ (to the workspace, config.toml and all) is not
    # followed, and said so; the links back into the queue are walked once.
    assert run.code == 2 and "queue/more" in run.err and "outside queue/" in run.err, run.err
    assert "config.toml" not in run.err and "duplicate" not in run.err, run.err
    lint = soulpost(root, "lint", "--format", "json", timeout=30)
    assert_clean(lint)
    assert json.loads(lint.out)["summary"]["posts"] == 1, lint.out
    publish = soulpost(root, "publish", "--due", timeout=30)
    assert_clean(publish)
    assert published(root) == ["good"]


def test_directory_loop_inside_the_queue_only(tmp_path: Path) -> None:
    root = make(tmp_path)
    sub = root / "queue" / "sub"
    sub.mkdir()
    (sub / "nested.toml").write_text(GOOD_TEXT, encoding="utf-8")
    os.symlink("..", sub / "back")
    os.symlink("sub", root / "queue" / "alias")  # the same folder twice: walked once
    run = soulpost(root, "queue", "--json", timeout=30)
    assert_clean(run)
    assert run.code == 0, run.text
    assert sorted(p["id"] for p in json.loads(run.out)["posts"]) == ["good", "nested"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_draft_and_folder(tmp_path: Path) -> None:
    root = make(tmp_path)
    secret = root / "queue" / "secret.toml"
    secret.write_text(GOOD_TEXT, encoding="utf-8")
    secret.chmod(0)
    folder = root / "queue" / "locked"
    folder.mkdir()
    (folder / "inside.toml").write_text(GOOD_TEXT, encoding="utf-8")
    folder.chmod(0)
    try:
        check_all_commands(root, "secret.toml")
        run = soulpost(root, "queue")
        assert "locked" in run.err, run.err
    finally:
        folder.chmod(0o755)
        secret.chmod(0o644)


def test_fifo_does_not_hang(tmp_path: Path) -> None:
    root = make(tmp_path)
    os.mkfifo(root / "queue" / "f.toml")
    check_all_commands(root, "f.toml")  # each command has a 60 s timeout


def test_dev_zero_is_refused_with_the_size_cap(tmp_path: Path) -> None:
    root = make(tmp_path)
    os.symlink("/dev/zero", root / "queue" / "z.toml")
    check_all_commands(root, "z.toml")


def test_oversized_regular_file_names_the_cap(tmp_path: Path) -> None:
    root = make(tmp_path)
    big = GOOD_TEXT + "# " + "x" * (2 << 20) + "\n"
    (root / "queue" / "big.toml").write_text(big, encoding="utf-8")
    run = soulpost(root, "queue")
    assert run.code == 2 and "big.toml" in run.err and "1 MiB" in run.err, run.text


def test_daemon_pass_publishes_beside_broken_drafts(tmp_path: Path) -> None:
    from datetime import datetime

    from soulpost.clock import ManualClock
    from soulpost.daemon import Daemon

    root = make(tmp_path)
    queue = root / "queue"
    (queue / "lateness.toml").write_text(GOOD_TEXT + "max_lateness = inf\n", encoding="utf-8")
    (queue / "deep.toml").write_text(
        'text = "x"\n' + "lint." + ".".join(["a"] * 3000) + " = 1\n", encoding="utf-8"
    )
    os.mkfifo(queue / "f.toml")
    os.symlink("/dev/zero", queue / "z.toml")
    os.symlink("loop.toml", queue / "loop.toml")
    os.symlink(".", queue / "again")
    os.symlink("..", queue / "out")
    lines: list[str] = []
    daemon = Daemon(
        root, ManualClock(datetime.fromisoformat("2026-12-01T09:31:00+00:00")), log=lines.append
    )
    daemon.tick("test")
    text = "\n".join(lines)
    assert "pass failed" not in text, text
    assert published(root) == ["good"], text
    # The next rescan sees the same broken files as unchanged: no pass every second.
    lines.clear()
    daemon.poll()
    assert not any("queue changed" in line for line in lines), lines


def test_forked_lint_gets_the_same_protections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large queue is read and linted in forked workers: they read files the same way."""
    from datetime import datetime

    from soulpost.lint import engine
    from soulpost.workspace import fork_workers, load_workspace, queue_files

    if not fork_workers(10, 1):
        pytest.skip("no forked workers here (one core, threads, or no fork)")
    root = make(tmp_path)
    queue = root / "queue"
    os.mkfifo(queue / "f.toml")
    os.symlink("/dev/zero", queue / "z.toml")
    os.symlink("loop.toml", queue / "loop.toml")
    (queue / "deep.toml").write_text('text = "x"\n' + NESTED["dotted-key"], encoding="utf-8")
    (queue / "late.toml").write_text(GOOD_TEXT + LATENESS["inf"], encoding="utf-8")
    (queue / "out.toml").write_text(GOOD_TEXT + "[[media]]\npath = '../x.png'\n", encoding="utf-8")
    ws = load_workspace(root=root)
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 1)
    from soulpost.lint import workers

    forked: list[object] = []
    real = workers.load_and_lint

    def spy(*args: object, **kwargs: object) -> object:
        forked.append(result := real(*args, **kwargs))  # type: ignore[arg-type]
        return result

    monkeypatch.setattr(workers, "load_and_lint", spy)
    report = engine.lint_files(
        queue_files(queue),
        ws.settings,
        now=datetime.fromisoformat("2026-12-01T09:31:00+00:00"),
        root=root,
        config_path=ws.config_path,
    )
    assert forked and forked[0] is not None, "the forked path did not run"
    named = sorted(e.path.name for e in report.errors if e.path is not None)
    assert named == ["deep.toml", "f.toml", "late.toml", "loop.toml", "out.toml", "z.toml"]
    assert report.posts == 1
    assert [e.key for e in report.errors if e.path and e.path.name == "out.toml"] == [
        "media[0].path"
    ]


def test_completion_of_post_ids_reads_no_fifo_or_device(tmp_path: Path) -> None:
    """Tab completion reads the queue too: a FIFO or /dev/zero must not hang it."""
    from soulpost.commands.completion import post_ids

    root = make(tmp_path)
    os.mkfifo(root / "queue" / "f.toml")
    os.symlink("/dev/zero", root / "queue" / "z.toml")
    os.symlink("loop.toml", root / "queue" / "loop.toml")
    (root / "queue" / "deep.toml").write_text(NESTED["arrays-1000"], encoding="utf-8")
    assert post_ids(root) == ["deep", "f", "good", "loop", "z"]
