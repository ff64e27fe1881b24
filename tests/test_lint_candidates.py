"""A rule's candidates (the drafts the linter lets it check) hold every draft it fires on."""

from __future__ import annotations

from datetime import UTC, datetime

from soulpost.lint.draft import Draft
from soulpost.lint.examples import example_posts, example_settings
from soulpost.lint.registry import load_registry
from soulpost.lint.rule import PostRule
from soulpost.lint.select import configure

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def test_candidates_keep_every_draft_a_rule_fires_on() -> None:
    settings = example_settings()
    registry = load_registry(None)
    ruleset = configure(registry, settings.lint, select=["ALL"])
    texts = [t for spec in registry.specs for t in (*spec.bad, *spec.good) if "---" not in t]
    texts += [t.upper() for t in texts if "=" not in t]
    drafts = [
        Draft(post, settings, post.at, NOW)
        for text in texts
        for post in example_posts(text, settings)
    ]
    everyone = list(range(len(drafts)))
    fired_somewhere = 0
    for rule in ruleset.post_rules:
        assert isinstance(rule, PostRule)
        rule.set_up()
        fired = [k for k in everyone if list(rule.check(drafts[k]))]
        chosen = list(rule.candidates(drafts, everyone))
        assert chosen == sorted(chosen)
        assert set(fired) <= set(chosen), rule.spec.code
        if len(chosen) < len(everyone):
            fired_somewhere += 1
    assert fired_somewhere >= 10  # the phrase rules do narrow the drafts down
