"""A pass does work in proportion to what changed and what is due (issue 13): the lint gate
lints only the due posts unless a queue rule can block, the queue index re-parses only
changed files, and an idle pass plans nothing when nothing changed."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
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
    real, real_posts = engine.lint_workspace, engine.lint_posts

    def counting(ws: Any, **kwargs: Any) -> Any:
        seen.append(len(ws.posts))
        return real(ws, **kwargs)

    def counting_posts(posts: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("ruleset") is not None:  # the gate's own call (lint_workspace's: not)
            seen.append(len(posts))  # the due posts, a chunk at a time as they are sent
        return real_posts(posts, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_workspace", counting)
    monkeypatch.setattr(engine, "lint_posts", counting_posts)
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


# -- the cron pass from the index -------------------------------------------------------


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every draft file the loader reads and parses, in order."""
    from soulpost import workspace

    reads: list[str] = []
    real = workspace.read_post_file

    def counting(path: Path) -> Any:
        if Path(path).parent.name == "queue":
            reads.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(workspace, "read_post_file", counting)
    return reads


def test_a_pass_parses_only_changed_files_and_loads_only_due_posts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soulpost.clock import ManualClock
    from tests.hostile import ledger_helpers as helpers
    from tests.localserver import LocalServer

    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    later = {f"p{n:02d}": helpers.post(f"2026-12-0{2 + n % 5}T10:{n:02d}:00Z") for n in range(20)}
    with LocalServer() as server:
        root = helpers.make_ws(tmp_path, server.url, later)
        reads = _counting_reads(monkeypatch)
        clock = ManualClock(t0)
        assert helpers.run(root, clock).results == []
        assert len(reads) == 20  # the first pass builds the index
        reads.clear()
        idle = helpers.run(root, clock)
        assert reads == [] and idle.plan is None  # nothing changed: nothing read or planned
        # One edit: one file parsed, still nothing due.
        (root / "queue" / "p03.toml").write_text(helpers.post("2026-12-09T10:00:00Z"))
        assert helpers.run(root, clock).results == [] and reads == ["p03.toml"]
        reads.clear()
        # A new due post: parsed for the index, then loaded in full for the pass, alone.
        (root / "queue" / "now.toml").write_text(helpers.post("2026-12-01T09:00:00Z"))
        report = helpers.run(root, clock)
        assert [(r.post_id, r.state) for r in report.results] == [("now", "published")]
        assert reads == ["now.toml", "now.toml"]
        assert report.next_wake == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
        assert server.count() == 1


def test_an_idle_pass_notices_a_person_settling_the_ledger(tmp_path: Path) -> None:
    from soulpost.clock import ManualClock
    from soulpost.ledger import open_ledger
    from tests.hostile import ledger_helpers as helpers
    from tests.localserver import LocalServer, Reply

    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with LocalServer() as server:
        root = helpers.make_ws(tmp_path, server.url, {"a": helpers.post("2026-12-01T09:00:00Z")})
        day_before = (t0 - timedelta(days=1)).timestamp()  # file times on the test's clock
        os.utime(root / "queue" / "a.toml", (day_before, day_before))
        server.push(Reply(400, body="bad request"))
        clock = ManualClock(t0)
        assert [r.state for r in helpers.run(root, clock).results] == ["failed"]
        idle = helpers.run(root, clock)
        assert idle.results == [] and idle.exit_code == 1 and idle.attention
        # A person asks for a retry at the same instant: the next pass must see it.
        ledger = open_ledger(root / ".soulpost")
        try:
            ledger.retry("a", "hook", clock.now())
        finally:
            ledger.close()
        again = helpers.run(root, clock)
        assert [(r.post_id, r.state) for r in again.results] == [("a", "published")]
        assert server.count() == 2


# -- the daemon's wake-up -----------------------------------------------------------------


def test_a_large_queue_daemon_polls_folders_and_catches_in_place_edits_at_the_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soulpost import queueindex
    from soulpost.clock import ManualClock
    from soulpost.daemon import Daemon
    from tests.hostile import ledger_helpers as helpers
    from tests.localserver import LocalServer

    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    posts = {f"p{n:02d}": helpers.post(f"2026-12-0{2 + n % 5}T10:{n:02d}:00Z") for n in range(30)}
    with LocalServer() as server:
        root = helpers.make_ws(tmp_path, server.url, posts)
        (root / "queue" / "sub").mkdir()
        scans: list[int] = []
        real_scan = queueindex.scan_stamps

        def counting(queue: Path, folders: list[str] | None = None) -> Any:
            found = real_scan(queue, folders)
            scans.append(len(found))
            return found

        monkeypatch.setattr(queueindex, "scan_stamps", counting)
        lines: list[str] = []
        daemon = Daemon(root, ManualClock(t0), log=lines.append)
        daemon.full_scan_limit = 10  # behave as with a large queue
        assert daemon.lock.acquire()
        try:
            daemon.tick("start")
            assert scans == [30] and daemon.last_report is not None
            for _ in range(5):
                daemon.poll()  # nothing changed: the folders' times say so, no file is stat'ed
            assert scans == [30]
            # A draft added in an empty sub-folder: the sub-folder's time changes.
            (root / "queue" / "sub" / "now.toml").write_text(helpers.post("2026-12-01T09:00:00Z"))
            daemon.poll()
            assert scans == [30, 31] and server.count() == 1
            assert any("queue changed: 1 added" in line for line in lines)
            # An edit in place leaves the folder's time alone: the poll cannot see it,
            # the heartbeat's full scan does.
            folder = root / "queue"
            before = folder.stat()
            (folder / "p01.toml").write_text(helpers.post("2026-12-01T09:00:00Z", text="Moved"))
            os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))
            daemon.poll()
            assert scans == [30, 31] and server.count() == 1
            daemon.tick("heartbeat")
            assert scans == [30, 31, 31] and server.count() == 2
        finally:
            daemon.lock.release()
