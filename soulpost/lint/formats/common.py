"""Helpers every format shares: ordering, counting and load-error fields."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.lint.model import SEVERITY_RANK, Finding

if TYPE_CHECKING:
    from soulpost.errors import InputError
    from soulpost.lint.model import Report

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")


def by_location(finding: Finding) -> tuple[str, int, int, int, str]:
    """Sort key: file, line, column, most severe first, code. Queue-wide findings last."""
    return (
        finding.path if finding.path is not None else "\uffff",
        finding.line,
        finding.column,
        -SEVERITY_RANK[finding.severity],
        finding.code,
    )


def by_severity(finding: Finding) -> tuple[int, str, int, int, str]:
    """Sort key: most severe first, then file, line, column and code."""
    path, line, column, rank, code = by_location(finding)
    return (rank, path, line, column, code)


def counts(report: Report) -> dict[str, int]:
    """Findings per severity, every severity present (0 when none)."""
    found: Counter[str] = Counter(f.severity for f in report.findings)
    return {severity: found[severity] for severity in SEVERITIES}


def plural(count: int, word: str) -> str:
    """``1 error``, ``2 errors``; "info" does not take an s."""
    if count == 1 or word == "info":
        return f"{count} {word}"
    return f"{count} {word}s"


def summary_line(report: Report) -> str:
    """``3 errors, 5 warnings, 1 info in 13 posts (13 files)``, and unreadable files."""
    found = counts(report)
    scope = f"in {plural(report.posts, 'post')} ({plural(report.files, 'file')})"
    if sum(found.values()):
        text = ", ".join(plural(n, s) for s, n in found.items() if n) + f" {scope}"
    else:
        text = f"no problems {scope}"
    if report.errors:
        text += f"; {plural(len(report.errors), 'file')} could not be read"
    return text


def relative(path: Path | None, root: Path) -> str | None:
    """*path* relative to *root* in POSIX form where it lies below it, else as given."""
    if path is None:
        return None
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a link loop
        return path.as_posix()


def error_fields(error: InputError, root: Path) -> dict[str, Any]:
    """A load error as plain data (path relative to *root*)."""
    return {
        "path": relative(error.path, root),
        "line": error.line,
        "key": error.key,
        "message": error.problem,
        "hint": error.hint,
    }
