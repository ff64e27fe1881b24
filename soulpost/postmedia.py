"""Media paths of a post that lead outside the workspace, as load errors.

A draft arrives by pull request: a media path that leads outside the workspace (``..``, an
absolute path, a link) would make soulpost upload a file nobody meant to publish. Loading
refuses such a post with the key and line of each path; adapters check again when they read
the bytes (:mod:`soulpost.filesafe`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from soulpost.errors import InputError
from soulpost.filesafe import outside_reason
from soulpost.problems import loc_text, short_repr
from soulpost.tomlpos import Loc, SourceMap


def media_outside(
    paths: Iterable[tuple[Loc, str]],
    root: Path | None,
    checked: dict[str, str | None] | None = None,
) -> list[tuple[Loc, str]]:
    """The key of each media path of a post (*paths*: key, path) that leads outside *root*
    (default: the working directory, where adapters look without one), with the reason.

    *checked* remembers the answer per path for one load of the queue (see
    :func:`soulpost.workspace.post_context`): drafts share a few images, and resolving a
    path asks the disk about every folder on the way.
    """
    base = root if root is not None else Path.cwd()
    found = []
    for loc, path in paths:
        if checked is None:
            why = outside_reason(base, path)
        elif path in checked:
            why = checked[path]
        else:
            why = checked[path] = outside_reason(base, path)
        if why is not None:
            found.append(((*loc, "path"), f"{short_repr(path)} {why}"))
    return found


def outside_error(loc: Loc, why: str, path: Path, smap: SourceMap) -> InputError:
    return InputError(
        f"media file {why}",
        path=path,
        line=smap.line_of(loc),
        key=loc_text(loc),
        hint="media must be a file inside the workspace: put it under media/ and give its "
        "path relative to the workspace root",
    )
