"""What `rules`, `explain` and docs/rules.md tell about languages and measurement (issue 9)."""

from __future__ import annotations

import json
from collections.abc import Callable

from soulpost.lint.registry import load_registry
from tests.conftest import REPO, Result

CLI = Callable[..., Result]


def test_rules_json_lists_each_rules_languages(cli: CLI) -> None:
    rows = {
        r["code"]: r for r in json.loads(cli("-C", REPO, "rules", "--format", "json").out)["rules"]
    }
    assert rows["SP221"]["languages"] == ["de"]
    assert rows["SP201"]["languages"] == ["en"]
    assert rows["SP101"]["languages"] == []  # any language
    for spec in load_registry(None).specs:
        assert rows[spec.code]["languages"] == list(spec.languages)


def test_explain_shows_languages_and_runs_examples(cli: CLI) -> None:
    text = cli("-C", REPO, "explain", "SP241").out
    assert "languages: es" in text
    assert "Bad:" in text and "Good:" in text and "-> (no finding)" in text
    assert "languages: any" in cli("-C", REPO, "explain", "SP101").out


def test_docs_say_how_judgment_is_measured_and_packs_are_added() -> None:
    doc = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for heading in ("## Languages", "### Adding a language pack", "## How judgment is measured"):
        assert heading in doc
    measured = doc.split("## How judgment is measured", 1)[1]
    for part in ("bench/judgment.py", "held-out", "test_judgment_floors.py", "headlines"):
        assert part in measured, part
