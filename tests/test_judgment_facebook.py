"""Every one of Facebook's published engagement-bait examples is bait, in any capitalisation.

The examples of "News Feed FYI: Fighting Engagement Bait on Facebook" (December 2017) and
its 2019 update, as the press quoted them (sources in corpus/judgment/README.md), and the
react-baiting example issue 9 quotes. Each must get a finding of the relate lesson as
written, in capitals, in lower case and in Title Case, and a real question must not.
"""

from __future__ import annotations

import pytest

from soulpost.lint.examples import EXAMPLE_NOW, example_posts, example_settings
from soulpost.lint.registry import load_registry

FACEBOOK = [
    "Vote for your favorite pet!",
    "React if you agree!",
    "Hey, share this with 3 friends who also love pizza.",
    "Like this if you're an Aries!",
    "LIKE this if you're an Aries!",
    "Share with 5 friends for your chance to win!",
    "Tag a friend who would do this!",
    "If you're excited for the weekend, comment “TGIF”!",
]


def relate_codes(text: str) -> list[str]:
    from soulpost.lint.engine import lint_posts
    from soulpost.lint.select import configure

    settings = example_settings()
    ruleset = configure(load_registry(None), settings.lint)
    report = lint_posts(example_posts(text, settings), settings, now=EXAMPLE_NOW, ruleset=ruleset)
    return [f.code for f in report.findings if f.lesson == "relate"]


def title_case(text: str) -> str:
    """Every word with a capital, as headlines write them ("Like This If You're An Aries!");
    str.title() would also raise the letter after an apostrophe ("You'Re")."""
    return " ".join(word[:1].upper() + word[1:] for word in text.split(" "))


def test_title_case_keeps_apostrophes() -> None:
    assert title_case("like this if you're an aries!") == "Like This If You're An Aries!"


@pytest.mark.parametrize("case", ["as published", "upper", "lower", "title"])
@pytest.mark.parametrize("text", FACEBOOK)
def test_every_facebook_example_is_bait(text: str, case: str) -> None:
    variant = {
        "as published": text,
        "upper": text.upper(),
        "lower": text.lower(),
        "title": title_case(text.lower()),
    }[case]
    assert relate_codes(variant), variant


@pytest.mark.parametrize(
    "text",
    [
        "What would you add?",
        "We share this view: the council should publish the full data.",
        "Here's what your week could look like if you batch your emails.",
        "Facebook calls “share this with 5 friends” share-baiting and demotes it.",
    ],
)
def test_real_questions_and_reported_bait_are_not(text: str) -> None:
    assert relate_codes(text) == []
