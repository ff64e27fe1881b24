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

from soulpost.lint import cacherules, cachestate
from soulpost.lint.cachestate import Row

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.errors import InputError
    from soulpost.lint.cache import LintCache
    from soulpost.lint.draft import Draft
    from soulpost.lint.model import Finding, Report
    from soulpost.lint.select import RuleSet
    from soulpost.lint.workers import _Linted
    from soulpost.posts import Post


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
    plan, before = _plan(queue, old_rows, store, where)
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
    kept_findings = cacherules.Kept(old, set(codes))
    view = cachestate.StateView(rows, codes, extra, plan, len(old_rows))
    if len(rows) != len(old_rows) or None in before.values():
        reuse = set()  # files added or removed: every rule runs
    else:
        changes = {i: row for i, row in before.items() if row is not None}
        reuse = cacherules.unchanged(ruleset.queue_rules, rows, changes)
    made = cacherules.Findings(rows, queue.files, queue.texts, _posts(fresh), root)
    found, carried = _queue_findings(view, ruleset, kept_findings, reuse, made)
    located = _located(kept_findings, plan, rows, fresh)
    from soulpost.lint.model import Report

    findings = found + located
    # Sorted as Run.finish sorts, from the order it sorts (stable for equal keys).
    findings.sort(key=lambda f: (f.path or "", f.line, f.column, f.code, f.message))
    report = Report(findings, ruleset.infos, list(errors), len(rows), len(rows))
    state = (rows, lines, carried)
    _keep(store, queue, key, report, state, fresh, ruleset, where, old_rows)
    return report


def _posts(fresh: dict[int, _Fresh]) -> dict[int, Post]:
    return {i: post for i, (_record, _row, post) in fresh.items()}


def _plan(
    queue: Queue, old_rows: list[Row], store: LintCache, where: Path
) -> tuple[list[int], dict[int, Row | None]]:
    """For each file, the index of its kept row when that row still holds (same text,
    same media), else -1: the file is linted. And for those, the kept row of the same
    name (None for a file added)."""
    at = {row[cachestate.NAME]: j for j, row in enumerate(old_rows)}
    plan = []
    before: dict[int, Row | None] = {}
    for index, (name, digest) in enumerate(zip(queue.names, queue.digests, strict=True)):
        j = at.get(name, -1)
        before_row = old_rows[j] if j >= 0 else None
        if j >= 0:
            row = old_rows[j]
            media = row[cachestate.MEDIA]
            if row[cachestate.DIGEST] != digest or (media and store.stamps(where, media) != media):
                j = -1
        if j < 0:
            before[index] = before_row
        plan.append(j)
    return plan, before


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


def _queue_findings(
    view: cachestate.StateView,
    ruleset: RuleSet,
    kept: cacherules.Kept,
    reuse: set[str],
    made: cacherules.Findings,
) -> tuple[list[Finding], dict[str, Any]]:
    """The queue rules over the kept state (see :func:`soulpost.lint.cacherules.run`)."""
    return cacherules.run(view, ruleset, kept, reuse, made)


def _old_findings(body: bytes) -> list[Finding] | None:
    """The findings of the kept report, every value checked; None if one is odd."""
    import json

    from soulpost.lint.queuecache import decode_findings

    try:
        return decode_findings(json.loads(body))
    except (ValueError, RecursionError):
        return None


def _located(
    kept: cacherules.Kept, plan: list[int], rows: list[Row], fresh: dict[int, _Fresh]
) -> list[Finding]:
    """The post rules' findings of every file, in file order: the kept report's for the
    files that did not change, the new ones' for the others."""
    by_post = kept.posts
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
    state: tuple[list[Row], list[bytes | None], dict[str, Any]],
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
    rows, lines, carried = state
    quiet = min((row[cachestate.QUIET] for row in rows), default=queuecache.never())
    media = [stamp for row in rows for stamp in row[cachestate.MEDIA]]
    queuecache.remember(store, key, report, quiet, media)
    cachestate.save(store, key, rows, lines, ruleset, where, carried)
