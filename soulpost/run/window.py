"""The near window: the part of the queue index a cron pass plans from, kept apart.

A pass that has to plan reads the whole queue index (100,000 summaries at 100,000 drafts,
0.4 s of CPU with building them) although it plans only the posts near in time (see
:data:`soulpost.run.indexed.HORIZON`): the rest are *future* and give only their earliest
time. Whenever a cron pass has read the whole index, it also writes
``index-near.json``: the summaries of the posts that could be near until :data:`SPAN`
from then (no explicit time, a time before that, or a row in the ledger), the earliest
time among the others that could wake a plan, and every file's load errors. The next
passes plan from it alone while:

- the queue's stamps (their digest) and the config are those it was made from;
- their horizon ends before the window does;
- every post with a ledger row is in it (a row makes a far post near) or was known then
  to be in no draft (archived or deleted: it plans nothing), and no post in it waits for
  a slot (choosing one needs every post's time).

``[archive] after`` looks only at posts published on all their platforms: they have
ledger rows, so they are in the window too.

Otherwise they read the whole index as before. Like the index, it is a cache: deleting
it is always safe.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.plan import approval_ok
from soulpost.timeutil import LocalTimeKind

if TYPE_CHECKING:
    from collections.abc import Callable

    from soulpost.config import Settings
    from soulpost.ledger import Publication
    from soulpost.queueindex import Summary
    from soulpost.workspace import PostCache

WINDOW_FILE = "index-near.json"
VERSION = 1
SPAN = timedelta(days=2)
"""How far ahead of the pass that writes it a window reaches: it serves the passes of the
next SPAN minus the plan's horizon (a day), then a pass reads the whole index again."""


@dataclass(frozen=True)
class Window:
    """The summaries a pass may plan from instead of the whole index."""

    summaries: list[Summary]
    errors: list[str]
    until: datetime  # posts later than this (and without a ledger row) are not in it
    far: datetime | None  # the earliest wake-up among those left out
    absent: frozenset[str]  # ids with a ledger row then but in no draft

    def covers(
        self,
        rows: dict[tuple[str, str], Publication],
        reserved: dict[str, datetime],
        horizon_end: datetime,
    ) -> bool:
        """Whether planning from the window decides what the whole index would."""
        if horizon_end > self.until:
            return False
        ids = {s.id for s in self.summaries}
        absent = self.absent
        if any(i not in ids and i not in absent for i, _platform in rows):
            return False
        return not any(s.at is None and s.id not in reserved for s in self.summaries)


def write(  # noqa: PLR0917 (what the window is made of)
    state_dir: Path,
    key: str,
    digest: str,
    summaries: list[Summary],
    errors: list[str],
    rows: dict[tuple[str, str], Publication],
    settings: Settings,
    now: datetime,
) -> None:
    """Save the window of the queue *summaries* describe (see the module docstring)."""
    from soulpost.queueindex import write_json

    until = now + SPAN
    known = {post_id for post_id, _platform in rows}
    kept: list[list[Any]] = []
    far: datetime | None = None
    absent = known - {s.id for s in summaries}
    for s in summaries:
        if s.at is None or s.at <= until or s.id in known:
            kept.append([s.path, _row(s)])
        elif s.time_kind is not LocalTimeKind.GAP and approval_ok(s, settings):
            far = s.at if far is None or s.at < far else far
    data = {
        "version": VERSION,
        "config": key,
        "digest": digest,
        "until": until.isoformat(),
        "far": far.isoformat() if far else None,
        "errors": errors,
        "absent": sorted(absent),
        "files": kept,
    }
    write_json(state_dir / WINDOW_FILE, data)


def read(state_dir: Path, key: str, digest: str | None) -> Window | None:
    """The saved window if it was made from this config and these stamps (*digest*; None
    takes it whatever stamps it was made from: a guess, see :func:`preload_due`)."""
    from soulpost.queueindex import summary_of

    try:
        data = json.loads((state_dir / WINDOW_FILE).read_text(encoding="utf-8"))
        made = (data.get("version"), data.get("config"), data.get("digest"))
        if made != (VERSION, key, digest if digest is not None else made[2]):
            return None
        summaries = [summary_of(post, path) for path, post in data["files"]]
        far = datetime.fromisoformat(data["far"]) if data["far"] else None
        until = datetime.fromisoformat(data["until"])
        absent = frozenset(str(i) for i in data["absent"])
        return Window(summaries, [str(e) for e in data["errors"]], until, far, absent)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def _row(s: Summary) -> list[Any]:
    """*s* as the index keeps it (:func:`soulpost.queueindex.summary_json`)."""
    return [
        s.id,
        s.at.isoformat() if s.at else None,
        s.platforms,
        s.status,
        s.time_kind.value if s.time_kind else None,
        s.max_lateness.total_seconds() if s.max_lateness else None,
    ]


def preload_due(  # noqa: PLR0917 (what the preload is made of)
    state_dir: Path,
    key: str,
    settings: Settings,
    now: datetime,
    share: tuple[int, int] = (0, 1),
    enough: Callable[[], bool] | None = None,
) -> PostCache:
    """The drafts the saved window says are due by *now*, parsed into a cache, while the
    queue's scan says whether the window still holds. Only a head start: the pass loads
    the posts it acts on through this cache, which parses again any file whose stamp
    differs from the one it was read with (:func:`soulpost.workspace.load_posts`), so
    what the window got wrong costs only the time. With several publishers on one
    ledger, *share* (this one's rank, how many) picks the slice of the due drafts, in
    time order, that it sends first (:func:`soulpost.run.sharing.spread`); the others'
    are parsed only if it comes to send them (:mod:`soulpost.run.deferred`). They are
    parsed :data:`PRELOAD_STEP` at a time, in time order, until *enough* says the scan
    they wait for is over: a pass that planned from the window parses the rest when it
    sends them, and one that did not has lost no more than the wait."""
    from soulpost.workspace import PostCache, load_posts

    cache = PostCache()
    saved = read(state_dir, key, None)
    if saved is None:
        return cache
    due = [s for s in saved.summaries if s.at is not None and s.at <= now and s.path]
    due.sort(key=lambda s: (s.at, s.id))
    rank, count = share
    due = due[len(due) * rank // count : len(due) * (rank + 1) // count]
    for start in range(0, len(due), PRELOAD_STEP):
        if start and enough is not None and enough():
            break
        part = PostCache()  # load_posts keeps in a cache only what it was asked for
        paths = sorted(Path(s.path) for s in due[start : start + PRELOAD_STEP] if s.path)
        load_posts(paths, settings, part)
        cache.entries.update(part.entries)
    return cache


PRELOAD_STEP = 64
"""Due drafts parsed at a time while the scan runs (about 4 ms of CPU)."""
