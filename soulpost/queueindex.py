"""A summary of every draft in ``.soulpost/index.json``, so an idle cron pass skips parsing.

A cron pass is a fresh process: without help it would parse and validate every draft each
minute only to find nothing due. The index keeps, per file, its (mtime, size) stamp and what
the plan needs (id, time, platforms, status, time kind, lateness) or the file's load errors.
When the config is unchanged and no draft was added or edited since, the pass plans from the
index; as soon as anything is due, missed or changed, it loads the queue properly. The index
is a cache: deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost import __version__
from soulpost.timeutil import LocalTimeKind

if TYPE_CHECKING:
    from soulpost.workspace import PostCache, Workspace

INDEX_FILE = "index.json"
VERSION = 1

Stamp = tuple[int, int]


@dataclass(frozen=True)
class Summary:
    """What the plan reads of one post (see :class:`soulpost.plan.Schedulable`)."""

    id: str
    at: datetime | None
    platforms: list[str]
    status: str
    time_kind: LocalTimeKind | None
    max_lateness: timedelta | None


def scan_stamps(queue: Path) -> dict[str, Stamp]:
    """(mtime_ns, size) of every ``*.toml`` under *queue* (hidden entries skipped), by path
    string, with plain ``scandir``: no Path objects, no reading. The walk is the loader's
    (:func:`soulpost.workspace.walk_queue`: folder loops end, links out are not followed).
    An entry that cannot be stat'ed gets (0, 0), the stamp the loader records for a file
    it could not read; an unreadable queue gets an entry no index holds, so the pass loads
    the queue properly and reports it."""
    from soulpost.errors import InputError
    from soulpost.workspace import walk_queue

    out: dict[str, Stamp] = {}
    try:
        for entry in walk_queue(queue):
            try:
                st = entry.stat()
            except OSError:
                out[entry.path] = (0, 0)
                continue
            out[entry.path] = (st.st_mtime_ns, st.st_size)
    except InputError:
        out[str(queue)] = (-1, -1)
    return out


def config_key(config_path: Path) -> str | None:
    """Changes whenever the settings or soulpost itself change."""
    try:
        data = config_path.read_bytes()
    except OSError:
        return None
    return hashlib.sha256(data + __version__.encode()).hexdigest()


def lookup(
    state_dir: Path, config_path: Path, queue: Path
) -> tuple[list[Summary], list[str]] | None:
    """Summaries and load-error messages, if the index still describes the queue exactly."""
    key = config_key(config_path)
    try:
        data = json.loads((state_dir / INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION or data.get("config") != key:
        return None
    files: dict[str, Any] = data.get("files", {})
    summaries: list[Summary] = []
    errors: list[str] = []
    for path, stamp in sorted(scan_stamps(queue).items()):
        entry = files.get(path)
        if entry is None or tuple(entry["stamp"]) != stamp:
            return None  # added or edited since: parse properly
        errors.extend(entry.get("errors", []))
        post = entry.get("post")
        if post is not None:
            summaries.append(
                Summary(
                    post["id"],
                    datetime.fromisoformat(post["at"]) if post["at"] else None,
                    list(post["platforms"]),
                    post["status"],
                    LocalTimeKind(post["kind"]) if post["kind"] else None,
                    timedelta(seconds=post["lateness"]) if post["lateness"] is not None else None,
                )
            )
    return summaries, errors


def save(state_dir: Path, ws: Workspace, cache: PostCache) -> None:
    """Write the index from a full load (*cache* holds each file's stamp)."""
    key = config_key(ws.config_path)
    if key is None:
        return
    from soulpost.series import series_of

    if any(series_of(p.id) for p in ws.posts):
        # One file stands for many occurrences; an index of one summary per file would
        # hide them, so a workspace with a series always loads properly.
        (state_dir / INDEX_FILE).unlink(missing_ok=True)
        return
    loaded = {id(p) for p in ws.posts}
    files: dict[str, Any] = {}
    for path, cached in cache.entries.items():
        entry: dict[str, Any] = {"stamp": list(cached.stamp)}
        post = cached.post
        if post is not None and id(post) in loaded:
            entry["post"] = {
                "id": post.id,
                "at": post.at.isoformat() if post.at else None,
                "platforms": post.platforms,
                "status": post.status,
                "kind": post.time_kind.value if post.time_kind else None,
                "lateness": post.max_lateness.total_seconds() if post.max_lateness else None,
            }
        errors = [e.render(ws.root) for e in ws.errors if e.path == path]
        if errors:
            entry["errors"] = errors
        files[str(path)] = entry
    state_dir.mkdir(parents=True, exist_ok=True)
    tmp = state_dir / f".{INDEX_FILE}.{os.getpid()}.tmp"
    tmp.write_text(
        json.dumps({"version": VERSION, "config": key, "files": files}), encoding="utf-8"
    )
    tmp.replace(state_dir / INDEX_FILE)
