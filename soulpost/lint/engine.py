"""Run the linter: the one entry point for the CLI, the publishing gate and tests.

:func:`lint_workspace` lints a loaded workspace; :func:`lint_posts` lints any posts (stdin,
plain ``.txt``/``.md`` files) against given settings. Both are pure apart from reading rule
packs: ``now`` is a parameter, and nothing is published or written.

One run: load the registry (built-ins, packs, plugins) -> configure it from ``[lint]`` ->
for each post, every post rule once -> every queue rule once over the whole queue ->
apply per-post suppressions -> sort. This module imports little at load time so that
``import soulpost.lint.engine`` stays cheap for the publisher.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from soulpost.lint.locate import Locator, make_finding
from soulpost.lint.model import Finding, Report
from soulpost.lint.shown import STDIN
from soulpost.lint.shown import display as _display
from soulpost.lint.shown import selector as _selector

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.errors import InputError
    from soulpost.lint.cache import LintCache
    from soulpost.lint.draft import Draft, QueueView
    from soulpost.lint.rule import Hit, PostRule, QueueRule, Rule
    from soulpost.lint.select import RuleSet
    from soulpost.lint.suppress import Suppressions
    from soulpost.lint.warm import Recall
    from soulpost.posts import Post
    from soulpost.workspace import Workspace

__all__ = ["STDIN", "Run", "lint_drafts", "lint_files", "lint_posts", "lint_workspace"]


def lint_workspace(
    ws: Workspace,
    *,
    now: datetime,
    times: Mapping[str, datetime] | None = None,
    paths: Sequence[Path] | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    unused_suppressions: bool = False,
    cache: bool = False,
) -> Report:
    """Lint every post of *ws* (queue rules see the whole queue).

    *times* gives resolved times for posts without ``at``. *paths* limits which posts are
    reported (files, or folders holding them); queue rules still see every post. The
    workspace's load errors are carried into ``Report.errors``. *cache*: use the lint
    cache (:mod:`soulpost.lint.cache`) unless ``[lint] cache = false``.
    """
    return lint_posts(
        ws.posts,
        ws.settings,
        now=now,
        times=times,
        root=ws.root,
        config_path=ws.config_path,
        errors=ws.errors,
        paths=paths,
        select=select,
        ignore=ignore,
        unused_suppressions=unused_suppressions,
        cache=cache,
    )


def lint_posts(
    posts: Sequence[Post],
    settings: Settings,
    *,
    now: datetime,
    times: Mapping[str, datetime] | None = None,
    root: Path | None = None,
    config_path: Path | None = None,
    errors: Iterable[InputError] = (),
    paths: Sequence[Path] | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    unused_suppressions: bool = False,
    ruleset: RuleSet | None = None,
    cache: bool = False,
) -> Report:
    """Lint *posts* with *settings*; a post without a file is shown as ``-`` (stdin).

    *cache*: post rules are not run again on a post whose file the lint cache knows
    (unless ``[lint] cache = false``); only the workspace's CLI commands ask for it.

    Raises :class:`~soulpost.errors.ConfigError` when ``[lint]`` or a rule pack is wrong.
    """
    from soulpost.workspace import paused_gc

    if ruleset is None:
        ruleset = _ruleset(
            settings,
            root=root,
            config_path=config_path,
            select=select,
            ignore=ignore,
            unused_suppressions=unused_suppressions,
        )
    store = _store(cache, root, settings, ruleset, select, ignore)
    with paused_gc(len(posts)):
        return _lint(
            posts,
            settings,
            ruleset,
            now=now,
            times=times or {},
            root=root,
            errors=errors,
            paths=paths,
            store=store,
        )


def lint_files(
    files: Sequence[Path],
    settings: Settings,
    *,
    now: datetime,
    root: Path | None = None,
    config_path: Path | None = None,
    errors: Iterable[InputError] = (),
    extra: Sequence[Post] = (),
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    unused_suppressions: bool = False,
    cache: bool = False,
    queue: bool = False,
) -> Report:
    """Load the post *files* (*queue*: the workspace's whole queue) and lint them, with
    *extra* posts that have no TOML file.

    What ``soulpost lint`` runs. A large queue is loaded and linted in one pass by forked
    workers (:mod:`soulpost.lint.workers`), else here as :func:`lint_posts` does; with
    *cache*, the files the lint cache knows are not (:mod:`soulpost.lint.warm`). All three
    report the same findings and errors.
    """
    from soulpost.workspace import load_posts, paused_gc

    ruleset = _ruleset(
        settings,
        root=root,
        config_path=config_path,
        select=select,
        ignore=ignore,
        unused_suppressions=unused_suppressions,
    )
    store = _store(cache and bool(files), root, settings, ruleset, select, ignore)
    with paused_gc(len(files)):
        workers = _workers(len(files))
        whole = bool(extra) or any(rule.needs_whole_posts for rule in ruleset.queue_rules)
        report = None
        if store is not None and not whole:
            from soulpost.lint.warm import lint_files_cached

            report = lint_files_cached(
                files, settings, ruleset, store, workers, now=now, root=root, errors=errors,
                queue=queue,
            )  # fmt: skip
        elif workers and not whole and not ruleset.unused_suppressions:
            from soulpost.lint.workers import load_and_lint

            report = load_and_lint(
                files, settings, ruleset, workers, now=now, root=root, errors=errors
            )
        if report is not None:
            return report
        posts, load_errors = load_posts(list(files), settings)
        return _lint(
            [*posts, *extra], settings, ruleset, now=now, times={}, root=root,
            errors=[*errors, *load_errors], paths=None, store=store,
        )  # fmt: skip


def _store(  # noqa: PLR0917 (lint_posts' and lint_files' own arguments, passed on)
    wanted: bool,
    root: Path | None,
    settings: Settings,
    ruleset: RuleSet,
    select: Sequence[str] | None,
    ignore: Sequence[str],
) -> LintCache | None:
    """The workspace's lint cache when *wanted* and usable, else None."""
    if not wanted or root is None:
        return None
    from soulpost.lint.cache import LintCache

    return LintCache.open(root, settings, ruleset, select=select, ignore=ignore)


def _ruleset(
    settings: Settings,
    *,
    root: Path | None,
    config_path: Path | None,
    select: Sequence[str] | None,
    ignore: Sequence[str],
    unused_suppressions: bool,
) -> RuleSet:
    """The rules this run uses: the registry (built-ins, packs, plugins) as configured."""
    from soulpost.lint.registry import load_registry
    from soulpost.lint.select import configure

    registry = load_registry(root, settings.lint.packs)
    return configure(
        registry,
        settings.lint,
        config_path=config_path,
        select=select,
        ignore=ignore,
        unused_suppressions=unused_suppressions,
    )


def _lint(
    posts: Sequence[Post],
    settings: Settings,
    ruleset: RuleSet,
    *,
    now: datetime,
    times: Mapping[str, datetime],
    root: Path | None,
    errors: Iterable[InputError],
    paths: Sequence[Path] | None,
    store: LintCache | None = None,
) -> Report:
    from soulpost.lint.draft import Draft, QueueView
    from soulpost.lint.suppress import NONE, post_suppressions

    run = Run(ruleset, errors)
    if store is not None:
        from soulpost.lint.warm import Recall

        run.recall = Recall(store, run, root or Path.cwd())
    drafts = run.drafts = [Draft(p, settings, p.at or times.get(p.id), now) for p in posts]
    wanted = _selector(paths)
    for draft in drafts:
        post = draft.post
        if wanted is not None and not wanted(post):
            continue
        supp, problems = (
            post_suppressions(post, ruleset.registry) if post.lint.ignore else (NONE, [])
        )
        run.report.errors.extend(problems)
        run.show(draft, _display(draft.path, root), supp)
        if run.recall is not None:
            run.recall.look_up(draft, problems)
    queue = QueueView(drafts, now)
    ranked = run.ranked_queue_rules()
    parallel = _workers(len(drafts)) if not ruleset.unused_suppressions else 0
    if parallel:
        from soulpost.lint.workers import post_rules_in_workers

        # Queue rules that need nothing prepared from each draft (flooding) run here while
        # the workers run the post rules, rather than after them on one core.
        early = [(rank, rule) for rank, rule in ranked if not _needs_prepare(rule)]
        ranked = [(rank, rule) for rank, rule in ranked if _needs_prepare(rule)]
        run.located += post_rules_in_workers(
            drafts, run, parallel, while_waiting=lambda: run.queue_rules(early, queue)
        )
    else:
        for start in range(0, len(drafts), CHUNK):
            run.located += run.lint_chunk(drafts[start : start + CHUNK])
    run.queue_rules(ranked, queue)
    report = run.finish()
    if run.recall is not None:
        run.recall.keep(drafts)
    return report


class Run:
    """One lint run in progress: the posts it reports, their suppressions, what it found.

    Post rules make located findings (``located``) chunk by chunk, here or in worker
    processes. Queue rules' hits wait in ``pending`` as (post index, rule index, rule, hit,
    post) and become findings grouped by post at the end, so each post's file is read once
    for positions.
    """

    def __init__(self, ruleset: RuleSet, errors: Iterable[InputError]) -> None:
        self.ruleset = ruleset
        self.report = Report(findings=[], rules=ruleset.infos, errors=list(errors))
        self.drafts: list[Draft] = []
        # Keyed by the post object, not its id: two plain-text files may share a stem.
        self.shown: dict[int, str] = {}
        self.suppressions: dict[int, Suppressions] = {}
        self.files: set[str] = set()
        self.pending: list[tuple[int, int, Rule, Hit, Post]] = []
        self.located: list[Finding] = []
        # With a lint cache: which drafts it answered for, and what the others found.
        self.recall: Recall | None = None

    def show(self, draft: Draft, path: str, supp: Suppressions) -> None:
        """Report *draft*'s findings under *path*, hiding what *supp* suppresses."""
        key = id(draft.post)
        self.shown[key] = path
        self.suppressions[key] = supp
        self.files.add(path)
        self.report.posts += 1

    def ranked_queue_rules(self) -> list[tuple[int, QueueRule]]:
        """Queue rules with their rank, counted on from the post rules (for sorting hits)."""
        return list(enumerate(self.ruleset.queue_rules, start=len(self.ruleset.post_rules)))

    def lint_chunk(self, drafts: Sequence[Draft]) -> list[Finding]:
        """Post rules over the reported drafts among *drafts*; then let the queue rules
        note what they need from every draft, and free the drafts' pieces of text."""
        mine = [draft for draft in drafts if id(draft.post) in self.shown]
        recall = self.recall
        if recall is not None:
            return recall.lint_chunk(drafts, mine)
        found = lint_drafts(
            mine,
            self.ruleset,
            [self.shown[id(draft.post)] for draft in mine],
            [self.suppressions[id(draft.post)] for draft in mine],
        )
        self.prepare(drafts, always=False)
        return [finding for findings in found for finding in findings]

    def prepare(self, drafts: Sequence[Draft], *, always: bool) -> None:
        """Let the queue rules note what they need from *drafts* (*always*: even when the
        queue is too small for them), and free the drafts' pieces of text."""
        for rule in self.ruleset.queue_rules:
            if always or rule.prepares_for(len(self.drafts)):
                for draft in drafts:
                    rule.prepare(draft)
        for draft in drafts:
            draft.release()

    def queue_rules(self, rules: Sequence[tuple[int, QueueRule]], queue: QueueView) -> None:
        """Run *rules* over the whole queue; keep hits on reported, unsuppressed posts."""
        shown, suppressions = self.shown, self.suppressions
        order: dict[int, int] | None = None
        for rank, queue_rule in rules:
            code = queue_rule.spec.code
            for hit in queue_rule.check_queue(queue):
                target = hit.post
                if target is None or id(target) not in shown:
                    continue
                if suppressions[id(target)].hides(code):
                    continue
                if order is None:
                    order = {id(d.post): i for i, d in enumerate(self.drafts)}
                self.pending.append((order[id(target)], rank, queue_rule, hit, target))

    def finish(self) -> Report:
        """Turn the hits into located findings, sorted by file, line and column."""
        report, ruleset = self.report, self.ruleset
        # Hits of one rule for one post keep the order the rule gave them: the sort is stable.
        self.pending.sort(key=lambda row: row[:2])
        locate = Locator()
        report.findings = [
            make_finding(rule, ruleset, hit, post, self.shown[id(post)], locate=locate)
            for _index, _rank, rule, hit, post in self.pending
        ]
        report.findings.extend(self.located)
        if ruleset.unused_suppressions:
            report.findings.extend(
                _unused(ruleset, self.drafts, self.suppressions, self.shown, locate)
            )
        report.files = len(self.files)
        report.findings.sort(key=lambda f: (f.path or "", f.line, f.column, f.code, f.message))
        return report


# Posts per step. Each step runs one rule over every draft of a chunk before the next
# rule: the same code over many posts in a row keeps the interpreter's caches warm. Small
# chunks keep the working set (posts, drafts, findings of one chunk) in the CPU caches and
# memory flat; measured at 10,000 drafts, chunks of 150-400 posts were all about 10% faster
# than chunks of 1,250, and far apart in memory (100 MB for the whole tree against 128).
CHUNK = 200


def lint_drafts(
    drafts: Sequence[Draft],
    ruleset: RuleSet,
    shown: Sequence[str],
    suppressions: Sequence[Suppressions],
    rules: Sequence[PostRule] | None = None,
) -> list[list[Finding]]:
    """Every post rule over every draft, rule by rule; located findings per draft.

    *shown* is each draft's path as reported and *suppressions* its ``[lint] ignore``. A
    draft's findings come in rule order. With ``--show-unused-suppressions`` suppressed
    rules still run, so that the entries which hid something are marked as used.
    *rules*: only these of the post rules (in their order).
    """
    from soulpost.lint.languages import ByLanguage, one_per_family
    from soulpost.lint.suppress import NONE

    keep = ruleset.unused_suppressions
    hits: list[list[tuple[PostRule, Hit]]] = [[] for _draft in drafts]
    skips = [s.codes if s is not NONE and not keep else frozenset() for s in suppressions]
    skipping = any(skips)  # most chunks have no [lint] ignore at all
    everyone = range(len(drafts))
    by_language = ByLanguage(drafts, skips)
    for rule in ruleset.post_rules if rules is None else rules:
        code = rule.spec.code
        languages = rule.languages
        indexes = by_language.judged(code, languages) if languages else everyone
        if not indexes:
            continue
        rule.set_up()  # a shipped pack's rule is prepared only once a post reaches it
        check = rule.check
        for k in rule.candidates(drafts, indexes):
            if skipping and code in skips[k]:
                continue
            draft = drafts[k]
            for hit in check(draft):
                # A language pack's rule speaks only for posts in its languages (or
                # posts whose language nothing tells). When the function words did not
                # settle it, the detector is asked only now, once something was found.
                if languages and by_language.hints[k] is None and hit.severity is None:
                    language = draft.language
                    if language is not None and language not in languages:
                        break
                supp = suppressions[k]
                if supp is not NONE and supp.hides(code):
                    continue
                hits[k].append((rule, hit))
    for k, found in enumerate(hits):
        if len(found) > 1 and by_language.hints[k] is None:
            hits[k] = one_per_family(found, drafts[k])  # one pack speaks for each rule
    locate = Locator()
    return [
        [make_finding(rule, ruleset, hit, draft.post, path, locate=locate) for rule, hit in found]
        for draft, path, found in zip(drafts, shown, hits, strict=True)
    ]


# Below this many posts, forking workers costs more than it saves.
PARALLEL_THRESHOLD = 1500


def _workers(count: int) -> int:
    """How many processes should lint *count* posts: 0 means do it here.

    Post rules look at one post at a time, so they split cleanly across the machine's
    cores. Forked workers inherit the configured rules (and any loaded posts), so little is
    sent to them; they send back finished findings.
    """
    from soulpost.workspace import fork_workers

    return fork_workers(count, PARALLEL_THRESHOLD)


def _needs_prepare(rule: QueueRule) -> bool:
    """Whether *rule* reads what ``prepare`` computes from each draft's text."""
    from soulpost.lint.rule import QueueRule

    return type(rule).prepare is not QueueRule.prepare


def _unused(
    ruleset: RuleSet,
    drafts: Sequence[Draft],
    suppressions: Mapping[int, Suppressions],
    shown: Mapping[int, str],
    locate: Locator,
) -> list[Finding]:
    """Findings for ``[lint] ignore`` entries that hid nothing in this run."""
    from soulpost.lint.rule import Hit

    rule = next(r for r in ruleset.post_rules if r.spec.code == "SP900")
    active = set(ruleset.severity)
    out = []
    for draft in drafts:
        supp = suppressions.get(id(draft.post))
        if supp is None:
            continue
        for entry in supp.unused():
            if not supp.entries[entry] & active:
                continue  # the rule is not selected in this run: we cannot tell
            hit = Hit(
                rule.say(entry=entry),
                ("lint", "ignore"),
                hint="remove it from [lint] ignore",
            )
            out.append(
                make_finding(rule, ruleset, hit, draft.post, shown[id(draft.post)], locate=locate)
            )
    return out
