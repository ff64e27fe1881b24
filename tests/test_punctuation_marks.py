"""Runs of full-width and double marks are runs too (kinds/style.py's Punctuation).

The rule's first test, whether a text holds any mark at all, reads the marks beyond ASCII
as substrings (no regular expression compiled for it); these texts hold only those marks.
"""

from __future__ import annotations

import pytest

from tests.test_lint_rules import lint, named


@pytest.mark.parametrize(
    ("text", "run"),
    [
        ("Wow！！！ what a day", "！！！"),
        ("Really？？？？ we did that", "？？？？"),
        ("Big news‼‼ today", "‼‼"),
        ("Who knew⁉⁉ not us", "⁉⁉"),
    ],
)
def test_a_run_of_marks_beyond_ascii_fires(text: str, run: str) -> None:
    found = named(lint(text), "punctuation-run")
    assert len(found) == 1
    assert repr(run) in found[0].message


def test_one_such_mark_does_not() -> None:
    assert named(lint("Quiet day！ nothing more"), "punctuation-run") == []
