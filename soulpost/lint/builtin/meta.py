"""Rules about the linting itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from soulpost.lint.rule import Hit, PostRule

if TYPE_CHECKING:
    from soulpost.lint.draft import Draft


class UnusedSuppression(PostRule):
    """Reported by the engine itself, after suppressions are applied."""

    code = "SP900"
    name = "unused-suppression"
    severity = "warning"
    lesson = "useful"
    summary = "A post's [lint] ignore entry no longer suppresses anything."
    why = (
        "A suppression that hides nothing is a leftover from an earlier version of the "
        "post. Removing it keeps the rule working if the problem comes back. Runs only with "
        "`soulpost lint --show-unused-suppressions` or when selected by code or name."
    )
    bad = ('text = "Thanks to everyone who came."\n\n[lint]\nignore = ["shouting"]\n',)
    good = ('text = "THANKS to everyone who came."\n\n[lint]\nignore = ["shouting"]\n',)
    default_enabled = False
    message = "ignore entry {entry!r} suppresses nothing"

    def check(self, draft: Draft) -> Iterator[Hit]:
        return iter(())


RULES: tuple[type[PostRule], ...] = (UnusedSuppression,)
