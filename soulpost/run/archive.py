"""Archiving: published posts move out of ``queue/`` so that every pass stays small.

A queue that keeps every published post grows by thousands of files a year, and each pass
stats (and, after edits, parses) all of them. A post whose every platform is published
can move to ``[archive] dir`` (``archive/`` by default), keeping its path below
``queue/``: with ``git mv`` when the workspace is a git work tree and the file is tracked
(so ``git log --follow`` keeps its history), else with a plain rename.

Receipts stay where they were: the ledger is keyed by post id, platform and content hash,
not by file, so ``status`` and ``history`` still answer for archived posts, and a file
moved back into ``queue/`` unchanged is *settled*, never published again.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.ledger import Publication

GIT_BATCH = 200
"""Files per ``git mv`` call: one process per file would be slow, one for 10,000 files
could overflow the command line."""


@dataclass(frozen=True)
class Moved:
    """One archived (or, in a dry run, archivable) post file."""

    post_id: str
    source: Path
    target: Path
    how: str  # "git mv" | "moved"


@dataclass
class ArchiveReport:
    moved: list[Moved] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def published_posts(
    posts: Iterable[tuple[str, Iterable[str], str | Path | None]],
    rows: Mapping[tuple[str, str], Publication],
) -> Iterator[tuple[str, Path, datetime]]:
    """(id, file, when the last platform published it) of each post published on every
    one of its platforms. *posts* are (id, platforms, file); *rows* the newest ledger row
    per (post, platform)."""
    for post_id, platforms, path in posts:
        names = list(platforms)
        if path is None or not names:
            continue
        latest: datetime | None = None
        for platform in names:
            row = rows.get((post_id, platform))
            if row is None or row.state != "published" or row.published_at is None:
                break
            latest = row.published_at if latest is None else max(latest, row.published_at)
        else:
            if latest is not None:
                yield post_id, Path(path), latest


def archivable(
    posts: Iterable[tuple[str, Iterable[str], str | Path | None]],
    rows: Mapping[tuple[str, str], Publication],
    before: datetime,
) -> list[tuple[str, Path]]:
    """(id, file) of each post published everywhere, the last time at or before *before*."""
    return [(pid, path) for pid, path, last in published_posts(posts, rows) if last <= before]


def next_archive(
    posts: Iterable[tuple[str, Iterable[str], str | Path | None]],
    rows: Mapping[tuple[str, str], Publication],
    after: timedelta,
) -> datetime | None:
    """When ``[archive] after`` next has a post to move (an idle pass wakes for it)."""
    times = [last + after for _pid, _path, last in published_posts(posts, rows)]
    return min(times) if times else None


def archive_posts(
    root: Path, settings: Settings, chosen: list[tuple[str, Path]], *, dry_run: bool = False
) -> ArchiveReport:
    """Move *chosen* (id, file under ``queue/``) to the archive folder, keeping each file's
    path below ``queue/``; a file whose target already exists is left and reported."""
    from soulpost.workspace import QUEUE_DIR

    queue = (root / QUEUE_DIR).resolve()
    archive = root / settings.archive.dir
    report = ArchiveReport()
    tracked = _git_tracked(root, queue)
    plain: list[Moved] = []
    by_git: dict[Path, list[Moved]] = {}
    for post_id, source in sorted(chosen, key=lambda c: str(c[1])):
        try:
            relative = source.resolve().relative_to(queue)
        except ValueError:
            report.problems.append(f"{source}: not inside {queue}; left where it is")
            continue
        target = archive / relative
        if target.exists():
            report.problems.append(
                f"{source}: {target} already exists; left in the queue (rename one of them)"
            )
            continue
        git = tracked is not None and str(source.resolve()) in tracked
        move = Moved(post_id, source, target, "git mv" if git else "moved")
        if git:
            by_git.setdefault(target.parent, []).append(move)
        else:
            plain.append(move)
    if dry_run:
        report.moved = sorted([*plain, *(m for ms in by_git.values() for m in ms)], key=_order)
        return report
    for move in plain:
        try:
            move.target.parent.mkdir(parents=True, exist_ok=True)
            move.source.rename(move.target)
        except OSError as exc:
            report.problems.append(f"{move.source}: cannot move ({exc.strerror or exc})")
            continue
        report.moved.append(move)
    for folder, moves in by_git.items():
        _git_mv(root, folder, moves, report)
    report.moved.sort(key=_order)
    return report


def _order(move: Moved) -> str:
    return str(move.source)


def _git_tracked(root: Path, queue: Path) -> set[str] | None:
    """Resolved paths of the files git tracks under *queue*; None when the workspace is
    not in a git work tree (or git is not installed)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--full-name", "--", str(queue)],
            capture_output=True,
            timeout=60,
            check=False,
        )
        top = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel"],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0 or top.returncode != 0:
        return None
    base = Path(os.fsdecode(top.stdout.strip())).resolve()
    names = [n for n in done.stdout.split(b"\0") if n]
    return {str(base / os.fsdecode(n)) for n in names}


def _git_mv(root: Path, folder: Path, moves: list[Moved], report: ArchiveReport) -> None:
    """``git mv`` *moves* into *folder*, a batch at a time; a batch git refuses is moved
    file by file so one odd file does not hold back the rest."""
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(moves), GIT_BATCH):
        batch = moves[start : start + GIT_BATCH]
        if _run_git_mv(root, [str(m.source) for m in batch], folder) is None:
            report.moved.extend(batch)
            continue
        for move in batch:
            error = _run_git_mv(root, [str(move.source)], folder)
            if error is None:
                report.moved.append(move)
            else:
                report.problems.append(f"{move.source}: git mv failed: {error}")


def _run_git_mv(root: Path, sources: list[str], folder: Path) -> str | None:
    """None when git moved every file of *sources* into *folder*, else git's complaint."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "mv", "--", *sources, f"{folder}{os.sep}"],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if done.returncode == 0:
        return None
    return os.fsdecode(done.stderr).strip().splitlines()[-1] if done.stderr else "failed"
