"""CSV files of posts: our own column layout, and Buffer's and Hootsuite's bulk layouts.

Reading is split as sqlite-utils splits it: the CSV module yields plain rows, a layout turns
each row into post data (or a problem naming the row and column), and the posts go through
the same validation as every draft (:mod:`soulpost.importers.drafts`). Rows are numbered as
a spreadsheet shows them: the header is row 1.

Layouts (docs/csv.md has the full column reference):

* ``soulpost``: ``id, at, status, platforms, tags, text, media, extra``. Everything a post
  file holds survives a round trip: ``media`` and ``extra`` (variants, thread, lint,
  max_lateness) are JSON, ``at`` is written as the file has it (local or with an offset).
* ``buffer``: ``Text, Image URL, Tags, Posting Time`` with ``YYYY-MM-DD HH:mm`` in the
  workspace time zone, one channel per file (so platforms come from ``-p`` or config).
* ``hootsuite``: the bulk composer's columns without a header: date and time
  (``dd/mm/yyyy HH:mm``, or ``mm/dd/yyyy`` with ``--date-order mdy``), message, link.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from soulpost.errors import InputError
from soulpost.importers.drafts import NewPost

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.posts import Post

MAX_ROWS = 10_000
SOULPOST_COLUMNS = ("id", "at", "status", "platforms", "tags", "text", "media", "extra")
BUFFER_COLUMNS = ("Text", "Image URL", "Tags", "Posting Time")
EXTRA_KEYS = ("variants", "thread", "lint", "max_lateness")
# Post keys -> the column that holds them, per layout, for messages about a row.
COLUMN_OF = {
    "soulpost": {k: k for k in SOULPOST_COLUMNS} | dict.fromkeys(EXTRA_KEYS, "extra"),
    "buffer": {"text": "Text", "media": "Image URL", "tags": "Tags", "at": "Posting Time"},
    "hootsuite": {"text": "message", "at": "date/time"},
}
_SPLIT = re.compile(r"[,;\s]+")


class _RowProblem(ValueError):
    """One cell is wrong: which column, and what."""

    def __init__(self, column: str, problem: str) -> None:
        super().__init__(problem)
        self.column = column
        self.problem = problem


def read_rows(
    text: str,
    source: str,
    settings: Settings,
    *,
    layout: str,
    platforms: list[str],
    date_order: str = "dmy",
) -> tuple[list[NewPost], list[str]]:
    """The posts of *text*'s good rows, and one message per bad row (row and column)."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if len(rows) > MAX_ROWS + 1:
        raise InputError(f"more than {MAX_ROWS} rows; split the file", path=source)
    if layout == "hootsuite":
        start = 1 if rows and rows[0] and not _looks_dated(rows[0][0]) else 0
        header = ["date/time", "message", "link"]
        body = list(enumerate(rows[start:], start=start + 1))
    else:
        if not rows:
            raise InputError("the file is empty; expected a header row", path=source)
        header = [h.strip() for h in rows[0]]
        _check_header(header, layout, source)
        body = list(enumerate(rows[1:], start=2))
    posts: list[NewPost] = []
    problems: list[str] = []
    for number, row in body:
        if not any(cell.strip() for cell in row):
            continue  # a blank line between rows
        origin = f"{source}: row {number}"
        try:
            cells = _cells(header, row, layout)
            post = _ROW_READERS[layout](cells, platforms, date_order)
        except _RowProblem as exc:
            problems.append(f"{origin}, column {exc.column!r}: {exc.problem}")
            continue
        post.origin = origin
        post.columns = COLUMN_OF[layout]
        posts.append(post)
    return posts, problems


def _check_header(header: list[str], layout: str, source: str) -> None:
    expected = SOULPOST_COLUMNS if layout == "soulpost" else BUFFER_COLUMNS
    folded = {h.lower() for h in header}
    unknown = [h for h in header if h.lower() not in {e.lower() for e in expected}]
    if "text" not in folded or unknown:
        what = f"unknown column(s) {', '.join(map(repr, unknown))}" if unknown else "no 'text'"
        raise InputError(
            f"row 1 (the header): {what}; the {layout} layout has columns " + ", ".join(expected),
            path=source,
            hint="pick the file's layout with --layout (docs/csv.md)",
        )


def _cells(header: list[str], row: list[str], layout: str) -> dict[str, str]:
    if len(row) > len(header):
        raise _RowProblem(f"#{len(header) + 1}", f"{len(row)} cells but only {len(header)} columns")
    cells = dict(zip([h.lower() for h in header], row, strict=False))
    return {k: v.replace("\r\n", "\n") for k, v in cells.items()}


def _split(value: str) -> list[str]:
    return [p for p in _SPLIT.split(value.strip()) if p]


def _when(value: str, column: str, formats: tuple[str, ...] = ()) -> datetime | None:
    text = value.strip()
    if not text:
        return None
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        shown = " or ".join(f.replace("%", "") for f in formats) or "2026-12-01T09:00"
        raise _RowProblem(column, f"{text!r} is not a date and time ({shown})") from None


