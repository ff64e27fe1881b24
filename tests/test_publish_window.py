"""A cron pass with something to do plans from the near window (``index-near.json``,
soulpost/run/window.py) instead of reading the whole queue index, and only while the
window decides what the whole index would (issue 13: a pass's fixed cost at 100,000
drafts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _far_and_due(server_url: str, root: Path) -> Path:
    from tests.hostile import ledger_helpers as helpers

    posts = {
        "due": helpers.post("2026-12-01T10:00:00Z"),
        "soon": helpers.post("2026-12-01T12:00:00Z"),
        **{f"far{n}": helpers.post(f"2026-12-{10 + n}T09:00:00Z") for n in range(5)},
    }
    return helpers.make_ws(root, server_url, posts)


def _index_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every read of the whole queue index (``QueueState.load``)."""
    from soulpost.queueindex import QueueState

    reads: list[str] = []
    real = QueueState.load.__func__  # type: ignore[attr-defined]

    def counting(cls: Any, state_dir: Path, config_path: Path) -> Any:
        reads.append(state_dir.name)
        return real(cls, state_dir, config_path)

    monkeypatch.setattr(QueueState, "load", classmethod(counting))
    return reads


def _summary(report: Any) -> tuple[Any, ...]:
    return (
        sorted((r.post_id, r.platform, r.state) for r in report.results),
        report.next_wake,
        report.load_errors,
        report.exit_code,
    )


def test_a_publishing_pass_plans_from_the_window_and_decides_as_the_whole_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soulpost.clock import ManualClock
    from tests.hostile import ledger_helpers as helpers
    from tests.localserver import LocalServer

    with LocalServer() as server:
        (tmp_path / "a").mkdir()
        root = _far_and_due(server.url, tmp_path / "a")
        assert helpers.run(root, ManualClock(T0)).results == []  # builds index and window
        assert (root / ".soulpost" / "index-near.json").is_file()
        (tmp_path / "b").mkdir()
        twin = _far_and_due(server.url, tmp_path / "b")  # the same queue, planned the old way
        assert helpers.run(twin, ManualClock(T0)).results == []
        (twin / ".soulpost" / "index-near.json").unlink()

        reads = _index_reads(monkeypatch)
        due = T0 + timedelta(hours=1)
        with_window = helpers.run(root, ManualClock(due))
        assert reads == []  # planned from the window alone
        without = helpers.run(twin, ManualClock(due))
        assert reads == [".soulpost"]  # the twin had to read the whole index
        assert _summary(with_window) == _summary(without)
        assert [(r.post_id, r.state) for r in with_window.results] == [("due", "published")]
        assert with_window.next_wake == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
        # The next wake-up, again from the window: the post two hours later.
        later = helpers.run(root, ManualClock(T0 + timedelta(hours=3)))
        assert [(r.post_id, r.state) for r in later.results] == [("soon", "published")]
        assert later.next_wake == datetime(2026, 12, 10, 9, 0, tzinfo=UTC)  # far0, from the window
        assert reads == [".soulpost"]
        assert server.count() == 3  # due (and the twin's), then soon


def test_a_far_post_in_the_ledger_or_a_window_run_out_sends_the_pass_to_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soulpost.clock import ManualClock
    from tests.hostile import ledger_helpers as helpers
    from tests.localserver import LocalServer

    with LocalServer() as server:
        root = _far_and_due(server.url, tmp_path)
        assert helpers.run(root, ManualClock(T0)).results == []
        # ``publish far3 --now``: a post the window left out gets a ledger row.
        now = helpers.run(root, ManualClock(T0 + timedelta(minutes=1)), only={"far3"})
        assert [(r.post_id, r.state) for r in now.results] == [("far3", "published")]
        reads = _index_reads(monkeypatch)
        due = helpers.run(root, ManualClock(T0 + timedelta(hours=1)))
        assert [(r.post_id, r.state) for r in due.results] == [("due", "published")]
        assert reads == [".soulpost"]  # the window did not cover far3's row
        # That pass wrote a window knowing far3: the next one plans from it.
        soon = helpers.run(root, ManualClock(T0 + timedelta(hours=3)))
        assert [(r.post_id, r.state) for r in soon.results] == [("soon", "published")]
        assert reads == [".soulpost"]
        # Two days on, the window no longer reaches the plan's horizon: the index again.
        far0 = helpers.run(root, ManualClock(datetime(2026, 12, 10, 9, 0, tzinfo=UTC)))
        assert [(r.post_id, r.state) for r in far0.results] == [("far0", "published")]
        assert reads == [".soulpost", ".soulpost"]
        assert server.count() == 4


