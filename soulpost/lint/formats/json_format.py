"""The JSON format: a versioned document for scripts.

The shape is described by the JSON Schema in ``docs/lint-json-schema.json`` and tested
against it. ``version`` changes only when a field is removed or changes meaning; new
fields may appear in any release, so readers should ignore keys they do not know.
"""

from __future__ import annotations

import json
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


def document(report: Report, root: Path) -> dict[str, Any]:
    """The report as plain data (what :func:`render_json` serialises)."""
    found = counts(report)
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "soulpost", "version": __version__},
        "findings": [finding_fields(f) for f in sorted(report.findings, key=by_location)],
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
    doc = document(report, root)
    dump = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per finding

    findings = ",\n    ".join(dump(f) for f in doc["findings"])
    findings = f"[\n    {findings}\n  ]" if findings else "[]"
    errors = ",\n    ".join(dump(e) for e in doc["errors"])
    errors = f"[\n    {errors}\n  ]" if errors else "[]"
    return (
        "{\n"
        f'  "version": {dump(doc["version"])},\n'
        f'  "tool": {dump(doc["tool"])},\n'
        f'  "findings": {findings},\n'
        f'  "summary": {dump(doc["summary"])},\n'
        f'  "errors": {errors}\n'
        "}\n"
    )
