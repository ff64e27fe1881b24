"""The lint gate: error-level findings hold a due post back, and the daemon's cache of them.

A post is never published unchecked while the gate is on: if the linter itself fails, every
post it was asked about is blocked.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from soulpost.plan import Action, Item, Plan

if TYPE_CHECKING:
    from pathlib import Path

    from soulpost.config import Settings
    from soulpost.lint.select import RuleSet
    from soulpost.posts import Post
    from soulpost.workspace import PostCache, Workspace

Blocks = dict[tuple[str, str | None], list[str]]


def lint_blocks(
    ws: Workspace,
    items: list[Item[Post]],
    now: datetime,
    plan_times: dict[str, datetime],
    *,
    rules: RuleSet | None = None,
) -> Blocks:
    """Error-level findings of the posts in *items*, keyed by (post id, platform or None).

    Only these posts' files are reported. The linter sees the whole queue only when a
    queue rule could block (see :func:`queue_rules_can_block`); otherwise it sees just
    these posts, so the gate costs the same with 100 or 100,000 posts queued. *rules* are
    those of :func:`post_rules_only` (then no queue rule can block), built once for a
    pass that lints its due posts a chunk at a time. If the linter itself fails, every one
    of these posts is blocked: a post is never published unchecked while the gate is on.
    """
    paths = sorted({i.post.path for i in items if i.post.path is not None})
    ids = {i.post.id for i in items}
    try:
        from soulpost.lint.engine import lint_posts, lint_workspace

        if rules is not None or not queue_rules_can_block(ws.settings, ws.root, ws.config_path):
            wanted = {id(i.post): i.post for i in items}
            ws = replace(ws, posts=list(wanted.values()))
        if rules is None:
            report = lint_workspace(ws, now=now, times=plan_times, paths=paths)
        else:  # lint_workspace as it is, with the rules built once for the pass
            report = lint_posts(
                ws.posts,
                ws.settings,
                now=now,
                times=plan_times,
                root=ws.root,
                config_path=ws.config_path,
                errors=ws.errors,
                paths=paths,
                ruleset=rules,
            )
    except Exception as exc:
        message = f"the linter failed ({type(exc).__name__}: {exc}); not publishing unchecked"
        return {(post_id, None): [message] for post_id in ids}
    blocks: Blocks = {}
    for finding in report.findings:
        if finding.severity != "error" or finding.post_id is None or finding.post_id not in ids:
            continue
        blocks.setdefault((finding.post_id, finding.platform), []).append(
            f"lint {finding.code} {finding.name}: {finding.message}"
        )
    return blocks


def queue_rules_can_block(settings: Settings, root: Path, config_path: Path) -> bool:
    """Whether a queue rule could make an error-level finding: one configured as an
    error, or one from a plugin (whose hits may carry their own severity). Only then does
    the gate need every post loaded; a rule set that cannot be built counts as True (the
    lint run then fails and blocks, as it must)."""
    return post_rules_only(settings, root, config_path) is None


def post_rules_only(settings: Settings, root: Path, config_path: Path) -> RuleSet | None:
    """The configured rules when only post rules can block (each post is judged on its
    own, so the due posts can be linted a few at a time); None when a queue rule could
    make an error, or the rules cannot be built."""
    from soulpost.lint.registry import load_registry
    from soulpost.lint.select import configure

    try:
        registry = load_registry(root, settings.lint.packs)
        rules = configure(registry, settings.lint, config_path=config_path)
    except Exception:
        return None
    for rule in rules.queue_rules:
        if rules.severity.get(rule.spec.code) == "error":
            return None
        if not type(rule).__module__.startswith("soulpost."):
            return None
    return rules


@dataclass
class LintCache:
    """The daemon's memory of lint results, so a due post is not held up by linting.

    Linting sees the whole queue (queue rules need it), which takes time on a large queue.
    The daemon lints posts coming up within ``lookahead`` as soon as the queue changes and
    keeps the result while no file and no setting changes (the fingerprint); at the due
    time the gate then reads the cache. Any change to the queue means a fresh lint. What
    was judged is kept as each post's id with a digest of its content, so a post edited
    since is judged again even where the fingerprint cannot see the edit (a pass that
    loaded only the posts it wanted leaves the parse cache, which the fingerprint reads,
    as it was).
    """

    lookahead: timedelta = timedelta(minutes=15)
    fingerprint: str | None = None
    checked: frozenset[tuple[str, int]] = frozenset()
    blocks: Blocks = field(default_factory=dict)
    cache: PostCache | None = None

    def fingerprint_of(self, ws: Workspace) -> str | None:
        if self.cache is None:
            return None
        import hashlib

        digest = hashlib.sha256()
        try:
            digest.update(str(ws.config_path.stat().st_mtime_ns).encode())
        except OSError:
            return None
        for path in sorted(self.cache.entries):
            digest.update(f"{path}\0{self.cache.entries[path].stamp}\n".encode())
        return digest.hexdigest()


def gate(
    ws: Workspace, plan: Plan[Post], due: list[Item[Post]], now: datetime, cache: LintCache | None
) -> Blocks:
    """Lint blocks for the due posts (and, with a cache, for those coming up soon)."""
    times = {pid: t.at for pid, t in plan.timings.items() if t.at is not None}
    if cache is None:
        return lint_blocks(ws, due, now, times) if due else {}
    fingerprint = cache.fingerprint_of(ws)
    if (
        fingerprint is not None
        and fingerprint == cache.fingerprint
        and _judged(due) <= cache.checked
    ):
        return cache.blocks
    soon = [
        i
        for i in plan.items
        if i.action is Action.FUTURE and i.at is not None and i.at <= now + cache.lookahead
    ]
    if not due and not soon:
        return {}
    wanted = due + soon
    blocks = lint_blocks(ws, wanted, now, times)
    cache.fingerprint = fingerprint
    cache.checked = _judged(wanted)
    cache.blocks = blocks
    return blocks


def _judged(items: list[Item[Post]]) -> frozenset[tuple[str, int]]:
    """Each item's post id with a digest of the post as it is now (in this process)."""
    return frozenset((i.post.id, hash(i.post.model_dump_json())) for i in items)
