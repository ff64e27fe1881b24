"""Which posts a lint reports, and the paths it shows them under (used by the engine and
its workers)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soulpost.posts import Post

STDIN = "-"


def selector(paths: Sequence[Path] | None) -> Wanted | None:
    """Which posts to report: those in the given files or under the given folders.

    Each given path is resolved once; post paths are compared as they are (the loader builds
    them from the resolved workspace root), so no post costs a trip to the disk.
    """
    if paths is None:
        return None
    files: set[str] = set()
    folders: list[str] = []
    for raw in paths:
        for form in {raw.absolute(), raw.resolve()}:
            if form.is_dir():
                folders.append(f"{str(form).rstrip(os.sep)}{os.sep}")
            else:
                files.add(str(form))

    def wanted(post: Post) -> bool:
        path = post.path
        if path is None:
            return False
        where = str(path)
        return where in files or any(where.startswith(folder) for folder in folders)

    return wanted


if TYPE_CHECKING:
    Wanted = Callable[[Post], bool]


def display(path: Path | None, root: Path | None) -> str:
    """The post's file as the user should see it: relative to the workspace root."""
    if path is None:
        return STDIN
    if root is not None:
        text, prefix = str(path), f"{root}{os.sep}"
        if text.startswith(prefix):  # the usual case: no disk access, no pathlib parsing
            return text[len(prefix) :].replace(os.sep, "/")
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)