def _json(value: str, column: str, kind: type) -> Any:
    if not value.strip():
        return kind()
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise _RowProblem(column, f"not valid JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(parsed, kind):
        raise _RowProblem(column, f"expected a JSON {'object' if kind is dict else 'array'}")
    return parsed


def _soulpost_row(cells: dict[str, str], platforms: list[str], _order: str) -> NewPost:
    data: dict[str, Any] = {"text": cells.get("text", "")}
    if not data["text"].strip():
        raise _RowProblem("text", "empty; every row needs the post's text")
    chosen = _split(cells.get("platforms", "")) or platforms
    if chosen:
        data["platforms"] = chosen
    data["at"] = _when(cells.get("at", ""), "at")
    data["status"] = cells.get("status", "").strip() or "draft"
    data["tags"] = [t.strip() for t in cells.get("tags", "").split(";") if t.strip()]
    media = cells.get("media", "").strip()
    if media and not media.startswith("["):
        data["media"] = [{"path": media}]
    else:
        data["media"] = _json(media, "media", list)
    extra = _json(cells.get("extra", ""), "extra", dict)
    unknown = [k for k in extra if k not in EXTRA_KEYS]
    if unknown:
        raise _RowProblem("extra", f"unknown key(s) {', '.join(unknown)}; allowed: {EXTRA_KEYS}")
    data.update(extra)
    post_id = cells.get("id", "").strip() or None
    return NewPost(data, "", post_id)


def _buffer_row(cells: dict[str, str], platforms: list[str], _order: str) -> NewPost:
    text = cells.get("text", "").strip()
    if not text:
        raise _RowProblem("Text", "empty; every row needs the post's text")
    data: dict[str, Any] = {"text": text + "\n", "status": "draft"}
    if platforms:
        data["platforms"] = platforms
    data["at"] = _when(cells.get("posting time", ""), "Posting Time", ("%Y-%m-%d %H:%M",))
    data["tags"] = [t.strip() for t in cells.get("tags", "").split(",") if t.strip()]
    image = cells.get("image url", "").strip()
    if image:
        if "://" in image:
            raise _RowProblem(
                "Image URL",
                "soulpost attaches files from the workspace, not URLs; save the image under "
                "media/ and give that path",
            )
        data["media"] = [{"path": image}]
    return NewPost(data, "")


_HOOT_FORMATS = {
    "dmy": ("%d/%m/%Y %H:%M", "%d/%m/%y %H:%M"),
    "mdy": ("%m/%d/%Y %H:%M", "%m/%d/%y %H:%M"),
}


def _looks_dated(cell: str) -> bool:
    return bool(re.match(r"\s*\d", cell))


def _hootsuite_row(cells: dict[str, str], platforms: list[str], order: str) -> NewPost:
    text = cells.get("message", "").strip()
    if not text:
        raise _RowProblem("message", "empty; every row needs the post's text")
    link = cells.get("link", "").strip()
    if link and link not in text:
        text = f"{text} {link}"
    when = _when(cells.get("date/time", ""), "date/time", _HOOT_FORMATS[order])
    if when is None:
        raise _RowProblem("date/time", "empty; Hootsuite rows always carry a date and time")
    data: dict[str, Any] = {"text": text + "\n", "status": "draft", "at": when}
    if platforms:
        data["platforms"] = platforms
    return NewPost(data, "")


_ROW_READERS = {"soulpost": _soulpost_row, "buffer": _buffer_row, "hootsuite": _hootsuite_row}


# -- export ----------------------------------------------------------------------------------


def export_rows(
    posts: list[Post], settings: Settings, layout: str, order: str = "dmy"
) -> tuple[str, list[str]]:
    """The CSV text of *posts* in *layout* (what :func:`read_rows` reads back), and the ids
    of posts left out (Hootsuite rows need a time; a post without ``at`` has none yet)."""
    left_out = [p.id for p in posts if layout == "hootsuite" and p.at is None]
    posts = [p for p in posts if p.id not in set(left_out)]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    if layout == "soulpost":
        writer.writerow(SOULPOST_COLUMNS)
        writer.writerows(_soulpost_cells(p) for p in posts)
    elif layout == "buffer":
        writer.writerow(BUFFER_COLUMNS)
        for post in posts:
            when = _local(post, settings, "%Y-%m-%d %H:%M")
            media = post.media[0].path if post.media else ""
            writer.writerow([post.text.strip(), media, ",".join(post.tags), when])
    else:
        fmt = _HOOT_FORMATS[order][0]
        for post in posts:
            writer.writerow([_local(post, settings, fmt), post.text.strip(), ""])
    return out.getvalue(), left_out


def _local(post: Post, settings: Settings, fmt: str) -> str:
    if post.at is None:
        return ""
    zone = settings.zone()
    return (post.at.astimezone(zone) if zone else post.at).strftime(fmt)


def _soulpost_cells(post: Post) -> list[str]:
    """The post as the file says it: ``at`` as written (a local time stays local)."""
    import tomli

    raw_text = post.raw_text()
    raw: dict[str, Any] = tomli.loads(raw_text) if raw_text else post.model_dump()
    at = raw.get("at")
    platforms = raw.get("platforms") or []
    media = raw.get("media") or []
    extra = {k: raw[k] for k in EXTRA_KEYS if raw.get(k) not in (None, {}, [])}
    return [
        post.id,
        at.isoformat() if isinstance(at, datetime) else str(at or ""),
        str(raw.get("status", "draft")),
        platforms if isinstance(platforms, str) else " ".join(map(str, platforms)),
        "; ".join(post.tags),
        post.text,
        json.dumps(media, ensure_ascii=False) if media else "",
        json.dumps(extra, ensure_ascii=False, default=str) if extra else "",
    ]
