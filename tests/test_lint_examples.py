"""Every rule documents itself, and its documented examples are true.

Bad examples must make the rule fire; good examples must leave it silent. Good examples
are also run with every rule on: a calm example must not trip some other rule (info-level
nudges and platform limits aside), because false alarms teach people to ignore the linter.
"""

from __future__ import annotations

import pytest

from soulpost.lint.examples import run_example
from soulpost.lint.model import LESSONS
from soulpost.lint.registry import load_registry
from soulpost.lint.rule import RuleSpec

REGISTRY = load_registry(None)
SPECS = REGISTRY.specs
BAD = [(s, i, e) for s in SPECS for i, e in enumerate(s.bad)]
GOOD = [(s, i, e) for s in SPECS for i, e in enumerate(s.good)]


def _id(value: object) -> str:
    return value.name if isinstance(value, RuleSpec) else str(value)


def test_the_issue_minimum_is_covered() -> None:
    names = {s.name for s in SPECS}
    assert len(SPECS) >= 25
    assert {s.lesson for s in SPECS} == set(LESSONS)
    for expected in (
        "shouting",
        "punctuation-run",
        "pressure",
        "engagement-bait",
        "hard-sell",
        "buzzword-stack",
        "we-not-you",
        "empty-hype",
        "hashtag-stuffing",
        "emoji-only",
        "link-only",
        "bare-link",
        "promo-share",
        "absolute-claim",
        "few-questions",
        "too-long",
        "missing-alt-text",
        "too-many-images",
        "thread-unsupported",
        "unknown-platform",
        "duplicate-post",
        "flooding",
        "past-time",
        "nonexistent-local-time",
        "ambiguous-local-time",
        "unused-suppression",
    ):
        assert expected in names


@pytest.mark.parametrize("spec", SPECS, ids=_id)
def test_every_rule_documents_itself(spec: RuleSpec) -> None:
    assert spec.summary and spec.summary[0].isupper()
    assert len(spec.why) > 60, "say why, in the lesson's words"
    assert spec.bad, "at least one bad example"
    assert spec.good, "at least one good example"
    info = spec.info()
    for option, doc in info.option_docs.items():
        assert doc, f"option {option} of {spec.name} has no description"


@pytest.mark.parametrize(("spec", "index", "example"), BAD, ids=_id)
def test_bad_examples_fire(spec: RuleSpec, index: int, example: str) -> None:
    report = run_example(spec, example)
    assert not report.errors
    assert [f for f in report.findings if f.code == spec.code], example


@pytest.mark.parametrize(("spec", "index", "example"), GOOD, ids=_id)
def test_good_examples_stay_silent(spec: RuleSpec, index: int, example: str) -> None:
    report = run_example(spec, example)
    assert not report.errors
    assert report.findings == []


@pytest.mark.parametrize(("spec", "index", "example"), GOOD, ids=_id)
def test_good_examples_trip_no_other_warning(spec: RuleSpec, index: int, example: str) -> None:
    report = run_example(spec, example, only=False)
    loud = [f for f in report.findings if f.severity != "info"]
    assert loud == [], [f"{f.code} {f.name}: {f.message}" for f in loud]
