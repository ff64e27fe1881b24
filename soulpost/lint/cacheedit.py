"""A lint of the whole queue with a few files changed since the last: only those are
linted, and the queue rules run over the kept state (:mod:`soulpost.lint.cachestate`).

:func:`relint` is asked by :func:`soulpost.lint.warm.lint_files_cached` when the whole
queue's kept report does not apply. It answers None whenever it cannot give the report a
lint without the cache gives, and the lint then goes the long way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.lint import cachestate
from soulpost.lint.cachestate import Row

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.errors import InputError
    from soulpost.lint.cache import LintCache
    from soulpost.lint.draft import Draft
    from soulpost.lint.model import Finding, Report
    from soulpost.lint.select import RuleSet
    from soulpost.lint.workers import _Linted
    from soulpost.posts import Post, PostSummary


class Queue:
    """The files of one whole-queue lint, as read: paths, names, texts and digests."""

    def __init__(
        self,
        files: Sequence[Path],
        names: Sequence[str],
        texts: Sequence[str | None],
        digests: Sequence[str],
    ) -> None:
        self.files, self.names, self.texts, self.digests = files, names, texts, digests


def relint(  # noqa: PLR0917 (the run's parts, as lint_files_cached has them)
    queue: Queue,
    settings: Settings,
    ruleset: RuleSet,
    store: LintCache,
    kept: tuple[dict[str, Any], bytes],
    key: str,
    *,
    now: datetime,
    root: Path | None,
    errors: list[InputError],
) -> Report | None:
    """The report of the queue whose key is *key*, from the kept state of the queue whose
    report (head and findings) is *kept*; None when the long way must answer."""
    from soulpost.lint.queuecache import micros

    where = root if root is not None else Path.cwd()
    now_us = micros(now)
    loaded = cachestate.load(store, str(kept[0].get("key")), where, ruleset)
    if loaded is None or now_us is None:
        return None
    old_rows, old_lines, extra = loaded
    old = _old_findings(kept[1])
    if old is None:
        return None
    if min((row[cachestate.QUIET] for row in old_rows), default=now_us) < now_us:
        # A clock rule may speak on a draft kept: the drafts' entries answer (they run
        # the clock's rules without loading the draft again).
        return None
    plan = _plan(queue, old_rows, store, where)
    changed = [i for i, j in enumerate(plan) if j < 0]
    if len(changed) > cachestate.MOST_CHANGED:
        return None
    fresh = _lint_changed(queue, changed, settings, ruleset, store, now=now, root=root)
    if fresh is None:
        return None
    rows = [old_rows[j] if j >= 0 else fresh[i][1] for i, j in enumerate(plan)]
    lines = [old_lines[j] if j >= 0 else None for j in plan]
    if len({row[cachestate.ID] for row in rows}) != len(rows):
        return None  # two posts with one id: an error the long way reports
    codes = [rule.spec.code for rule in ruleset.queue_rules]
    view = cachestate.StateView(rows, codes, extra, plan, len(old_rows))
    found = _queue_findings(view, rows, queue, fresh, ruleset, root)
    located = _located(old, plan, rows, fresh, ruleset)
    from soulpost.lint.model import Report

    findings = found + located
    # Sorted as Run.finish sorts, from the order it sorts (stable for equal keys).
    findings.sort(key=lambda f: (f.path or "", f.line, f.column, f.code, f.message))
    report = Report(findings, ruleset.infos, list(errors), len(rows), len(rows))
    _keep(store, queue, key, report, (rows, lines), fresh, ruleset, where, old_rows)
    return report


def _plan(queue: Queue, old_rows: list[Row], store: LintCache, where: Path) -> list[int]:
    """For each file, the index of its kept row when that row still holds (same text,
    same media), else -1: the file is linted."""
    at = {row[cachestate.NAME]: j for j, row in enumerate(old_rows)}
    plan = []
    for name, digest in zip(queue.names, queue.digests, strict=True):
        j = at.get(name, -1)
        if j >= 0:
            row = old_rows[j]
            media = row[cachestate.MEDIA]
            if row[cachestate.DIGEST] != digest or (media and store.stamps(where, media) != media):
                j = -1
        plan.append(j)
    return plan


# A changed file, linted: its record (as the workers give it), its kept row, its post.
_Fresh = tuple["_Linted", Row, "Post"]


def _lint_changed(
    queue: Queue,
    changed: list[int],
    settings: Settings,
    ruleset: RuleSet,
    store: LintCache,
    *,
    now: datetime,
    root: Path | None,
) -> dict[int, _Fresh] | None:
    """Load and lint the *changed* files (by index) as the workers do; None when one does
    not load, has a problem in ``[lint] ignore``, is a series or evergreen post, or
    changed again since it was read."""
    from soulpost.lint import workers as pool
    from soulpost.lint.draft import Draft
    from soulpost.posts import Post
    from soulpost.workspace import post_context

    if not changed:
        return {}
    files = [queue.files[i] for i in changed]
    job = pool._Files(
        files, settings, ruleset, now, root, post_context(settings), len(queue.files),
        keep=True, special_stops=True,
    )  # fmt: skip
    records = pool.lint_files_job(job, range(len(changed)))
    if records is None or len(records) != len(changed):
        return None
    live = [rule for rule in ruleset.post_rules if rule.spec.code in store.live]
    out: dict[int, _Fresh] = {}
    for record in records:
        k, summary, values, supp, problems, _found, key = record
        i = changed[k]
        if summary is None or problems or key is None or key[0] != queue.digests[i]:
            return None
        post = Post.from_summary(summary, queue.files[i])
        draft: Draft = Draft(post, settings, post.at, now)
        draft.__dict__.update(values)
        row = cachestate.row_of(
            draft, queue.names[i], key[0], supp, key[1], live, ruleset.queue_rules
        )
        if row is None:
            return None
        out[i] = ((i, *record[1:]), row, post)
    return out


def _queue_findings(  # noqa: PLR0917 (the run's parts)
    view: cachestate.StateView,
    rows: list[Row],
    queue: Queue,
    fresh: dict[int, _Fresh],
    ruleset: RuleSet,
    root: Path | None,
) -> list[Finding]:
    """Every queue rule over *view*, its hits located, in the order Run.finish makes them."""
    from soulpost.lint.locate import Locator, make_finding
    from soulpost.lint.shown import display
    from soulpost.posts import Post

    pending = []
    for rank, rule in enumerate(ruleset.queue_rules, start=len(ruleset.post_rules)):
        code = rule.spec.code
        for index, hit in rule.check_state(view):  # type: ignore[attr-defined]
            hidden = rows[index][cachestate.HIDDEN]
            if hidden and code in hidden:
                continue
            pending.append((index, rank, rule, hit))
    pending.sort(key=lambda row: row[:2])  # stable: a rule's hits for a post keep their order
    locate = Locator()
    posts: dict[int, Post] = {}
    out = []
    for index, _rank, rule, hit in pending:
        post = posts.get(index)
        if post is None:
            if index in fresh:
                post = fresh[index][2]
            else:  # what locating reads: the id, the path and the text of the file
                summary: PostSummary = (rows[index][cachestate.ID], "", [], None, "draft",
                                        [], None, None, queue.texts[index], None)  # fmt: skip
                post = Post.from_summary(summary, queue.files[index])
            posts[index] = post
        shown = display(queue.files[index], root)
        out.append(make_finding(rule, ruleset, hit, post, shown, locate=locate))
    return out


def _old_findings(body: bytes) -> list[Finding] | None:
    """The findings of the kept report, every value checked; None if one is odd."""
    import json

    from soulpost.lint.queuecache import decode_findings

    try:
        return decode_findings(json.loads(body))
    except (ValueError, RecursionError):
        return None


def _located(
    old: list[Finding],
    plan: list[int],
    rows: list[Row],
    fresh: dict[int, _Fresh],
    ruleset: RuleSet,
) -> list[Finding]:
    """The post rules' findings of every file, in file order: the kept report's (*old*)
    for the files that did not change, the new ones' for the others."""
    queue_codes = {rule.spec.code for rule in ruleset.queue_rules}
    by_post: dict[str | None, list[Finding]] = {}
    for finding in old:
        if finding.code not in queue_codes:
            by_post.setdefault(finding.post_id, []).append(finding)
    out: list[Finding] = []
    for i, j in enumerate(plan):
        if j >= 0:
            out += by_post.get(rows[i][cachestate.ID], ())
        else:
            out += fresh[i][0][5]
    return out


def _keep(  # noqa: PLR0917 (the run's parts)
    store: LintCache,
    queue: Queue,
    key: str,
    report: Report,
    state: tuple[list[Row], list[bytes | None]],
    fresh: dict[int, _Fresh],
    ruleset: RuleSet,
    where: Path,
    old_rows: list[Row],
) -> None:
    """Keep the changed files' entries, forget the removed ones', and keep the report and
    the state for the next lint."""
    from soulpost.lint import queuecache

    for i, (record, _row, _post) in fresh.items():
        _index, summary, values, supp, problems, found, file_key = record
        assert summary is not None and file_key is not None
        store.put(queue.names[i], file_key, summary, values, found, supp, problems)
    present = set(queue.names)
    for row in old_rows:
        name = row[cachestate.NAME]
        if name not in present:
            index, entries = store.shard(name)
            if entries.pop(name, None) is not None:
                store.dirty.add(index)
    store.save(queue.names, whole=False)
    rows, lines = state
    quiet = min((row[cachestate.QUIET] for row in rows), default=queuecache.never())
    media = [stamp for row in rows for stamp in row[cachestate.MEDIA]]
    queuecache.remember(store, key, report, quiet, media)
    cachestate.save(store, key, rows, lines, ruleset, where)
