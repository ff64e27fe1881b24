"""A summary of every draft in ``.soulpost/index.json``, so a pass parses only what changed.

A cron pass is a fresh process: without help it would parse and validate every draft each
minute only to find nothing due. The index keeps, per file, its (mtime, size) stamp and what
the plan needs (id, time, platforms, status, time kind, lateness) or the file's own load
errors. A pass stats the queue, re-parses only the files whose stamp changed
(:meth:`QueueState.update`), and plans from the summaries; only the posts it will act on
are then loaded in full.

``index-head.json`` is the idle pass's shortcut: the digest of every stamp, the config,
the ledger's change stamp and the next instant anything could become due. While all of
those still hold, a pass has nothing to plan and reads neither the index nor the drafts.

A pass that must plan but finds the stamps unchanged plans from ``index-near.json``
(:mod:`soulpost.run.window`) rather than from all of this index.

All three files are caches: deleting them is always safe. Duplicate ids are not cached as
errors (they depend on other files): a queue that has them is loaded the full way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost import __version__
from soulpost.timeutil import LocalTimeKind

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.posts import Post
    from soulpost.workspace import PostCache, Workspace

INDEX_FILE = "index.json"
HEAD_FILE = "index-head.json"
VERSION = 3

Stamp = tuple[int, int]
UPDATE_CHUNK = 5000
"""Files parsed at a time when the index is (re)built: only their summaries are kept, so
a first pass over 100,000 drafts never holds 100,000 parsed posts at once."""
_KINDS = {kind.value: kind for kind in LocalTimeKind}  # a dict get beats the enum's call


@dataclass(frozen=True)
class Summary:
    """What the plan reads of one post (see :class:`soulpost.plan.Schedulable`)."""

    id: str
    at: datetime | None
    platforms: list[str]
    status: str
    time_kind: LocalTimeKind | None
    max_lateness: timedelta | None
    path: str | None = None  # the draft's file, as the queue walk names it


@dataclass(slots=True)
class Entry:
    """One file of the index: its stamp, its post's summary (as JSON) and its own errors."""

    stamp: Stamp
    post: list[Any] | None  # summary_json(): [id, at, platforms, status, kind, lateness]
    errors: list[str] = field(default_factory=list)
    summary: Summary | None = None  # built from *post* when first asked (then kept)


def scan_stamps(queue: Path, folders: list[str] | None = None) -> dict[str, Stamp]:
    """(mtime_ns, size) of every ``*.toml`` under *queue* (hidden entries skipped), by path
    string, with plain ``scandir``: no Path objects, no reading, and no folder listed into
    memory at once (100,000 entries listed first cost 70 MB). The rules are the loader's
    (:func:`soulpost.workspace.walk_queue`): each real folder is walked once, links to
    folders outside the queue are not followed. An entry that cannot be stat'ed gets
    (0, 0), the stamp the loader records for a file it could not read; an unreadable
    queue gets an entry no index holds, so the pass loads the queue properly and reports
    it. Each folder walked is appended to *folders* when given."""
    out: dict[str, Stamp] = {}
    try:
        top = queue.stat()
    except FileNotFoundError:
        return out
    except OSError:
        return {str(queue): (-1, -1)}
    seen = {(top.st_dev, top.st_ino)}
    inside = f"{os.path.realpath(queue)}{os.sep}"
    stack = [str(queue)]
    while stack:
        folder = stack.pop()
        if folders is not None:
            folders.append(folder)
        try:
            entries = os.scandir(folder)
        except FileNotFoundError:
            continue
        except OSError:
            if folder == str(queue):
                return {str(queue): (-1, -1)}
            continue  # the full load reports it; its drafts are not in the queue
        with entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                if name.endswith(".toml") and not _is_dir(entry):
                    try:
                        st = entry.stat()
                        out[entry.path] = (st.st_mtime_ns, st.st_size)
                    except OSError:  # a link loop: reading it says so
                        out[entry.path] = (0, 0)
                    continue
                _descend(entry, seen, inside, stack)
    return out


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _descend(
    entry: os.DirEntry[str],
    seen: set[tuple[int, int]],
    inside: str,
    stack: list[str],
) -> None:
    """Queue a sub-folder for the walk (once per real folder, never out of the queue)."""
    try:
        if not entry.is_dir():
            return
        real = entry.stat()
    except OSError:
        return
    if (real.st_dev, real.st_ino) in seen:
        return
    seen.add((real.st_dev, real.st_ino))
    if entry.is_symlink() and not os.path.realpath(entry.path).startswith(inside):
        return
    stack.append(entry.path)


