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
    old_state, extra = loaded
    old = _old_findings(kept[1])
    if old is None:
        return None
    if min(old_state.quiet, default=now_us) < now_us:
        # A clock rule may speak on a draft kept: the drafts' entries answer (they run
        # the clock's rules without loading the draft again).
        return None
    plan, before = _plan(queue, old_state, store, where)
    changed = [i for i, j in enumerate(plan) if j < 0]
    if len(changed) > cachestate.MOST_CHANGED:
        return None
    fresh = _lint_changed(queue, changed, settings, ruleset, store, now=now, root=root)
    if fresh is None:
        return None
    state = _merged(old_state, plan, fresh)
    if len(set(state.ids)) != len(state):
        return None  # two posts with one id: an error the long way reports
    try:
        found, carried = _queue_findings(
            old_state, state, extra, plan, before, fresh, old, ruleset, queue, root
        )
    except ValueError:  # a kept tail that is not what was written (cachestate._Unsound)
        return None
    located = _located(found[1], plan, state, fresh)
    from soulpost.lint.model import Report

    findings = found[0] + located
    # Sorted as Run.finish sorts, from the order it sorts (stable for equal keys).
    findings.sort(key=lambda f: (f.path or "", f.line, f.column, f.code, f.message))
    report = Report(findings, ruleset.infos, list(errors), len(state), len(state))
    _keep(store, queue, key, report, (state, carried), fresh, ruleset, where, old_state)
    return report


def _merged(old: cachestate.State, plan: list[int], fresh: dict[int, _Fresh]) -> cachestate.State:
    """The state of the queue now: the kept rows of the files that did not change, the
    new ones of the others."""
    columns = [
        [column[j] if j >= 0 else fresh[i][1][k] for i, j in enumerate(plan)]
        for k, column in enumerate(old.columns())
    ]
    lines = [old.lines[j] if j >= 0 else None for j in plan]
    tails = [old.tails[j] if j >= 0 else fresh[i][1][cachestate.TIME :] for i, j in enumerate(plan)]
    return cachestate.State(columns, lines, tails, old.rules)


def _posts(fresh: dict[int, _Fresh]) -> dict[int, Post]:
    return {i: post for i, (_record, _row, post) in fresh.items()}


def _plan(
    queue: Queue, old: cachestate.State, store: LintCache, where: Path
) -> tuple[list[int], dict[int, int]]:
    """For each file, the index of its kept row when that row still holds (same text,
    same media), else -1: the file is linted. And for those, the index of the kept row
    of the same name (-1 for a file added)."""
    at = {name: j for j, name in enumerate(old.names)}
    digests, media = old.digests, old.media
    plan = []
    before: dict[int, int] = {}
    for index, (name, digest) in enumerate(zip(queue.names, queue.digests, strict=True)):
        same = j = at.get(name, -1)
        if j >= 0 and (
            digests[j] != digest or (media[j] and store.stamps(where, media[j]) != media[j])
        ):
            j = -1
        if j < 0:
            before[index] = same
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


def _queue_findings(  # noqa: PLR0917 (the run's parts)
    old_state: cachestate.State,
    state: cachestate.State,
    extra: dict[str, Any],
    plan: list[int],
    before: dict[int, int],
    fresh: dict[int, _Fresh],
    old: list[Finding],
    ruleset: RuleSet,
    queue: Queue,
    root: Path | None,
) -> tuple[tuple[list[Finding], cacherules.Kept], dict[str, Any]]:
    """The queue rules over the kept state (see :func:`soulpost.lint.cacherules.run`),
    with the kept report's findings sorted out; raises ValueError."""
    codes = [rule.spec.code for rule in ruleset.queue_rules]
    kept = cacherules.Kept(old, set(codes))
    view = cachestate.StateView(state, codes, extra, plan, len(old_state))
    if len(state) != len(old_state) or -1 in before.values():
        reuse: set[str] = set()  # files added or removed: every rule runs
    else:
        changes = {i: old_state.row(j) for i, j in before.items()}
        reuse = cacherules.unchanged(ruleset.queue_rules, state, changes)
    made = cacherules.Findings(state, queue.files, queue.texts, _posts(fresh), root)
    found, carried = cacherules.run(view, ruleset, kept, reuse, made)
    return (found, kept), carried


def _old_findings(body: bytes) -> list[Finding] | None:
    """The findings of the kept report, every value checked; None if one is odd."""
    import json

    from soulpost.lint.queuecache import decode_findings

    try:
        return decode_findings(json.loads(body))
    except (ValueError, RecursionError):
        return None


def _located(
    kept: cacherules.Kept, plan: list[int], state: cachestate.State, fresh: dict[int, _Fresh]
) -> list[Finding]:
    """The post rules' findings of every file, in file order: the kept report's for the
    files that did not change, the new ones' for the others."""
    by_post, ids = kept.posts, state.ids
    out: list[Finding] = []
    for i, j in enumerate(plan):
        if j >= 0:
            out += by_post.get(ids[i], ())
        else:
            out += fresh[i][0][5]
    return out


def _keep(  # noqa: PLR0917 (the run's parts)
    store: LintCache,
    queue: Queue,
    key: str,
    report: Report,
    now: tuple[cachestate.State, dict[str, Any]],
    fresh: dict[int, _Fresh],
    ruleset: RuleSet,
    where: Path,
    old: cachestate.State,
) -> None:
    """Keep the changed files' entries, forget the removed ones', and keep the report and
    the state for the next lint."""
    from soulpost.lint import queuecache

    for i, (record, _row, _post) in fresh.items():
        _index, summary, values, supp, problems, found, file_key = record
        assert summary is not None and file_key is not None
        store.put(queue.names[i], file_key, summary, values, found, supp, problems)
    present = set(queue.names)
    for name in old.names:
        if name not in present:
            index, entries = store.shard(name)
            if entries.pop(name, None) is not None:
                store.dirty.add(index)
    store.save(queue.names, whole=False)
    state, carried = now
    quiet = min(state.quiet, default=queuecache.never())
    media = [stamp for stamps in state.media for stamp in stamps]
    queuecache.remember(store, key, report, quiet, media)
    cachestate.save(store, key, state, ruleset, where, carried)
