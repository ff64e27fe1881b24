"""Documentation generated from the rules: docs/rules.md, `rules` and `explain`."""

from __future__ import annotations

from collections.abc import Callable

from soulpost.lint.docs import rules_markdown
from soulpost.lint.registry import load_registry
from tests.conftest import REPO, Result

CLI = Callable[..., Result]


def test_docs_rules_md_is_fresh() -> None:
    expected = rules_markdown(load_registry(None))
    current = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == expected, (
        "docs/rules.md is stale: run `soulpost rules --format markdown --builtin > docs/rules.md`"
    )


def test_rules_lists_every_rule(cli: CLI) -> None:
    result = cli("-C", REPO, "rules")
    assert result.code == 0
    for spec in load_registry(None).specs:
        row = next(line for line in result.out.splitlines() if line.startswith(spec.code + " "))
        assert spec.name in row and spec.lesson in row and spec.summary in row
    assert "SP900" in result.out and "(off)" in result.out


def test_rules_json(cli: CLI) -> None:
    import json

    rows = json.loads(cli("-C", REPO, "rules", "--format", "json").out)["rules"]
    assert {"code", "name", "severity", "lesson", "summary", "enabled"} <= set(rows[0])


def test_explain_by_code_and_name(cli: CLI) -> None:
    by_code = cli("-C", REPO, "explain", "SP104")
    assert by_code.code == 0
    assert by_code.out == cli("-C", REPO, "explain", "pressure").out
    text = by_code.out
    for part in ("SP104 pressure", "Why (listen):", "Bad:", "Good:", "Options:", "phrases ="):
        assert part in text
    assert "-> 'Act now' pressures people" in text
    assert "-> (no finding)" in text


def test_explain_unknown_rule_suggests(cli: CLI) -> None:
    result = cli("-C", REPO, "explain", "pressur")
    assert result.code == 2
    assert "unknown rule 'pressur'" in result.err and "'pressure'" in result.err