def digest(stamps: dict[str, Stamp]) -> str:
    """One string that changes when any file is added, removed or touched."""
    lines = [f"{path}\0{stamp[0]}\0{stamp[1]}" for path, stamp in stamps.items()]
    lines.sort()
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def config_key(config_path: Path) -> str | None:
    """Changes whenever the settings or soulpost itself change."""
    try:
        data = config_path.read_bytes()
    except OSError:
        return None
    return hashlib.sha256(data + __version__.encode()).hexdigest()


def summary_json(post: Post) -> list[Any]:
    """What the index keeps of *post*: [id, at, platforms, status, time kind, lateness];
    just [id] for a series or a pool (see :meth:`QueueState.summaries`)."""
    if getattr(post, "repeat", None) is not None or getattr(post, "evergreen", False):
        return [post.id]
    return [
        post.id,
        post.at.isoformat() if post.at else None,
        post.platforms,
        post.status,
        post.time_kind.value if post.time_kind else None,
        post.max_lateness.total_seconds() if post.max_lateness else None,
    ]


def summary_of(post: list[Any], path: str) -> Summary:
    post_id, at, platforms, status, kind, lateness = post
    return Summary(
        post_id,
        datetime.fromisoformat(at) if at else None,
        list(platforms),
        status,
        _KINDS[kind] if kind else None,
        timedelta(seconds=lateness) if lateness is not None else None,
        path,
    )


@dataclass
class QueueState:
    """The index in memory: what a pass (or the daemon, between passes) knows of each file."""

    config: str | None
    files: dict[str, Entry] = field(default_factory=dict)
    found: bool = False  # read from a saved index made with these settings
    # summaries() of the current files, kept until update() changes them (the daemon asks
    # every pass; building 100,000 summaries costs 0.2 s)
    _summaries: tuple[list[Summary], list[str]] | None = field(default=None, repr=False)
    _duplicate: bool = field(default=False, repr=False)
    # The stamps update() last brought the index up to (None: read from disk since).
    _seen: dict[str, Stamp] | None = field(default=None, repr=False)
    # digest() of the files' stamps as saved (None: changed since, computed at save).
    saved_digest: str | None = None

    @classmethod
    def load(cls, state_dir: Path, config_path: Path) -> QueueState:
        """The saved index if it was made with these settings, else an empty one. Files
        are saved as rows (``[path, mtime_ns, size, post, errors]``, post a list): at
        100,000 drafts, rows parse in about half the time of objects keyed by name."""
        key = config_key(config_path)
        try:
            data = json.loads((state_dir / INDEX_FILE).read_text(encoding="utf-8"))
            if data.get("version") != VERSION or data.get("config") != key:
                return cls(key)
            files = {row[0]: Entry((row[1], row[2]), row[3], row[4] or []) for row in data["files"]}
            saved = data.get("digest")
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            return cls(key)
        return cls(key, files, found=True, saved_digest=saved if isinstance(saved, str) else None)

    def save(self, state_dir: Path) -> None:
        if self.config is None:
            return
        files = self.files
        if self.saved_digest is None:
            self.saved_digest = digest({path: entry.stamp for path, entry in files.items()})
        rows = [
            [path, *entry.stamp, entry.post, entry.errors or None]
            for path, entry in sorted(files.items())
        ]
        data = {
            "version": VERSION,
            "config": self.config,
            "digest": self.saved_digest,
            "files": rows,
        }
        write_json(state_dir / INDEX_FILE, data)

    def changed(self, stamps: dict[str, Stamp]) -> tuple[list[str], list[str]]:
        """Files added or edited since the index was made, and files no longer there."""
        seen = self._seen
        if seen is not None:  # set operations in C: 100,000 files in a few ms
            if stamps is seen or stamps == seen:
                return [], []
            return [p for p, _ in stamps.items() - seen.items()], list(seen.keys() - stamps)
        files = self.files
        stale = [
            p for p, stamp in stamps.items() if (e := files.get(p)) is None or e.stamp != stamp
        ]
        gone = [p for p in files if p not in stamps]
        return stale, gone

    def update(
        self, stamps: dict[str, Stamp], settings: Settings, root: Path, *, now: str | None = None
    ) -> int:
        """Bring the index up to *stamps*: parse the files added or edited, forget the
        files removed. Returns how many files were added, edited or removed. *now* is
        digest(*stamps*) when the caller has it: equal to the saved one, nothing changed,
        and the 100,000 stamps need no comparing one by one."""
        from soulpost.workspace import PostCache, load_posts

        if self._seen is None and now is not None and now == self.saved_digest:
            self._seen = dict(stamps)
            return 0
        stale, gone = self.changed(stamps)
        self._seen = dict(stamps)
        for path in gone:
            self.files.pop(path, None)
        if gone or stale:
            self._summaries = None
            self.saved_digest = None
        if not stale:
            return len(gone)
        stale.sort()
        for start in range(0, len(stale), UPDATE_CHUNK):
            chunk = stale[start : start + UPDATE_CHUNK]
            cache = PostCache()
            load_posts([Path(p) for p in chunk], settings, cache)
            for path in chunk:
                cached = cache.entries.get(Path(path))
                if cached is None:  # vanished meanwhile: the next scan says so
                    self.files.pop(path, None)
                    continue
                self.files[path] = _entry(cached.stamp, cached.post, cached.errors, root)
        return len(stale) + len(gone)

    def summaries(self) -> tuple[list[Summary], list[str]] | None:
        """Every post's summary and every file's load errors, in file order; None when two
        files share an id (the full load reports that, naming both files), or when a file
        is a series (one file, many posts) or in an evergreen pool (shares planned from the
        whole pool): only the full load expands those."""
        if self._summaries is None:
            built = self._build()
            self._duplicate = built is None
            self._summaries = built or ([], [])
        if self._duplicate:
            return None
        summaries, errors = self._summaries
        return list(summaries), list(errors)

    def _build(self) -> tuple[list[Summary], list[str]] | None:
        summaries: list[Summary] = []
        errors: list[str] = []
        seen: set[str] = set()
        for path in sorted(self.files):
            entry = self.files[path]
            errors.extend(entry.errors)
            post = entry.post
            if post is None:
                continue
            if post[0] in seen or len(post) == 1:
                return None
            seen.add(post[0])
            if entry.summary is None:
                entry.summary = summary_of(post, path)
            summaries.append(entry.summary)
        return summaries, errors


