"""Shipped pack rules are prepared only when a post reaches them; configured ones at once.

Preparing a pack's phrase lists and patterns costs more than linting one post, so a
shipped rule with its own options is set up the first time the linter runs it on a post:
an English draft never prepares the German, French and Spanish packs. A rule whose options
the workspace changed is set up while configuring, so a bad pattern stays a configuration
error before any post is read.
"""

from __future__ import annotations

import pytest

from soulpost.config import LintSettings
from soulpost.errors import ConfigError
from soulpost.lint.engine import lint_posts
from soulpost.lint.examples import EXAMPLE_NOW, example_posts, example_settings
from soulpost.lint.registry import load_registry
from soulpost.lint.select import RuleSet, configure


def _by_code(ruleset: RuleSet) -> dict[str, bool]:
    return {rule.spec.code: rule.ready for rule in ruleset.post_rules}


def test_an_english_draft_prepares_only_the_rules_that_judge_english() -> None:
    settings = example_settings()
    ruleset = configure(load_registry(None), settings.lint)
    ready = _by_code(ruleset)
    assert not ready["SP201"] and not ready["SP221"]  # shipped: nothing prepared yet
    assert ready["SP601"]  # a built-in rule is set up as before
    text = "Like and share this post to win a free year of Pro!"
    report = lint_posts(example_posts(text, settings), settings, now=EXAMPLE_NOW, ruleset=ruleset)
    assert "SP201" in {f.code for f in report.findings}
    ready = _by_code(ruleset)
    assert ready["SP201"] and ready["SP202"]
    assert not any(ready[code] for code in ("SP221", "SP231", "SP241", "SP124", "SP134"))


def test_a_german_draft_then_prepares_the_german_pack() -> None:
    settings = example_settings()
    ruleset = configure(load_registry(None), settings.lint)
    text = "Teile diesen Beitrag mit 3 Freunden, die das auch lieben!"
    lint_posts(example_posts(text, settings), settings, now=EXAMPLE_NOW, ruleset=ruleset)
    ready = _by_code(ruleset)
    assert ready["SP221"] and not ready["SP231"]


def test_a_configured_pattern_is_checked_before_any_post() -> None:
    lint = LintSettings.model_validate({"options": {"SP201": {"patterns": ["(unclosed"]}}})
    with pytest.raises(ConfigError, match="SP201"):
        configure(load_registry(None), lint)


def test_a_configured_shipped_rule_is_set_up_at_once() -> None:
    lint = LintSettings.model_validate({"options": {"SP201": {"skip_quoted": False}}})
    ready = _by_code(configure(load_registry(None), lint))
    assert ready["SP201"] and not ready["SP202"]
