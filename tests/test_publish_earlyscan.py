"""``publish --due`` takes the pass lock and forks the queue's scan before its own start-up
(soulpost/run/scanahead.py ``start_early``, issue 13: a cron pass's time before its first
request at 100,000 drafts), and reads the 100,000 stamps from the child only when the pass
looks at them. What it sends must be what a scan at that moment shows, in every layout."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.localserver import LocalServer
from tests.scanpass import draft as _draft
from tests.scanpass import posted_texts as _texts
from tests.scanpass import publish_due as _publish
from tests.scanpass import write_config

T0 = "2026-12-01T09:00:00+00:00"  # a pass that builds the index: nothing due yet
DUE = "2026-12-01T10:00:00+00:00"  # the due post's time


def _workspace(root: Path, url: str, extra: str = "") -> Path:
    queue = write_config(root, url, extra)
    _draft(queue / "due.toml", "2026-12-01T10:00:00Z", "The due post")
    for n in range(5):
        _draft(queue / f"far{n}.toml", f"2026-12-{10 + n}T09:00:00Z", f"Far post number {n}")
    return root


def test_a_pass_from_a_subfolder_sees_drafts_added_and_edited_since_the_last_plan(
    tmp_path: Path,
) -> None:
    with LocalServer() as server:
        root = _workspace(tmp_path, server.url)
        assert _publish(root, T0).returncode == 0
        _draft(root / "queue" / "due.toml", "2026-12-01T09:59:00Z", "The due post, edited")
        _draft(root / "queue" / "new.toml", "2026-12-01T09:30:00Z", "A draft added since")
        done = _publish(root / "queue", DUE)  # -C a folder inside the workspace
        assert done.returncode == 0, done.stdout + done.stderr
        assert _texts(server) == [
            "A draft added since, what do you think?",
            "The due post, edited, what do you think?",
        ]
        assert _publish(root, DUE).returncode == 0  # again: nothing twice
        assert server.count() == 2


def test_a_new_draft_sharing_a_due_posts_id_is_seen_by_the_pass(tmp_path: Path) -> None:
    """The digest the early scan answers covers a draft added just before the pass: the
    pass loads the whole queue, names both files, and sends only the one it keeps (the
    first by name), never the due post as the last plan knew it."""
    with LocalServer() as server:
        root = _workspace(tmp_path, server.url)
        _draft(root / "queue" / "due.toml", "2026-12-01T10:00:00Z", "The due post", "twin")
        assert _publish(root, T0).returncode == 0
        _draft(root / "queue" / "copy.toml", "2026-12-01T10:00:00Z", "A copy", "twin")
        done = _publish(root, DUE)
        assert done.returncode == 1
        assert "duplicate post id 'twin'" in done.stderr and "copy.toml" in done.stderr
        assert _texts(server) == ["A copy, what do you think?"]


def test_a_state_folder_of_its_own_is_where_the_lock_and_the_index_go(tmp_path: Path) -> None:
    """A config naming ``state_dir`` is left to the pass (no early lock in .soulpost)."""
    with LocalServer() as server:
        root = _workspace(tmp_path, server.url, 'state_dir = "var/state"\n')
        assert _publish(root, T0).returncode == 0
        assert _publish(root, DUE).returncode == 0
        assert server.count() == 1
        assert (root / "var" / "state" / "pass.lock").is_file()
        assert not (root / ".soulpost").exists()


def test_a_pass_held_off_by_the_lock_sends_nothing_and_leaves_no_child(tmp_path: Path) -> None:
    with LocalServer() as server:
        root = _workspace(tmp_path, server.url)
        assert _publish(root, T0).returncode == 0
        code = textwrap.dedent(
            f"""\
            import subprocess, sys
            from pathlib import Path
            from soulpost.lock import PassLock
            lock = PassLock(Path({str(root / ".soulpost")!r}))
            assert lock.acquire()
            done = subprocess.run(
                [sys.executable, "-m", "soulpost", "-C", {str(root)!r}, "publish", "--due"],
                env={{**__import__("os").environ, "SOULPOST_NOW": {DUE!r}}},
                capture_output=True, text=True, timeout=120,
            )
            print(done.returncode, done.stderr.strip())
            """
        )
        held = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
        )
        assert held.returncode == 0, held.stderr
        assert held.stdout.startswith("0 soulpost: nothing done: another pass"), held.stdout
        assert server.count() == 0
        assert _publish(root, DUE).returncode == 0  # once the lock is free, it goes out
        assert server.count() == 1


def test_stamps_lost_with_the_queue_changed_since_the_digest_are_never_made_up(
    tmp_path: Path,
) -> None:
    """If the child dies before handing its stamps over, they are scanned here, and used
    only if they make the digest the pass went by; else ScanLost (the pass then loads the
    whole queue). Run in a fresh interpreter (pytest's may have threads: no fork)."""
    queue = tmp_path / "queue"
    queue.mkdir()
    for n in range(20):
        (queue / f"p{n}.toml").write_text(f'text = "post {n}"\n', encoding="utf-8")
    code = textwrap.dedent(
        f"""\
        from pathlib import Path
        from soulpost import queueindex
        from soulpost.run.scanahead import PendingStamps, ScanAhead, ScanLost
        queue = Path({str(queue)!r})
        same = ScanAhead.start(queue)
        head = same.head()
        same.close()  # the child is ended: its stamps never come
        stamps = PendingStamps(same, head.digest).resolve()
        assert stamps == queueindex.scan_stamps(queue)
        assert head.digest == queueindex.digest(stamps) and head.count == 20
        moved = ScanAhead.start(queue)
        head = moved.head()
        moved.close()
        (queue / "new.toml").write_text('text = "new"\\n', encoding="utf-8")
        try:
            PendingStamps(moved, head.digest).resolve()
        except ScanLost:
            print("lost")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "lost"


def test_due_drafts_preloaded_from_the_window_are_parsed_again_once_edited(
    tmp_path: Path,
) -> None:
    """While the child scans, the pass parses the drafts the last window says are due; the
    posts it then acts on come through that cache, which parses again any draft whose
    stamp moved since, so an edit in between is what goes out."""
    from datetime import datetime

    from soulpost import queueindex
    from soulpost.run import window
    from soulpost.workspace import load_posts, load_settings

    root = _workspace(tmp_path, "http://127.0.0.1:9/unused")
    assert _publish(root, T0).returncode == 0
    settings, config = load_settings(root)
    key = queueindex.config_key(config)
    assert key is not None
    cache = window.preload_due(root / ".soulpost", key, settings, datetime.fromisoformat(DUE))
    assert sorted(p.name for p in cache.entries) == ["due.toml"]  # not the far ones
    due = root / "queue" / "due.toml"
    _draft(due, "2026-12-01T10:00:00Z", "The due post, edited after it was preloaded")
    posts, errors = load_posts([due], settings, cache)
    assert not errors
    assert [p.text for p in posts] == [
        "The due post, edited after it was preloaded, what do you think?"
    ]
    assert cache.parsed == 1
