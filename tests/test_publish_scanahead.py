"""A cron pass whose last plan's wake-up has come scans the queue in a forked child while it
imports what sending needs (soulpost/run/scanahead.py, issue 13: a pass's fixed cost at
100,000 drafts). It must still see every draft as it is when the pass scans: an edited
draft is sent as edited, a new due draft is found, nothing is sent twice."""

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

T0 = "2026-12-01T09:00:00+00:00"  # the pass that builds the index: nothing due yet
DUE = "2026-12-01T10:00:00+00:00"  # the last plan's wake-up: the pass that publishes


def _workspace(root: Path, url: str) -> Path:
    queue = write_config(root, url)
    _draft(queue / "due.toml", "2026-12-01T10:00:00Z", "The first text of the due post")
    _draft(queue / "soon.toml", "2026-12-01T12:00:00Z", "A post for later today")
    for n in range(5):
        _draft(queue / f"far{n}.toml", f"2026-12-{10 + n}T09:00:00Z", f"Far post number {n}")
    return root


def test_a_draft_edited_or_added_after_the_last_plan_is_seen_before_sending(
    tmp_path: Path,
) -> None:
    with LocalServer() as server:
        root = _workspace(tmp_path, server.url)
        first = _publish(root, T0)
        assert first.returncode == 0, first.stderr
        state = root / ".soulpost"
        assert (state / "index-head.json").is_file()  # its wake-up: the due post's time
        assert (state / "index-near.json").is_file()
        assert server.count() == 0

        # After the plan: the due post is edited (its time too) and a new due draft is added.
        _draft(root / "queue" / "due.toml", "2026-12-01T09:59:00Z", "An edited text, longer")
        _draft(root / "queue" / "new.toml", "2026-12-01T09:30:00Z", "A draft added since")

        second = _publish(root, DUE)
        assert second.returncode == 0, second.stderr
        assert _texts(server) == [
            "A draft added since, what do you think?",
            "An edited text, longer, what do you think?",
        ]
        third = _publish(root, DUE)  # the same instant again: nothing is sent twice
        assert third.returncode == 0, third.stderr
        assert server.count() == 2


def test_the_child_scan_answers_what_a_scan_here_would(tmp_path: Path) -> None:
    """In a fresh interpreter (pytest's own process may run threads, and then the pass
    scans in-process): the child forks, and its stamps and digest are this scan's."""
    queue = tmp_path / "queue"
    (queue / "sub").mkdir(parents=True)
    for n in range(50):
        (queue / f"p{n}.toml").write_text(f'text = "post {n}"\n', encoding="utf-8")
    (queue / "sub" / "deep.toml").write_text('text = "deep"\n', encoding="utf-8")
    (queue / ".hidden.toml").write_text('text = "hidden"\n', encoding="utf-8")
    code = textwrap.dedent(
        f"""\
        from pathlib import Path
        from soulpost import queueindex
        from soulpost.run.scanahead import ScanAhead
        queue = Path({str(queue)!r})
        ahead = ScanAhead.start(queue)
        assert ahead is not None, "no fork"
        got = ahead.result()
        stamps = queueindex.scan_stamps(queue)
        assert got == (stamps, queueindex.digest(stamps)), got
        assert len(stamps) == 51, sorted(stamps)
        print("same")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "same"


def test_a_child_that_fails_answers_nothing_and_the_pass_scans_itself(tmp_path: Path) -> None:
    """A child that dies (here: a queue it cannot even stat) answers None, never a partial
    or empty queue, so the pass scans for itself (the scan reports what went wrong)."""
    code = textwrap.dedent(
        """\
        from soulpost.run.scanahead import ScanAhead
        ahead = ScanAhead.start(object())  # no .stat(): scan_stamps raises in the child
        assert ahead is not None, "no fork"
        print(ahead.result())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None"
