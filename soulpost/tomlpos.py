"""Where keys live in a TOML file, so errors and findings can name a line and column.

``tomli`` gives values but no positions. This scanner reads the raw text once and maps
each key path (``("media", 0, "alt")``) to the line that defines it, and can turn an offset
inside a string value into a line and column. It understands table headers, arrays of
tables, dotted keys and the opening of multi-line strings; it does not need to understand
values, so it stays small and fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)

Loc = tuple[str | int, ...]


_KEY_PART = re.compile(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)')
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _split_key(dotted: str) -> list[str]:
    if _BARE.fullmatch(dotted):  # the usual case: one bare key
        return [dotted]
    return [a or b or c for a, b, c in _KEY_PART.findall(dotted)]


_TABLE_LINE = re.compile(r"(?m)^[ \t]*\[")


_KEY_LINES: dict[str, re.Pattern[str]] = {}  # key -> the pattern of a line defining it


def top_level_line(text: str, key: str) -> int | None:
    """The line of the bare top-level *key* of TOML *text*, found without scanning the file.

    None when a quick look cannot be sure (a table header or a multi-line string comes
    first, so the match might not be the top-level key): then use :meth:`SourceMap.scan`.
    """
    found = top_level_key(text, key)
    return found[0] if found is not None else None


def top_level_key(text: str, key: str) -> tuple[int, str] | None:
    """Like :func:`top_level_line`, with the text of that line."""
    pattern = _KEY_LINES.get(key)
    if pattern is None:
        pattern = _KEY_LINES[key] = re.compile(rf"(?m)^[ \t]*{re.escape(key)}[ \t]*=")
    match = pattern.search(text)
    if match is None:
        return None
    start = match.start()
    before = text[:start]
    if '"""' in before or "'''" in before or _TABLE_LINE.search(before):
        return None
    end = text.find("\n", start)
    return before.count("\n") + 1, text[start : end if end >= 0 else len(text)]


def string_position(raw: str, line: int, offset: int, value: str | None) -> tuple[int, int]:
    """Line and column (1-based) of character *offset* of the string *value* whose key is
    defined on line number *line*, whose text is *raw*."""
    start_line, start_col = line, 1
    eq = raw.find("=")
    rest = raw[eq + 1 :] if eq >= 0 else raw
    for quote in ('"""', "'''", '"', "'"):
        at = rest.find(quote)
        if at >= 0:
            after = rest[at + len(quote) :]
            if len(quote) == 3 and not after.strip():
                start_line, start_col = line + 1, 1
            else:
                start_col = eq + 1 + at + len(quote) + 1
            break
    if value is None or offset <= 0:
        return start_line, start_col
    before = value[:offset]
    newlines = before.count("\n")
    if newlines == 0:
        return start_line, start_col + offset
    return start_line + newlines, offset - before.rfind("\n")


def nesting_bound(text: str) -> int:
    """An upper bound on how deep the TOML document *text* can nest tables and arrays.

    Every table or array below the top comes from a ``[`` (a header or an array), a ``{``
    (an inline table) or a ``.`` (a dotted key or header), so their count bounds the depth;
    counting characters in C is about ten times cheaper than walking the parsed data, and
    a draft seldom holds as many as :func:`too_deep` allows.
    """
    return text.count("[") + text.count("{") + text.count(".")


def too_deep(data: object, limit: int) -> Loc | None:
    """The key path of the first value nested more than *limit* tables or arrays deep in
    parsed TOML *data*, else None. Walks without recursion, so the check itself cannot
    overflow the stack that deep data would overflow elsewhere."""
    if not isinstance(data, dict | list):
        return None
    stack: list[tuple[dict[Any, Any] | list[Any], Loc]] = [(data, ())]
    while stack:  # only tables and arrays are pushed: a scalar adds no depth of its own
        value, loc = stack.pop()
        if len(loc) >= limit:
            return loc
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(item, dict | list):
                stack.append((item, (*loc, key if isinstance(key, int) else str(key))))
    return None


@dataclass
class SourceMap:
    """Line numbers of the keys of one TOML document (1-based)."""

    lines: list[str]
    keys: dict[Loc, int] = field(default_factory=dict)

    @classmethod
    def scan(cls, text: str) -> SourceMap:
        """Scan *text* once; values are not parsed."""
        # Only \n ends a line in TOML (\r\n is read as \n): not U+2028 and the other
        # separators str.splitlines() would also split at.
        smap = cls(text.split("\n"))
        table: Loc = ()
        counts: dict[Loc, int] = {}
        in_multiline: str | None = None
        for number, line in enumerate(smap.lines, start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            first = line.lstrip()[:1]
            if not first or first == "#":
                continue  # blank lines and comments, most of a file's lines
            header = _HEADER.match(line) if first == "[" else None
            if header and not _KEY.match(line):
                path = tuple(_split_key(header.group(2)))
                if header.group(1) == "[[":
                    index = counts.get(path, 0)
                    counts[path] = index + 1
                    table = (*path, index)
                else:
                    table = path
                smap.keys.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                loc = (*table, *_split_key(key.group(1)))
                smap.keys.setdefault(loc, number)
                rest = line[key.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) == 1:
                        in_multiline = quote
        return smap

    def line_of(self, loc: Loc) -> int | None:
        """The line defining *loc*, or of its nearest enclosing key that has one."""
        probe = tuple(loc)
        while probe:
            if probe in self.keys:
                return self.keys[probe]
            probe = probe[:-1]
        return None

    def position(self, loc: Loc, offset: int = 0, value: str | None = None) -> tuple[int, int]:
        """Line and column (1-based) of character *offset* inside the string value at *loc*."""
        line = self.line_of(loc)
        if line is None:
            return 1, 1
        raw = self.lines[line - 1] if line <= len(self.lines) else ""
        return string_position(raw, line, offset, value)
