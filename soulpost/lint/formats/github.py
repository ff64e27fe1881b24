"""GitHub Actions workflow commands: findings become annotations on the changed files.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (and 50 per
job); more are dropped silently. So this format prints the most severe findings first, at
most :data:`LIMIT` of each level, then one plain line counting the rest by level and rule,
and the usual summary line. Run lint in its own step to get the whole budget.

``::error file=queue/a.toml,line=2,col=1,title=SP101 no-shouting::62% of the letters ...``

Escaping follows GitHub's runner: in the message ``%``, CR and LF are percent-encoded; in
the properties ``:`` and ``,`` are too.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from soulpost.lint.formats.common import by_severity, plural, relative, summary_line

if TYPE_CHECKING:
    from pathlib import Path

    from soulpost.lint.model import Finding, Report

LIMIT = 10  # annotations of one level GitHub shows per step
LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (file, title)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(
    level: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
    title: str | None = None,
) -> str:
    """One workflow command line such as ``::error file=a,line=1::message``."""
    props = []
    if file is not None:
        props.append(f"file={escape_property(file)}")
    if line:
        props.append(f"line={line}")
    if col:
        props.append(f"col={col}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def _annotation(finding: Finding) -> str:
    message = finding.message
    if finding.platform:
        message += f" (on {finding.platform})"
    if finding.hint:
        message += f"\nHint: {finding.hint}"
    message += f"\nLesson: {finding.lesson}"
    return command(
        LEVELS[finding.severity],
        message,
        file=finding.path,
        line=finding.line if finding.path else None,
        col=finding.column if finding.path else None,
        title=f"{finding.code} {finding.name}",
    )


def render_github(report: Report, root: Path) -> str:
    """Annotations (at most :data:`LIMIT` per level), then what was left out, then a summary."""
    lines: list[str] = []
    shown: Counter[str] = Counter()
    left_out: Counter[str] = Counter()
    left_out_rules: Counter[str] = Counter()
    for error in report.errors:  # files that could not be loaded are the most severe
        if shown["error"] < LIMIT:
            shown["error"] += 1
            lines.append(
                command(
                    "error",
                    error.problem + (f"\nHint: {error.hint}" if error.hint else ""),
                    file=relative(error.path, root),
                    line=error.line,
                    title="soulpost: cannot load",
                )
            )
        else:
            left_out["error"] += 1
            left_out_rules["cannot load"] += 1
    for finding in sorted(report.findings, key=by_severity):
        level = LEVELS[finding.severity]
        if shown[level] < LIMIT:
            shown[level] += 1
            lines.append(_annotation(finding))
        else:
            left_out[level] += 1
            left_out_rules[f"{finding.code} {finding.name}"] += 1
    if left_out:
        levels = ", ".join(
            plural(left_out[level], f"more {level}")
            for level in ("error", "warning", "notice")
            if level in left_out
        )
        rules = ", ".join(f"{rule} ×{n}" for rule, n in sorted(left_out_rules.items()))
        lines.append(
            f"soulpost: {levels} not shown as annotations "
            f"(GitHub shows at most {LIMIT} per level in a step): {rules}"
        )
    lines.append(f"soulpost: {summary_line(report)}")
    return "\n".join(lines) + "\n"