def _entry(stamp: Stamp, post: Post | None, errors: list[Any], root: Path) -> Entry:
    return Entry(
        stamp, summary_json(post) if post is not None else None, [e.render(root) for e in errors]
    )


def lookup(
    state_dir: Path, config_path: Path, queue: Path
) -> tuple[list[Summary], list[str]] | None:
    """Summaries and load-error messages, if the index still describes the queue exactly."""
    state = QueueState.load(state_dir, config_path)
    if state.config is None or not state.found:
        return None
    stale, gone = state.changed(scan_stamps(queue))
    if stale:
        return None  # added or edited since: parse properly
    for path in gone:
        del state.files[path]
    return state.summaries()


def save(state_dir: Path, ws: Workspace, cache: PostCache) -> None:
    from soulpost.series import series_of

    """Write the index from a full load (*cache* holds each file's stamp and post, also a
    post dropped as a duplicate id: duplicates are judged afresh whenever it is read).
    A workspace with a series or an evergreen pool (one file standing for many posts, or
    posts depending on each other) gets no index: it always loads properly."""
    if any(series_of(p.id) or getattr(p, "evergreen", False) for p in ws.posts):
        (state_dir / INDEX_FILE).unlink(missing_ok=True)
        return
    state = QueueState(config_key(ws.config_path))
    for path, cached in cache.entries.items():
        state.files[str(path)] = _entry(cached.stamp, cached.post, cached.errors, ws.root)
    state.save(state_dir)


# -- the idle pass's shortcut -----------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """What the last plan found, and what it depended on."""

    config: str
    digest: str
    ledger: str
    wake: datetime | None  # the next instant the plan could change (None: nothing ahead)
    errors: list[str]


def read_head(state_dir: Path) -> Head | None:
    try:
        data = json.loads((state_dir / HEAD_FILE).read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return None
        wake = datetime.fromisoformat(data["wake"]) if data["wake"] else None
        return Head(data["config"], data["digest"], data["ledger"], wake, list(data["errors"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_head(state_dir: Path, head: Head) -> None:
    data = {
        "version": VERSION,
        "config": head.config,
        "digest": head.digest,
        "ledger": head.ledger,
        "wake": head.wake.isoformat() if head.wake else None,
        "errors": head.errors,
    }
    write_json(state_dir / HEAD_FILE, data)


def forget_head(state_dir: Path) -> None:
    with contextlib.suppress(OSError):
        (state_dir / HEAD_FILE).unlink()


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)
