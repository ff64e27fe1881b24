"""SARIF 2.1.0, the format code-scanning services read (GitHub code scanning and others).

One run, tool ``soulpost``; ``tool.driver.rules`` describes every rule that ran (its why
and examples become the rule's help), each result points at a draft by a path relative
to ``%SRCROOT%`` (the workspace root). Files that could not be loaded are reported as
tool execution notifications, since no rule produced them. Validated in the tests with
the OASIS schema.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from soulpost import __version__
from soulpost.lint.formats.common import by_location, relative
from soulpost.lint.model import LESSONS, RuleInfo

if TYPE_CHECKING:
    from pathlib import Path

    from soulpost.lint.model import Finding, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"


def _help(rule: RuleInfo) -> dict[str, str]:
    """The rule's why and examples, as plain text and as Markdown."""
    lesson = LESSONS.get(rule.lesson, "")
    text = [rule.summary]
    markdown = [f"**{rule.summary}**"]
    if rule.why:
        text += ["", rule.why]
        markdown += ["", rule.why]
    if lesson:
        text += ["", f"Lesson ({rule.lesson}): {lesson}"]
        markdown += ["", f"*Lesson ({rule.lesson}):* {lesson}"]
    for title, examples in (("Fails", rule.bad), ("Passes", rule.good)):
        if examples:
            text += ["", f"{title}:"] + [
                f"    {line}" for ex in examples for line in ex.splitlines()
            ]
            markdown += ["", f"{title}:", ""]
            for example in examples:
                markdown += ["```", example.rstrip("\n"), "```"]
    return {"text": "\n".join(text), "markdown": "\n".join(markdown)}


def _descriptor(rule: RuleInfo) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why or rule.summary},
        "help": _help(rule),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "lesson": rule.lesson,
            "scope": rule.scope,
            "origin": rule.origin,
            "tags": ["soulpost", rule.lesson],
        },
    }


def _stand_in(finding: Finding) -> RuleInfo:
    """Metadata for a finding whose rule the report does not describe."""
    return RuleInfo(
        code=finding.code,
        name=finding.name,
        severity=finding.severity,
        lesson=finding.lesson,
        summary=finding.name.replace("-", " "),
    )


def _message(finding: Finding) -> str:
    text = finding.message
    if finding.platform:
        text += f" (on {finding.platform})"
    if finding.hint:
        text += f"\nHint: {finding.hint}"
    return text


def _result(finding: Finding, index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
    }
    if finding.path is not None:
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.path, "uriBaseId": SRCROOT},
                    "region": {
                        "startLine": max(finding.line, 1),
                        "startColumn": max(finding.column, 1),
                    },
                }
            }
        ]
    properties = {
        k: v
        for k, v in (
            ("lesson", finding.lesson),
            ("platform", finding.platform),
            ("postId", finding.post_id),
        )
        if v is not None
    }
    result["properties"] = properties
    return result


def document(report: Report, root: Path) -> dict[str, Any]:
    """The report as a SARIF log (plain data)."""
    rules = dict(sorted(report.rules.items()))
    for finding in report.findings:
        rules.setdefault(finding.code, _stand_in(finding))
    index = {code: i for i, code in enumerate(rules)}
    results = [_result(f, index[f.code]) for f in sorted(report.findings, key=by_location)]
    notifications = []
    for error in report.errors:
        note: dict[str, Any] = {
            "level": "error",
            "message": {"text": error.problem + (f" ({error.hint})" if error.hint else "")},
        }
        path = relative(error.path, root)
        if path is not None:
            physical: dict[str, Any] = {"artifactLocation": {"uri": path, "uriBaseId": SRCROOT}}
            if error.line:
                physical["region"] = {"startLine": error.line}
            note["locations"] = [{"physicalLocation": physical}]
        notifications.append(note)
    root_uri = root.resolve().as_uri().rstrip("/") + "/"
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "soulpost",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_descriptor(rule) for rule in rules.values()],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render_sarif(report: Report, root: Path) -> str:
    """The report as SARIF 2.1.0 JSON on one line (tools read it, not people), with a newline.

    Compact output lets ``json`` use its C encoder; indenting falls back to pure Python and
    cost about a second for 20,000 results.
    """
    return json.dumps(document(report, root), ensure_ascii=False, separators=(",", ":")) + "\n"
