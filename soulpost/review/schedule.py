"""Calendar entries, fast: the whole queue from the queue index, only the shown window
parsed and linted.

The calendar needs every post's time (slots are shared, so one post's slot depends on the
others) but text only for the posts it shows, to say which are blocked by lint. When the
queue index (``.soulpost/index.json``, kept fresh by every publishing pass) still describes
the queue, times come from it without parsing a draft; otherwise the queue is loaded. Then
only the window's posts are read and linted, the queue rules seeing those posts: the
publisher's gate blocks on error-level findings, and the built-in error rules are all
per-post ones. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.review.calendar import Entry

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.review.linthelper import Helper
    from soulpost.review.model import Review


@dataclass
class Schedule:
    settings: Settings
    entries: list[Entry] = field(default_factory=list)
    unscheduled: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _from_index(
    state_dir: Path, config_path: Path, queue: Path
) -> tuple[list[Any], dict[str, str], list[str]] | None:
    """Summaries, id -> file and load errors from the queue index, read once; None unless
    it still describes the queue exactly (:func:`soulpost.queueindex.lookup`: same config
    key, every file's stamp unchanged, none added; nor two files with one id). Each
    summary names its file: the calendar parses the drafts it shows."""
    from soulpost import queueindex

    found = queueindex.lookup(state_dir, config_path, queue)
    if found is None:
        return None
    summaries, errors = found
    paths = {s.id: s.path for s in summaries if s.path is not None}
    return list(summaries), paths, errors


def _queue(
    root: Path, settings: Settings, config_path: Path
) -> tuple[list[Any], dict[str, str], list[str], Any]:
    """Post summaries (or posts), id -> path, load errors, and the loaded workspace if any."""
    from soulpost.workspace import QUEUE_DIR, load_workspace

    try:
        found = _from_index(root / settings.publish.state_dir, config_path, root / QUEUE_DIR)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        found = None  # an odd index is only a cache: load the queue instead
    if found is not None:
        summaries, paths, errors = found
        return summaries, paths, errors, None
    ws = load_workspace(root=root)
    paths = {p.id: str(p.path) for p in ws.posts if p.path is not None}
    return ws.posts, paths, [e.render(ws.root) for e in ws.errors], ws


def schedule(root: Path, now: datetime, low: datetime, high: datetime) -> Schedule:
    """Entries between *low* and *high* with their states."""
    from soulpost.plan import build_plan
    from soulpost.review.ledgerview import read_state
    from soulpost.review.linthelper import Helper, Where, lint_blocks
    from soulpost.review.model import state_for
    from soulpost.workspace import load_settings

    settings, config_path = load_settings(root)
    where = Where(root, settings, config_path, now)
    helper = Helper.start(where)
    try:
        posts, paths, errors, ws = _queue(root, settings, config_path)
        state = read_state(
            root / settings.publish.state_dir, settings.publish.ledger, settings.publish
        )
        # Items only for the window's posts and the unscheduled ones: deciding all
        # 10,000 posts' (post, platform) pairs was most of planning.
        plan = build_plan(
            posts, settings, now, ledger_rows=state.rows, reserved=state.slots,
            shown=lambda t: t.at is None or low <= t.at < high,
        )  # fmt: skip
        out = Schedule(settings, errors=errors, notes=[state.note] if state.note else [])
        shown = [i for i in plan.items if i.at is not None and low <= i.at < high]
        out.unscheduled = sorted({i.post.id for i in plan.items if i.at is None})
        request = _lint_request(plan, shown, paths, ws)
        answer = _ask(helper, request) if helper is not None and ws is None else None
    finally:
        if helper is not None:
            helper.close()
    if answer is None:  # no helper (or it failed, or the queue is loaded here anyway)
        answer = lint_blocks(where, request)
    blocks, notes = answer
    out.notes.extend(notes)
    for item in shown:
        assert item.at is not None
        reasons = blocks.get((item.post.id, item.platform), []) + blocks.get(
            (item.post.id, None), []
        )
        label, _ = state_for(item, reasons)
        out.entries.append(Entry(item.at, item.platform, item.post.id, label))
    return out


def _ask(helper: Helper, request: tuple[list[Any], dict[str, datetime]]) -> Any:
    """The helper's answer to *request* (None if it gave none). While it lints, this
    process imports what drawing the grid needs (wcwidth's tables), which it would
    otherwise do after the answer, on the way to the first line of output."""
    import threading

    box: list[Any] = []

    def wait() -> None:
        try:
            box.append(helper.lint(request))
        except Exception:  # the lint is then done here, as when there is no helper
            box.append(None)

    waiter = threading.Thread(target=wait, name="calendar-lint", daemon=True)
    waiter.start()
    import soulpost.review.cells  # noqa: F401  (what the wait is for)

    waiter.join()
    return box[0] if box else None


def _lint_request(
    plan: Any, shown: list[Any], paths: dict[str, str], ws: Any
) -> tuple[list[Any], dict[str, datetime]]:
    """What to lint for the shown items: their posts if the queue is loaded, else their
    files (each parsed once), and the plan's times of those posts."""
    ids = {i.post.id for i in shown}
    times = {pid: plan.timings[pid].at for pid in ids if plan.timings[pid].at is not None}
    if ws is not None:
        return [p for p in ws.posts if p.id in ids], times
    return sorted(paths[i] for i in ids if i in paths), times


def review_entries(review: Review) -> list[Entry]:
    """Entries from a full review (the site and the ICS file use the full review)."""
    return [
        Entry(p.at, c.platform, p.id, c.state, p.text)
        for p in review.posts
        if p.at is not None
        for c in p.cards
    ]
