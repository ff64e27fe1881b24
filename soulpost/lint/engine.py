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

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from soulpost.lint.model import Finding, Report

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.errors import InputError
    from soulpost.lint.draft import Draft
    from soulpost.lint.rule import Hit, QueueRule, Rule
    from soulpost.lint.select import RuleSet
    from soulpost.lint.suppress import Suppressions
    from soulpost.posts import Post
    from soulpost.tomlpos import SourceMap
    from soulpost.workspace import Workspace

STDIN = "-"


def lint_workspace(
    ws: Workspace,
    *,
    now: datetime,
    times: Mapping[str, datetime] | None = None,
    paths: Sequence[Path] | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    unused_suppressions: bool = False,
) -> Report:
    """Lint every post of *ws* (queue rules see the whole queue).

    *times* gives resolved times for posts without ``at``. *paths* limits which posts are
    reported (files, or folders holding them); queue rules still see every post. The
    workspace's load errors are carried into ``Report.errors``.
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
) -> Report:
    """Lint *posts* with *settings*; a post without a file is shown as ``-`` (stdin).

    Raises :class:`~soulpost.errors.ConfigError` when ``[lint]`` or a rule pack is wrong.
    """
    from soulpost.workspace import paused_gc

    with paused_gc(len(posts)):
        return _lint(
            posts,
            settings,
            now=now,
            times=times,
            root=root,
            config_path=config_path,
            errors=errors,
            paths=paths,
            select=select,
            ignore=ignore,
            unused_suppressions=unused_suppressions,
            ruleset=ruleset,
        )


def _lint(
    posts: Sequence[Post],
    settings: Settings,
    *,
    now: datetime,
    times: Mapping[str, datetime] | None,
    root: Path | None,
    config_path: Path | None,
    errors: Iterable[InputError],
    paths: Sequence[Path] | None,
    select: Sequence[str] | None,
    ignore: Sequence[str],
    unused_suppressions: bool,
    ruleset: RuleSet | None,
) -> Report:
    from soulpost.lint.draft import Draft, QueueView
    from soulpost.lint.suppress import NONE, post_suppressions

    if ruleset is None:
        from soulpost.lint.registry import load_registry
        from soulpost.lint.select import configure

        registry = load_registry(root, settings.lint.packs)
        ruleset = configure(
            registry,
            settings.lint,
            config_path=config_path,
            select=select,
            ignore=ignore,
            unused_suppressions=unused_suppressions,
        )
    times = times or {}
    report = Report(findings=[], rules=dict(ruleset.infos), errors=list(errors))
    drafts = [Draft(p, settings, p.at or times.get(p.id), now) for p in posts]
    wanted = _selector(paths)
    # Keyed by the post object, not its id: two plain-text files may share a stem.
    shown: dict[int, str] = {}
    suppressions: dict[int, Suppressions] = {}
    files: set[str] = set()
    keep_suppressed = ruleset.unused_suppressions
    queue_rules = ruleset.queue_rules
    # Hits wait here, as (post index, rule index, rule, hit, post), and become findings
    # grouped by post at the end: each post's file is then read once for positions.
    pending: list[tuple[int, int, Rule, Hit, Post]] = []
    located: list[tuple[int, int, Finding]] = []  # from worker processes, positions done
    parallel = _workers(len(drafts)) if not keep_suppressed else 0
    for draft in drafts:
        post = draft.post
        if wanted is not None and not wanted(post):
            continue
        path = _display(draft.path, root)
        shown[id(post)] = path
        files.add(path)
        report.posts += 1
        supp, problems = (
            post_suppressions(post, ruleset.registry) if post.lint.ignore else (NONE, [])
        )
        report.errors.extend(problems)
        suppressions[id(post)] = supp
    queue = QueueView(drafts, now)
    order = {id(d.post): i for i, d in enumerate(drafts)}
    ranked = list(enumerate(queue_rules, start=len(ruleset.post_rules)))

    def run_queue_rules(rules: Sequence[tuple[int, QueueRule]]) -> None:
        for rank, queue_rule in rules:
            code = queue_rule.spec.code
            for hit in queue_rule.check_queue(queue):
                target = hit.post
                if target is None or id(target) not in shown:
                    continue
                if suppressions[id(target)].hides(code):
                    continue
                pending.append((order[id(target)], rank, queue_rule, hit, target))

    if parallel:
        # Queue rules that need nothing prepared from each draft (duplicates, spacing) run
        # here while the workers run the post rules, rather than after them on one core.
        early = [(rank, rule) for rank, rule in ranked if not _needs_prepare(rule)]
        ranked = [(rank, rule) for rank, rule in ranked if _needs_prepare(rule)]
        located = _post_rules_in_workers(
            drafts,
            ruleset,
            shown,
            suppressions,
            parallel,
            while_waiting=lambda: run_queue_rules(early),
        )
    for index, draft in enumerate(drafts):
        post = draft.post
        if not parallel and id(post) in shown:
            supp = suppressions[id(post)]
            skip = supp.codes if not keep_suppressed else frozenset()
            for rank, rule in enumerate(ruleset.post_rules):
                code = rule.spec.code
                if code in skip:
                    supp.hides(code)
                    continue
                for hit in rule.check(draft):
                    if supp is not NONE and supp.hides(code):
                        continue
                    pending.append((index, rank, rule, hit, post))
        _done(draft, queue_rules)
    run_queue_rules(ranked)
    # Hits of one rule for one post keep the order the rule gave them: the sort is stable.
    pending.sort(key=lambda row: row[:2])
    locate = _Locator()
    report.findings = [
        _finding(rule, ruleset, hit, post, shown[id(post)], locate=locate)
        for _index, _rank, rule, hit, post in pending
    ]
    report.findings.extend(finding for _index, _rank, finding in located)
    if ruleset.unused_suppressions:
        report.findings.extend(_unused(ruleset, drafts, suppressions, shown, locate))
    report.files = len(files)
    report.findings.sort(key=lambda f: (f.path or "", f.line, f.column, f.code, f.message))
    return report


# Below this many posts, forking workers costs more than it saves.
PARALLEL_THRESHOLD = 1500


def _workers(count: int) -> int:
    """How many processes should run the post rules: 0 means do it here.

    Post rules look at one post at a time, so they split cleanly across the machine's
    cores. Forked workers inherit the loaded posts and the configured rules, so nothing is
    sent to them; they send back finished findings. Forking a threaded process (the
    daemon) is unsafe, so a threaded caller lints in-process.
    """
    import threading

    cores = os.cpu_count() or 1
    if count < PARALLEL_THRESHOLD or cores < 2 or threading.active_count() > 1:
        return 0
    return min(cores, 8)


# Filled in the parent just before forking; workers read it through inheritance.
_JOB: list[tuple[Sequence[Draft], RuleSet, Mapping[int, str], Mapping[int, Suppressions]]] = []


def _post_rules_in_workers(
    drafts: Sequence[Draft],
    ruleset: RuleSet,
    shown: Mapping[int, str],
    suppressions: Mapping[int, Suppressions],
    workers: int,
    *,
    while_waiting: Callable[[], None] = lambda: None,
) -> list[tuple[int, int, Finding]]:
    """Run every post rule over *drafts* in forked workers; return located findings.

    What the queue rules will need from each draft (its cached classifications) comes back
    too and is put into the parent's drafts, so ``prepare`` finds it already computed.
    *while_waiting* runs in this process once the work is handed out.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _JOB[:] = [(drafts, ruleset, shown, suppressions)]
    size = -(-len(drafts) // (workers * 4))
    ranges = [(i, min(i + size, len(drafts))) for i in range(0, len(drafts), size)]
    located: list[tuple[int, int, Finding]] = []
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            results = pool.map(_post_rules_range, ranges)  # submits every range now
            while_waiting()
            for found, caches in results:
                located.extend(found)
                for index, cache in caches:
                    drafts[index].__dict__.update(cache)
    finally:
        _JOB.clear()
    return located


def _post_rules_range(
    bounds: tuple[int, int],
) -> tuple[list[tuple[int, int, Finding]], list[tuple[int, dict[str, object]]]]:
    """In a worker: the post rules over drafts[start:end], findings located."""
    from soulpost.lint.suppress import NONE

    drafts, ruleset, shown, suppressions = _JOB[0]
    locate = _Locator()
    found: list[tuple[int, int, Finding]] = []
    caches: list[tuple[int, dict[str, object]]] = []
    queue_rules = ruleset.queue_rules
    # (rank, rule, code) once, not per post: 24 rules times 10,000 posts adds up.
    post_rules = [(rank, rule, rule.spec.code) for rank, rule in enumerate(ruleset.post_rules)]
    for index in range(*bounds):
        draft = drafts[index]
        post = draft.post
        path = shown.get(id(post))
        if path is not None:
            supp = suppressions[id(post)]
            skip = supp.codes if supp is not NONE else frozenset()
            for rank, rule, code in post_rules:
                if code in skip:
                    continue
                for hit in rule.check(draft):
                    if supp is not NONE and supp.hides(code):
                        continue
                    finding = _finding(rule, ruleset, hit, post, path, locate=locate)
                    found.append((index, rank, finding))
        for queue_rule in queue_rules:
            queue_rule.prepare(draft)
        draft.release()
        caches.append((index, dict(draft.__dict__)))
    return found, caches


def _needs_prepare(rule: QueueRule) -> bool:
    """Whether *rule* reads what ``prepare`` computes from each draft's text."""
    from soulpost.lint.rule import QueueRule

    return type(rule).prepare is not QueueRule.prepare


def _done(draft: Draft, queue_rules: Sequence[QueueRule]) -> None:
    """Let queue rules note what they need from *draft*, then free its pieces of text."""
    for rule in queue_rules:
        rule.prepare(draft)
    draft.release()


def _selector(paths: Sequence[Path] | None) -> _Wanted | None:
    """Which posts to report: those in the given files or under the given folders.

    Each given path is resolved once; post paths are compared as they are (the loader builds
    them from the resolved workspace root), so no post costs a trip to the disk.
    """
    if paths is None:
        return None
    files: set[str] = set()
    folders: list[str] = []
    for raw in paths:
        for form in {raw.absolute(), raw.resolve()}:
            if form.is_dir():
                folders.append(f"{str(form).rstrip(os.sep)}{os.sep}")
            else:
                files.add(str(form))

    def wanted(post: Post) -> bool:
        path = post.path
        if path is None:
            return False
        where = str(path)
        return where in files or any(where.startswith(folder) for folder in folders)

    return wanted


if TYPE_CHECKING:
    _Wanted = Callable[[Post], bool]


def _display(path: Path | None, root: Path | None) -> str:
    """The post's file as the user should see it: relative to the workspace root."""
    if path is None:
        return STDIN
    if root is not None:
        text, prefix = str(path), f"{root}{os.sep}"
        if text.startswith(prefix):  # the usual case: no disk access, no pathlib parsing
            return text[len(prefix) :].replace(os.sep, "/")
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


class _Locator:
    """Turns a hit into a line and column in the post's file.

    It keeps one post's source map at a time (the engine hands it findings grouped by post)
    and builds the map from the text the loader kept rather than through ``Post.source``,
    which would keep every map alive for as long as the workspace: memory stays flat
    however large the queue.
    """

    def __init__(self) -> None:
        self.key: int | None = None
        self.toml = False
        self.raw: str | None = None
        self.source: SourceMap | None = None

    def _load(self, post: Post) -> None:
        self.key = id(post)
        path = post.path  # a private pydantic attribute: slow, read it once
        self.toml = path is not None and path.suffix == ".toml"
        self.source = None
        # Kept from loading: no second trip to the disk. Scanned only when needed.
        self.raw = post.raw_text() if path is not None and self.toml else None

    def _source(self) -> SourceMap | None:
        if self.source is None and self.raw is not None:
            from soulpost.tomlpos import SourceMap

            self.source = SourceMap.scan(self.raw)
        return self.source

    def __call__(self, post: Post, hit: Hit) -> tuple[int, int]:
        if id(post) != self.key:
            self._load(post)
        if not self.toml:
            # stdin or a plain text file: the text *is* the file.
            text = hit.text or ""
            before = text[: hit.start]
            line = before.count("\n") + 1
            return line, hit.start - (before.rfind("\n") + 1) + 1
        if hit.text is None and len(hit.loc) == 1 and self.raw is not None:
            # Most queue findings point at a top-level key: find its line without a scan.
            from soulpost.tomlpos import top_level_line

            found = top_level_line(self.raw, str(hit.loc[0]))
            if found is not None:
                return found, 1
        source = self._source()
        if source is None:
            return 1, 1
        if hit.text is None:
            return source.line_of(hit.loc) or 1, 1
        return source.position(hit.loc, hit.start, hit.text)


def _finding(
    rule: Rule, ruleset: RuleSet, hit: Hit, post: Post, path: str, *, locate: _Locator
) -> Finding:
    spec = rule.spec
    line, column = locate(post, hit)
    return Finding(
        code=spec.code,
        name=spec.name,
        lesson=spec.lesson,
        severity=ruleset.severity[spec.code],
        message=hit.message,
        path=path,
        line=line,
        column=column,
        post_id=post.id,
        platform=hit.platform,
        hint=hit.hint,
    )


def _unused(
    ruleset: RuleSet,
    drafts: Sequence[Draft],
    suppressions: Mapping[int, Suppressions],
    shown: Mapping[int, str],
    locate: _Locator,
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
                _finding(rule, ruleset, hit, draft.post, shown[id(draft.post)], locate=locate)
            )
    return out
