"""Which drafts of a chunk each language pack's rules judge (see :class:`ByLanguage`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soulpost.lint.draft import Draft


class ByLanguage:
    """Which drafts of a chunk each language pack's rules judge.

    The function words settle most posts' language in one pass: a pack rule of another
    language does not even look at them. The drafts are listed once per set of languages
    rather than tested again for every rule.
    """

    def __init__(self, drafts: Sequence[Draft], skips: Sequence[frozenset[str]]) -> None:
        self.drafts = drafts
        self.skips = skips
        self.hints: list[str | None] = [None] * len(drafts)
        self.unknown = set(range(len(drafts)))  # drafts whose hint no rule asked for yet
        self.lists: dict[frozenset[str], list[int]] = {}

    def judged(self, code: str, languages: frozenset[str]) -> list[int]:
        """The drafts whose language is one of *languages*, or is not told."""
        if self.unknown:
            # Asked at the first pack rule that reaches each draft, as a draft-by-draft
            # loop would ask it (a rule a draft suppresses does not ask).
            for k in [k for k in self.unknown if code not in self.skips[k]]:
                self.hints[k] = self.drafts[k].language_hint
                self.unknown.discard(k)
                self.lists.clear()
        found = self.lists.get(languages)
        if found is None:
            unknown = self.unknown
            found = self.lists[languages] = [
                k
                for k, hint in enumerate(self.hints)
                if (hint is None or hint in languages) and k not in unknown
            ]
        return found
