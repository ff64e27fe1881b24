"""Which drafts of a chunk each language pack's rules judge (see :class:`ByLanguage`), and
which pack speaks when several found the same thing (:func:`one_per_family`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soulpost.lint.draft import Draft
    from soulpost.lint.rule import Hit, PostRule


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


def one_per_family(found: list[tuple[PostRule, Hit]], draft: Draft) -> list[tuple[PostRule, Hit]]:
    """*found* (a post's hits, in rule order) with each family of language-pack rules
    speaking in one language only.

    A post whose language nothing tells ("Bleibt gespannt… 👀", or emoji only) is judged
    by every pack, and the same rule of several packs (``empty-hype``, ``empty-hype-de``,
    ``empty-hype-fr``…: the same name but for the language, the same lesson) may find the
    same teaser: one finding, not four in four languages. The language kept is the one
    whose word list knows the post's words best (the first pack's in rule order when the
    words tell nothing, as for emoji).
    """
    langs = {rule.languages for rule, _hit in found if rule.languages}
    if len(langs) < 2 or draft.language is not None:
        return found  # one pack spoke, or the post's language is known (the others did not)
    families: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for rule, _hit in found:
        if rule.languages:
            families.setdefault(_family(rule), []).append(tuple(rule.languages))
    keep: dict[tuple[str, str], str] = {}
    for family, spoke in families.items():
        choice = list(dict.fromkeys(lang for languages in spoke for lang in languages))
        if len(choice) > 1:
            keep[family] = _likeliest(draft, choice)
    if not keep:
        return found
    return [
        (rule, hit)
        for rule, hit in found
        if not rule.languages
        or (chosen := keep.get(_family(rule))) is None
        or chosen in rule.languages
    ]


def _family(rule: PostRule) -> tuple[str, str]:
    """A pack rule's lesson and name without its language: ``empty-hype-de`` is
    ``empty-hype``, as is the English pack's ``empty-hype``."""
    name = rule.spec.name
    for lang in rule.languages:
        name = name.removesuffix(f"-{lang}")
    return rule.spec.lesson, name


def _likeliest(draft: Draft, langs: list[str]) -> str:
    """Of *langs*, the language whose word list knows the post's words best (the most
    frequent there, summed); the first of them when none knows any."""
    from soulpost.lint.draft import word_pattern
    from soulpost.text.lexicon import zipf

    words = word_pattern().findall(draft.lead_text())
    scores = {lang: sum(zipf(word, lang) for word in words) for lang in langs}
    return max(langs, key=lambda lang: scores[lang])  # the first of equals
