"""The JSON format: a versioned document for scripts.

The shape is described by the JSON Schema in ``docs/lint-json-schema.json`` and tested
against it. ``version`` changes only when a field is removed or changes meaning; new
fields may appear in any release, so readers should ignore keys they do not know.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C string encoder json.dumps uses
from typing import TYPE_CHECKING, Any

from soulpost import __version__
from soulpost.lint.formats.common import by_location, counts, error_fields

if TYPE_CHECKING:
    from pathlib import Path

    from soulpost.lint.model import Finding, Report

SCHEMA_VERSION = 1


def finding_fields(finding: Finding) -> dict[str, Any]:
    """One finding as the JSON document holds it."""
    return {
        "code": finding.code,
        "name": finding.name,
        "lesson": finding.lesson,
        "severity": finding.severity,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "platform": finding.platform,
        "message": finding.message,
        "post_id": finding.post_id,
        "hint": finding.hint,
    }


# The start of a finding's line for each (code, name, lesson, severity): a run has a few
# dozen, and its findings are thousands.
_HEADS: dict[tuple[str, str, str, str], str] = {}


def finding_line(finding: Finding) -> str:
    """``finding_fields(finding)`` as compact-spaced JSON, the way ``json.dumps`` writes it.

    Written out field by field: building a dict and running the encoder for each of
    20,000 findings took a tenth of a second; this takes a third of that. The fields a
    rule gives every one of its findings are encoded once per rule and severity.
    """
    f = finding
    rule = (f.code, f.name, f.lesson, f.severity)
    head = _HEADS.get(rule)
    if head is None:
        head = _HEADS[rule] = (
            f'{{"code": {encode_basestring(f.code)}, "name": {encode_basestring(f.name)}, '
            f'"lesson": {encode_basestring(f.lesson)}, '
            f'"severity": {encode_basestring(f.severity)}, '
        )
    path, platform, post_id, hint = f.path, f.platform, f.post_id, f.hint
    return (
        f'{head}"path": {"null" if path is None else encode_basestring(path)}, '
        f'"line": {f.line:d}, "column": {f.column:d}, '
        f'"platform": {"null" if platform is None else encode_basestring(platform)}, '
        f'"message": {encode_basestring(f.message)}, '
        f'"post_id": {"null" if post_id is None else encode_basestring(post_id)}, '
        f'"hint": {"null" if hint is None else encode_basestring(hint)}}}'
    )


def document(report: Report, root: Path, *, findings: bool = True) -> dict[str, Any]:
    """The report as plain data (what :func:`render_json` serialises); *findings* False
    leaves the list of findings empty (for a caller that writes them itself)."""
    found = counts(report)
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "soulpost", "version": __version__},
        "findings": (
            [finding_fields(f) for f in sorted(report.findings, key=by_location)]
            if findings
            else []
        ),
        "summary": {
            "errors": found["error"],
            "warnings": found["warning"],
            "info": found["info"],
            "posts": report.posts,
            "files": report.files,
            "unreadable": len(report.errors),
        },
        "errors": [error_fields(e, root) for e in report.errors],
    }


def render_json(report: Report, root: Path) -> str:
    """The report as JSON with one finding per line, ending with a newline.

    One line per finding keeps the output readable and greppable, and lets the C encoder
    do the work: ``json.dumps(indent=...)`` falls back to a pure-Python encoder that took
    most of a second for 20,000 findings.
    """
    doc = document(report, root, findings=False)
    dump = json.JSONEncoder(ensure_ascii=False).encode
    errors = ",\n    ".join(dump(e) for e in doc["errors"])
    errors = f"[\n    {errors}\n  ]" if errors else "[]"
    parts = ["{\n", f'  "version": {dump(doc["version"])},\n']
    parts += [f'  "tool": {dump(doc["tool"])},\n', '  "findings": ']
    lines = list(map(finding_line, sorted(report.findings, key=by_location)))
    if lines:
        # The lines and what stands between them, joined with the rest in one go: each
        # join copies the whole text (megabytes, four bytes a character with an emoji).
        between = [",\n    "] * (2 * len(lines) - 1)
        between[::2] = lines
        parts += ["[\n    ", *between, "\n  ]"]
    else:
        parts.append("[]")
    parts += [",\n", f'  "summary": {dump(doc["summary"])},\n', f'  "errors": {errors}\n', "}\n"]
    return "".join(parts)
