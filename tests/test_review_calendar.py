"""``soulpost calendar``: the week and month grids, states, free slots, gaps, wide text."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from soulpost.review.cells import width
from tests.conftest import REPO, Result
from tests.test_review_site_browser import example_copy

CLI = Callable[..., Result]
NOW = "2026-12-01T09:31:00Z"

CONFIG = """\
timezone = "Europe/Berlin"

[platforms.mastodon]
adapter = "outbox"

[platforms.x]
adapter = "outbox"

[[slots]]
days = "mon-fri"
times = ["09:00", "15:00"]

[publish]
require_approval = true
"""


def grid_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "│" in line or "┼" in line]


def test_week_grid_shows_states_slots_and_gaps(cli: CLI, workspace: Callable[..., Path]) -> None:
    root = workspace(
        CONFIG,
        {
            "a-published.toml": 'text = "A calm first post, with a question?"\n'
            'platforms = ["mastodon"]\nat = 2026-12-01T09:00:00\nstatus = "approved"\n',
            "b-draft.toml": 'text = "A draft for later in the week, still being written."\n'
            'platforms = ["mastodon", "x"]\nat = 2026-12-03T15:00:00\n',
            "c-blocked.toml": f'text = "{"Far too long for X, " * 20}"\nplatforms = ["x"]\n'
            'at = 2026-12-02T09:00:00\nstatus = "approved"\n',
            "d-missed.toml": 'text = "This one waited too long to go out at all."\n'
            'platforms = ["mastodon"]\nat = 2026-11-30T15:00:00\nstatus = "approved"\n',
            "日本語-wide.toml": 'id = "wide"\ntext = "日本語のテキスト 🧵 and more words"\n'
            'platforms = ["mastodon"]\nat = 2026-12-02T15:00:00\nstatus = "approved"\n',
        },
    )
    env = {"SOULPOST_NOW": "2026-12-01T08:10:00Z"}  # 09:10 in Berlin
    os.environ.update(env)
    try:
        # publishes a-published; d-missed is too late (exit 1: a person should look)
        assert cli("-C", root, "publish", "--due").code == 1
    finally:
        os.environ.pop("SOULPOST_NOW")
    result = cli(
        "-C", root, "calendar", "--week", "--now", "2026-12-01T08:10:00Z", "--width", "150"
    )
    assert result.code == 0, result.err
    out = result.out
    assert "week of Mon 30 Nov 2026, times in Europe/Berlin" in out
    assert "09:00✓a-published" in out
    assert "15:00○b-draft" in out
    assert "09:00✗c-blocked" in out  # an error-level finding (too long for X) blocks it
    assert "15:00⌀d-missed" in out
    assert "15:00●wide" in out
    assert "15:00·free" in out  # Tuesday afternoon has no post on either platform
    lines = grid_lines(out)
    assert len({width(line) for line in lines}) == 1, "every grid row is as wide as the others"
    assert "gaps over 48h" in out  # x has nothing from Thursday to the end of the week
    assert "nothing and no free slot: Sat 05, Sun 06" in out


def test_month_and_from(cli: CLI, tmp_path: Path) -> None:
    root = example_copy(tmp_path)
    result = cli(
        "-C", root, "calendar", "--month", "--from", "2026-12-20", "--now", NOW, "--width", "150"
    )
    assert result.code == 0, result.err
    assert result.out.startswith("December 2026, times in Europe/London")
    assert result.out.count("09:30●onboarding-le") == 1  # once, for its three platforms
    week = cli("-C", root, "calendar", "--from", "2026-12-07", "--now", NOW, "-p", "linkedin")
    assert "week of Mon 07 Dec 2026" in week.out
    assert "mastodon" not in week.out.split("\n", 3)[2]  # only the linkedin row
    bad = cli("-C", root, "calendar", "--from", "next tuesday")
    assert bad.code == 2 and "--from" in bad.err


def test_review_commands_never_write_the_workspace(tmp_path: Path) -> None:
    """No .soulpost/ appears, and a read-only one (another user's) is read, not written."""
    root = example_copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOULPOST_")}
    env.update(SOULPOST_NOW=NOW, PYTHONPATH=str(REPO))

    def soulpost(*args: str, user: str | None = None) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", user, "--"] if user else []
        return subprocess.run(
            [*prefix, sys.executable, "-m", "soulpost", *args],
            cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    for args in (("calendar",), ("preview",), ("site", str(tmp_path / "site"))):
        assert soulpost(*args).returncode == 0
    assert not (root / ".soulpost").exists()
    assert soulpost("publish", "--due").returncode == 0
    state = root / ".soulpost"

    def snapshot() -> list[tuple[str, int, int]]:
        """Every file of .soulpost/ but SQLite's own -shm/-wal companions (SQLite may leave
        them beside a WAL database that was only read)."""
        return sorted(
            (p.name, p.stat().st_size, p.stat().st_mtime_ns)
            for p in state.iterdir()
            if not p.name.endswith(("-shm", "-wal"))
        )

    before = snapshot()
    for args in (("calendar",), ("preview",), ("site", str(tmp_path / "site2"))):
        assert soulpost(*args).returncode == 0
    assert snapshot() == before  # read, never written: no index, no lock, no ledger change
    probe = subprocess.run(
        ["runuser", "-u", "nobody", "--", sys.executable, "-c", "pass"],
        capture_output=True, check=False,
    ) if shutil.which("runuser") and os.geteuid() == 0 else None  # fmt: skip
    if probe is None or probe.returncode != 0:
        pytest.skip(
            "a read-only .soulpost/ needs another user who can run this Python "
            "(root ignores file modes)"
        )
    for path in [tmp_path, *tmp_path.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    state.chmod(0o555)
    calendar = soulpost("calendar", user="nobody")
    assert calendar.returncode == 0, calendar.stderr
    assert "09:30✓onboarding" in calendar.stdout  # the ledger was read
    preview = soulpost("preview", "--format", "json", user="nobody")
    assert preview.returncode == 0, preview.stderr
    assert '"state": "published"' in preview.stdout
    assert snapshot() == before


def test_failed_and_in_doubt_come_from_the_ledger(cli: CLI, workspace: Callable[..., Path]) -> None:
    from datetime import UTC, datetime

    from soulpost.ledger import PubKey, open_ledger

    posts = {
        f"{name}.toml": f'text = "A calm post called {name}, with a question?"\n'
        f'platforms = ["mastodon"]\nat = 2026-12-01T0{hour}:00:00Z\nstatus = "approved"\n'
        for name, hour in (("f-failed", 6), ("g-doubt", 7))
    }
    root = workspace(CONFIG, posts)
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    ledger = open_ledger(root / ".soulpost")
    try:
        for name, hour, state, reason in (
            ("f-failed", 6, "failed", "HTTP 500 three times"),
            ("g-doubt", 7, "in_doubt", "the connection dropped after sending"),
        ):
            key = PubKey(name, "mastodon", "0" * 64)
            at = datetime(2026, 12, 1, hour, 0, tzinfo=UTC)  # the time it was planned for
            ledger.claim(key, scheduled_at=at, now=now)
            ledger.finish(key, state, now, reason=reason)  # type: ignore[arg-type]
    finally:
        ledger.close()
    result = cli("-C", root, "calendar", "--now", "2026-12-01T08:10:00Z", "--width", "150")
    assert "07:00!f-failed" in result.out and "08:00?g-doubt" in result.out
    preview = cli("-C", root, "preview", "--format", "json", "--now", "2026-12-01T08:10:00Z")
    states = {
        p["id"]: (p["cards"][0]["state"], p["cards"][0]["reason"])
        for p in json.loads(preview.out)["posts"]
    }
    assert states == {
        "f-failed": ("failed", "HTTP 500 three times"),
        "g-doubt": ("in doubt", "the connection dropped after sending"),
    }


def test_calendar_from_the_index_matches_a_full_load(
    cli: CLI, workspace: Callable[..., Path]
) -> None:
    """Times from a fresh queue index give the grid a full load gives; an edited draft
    makes the index stale, and the edit shows at once."""
    drafts = {
        f"p{k}.toml": f'text = "Post number {k}, calm and short."\nplatforms = ["mastodon"]\n'
        f'at = 2026-12-0{1 + k % 4}T09:00:00\nstatus = "approved"\n'
        for k in range(6)
    }
    drafts["slotted.toml"] = (
        'text = "No time of its own: it takes a slot."\nplatforms = ["mastodon"]\n'
        'status = "approved"\n'
    )
    root = workspace(CONFIG, drafts)
    args = ("-C", root, "calendar", "--now", "2026-11-30T06:00:00Z", "--width", "150")
    os.environ["SOULPOST_NOW"] = "2026-11-30T06:00:00Z"
    try:
        assert cli("-C", root, "publish", "--due").code == 0
    finally:
        os.environ.pop("SOULPOST_NOW")
    index = root / ".soulpost" / "index.json"
    assert index.is_file()
    from_index = cli(*args)
    saved = index.read_bytes()
    index.unlink()
    full = cli(*args)
    assert from_index.code == full.code == 0
    assert from_index.out == full.out
    assert "09:00●p1" in full.out and "slotted" in full.out
    index.write_bytes(saved)
    (root / "queue" / "p1.toml").write_text(
        'text = "Moved to the afternoon."\nplatforms = ["mastodon"]\n'
        'at = 2026-12-02T15:00:00\nstatus = "approved"\n',
        encoding="utf-8",
    )
    moved = cli(*args)
    assert "15:00●p1" in moved.out and "09:00●p1" not in moved.out
    index.write_text("{not json", encoding="utf-8")  # an odd index is only a cache
    assert cli(*args).out == moved.out


@pytest.mark.parametrize("lint_config", ["", '\n[lint]\nselect = ["NO-SUCH-RULE"]\n'])
def test_forked_lint_helper_answers_as_linting_here_does(
    cli: CLI,
    workspace: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    lint_config: str,
) -> None:
    """The calendar's lint, begun in a forked helper while the index is read, blocks the
    same posts as linting in this process; a broken [lint] table is a note either way."""
    from soulpost.review import linthelper
    from soulpost.workspace import fork_workers
    from tests.conftest import settle_threads

    settle_threads()
    if not fork_workers(1, 0):
        pytest.skip("no fork here (one core, threads or no fork)")
    root = workspace(
        CONFIG + lint_config,
        {
            "ok.toml": 'text = "A calm post, with a question?"\nplatforms = ["mastodon"]\n'
            'at = 2026-12-02T09:00:00\nstatus = "approved"\n',
            "long.toml": f'text = "{"Far too long for X, " * 20}"\nplatforms = ["x"]\n'
            'at = 2026-12-02T15:00:00\nstatus = "approved"\n',
        },
    )
    monkeypatch.setenv("SOULPOST_NOW", "2026-11-30T06:00:00Z")
    cli("-C", root, "publish", "--due")  # writes the queue index: the helper's path
    assert (root / ".soulpost" / "index.json").is_file()
    args = ("-C", root, "calendar", "--now", "2026-11-30T06:00:00Z", "--width", "150")
    started: list[object] = []
    real_start = linthelper.Helper.start

    def start(where: linthelper.Where) -> linthelper.Helper | None:
        helper = real_start(where)
        started.append(helper)
        return helper

    monkeypatch.setattr(linthelper.Helper, "start", staticmethod(start))
    forked = cli(*args)
    assert started and started[0] is not None  # the helper ran
    monkeypatch.setattr(linthelper.Helper, "start", staticmethod(lambda where: None))
    here = cli(*args)
    assert (forked.code, forked.out, forked.err) == (here.code, here.out, here.err)
    if lint_config:
        assert "lint did not run" in here.err and "NO-SUCH-RULE" in here.err
        assert "15:00●long" in here.out
    else:
        assert "15:00✗long" in here.out and "09:00●ok" in here.out


def test_the_helpers_warm_up_lint_changes_no_answer(workspace: Callable[..., Path]) -> None:
    """The forked helper lints a few drafts and forgets them while it waits (a broken one
    among them is no matter); the request's answer is what a fresh rule set gives."""
    from datetime import UTC, datetime

    from soulpost.review import linthelper
    from soulpost.workspace import load_settings

    root = workspace(
        CONFIG,
        {
            "ok.toml": 'text = "A calm post, with a question?"\nplatforms = ["mastodon"]\n'
            'at = 2026-12-02T09:00:00\nstatus = "approved"\n',
            "long.toml": f'text = "{"Far too long for X, " * 20}"\nplatforms = ["x"]\n'
            'at = 2026-12-02T15:00:00\nstatus = "approved"\n',
            "broken.toml": 'text = "never closed\n',
        },
    )
    settings, config_path = load_settings(root)
    where = linthelper.Where(root, settings, config_path, datetime(2026, 11, 30, 6, tzinfo=UTC))
    request = ([str(root / "queue" / "long.toml"), str(root / "queue" / "ok.toml")], {})
    warmed = linthelper.ruleset_for(root, settings, config_path)
    inbox, request_end = os.pipe()  # no request yet: every batch is linted
    try:
        linthelper._warm_up(where, warmed, inbox)
    finally:
        os.close(inbox)
        os.close(request_end)
    answer = linthelper.lint_blocks(where, request, warmed)
    fresh = linthelper.lint_blocks(
        where, request, linthelper.ruleset_for(root, settings, config_path)
    )
    assert answer == fresh
    assert list(answer[0]) == [("long", "x")]


def test_the_helpers_warm_up_stops_once_the_request_has_come(
    workspace: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a busy machine the calendar may ask before the warm-up is done: it is not kept
    waiting for drafts nobody asked about."""
    from datetime import UTC, datetime

    from soulpost.review import linthelper
    from soulpost.workspace import load_settings

    drafts = {
        f"p{k:02d}.toml": f'text = "Calm post {k}."\nplatforms = ["mastodon"]\n'
        f"at = 2026-12-02T{k % 24:02d}:00:00\n"
        for k in range(20)
    }
    root = workspace(CONFIG, drafts)
    settings, config_path = load_settings(root)
    where = linthelper.Where(root, settings, config_path, datetime(2026, 11, 30, 6, tzinfo=UTC))
    batches: list[int] = []
    real = linthelper.lint_blocks

    def counted(where: linthelper.Where, request: Any, ruleset: Any = None) -> Any:
        batches.append(len(request[0]))
        return real(where, request, ruleset)

    monkeypatch.setattr(linthelper, "lint_blocks", counted)
    ruleset = linthelper.ruleset_for(root, settings, config_path)
    inbox, request_end = os.pipe()
    try:
        linthelper._warm_up(where, ruleset, inbox)
        assert batches == [8, 8, 4]  # nothing asked yet: every draft, a batch at a time
        batches.clear()
        os.write(request_end, b"x")  # the request has come
        linthelper._warm_up(where, ruleset, inbox)
        assert batches == []
    finally:
        os.close(inbox)
        os.close(request_end)
