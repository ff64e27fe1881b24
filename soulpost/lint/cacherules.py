"""The queue rules' findings of a queue with a few files changed, from the kept state
(:mod:`soulpost.lint.cacheedit`) and the kept report.

Two savings, both exact:

* A rule whose inputs did not change (no file added or removed, and every changed file
  gives it the same row, id, platforms, time, day and ``[lint] ignore``: the text of a
  post was edited, say, and a share rule's flag stayed) finds what it found last time:
  its kept findings stand, those on a changed file located again in its new text.
* A finding the rule makes again on a file that did not change is the kept one: the
  rules that do this (``state_loc``) always point at the same key of a post, so the
  same message on the same file is at the same line and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.lint import cachestate
from soulpost.lint.cachestate import Row

if TYPE_CHECKING:
    from soulpost.lint.locate import Locator
    from soulpost.lint.model import Finding
    from soulpost.lint.rule import Hit, QueueRule
    from soulpost.lint.select import RuleSet
    from soulpost.posts import Post, PostSummary

# What a rule row's change can be compared on, besides the rule's own row.
_BASE = (cachestate.ID, cachestate.PLATFORMS, cachestate.TIME, cachestate.DAY, cachestate.HIDDEN)
# A kept finding, by what makes it the same: post id, code, message, platform, hint.
_Same = tuple[str | None, str, str, str | None, str | None]


class Kept:
    """The kept report's findings by post id: the post rules', and each queue rule's."""

    def __init__(self, findings: Sequence[Finding], queue_codes: set[str]) -> None:
        self.posts: dict[str | None, list[Finding]] = {}
        self.queue: dict[str, list[Finding]] = {code: [] for code in queue_codes}
        for finding in findings:
            if finding.code in queue_codes:
                self.queue[finding.code].append(finding)
            else:
                self.posts.setdefault(finding.post_id, []).append(finding)

    def same(self, code: str) -> dict[_Same, list[Finding]]:
        """The rule *code*'s kept findings by what makes one the same."""
        out: dict[_Same, list[Finding]] = {}
        for f in self.queue[code]:
            out.setdefault((f.post_id, f.code, f.message, f.platform, f.hint), []).append(f)
        return out


def unchanged(
    rules: Sequence[QueueRule], state: cachestate.State, before: dict[int, Row]
) -> set[str]:
    """The codes of the rules whose inputs are those of the last run: *before* holds
    the kept row of each changed file (none added or removed); raises ValueError."""
    rows = {i: state.row(i) for i in before}
    out = set()
    for k, rule in enumerate(rules):
        if getattr(rule, "state_loc", None) is None:
            continue
        if all(
            all(old[part] == rows[i][part] for part in _BASE)
            and old[cachestate.RULES][k] == rows[i][cachestate.RULES][k]
            for i, old in before.items()
        ):
            out.add(rule.spec.code)
    return out


class Findings:
    """Hits of the queue rules turned into findings: the kept ones where they hold."""

    def __init__(
        self,
        state: cachestate.State,
        files: Sequence[Path],
        texts: Sequence[str | None],
        fresh_posts: dict[int, Post],
        root: Path | None,
    ) -> None:
        from soulpost.lint.locate import Locator

        self.state, self.files, self.texts, self.root = state, files, texts, root
        self.fresh = fresh_posts  # the changed files' posts, by index
        self.locate: Locator = Locator()
        self.posts: dict[int, Post] = {}

    def post(self, index: int) -> Post:
        """What locating reads of the post at *index*: its id, path and file's text."""
        post = self.fresh.get(index) or self.posts.get(index)
        if post is None:
            from soulpost.posts import Post

            summary: PostSummary = (self.state.ids[index], "", [], None, "draft", [], None,
                                    None, self.texts[index], None)  # fmt: skip
            post = self.posts[index] = Post.from_summary(summary, self.files[index])
        return post

    def make(self, rule: QueueRule, ruleset: RuleSet, hit: Hit, index: int) -> Finding:
        from soulpost.lint.locate import make_finding
        from soulpost.lint.shown import display

        shown = display(self.files[index], self.root)
        return make_finding(rule, ruleset, hit, self.post(index), shown, locate=self.locate)

    def again(self, rule: QueueRule, ruleset: RuleSet, kept: list[Finding]) -> list[Finding]:
        """The rule's *kept* findings, those on changed files located again."""
        from soulpost.lint.rule import Hit

        at = {self.state.ids[i]: i for i in self.fresh}
        loc = rule.state_loc  # type: ignore[attr-defined]
        out = []
        for f in kept:
            index = at.get(f.post_id, -1)
            if index < 0:
                out.append(f)
            else:
                hit = Hit(f.message, loc, platform=f.platform, hint=f.hint)
                out.append(self.make(rule, ruleset, hit, index))
        return out


def run(
    view: cachestate.StateView,
    ruleset: RuleSet,
    kept: Kept,
    reuse: set[str],
    made: Findings,
) -> tuple[list[Finding], dict[str, Any]]:
    """Every queue rule's findings, in the order Run.finish makes them (up to equal
    keys, whose kept order stands), and the extras of the rules not run (kept as were)."""
    fresh, ids, hidden = made.fresh, made.state.ids, made.state.hidden
    pending: list[tuple[int, int, QueueRule, Hit]] = []
    out: list[Finding] = []
    carried: dict[str, Any] = {}
    for rank, rule in enumerate(ruleset.queue_rules, start=len(ruleset.post_rules)):
        code = rule.spec.code
        if code in reuse:
            out += made.again(rule, ruleset, kept.queue[code])
            if code in view.extra:
                carried[code] = view.extra[code]
            continue
        for index, hit in rule.check_state(view):  # type: ignore[attr-defined]
            if not (hidden[index] and code in hidden[index]):
                pending.append((index, rank, rule, hit))
    pending.sort(key=lambda row: row[:2])  # stable: a rule's hits for a post keep their order
    same: dict[str, dict[_Same, list[Finding]]] = {}
    for index, _rank, rule, hit in pending:
        code = rule.spec.code
        if index not in fresh and getattr(rule, "state_loc", None) is not None:
            if code not in same:
                same[code] = kept.same(code)
            key = (ids[index], code, hit.message, hit.platform, hit.hint)
            found = same[code].get(key)
            if found and _plain(rule, hit):
                out.append(found.pop(0))
                continue
        out.append(made.make(rule, ruleset, hit, index))
    return out, carried


def _plain(rule: QueueRule, hit: Hit) -> bool:
    """Whether *hit* points where the rule's findings always do, with no severity of
    its own: then a kept finding with its message, on the same file, is where it is."""
    loc: tuple[str, ...] = rule.state_loc  # type: ignore[attr-defined]
    return hit.loc == loc and hit.text is None and hit.severity is None
