"""The data the linter produces, shared by the engine, the output formats and the publisher.

These shapes are the contract between stages: the engine fills a :class:`Report`, the
formats render it, and the publishing pass reads ``Finding.severity`` to block a post.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from soulpost.errors import InputError

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}

Lesson = Literal["listen", "experiment", "useful", "give", "relate", "platform"]

# The article's lessons, in our own words (see shared/ARTICLE.md for the source).
LESSONS: dict[str, str] = {
    "listen": "Social media is a one-to-one relationship with real people: listen to them "
    "and earn their trust. Shouting at them ruins the relationship.",
    "experiment": "Nobody has social media figured out; the rules keep changing. Being a work "
    "in progress is fine, and posing as the one who knows it all is not.",
    "useful": "Give people information that is useful and relevant to them; otherwise there "
    "is no reason for them to follow you.",
    "give": "Share generously: give away enough of your best material that people see you "
    "are worth listening to, rather than only asking them to buy.",
    "relate": "Business and soul can work together: build relationships and help people "
    "succeed instead of hard-selling to them.",
    "platform": "A hard limit of the network: a post that breaks it is rejected, truncated or "
    "shown badly.",
}


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which made
# creating and unpickling 20,000 findings three times slower. Treat findings as read-only.
@dataclass(slots=True)
class Finding:
    """One problem in one post (or, for queue rules, attached to one post)."""

    code: str
    name: str
    lesson: str
    severity: Severity
    message: str
    path: str | None  # as given to the user: relative to the workspace root where possible
    line: int = 1
    column: int = 1
    post_id: str | None = None
    platform: str | None = None
    hint: str | None = None

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.severity]


@dataclass(frozen=True)
class RuleInfo:
    """A rule's metadata and documentation, for `soulpost rules`, `explain` and SARIF."""

    code: str
    name: str
    severity: Severity
    lesson: str
    summary: str
    why: str = ""
    bad: tuple[str, ...] = ()
    good: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)  # option name -> current value
    option_docs: dict[str, str] = field(default_factory=dict)
    scope: Literal["post", "queue"] = "post"
    origin: str = "builtin"  # builtin | pack:<file> | plugin:<distribution>
    languages: tuple[str, ...] = ()  # the languages the rule judges; () for any language


@dataclass
class Report:
    """What one lint run produced."""

    findings: list[Finding]
    rules: Mapping[str, RuleInfo]  # every rule that ran, by code (made when asked for)
    errors: list[InputError] = field(default_factory=list)  # files that could not load
    posts: int = 0
    files: int = 0

    def worst(self) -> int:
        """The highest severity rank found, or -1 when clean."""
        return max((f.rank for f in self.findings), default=-1)
