"""``soulpost approve ID...``: set ``status = "approved"`` in each post file.

The file is edited as text, so comments, key order and formatting stay exactly as the
person wrote them; the result is parsed again and compared with the original to prove that
``status`` is the only thing that changed before it atomically replaces the file.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import tomli

from soulpost.commands import open_workspace
from soulpost.errors import InputError, UsageError

_STATUS = re.compile(r"""^(\s*status\s*=\s*)("[^"\n]*"|'[^'\n]*')""")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="+", metavar="ID", help="posts to approve")
    parser.add_argument("--draft", action="store_true", help='set status back to "draft" instead')


def _only_status_changed(old: dict[str, Any], new_text: str, status: str) -> bool:
    try:
        new = tomli.loads(new_text)
    except tomli.TOMLDecodeError:
        return False
    expected = {**old, "status": status}
    return new == expected


def set_status(text: str, status: str) -> str | None:
    """*text* with its top-level ``status`` set, or None when no safe edit was found."""
    from soulpost.tomlpos import SourceMap

    old = tomli.loads(text)
    if old.get("status") == status:
        return text
    lines = text.splitlines(keepends=True)
    candidates: list[str] = []
    line_no = SourceMap.scan(text).line_of(("status",)) if "status" in old else None
    if line_no:
        index = line_no - 1
        match = _STATUS.match(lines[index])
        if match:
            edited = _STATUS.sub(lambda m: f'{m.group(1)}"{status}"', lines[index], count=1)
            candidates.append("".join([*lines[:index], edited, *lines[index + 1 :]]))
    else:
        new_line = f'status = "{status}"\n'
        positions: list[int] = []
        smap = SourceMap.scan(text)
        for key in ("at", "platforms", "id"):
            found = smap.line_of((key,)) if key in old else None
            if found:
                positions.append(found)  # insert after that line
        positions.extend(i for i, line in enumerate(lines) if line.lstrip().startswith("["))
        positions.append(0)
        for pos in positions:
            before = lines[:pos]
            if before and not before[-1].endswith("\n"):
                before = [*before[:-1], before[-1] + "\n"]
            candidates.append("".join([*before, new_line, *lines[pos:]]))
    for candidate in candidates:
        if _only_status_changed(old, candidate, status):
            return candidate
    return None


def run(args: argparse.Namespace) -> int:
    from soulpost.filesafe import replace_file

    ws = open_workspace(args)
    posts = ws.by_id()
    missing = [i for i in args.ids if i not in posts]
    if missing:
        raise UsageError(
            f"no post with id {', '.join(missing)} in the queue (see `soulpost queue`)"
        )
    status = "draft" if args.draft else "approved"
    for post_id in args.ids:
        path = posts[post_id].path
        assert path is not None
        text = Path(path).read_text(encoding="utf-8")
        edited = set_status(text, status)
        if edited is None:
            raise InputError(
                "could not change status without touching anything else",
                path=path,
                key="status",
                hint=f'edit the file by hand: status = "{status}"',
            )
        if edited == text:
            print(f"{post_id}: already {status}")
            continue
        replace_file(Path(path), edited, root=ws.root)
        print(f"{post_id}: {status}")
    return 0