def test_a_post_in_a_slot_is_published_at_its_slot_with_the_window(tmp_path: Path) -> None:
    """Choosing a slot needs every post's time; the window holds only the near ones."""
    from soulpost.clock import ManualClock
    from tests.hostile import ledger_helpers as helpers
    from tests.localserver import LocalServer

    with LocalServer() as server:
        root = _far_and_due(server.url, tmp_path)
        config = root / "config.toml"
        config.write_text(config.read_text() + '\n[[slots]]\ndays = "mon-sun"\ntimes = ["11:00"]\n')
        (root / "queue" / "slotted.toml").write_text(
            'text = "No time of its own, what do you think?"\nplatforms = ["hook"]\n'
        )
        first = helpers.run(root, ManualClock(T0))
        assert first.results == []
        due = helpers.run(root, ManualClock(T0 + timedelta(hours=1)))
        assert [(r.post_id, r.state) for r in due.results] == [("due", "published")]
        slot = helpers.run(root, ManualClock(T0 + timedelta(hours=2)))
        assert [(r.post_id, r.state) for r in slot.results] == [("slotted", "published")]
        assert server.count() == 2


def test_a_ledger_row_of_a_deleted_draft_leaves_the_window_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Published posts archived or deleted keep their rows: the window knows them as in
    no draft, so a queue whose history left it still plans from the window."""
    from soulpost.clock import ManualClock
    from tests.hostile import ledger_helpers as helpers
    from tests.localserver import LocalServer

    with LocalServer() as server:
        root = _far_and_due(server.url, tmp_path)
        due = helpers.run(root, ManualClock(T0 + timedelta(hours=1)))
        assert [(r.post_id, r.state) for r in due.results] == [("due", "published")]
        (root / "queue" / "due.toml").unlink()
        reads = _index_reads(monkeypatch)
        assert helpers.run(root, ManualClock(T0 + timedelta(hours=1, minutes=1))).results == []
        assert reads == [".soulpost"]  # a file went: the index, and a window knowing "due"
        soon = helpers.run(root, ManualClock(T0 + timedelta(hours=3)))
        assert [(r.post_id, r.state) for r in soon.results] == [("soon", "published")]
        assert reads == [".soulpost"]
        assert server.count() == 2


def test_the_automatic_archive_works_from_the_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``[archive] after`` moves only posts with published rows: all in the window."""
    from soulpost.clock import ManualClock
    from tests.hostile import ledger_helpers as helpers
    from tests.localserver import LocalServer

    with LocalServer() as server:
        root = _far_and_due(server.url, tmp_path)
        config = root / "config.toml"
        config.write_text(config.read_text() + '\n[archive]\nafter = "1h"\n')
        assert helpers.run(root, ManualClock(T0)).results == []
        reads = _index_reads(monkeypatch)
        due = helpers.run(root, ManualClock(T0 + timedelta(hours=1)))
        assert [(r.post_id, r.state) for r in due.results] == [("due", "published")]
        assert due.next_wake == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
        soon = helpers.run(root, ManualClock(T0 + timedelta(hours=3)))
        assert [(r.post_id, r.state) for r in soon.results] == [("soon", "published")]
        assert reads == []  # both planned from the window, the archive's wake-up included
        assert not (root / "queue" / "due.toml").exists()  # published 2 h before: archived
        assert (root / "archive" / "due.toml").is_file()
        assert (root / "queue" / "soon.toml").is_file()
        assert server.count() == 2
