"""Terminal columns: emoji and CJK take two cells, combining marks none (``wcwidth``).

``len`` counts code points, so a table padded with it breaks as soon as a post holds 🧵
or 日本語. These helpers measure, pad, clip and wrap by display cells, one grapheme-ish
character at a time (a zero-width joiner or combining mark never starts a new cell).
"""

from __future__ import annotations

from wcwidth import wcswidth, wcwidth


def _cells(char: str) -> int:
    width = wcwidth(char)
    return 0 if width < 0 else width  # control characters: shown as nothing


def width(text: str) -> int:
    """Display cells of *text* on one line."""
    total = wcswidth(text)
    if total >= 0:
        return int(total)
    return sum(_cells(c) for c in text)


def pad(text: str, cells: int) -> str:
    """*text* padded with spaces to *cells* columns (never cut)."""
    return text + " " * max(0, cells - width(text))


def clip(text: str, cells: int, mark: str = "…") -> str:
    """*text* cut to at most *cells* columns, ending in *mark* when cut."""
    if width(text) <= cells:
        return text
    room = cells - width(mark)
    out, used = [], 0
    for char in text:
        w = _cells(char)
        if used + w > room:
            break
        out.append(char)
        used += w
    return "".join(out) + mark


def wrap(line: str, cells: int) -> list[str]:
    """One line of text folded into lines of at most *cells* columns, at spaces where
    possible (a word wider than the line is cut)."""
    if cells < 2 or width(line) <= cells:
        return [line]
    out: list[str] = []
    current, used = "", 0
    for each in line.split(" "):
        word, w = each, width(each)
        if current and used + 1 + w > cells:
            out.append(current)
            current, used = "", 0
        while w > cells:  # a long link: cut it
            head = clip(word, cells, mark="")
            if current:
                out.append(current)
            out.append(head)
            word = word[len(head) :]
            w = width(word)
            current, used = "", 0
        current = f"{current} {word}" if current else word
        used = width(current)
    out.append(current)
    return out
