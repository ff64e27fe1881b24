"""The human format: one line per finding, a hint under it, grouped by file.

::

    queue/flash-sale.toml:2:1: SP101 no-shouting [listen] 62% of the letters are capitals
        hint: write it as you would say it to one person

    3 errors, 5 warnings, 1 info in 13 posts (13 files)
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from soulpost.lint.formats.common import by_location, summary_line

if TYPE_CHECKING:
    from pathlib import Path

    from soulpost.lint.model import Finding, Report

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_SEVERITY_STYLE = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;36m"}
QUEUE = "queue"  # shown for findings about the queue as a whole (no single file)


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color else text


def _line(finding: Finding, color: bool) -> str:
    where = f"{finding.path or QUEUE}:{finding.line}:{finding.column}:"
    code = _paint(f"{finding.code} {finding.name}", _SEVERITY_STYLE[finding.severity], color)
    lesson = _paint(f"[{finding.lesson}]", _DIM, color)
    on = f" (on {finding.platform})" if finding.platform else ""
    out = f"{_paint(where, _BOLD, color)} {code} {lesson} {finding.message}{on}"
    if finding.hint:
        out += "\n    " + _paint(f"hint: {finding.hint}", _DIM, color)
    return out


def render_text(report: Report, root: Path, color: bool) -> str:
    """The report for a terminal; ends with a newline."""
    blocks: list[str] = []
    if report.errors:
        lines = []
        for error in sorted(report.errors, key=lambda e: (str(e.path), e.line or 0)):
            label = _paint("error:", _SEVERITY_STYLE["error"], color)
            lines.append(f"{label} cannot load {error.render(root)}")
        blocks.append("\n".join(lines))
    findings = sorted(report.findings, key=by_location)
    for _, group in groupby(findings, key=lambda f: f.path):
        blocks.append("\n".join(_line(finding, color) for finding in group))
    summary = summary_line(report)
    worst = report.worst()
    style = {2: _SEVERITY_STYLE["error"], 1: _SEVERITY_STYLE["warning"]}.get(worst, _BOLD)
    if report.errors:
        style = _SEVERITY_STYLE["error"]
    blocks.append(_paint(summary, style, color))
    return "\n\n".join(blocks) + "\n"
