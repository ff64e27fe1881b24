"""Per-post suppressions: ``[lint] ignore = ["shouting", "SP104"]`` with an optional reason.

Each entry is a rule code, a name or a code prefix. An entry that names no rule is an
input error pointing at the post's ``lint.ignore`` line (with a close match when there is
one). The engine records which entries hid a finding, so leftovers can be reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from soulpost.errors import InputError

if TYPE_CHECKING:
    from soulpost.lint.registry import Registry
    from soulpost.posts import Post


@dataclass
class Suppressions:
    """The resolved ``[lint] ignore`` entries of one post."""

    entries: dict[str, frozenset[str]] = field(default_factory=dict)  # entry -> codes
    used: set[str] = field(default_factory=set)

    @property
    def codes(self) -> frozenset[str]:
        out: set[str] = set()
        for codes in self.entries.values():
            out |= codes
        return frozenset(out)

    def hides(self, code: str) -> bool:
        """Whether *code* is suppressed; marks the entries that suppress it as used."""
        hidden = False
        for entry, codes in self.entries.items():
            if code in codes:
                self.used.add(entry)
                hidden = True
        return hidden

    def unused(self) -> list[str]:
        return [entry for entry in self.entries if entry not in self.used]


NONE = Suppressions()


def post_suppressions(post: Post, registry: Registry) -> tuple[Suppressions, list[InputError]]:
    """Resolve *post*'s ignore list; unknown entries become errors naming file and line."""
    if not post.lint.ignore:
        return NONE, []
    result = Suppressions()
    errors = []
    for entry in post.lint.ignore:
        found = registry.resolve(entry)
        if found is None or entry == "ALL":
            source = post.source
            errors.append(
                InputError(
                    f"unknown rule {entry!r} in [lint] ignore"
                    if entry != "ALL"
                    else "ignore = ['ALL'] would switch the linter off for this post",
                    path=post.path,
                    line=source.line_of(("lint", "ignore")) if source else None,
                    key="lint.ignore",
                    hint=registry.unknown(entry) if entry != "ALL" else "name the rules",
                )
            )
            continue
        result.entries[entry] = frozenset(spec.code for spec in found[0])
    return result, errors
