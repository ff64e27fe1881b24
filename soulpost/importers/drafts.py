"""Write imported posts into ``queue/`` as draft files, then lint them.

Every importer ends here, so the rules for writing are in one place: a post is validated by
the same :func:`soulpost.posts.build_post` that loads the queue before a byte is written;
a file appears whole or not at all; an existing post is replaced only with ``force``; one
bad post is reported (by where it came from: a row, a feed item) and the others go on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.errors import InputError, PostInvalid

if TYPE_CHECKING:
    from soulpost.lint.model import Report
    from soulpost.workspace import Workspace


@dataclass
class NewPost:
    """One post to write: its TOML data, a fixed id (else one is made from date and text),
    and where it came from, for messages (``row 4``, ``item https://...``)."""

    data: dict[str, Any]
    origin: str
    post_id: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # post key -> CSV column
    slug_from: str | None = None  # the words the file name is made of (default: the text)


@dataclass
class Written:
    """What :func:`write_posts` did: files written, and one message per post refused."""

    paths: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rows already imported before
    twins: list[str] = field(default_factory=list)  # their origins


def write_posts(
    ws: Workspace, posts: list[NewPost], *, now: datetime, force: bool = False
) -> Written:
    """Validate and write each of *posts*; a refused one is a problem, the rest go on. A
    post without an id whose text and time are already in the queue is skipped (noted)."""
    from soulpost.posts import slugify

    result = Written()
    taken = {p.id for p in ws.posts}
    known = {_same_key(p.text, p.at): p.id for p in ws.posts}
    for new in posts:
        if new.post_id is None:
            twin = known.get(_same_key(str(new.data.get("text", "")), new.data.get("at"), ws))
            if twin is not None:
                result.skipped.append(f"{new.origin}: already in the queue as {twin}; skipped")
                result.twins.append(new.origin)
                continue
            day = _day(ws, new.data.get("at"), now)
            words = new.slug_from or str(new.data.get("text", ""))
            new.post_id = _free_id(ws, f"{day}-{slugify(words)}", taken)
        try:
            path = _write_one(ws, new, taken, force)
        except InputError as exc:
            result.problems.append(f"{new.origin}{_problem(exc, new.columns)}")
            continue
        taken.add(new.post_id)
        known[_same_key(str(new.data.get("text", "")), new.data.get("at"), ws)] = new.post_id
        result.paths.append(path)
        result.ids.append(new.post_id)
    return result


def _same_key(text: str, at: Any, ws: Workspace | None = None) -> tuple[str, str]:
    """What makes an id-less row "the same post again": its text and its instant. Importing
    a file twice then writes nothing new (rows with an id are refused by id instead)."""
    if isinstance(at, datetime) and at.tzinfo is None and ws is not None:
        zone = ws.settings.zone()
        at = at.replace(tzinfo=zone) if zone is not None else at
    when = at.astimezone(UTC).isoformat() if isinstance(at, datetime) and at.tzinfo else str(at)
    return " ".join(text.split()), when


def _problem(exc: InputError, columns: dict[str, str]) -> str:
    """``, column 'at': problem (hint)`` for a CSV row (its key mapped to the column),
    ``: key: problem (hint)`` otherwise; several problems joined with ``;``."""
    parts = []
    for e in exc.errors if isinstance(exc, PostInvalid) else [exc]:
        hint = f" ({e.hint})" if e.hint else ""
        top = re.split(r"[.\[]", e.key or "", maxsplit=1)[0]
        if columns and top in columns:
            inner = f" ({e.key})" if e.key != top and columns[top] != top else ""
            parts.append(f", column {columns[top]!r}{inner}: {e.problem}{hint}")
        else:
            parts.append(f": {e.key + ': ' if e.key else ''}{e.problem}{hint}")
    return ";".join(parts)


def _day(ws: Workspace, at: Any, now: datetime) -> str:
    zone = ws.settings.zone()
    day = at if isinstance(at, datetime) else now
    if zone is not None and day.tzinfo is not None:
        day = day.astimezone(zone)
    return day.date().isoformat()


def _free_id(ws: Workspace, base: str, taken: set[str]) -> str:
    for candidate in [base] + [f"{base}-{n}" for n in range(2, 1000)]:
        if candidate not in taken and not (ws.queue_dir / f"{candidate}.toml").exists():
            return candidate
    raise InputError(f"no free file name for {base!r}", path=ws.queue_dir)


def _write_one(ws: Workspace, new: NewPost, taken: set[str], force: bool) -> Path:
    from soulpost.filesafe import replace_file, write_new_file
    from soulpost.posts import dump_post, parse_post
    from soulpost.workspace import post_context

    post_id = str(new.post_id)
    path = ws.queue_dir / f"{post_id}.toml"
    exists = path.exists() or path.is_symlink() or post_id in taken
    if exists and not force:
        raise InputError(
            f"a post with id {post_id!r} already exists",
            key="id",
            hint="pass --force to replace it, or give the row another id",
        )
    content = dump_post({"id": post_id, **new.data})
    parse_post(content, path, post_context(ws.settings))  # raises PostInvalid, nothing written
    if path.exists() or path.is_symlink():
        replace_file(path, content, root=ws.root)
    else:
        try:
            write_new_file(path, content)
        except FileExistsError:
            raise InputError(
                f"a post with id {post_id!r} appeared while importing", key="id"
            ) from None
    return path


def lint_written(ws_root: Path, paths: list[Path], now: datetime) -> tuple[str, Report | None]:
    """The lint report (as text) of the files just written, with the whole queue around
    them, as ``soulpost lint FILES`` would show it; empty when nothing was written."""
    if not paths:
        return "", None
    from soulpost.lint.engine import lint_workspace
    from soulpost.lint.formats import render
    from soulpost.workspace import load_workspace

    ws = load_workspace(root=ws_root)
    report = lint_workspace(ws, now=now, paths=paths)
    report.errors = [e for e in report.errors if e.path in set(paths)]
    return render("text", report, root=ws.root), report
