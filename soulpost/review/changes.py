"""Which posts a branch adds, changes or removes: ``git diff`` of ``queue/`` against a ref.

For pull-request review (``soulpost preview --changed-since origin/main``): only the posts
a reviewer has to look at, and how the schedule moves. The working tree is compared (so
uncommitted and untracked drafts count), renames are followed, and a removed post is read
back from the ref so the summary can say what leaves the schedule.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from soulpost.errors import UsageError

if TYPE_CHECKING:
    from soulpost.workspace import Workspace


@dataclass(frozen=True)
class Change:
    """One post file that differs from the ref."""

    kind: str  # added | changed | removed
    path: str  # the file now (removed: the file at the ref)
    post_id: str | None = None
    old_at: datetime | None = None  # the explicit time at the ref (None: a slot, or new)
    old_platforms: tuple[str, ...] = ()
    old_status: str | None = None


@dataclass
class Changes:
    ref: str
    items: list[Change] = field(default_factory=list)

    def paths(self) -> set[str]:
        return {c.path for c in self.items if c.kind != "removed"}


def _git(root: Path, *args: str) -> str:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"--changed-since needs git: {exc}") from None
    if proc.returncode != 0:
        problem = proc.stderr.strip().splitlines()
        raise UsageError(
            f"--changed-since: git {' '.join(args[:2])} failed: "
            f"{problem[-1] if problem else 'exit ' + str(proc.returncode)}; give a branch, "
            "tag or commit this repository has (e.g. origin/main); in CI fetch it first "
            "(actions/checkout with fetch-depth: 0)"
        )
    return proc.stdout


def _old_post(ws: Workspace, ref: str, path: str) -> Change | None:
    from soulpost.posts import PostInvalid, parse_post
    from soulpost.workspace import post_context

    try:
        text = _git(ws.root, "show", f"{ref}:./{path}")
        post = parse_post(text, ws.root / path, post_context(ws.settings))
    except (UsageError, PostInvalid):
        return None
    return Change("changed", path, post.id, post.at, tuple(post.platforms), post.status)


def changed_since(ws: Workspace, ref: str) -> Changes:
    """Post files under ``queue/`` that differ between *ref* and the working tree."""
    try:
        _git(ws.root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except UsageError as exc:
        if "needs git" in str(exc):
            raise
        raise UsageError(
            f"--changed-since {ref}: git knows no such branch, tag or commit in {ws.root}; "
            "give one it has (e.g. origin/main); in CI fetch it first (actions/checkout "
            "with fetch-depth: 0)"
        ) from None
    out = Changes(ref)
    listing = _git(ws.root, "diff", "--name-status", "-M", "--relative", ref, "--", "queue")
    rows = [line.split("\t") for line in listing.splitlines() if line.strip()]
    untracked = _git(ws.root, "ls-files", "--others", "--exclude-standard", "--", "queue")
    rows += [["A", p] for p in untracked.splitlines() if p.strip()]
    for row in rows:
        status, paths = row[0], row[1:]
        if not paths[-1].endswith(".toml"):
            continue
        if status.startswith("A"):
            out.items.append(Change("added", paths[-1]))
        elif status.startswith("D"):
            old = _old_post(ws, ref, paths[0])
            if old is None:
                out.items.append(Change("removed", paths[0]))
            else:
                out.items.append(
                    Change("removed", paths[0], old.post_id, old.old_at, old.old_platforms)
                )
        else:  # M, R (renamed, maybe edited), T
            old = _old_post(ws, ref, paths[0])
            if old is None:
                out.items.append(Change("changed", paths[-1]))
            else:
                out.items.append(
                    Change("changed", paths[-1], old.post_id, old.old_at,
                           old.old_platforms, old.old_status)
                )  # fmt: skip
    return out
