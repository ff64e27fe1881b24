"""Whether any installed distribution declares entry points of a group, without importing
:mod:`importlib.metadata`.

Importing :mod:`importlib.metadata` (it pulls in ``email``, ``zipfile``, ``csv`` and more)
cost about a tenth of the instructions of linting one draft, only to learn, nearly
always, that no distribution offers lint rules. This module answers that question by
reading the same ``entry_points.txt`` files that :func:`importlib.metadata.distributions`
would find, with plain ``os`` calls. It answers only "no" or "maybe": on "maybe", or when
the interpreter is set up in a way this scan does not mirror (a finder of its own on
``sys.meta_path``, a zip or egg on ``sys.path``), the caller asks :mod:`importlib.metadata`
as before, so what is found never changes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from importlib.machinery import PathFinder

_INFO_SUFFIXES = (".dist-info", ".egg-info")


def group_absent(
    group: str,
    paths: Sequence[str] | None = None,
    finders: Iterable[object] | None = None,
) -> bool:
    """True when no distribution on *paths* (default ``sys.path``) can declare *group*:
    no metadata folder's ``entry_points.txt`` contains the group's name.

    False means "ask importlib.metadata": some file names the group, or something here
    finds distributions in a way this scan does not (a meta-path finder other than the
    standard path finder, a path entry that is a file such as a zip, an ``.egg`` folder).
    """
    for finder in sys.meta_path if finders is None else finders:
        if finder is not PathFinder and getattr(finder, "find_distributions", None):
            return False
    needle = group.encode("utf-8")
    for entry in sys.path if paths is None else paths:
        if not _entry_absent(entry or ".", needle):
            return False
    return True


def _entry_absent(entry: str, needle: bytes) -> bool:
    """Whether the path entry *entry* holds no metadata folder naming *needle*."""
    if entry.lower().endswith(".egg"):
        return False
    try:
        with os.scandir(entry) as listing:
            folders = [item.path for item in listing if item.name.lower().endswith(_INFO_SUFFIXES)]
    except NotADirectoryError:
        return False  # a zip file: importlib.metadata reads inside it
    except OSError:  # missing or unreadable: importlib.metadata finds nothing there either
        return True
    for folder in folders:
        try:
            with open(f"{folder}{os.sep}entry_points.txt", "rb") as handle:
                if needle in handle.read():
                    return False
        except OSError:  # no such file, or unreadable: importlib.metadata skips it too
            continue
    return True
