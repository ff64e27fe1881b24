"""Linting with the lint cache (:mod:`soulpost.lint.cache`): only changed drafts again.

Two ways in, one for each way the engine lints:

* :func:`lint_files_cached` is ``soulpost lint``: every file is read (to be sure of its
  text) and hashed. A whole queue whose files, settings and media all match the report
  kept for it, at a time its clock rules are sure to be silent, gets that report
  (:mod:`soulpost.lint.queuecache`). Otherwise a file whose text the cache knows is
  neither parsed nor validated nor linted; its post comes back from its summary, as the
  forked workers send posts back (:func:`soulpost.lint.workers.load_and_lint`), with its
  findings. The other files are loaded and linted as those workers do. Queue rules then
  see the whole queue, and the rules that read the clock run on every post.
* :class:`Recall` serves a lint of posts already loaded (the review commands, ``preview``):
  a post the cache knows skips the post rules that do not read the clock.

Either way, the report is the one a lint without the cache gives: the same findings,
errors and order. Where that cannot be promised, the cache steps aside: a queue that holds
a series or an evergreen post, linted in one process, is loaded whole (series expanded,
evergreen shared) and linted as loaded posts.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.lint.cache import Key, LintCache, digest_text, key_of, storable
from soulpost.lint.cachecodec import (
    decode_extra,
    decode_findings,
    decode_summary,
    decode_values,
)
from soulpost.lint.draft import QueueView
from soulpost.lint.engine import Run, lint_drafts
from soulpost.lint.shown import display

if TYPE_CHECKING:
    from collections.abc import Iterable
    from concurrent.futures import ProcessPoolExecutor

    from soulpost.config import Settings
    from soulpost.errors import InputError
    from soulpost.lint.draft import Draft
    from soulpost.lint.model import Finding, Report
    from soulpost.lint.rule import PostRule
    from soulpost.lint.select import RuleSet
    from soulpost.lint.workers import _Files, _Linted


def lint_files_cached(
    files: Sequence[Path],
    settings: Settings,
    ruleset: RuleSet,
    store: LintCache,
    workers: int,
    *,
    now: datetime,
    root: Path | None,
    errors: Iterable[InputError],
    queue: bool = False,
) -> Report | None:
    """Lint *files* as :func:`soulpost.lint.engine.lint_files` would, with *store*
    (*queue*: the files are the workspace's whole queue, so the cache can forget others).

    *workers* is what the engine would fork for the whole queue: with some, it would lint
    in workers, file by file, and so does this (the files the cache does not know, in
    workers when there are many). With none, it would load the queue whole: as long as no
    series or evergreen post is found, file by file gives the same; otherwise this returns
    None and the engine loads the queue whole.
    """
    from soulpost.lint import queuecache
    from soulpost.lint import workers as pool
    from soulpost.workspace import post_context

    errors = list(errors)
    where = root if root is not None else Path.cwd()
    names, texts, digests = _read(files)
    whole_key = None
    if queue and None not in digests:  # the whole queue, every file read: its kept report?
        whole_key = queuecache.queue_key(store.env, names, digests)  # type: ignore[arg-type]
        read = (files, names, texts, digests)
        if report := _whole(read, settings, ruleset, store, whole_key, now, root, errors):
            return report
    media: dict[int, list[list[Any]]] = {}  # file index -> its media files' stamps
    store.eager = len(files) > 1  # every file is looked up: parse whole shards at once
    hits, misses = _known(files, texts, digests, store, where, media)
    job = pool._Files(
        [files[i] for i in misses], settings, ruleset, now, root, post_context(settings),
        len(files), keep=True, special_stops=not workers,
    )  # fmt: skip
    run = Run(ruleset, errors)
    kept: list[tuple[Path, _Linted]] = []
    others = _Misses(job, misses, workers)
    with others as fresh:
        if others.failed:  # no pool, or a series or an evergreen post: the engine's way
            return None
        records = heapq.merge(hits, fresh, key=lambda record: record[0])
        drafts = pool.merge(run, records, files, settings, now, root, kept)
    live = [rule for rule in ruleset.post_rules if rule.spec.code in store.live]
    _clock_rules(run, live, [drafts[record[0]] for record in hits if record[0] in drafts])
    run.queue_rules(run.ranked_queue_rules(), QueueView(run.drafts, now))
    report = run.finish()
    # The whole queue's report is kept when every file's answer is, and nothing failed.
    whole = _keep(store, kept, digests, media) and len(hits) + len(kept) == len(run.drafts)
    store.save(names, whole=queue)
    if whole_key is not None and whole and len(run.drafts) == len(files):
        parts = (names, digests, drafts, media)
        _remember(store, whole_key, run, report, live, parts, errors=len(errors), root=where)
    return report


def _whole(  # noqa: PLR0917 (the run's parts)
    read: tuple[Sequence[Path], list[str], list[str | None], list[str | None]],
    settings: Settings,
    ruleset: RuleSet,
    store: LintCache,
    key: str,
    now: datetime,
    root: Path | None,
    errors: list[InputError],
) -> Report | None:
    """The report of the whole queue whose files were *read* and whose key is *key*: the
    kept one when nothing changed, else from the kept state when a few files changed
    (:mod:`soulpost.lint.cacheedit`); None when neither answers."""
    from soulpost.lint import queuecache

    where = root if root is not None else Path.cwd()
    kept = queuecache.previous(store)
    report = queuecache.recall(store, key, now, where, ruleset, errors, kept)
    if report is None and kept is not None:  # a few files changed?
        from soulpost.lint.cacheedit import Queue, relint

        queue = Queue(*read)  # type: ignore[arg-type]
        report = relint(
            queue, settings, ruleset, store, kept, key, now=now, root=root, errors=errors
        )
    return report


def _remember(  # noqa: PLR0917 (the run's parts)
    store: LintCache,
    key: str,
    run: Run,
    report: Report,
    live: Sequence[PostRule],
    read: tuple[list[str], list[Any], dict[int, Draft], dict[int, list[list[Any]]]],
    *,
    errors: int,
    root: Path,
) -> None:
    """Keep *report* as the whole queue's, with the queue's state (see
    :mod:`soulpost.lint.cachestate`), unless the run found errors besides the *errors* it
    was given (load errors, problems in ``[lint] ignore``). *read*: each file's name and
    digest, its draft and its media files' stamps, by file index."""
    from soulpost.lint import cachestate, queuecache

    if len(report.errors) != errors:
        return
    names, digests, drafts, media = read
    stamps = [stamp for index in sorted(media) for stamp in media[index]]
    if not cachestate.supports(run.ruleset):
        queuecache.remember(store, key, report, queuecache.quiet_until(run.drafts, live), stamps)
        return
    rules = run.ruleset.queue_rules
    rows = []
    for index, name in enumerate(names):
        draft = drafts[index]
        supp = run.suppressions[id(draft.post)]
        stamped = media.get(index, [])
        row = cachestate.row_of(draft, name, digests[index], supp, stamped, live, rules)
        if row is None:  # a clock rule that cannot tell: nothing kept
            return
        rows.append(row)
    quiet = min((row[cachestate.QUIET] for row in rows), default=queuecache.never())
    queuecache.remember(store, key, report, quiet, stamps)
    cachestate.save(store, key, cachestate.State.of(rows, rules), run.ruleset, root)


def _read(files: Sequence[Path]) -> tuple[list[str], list[str | None], list[str | None]]:
    """Each file's name, text (None: unreadable) and digest of both (None likewise)."""
    names = [str(path) for path in files]
    texts = [_text(path) for path in files]
    pairs = zip(names, texts, strict=True)
    return names, texts, [digest_text(n, t) if t is not None else None for n, t in pairs]


def _clock_rules(run: Run, live: Sequence[PostRule], known: Sequence[Draft]) -> None:
    """The rules that read the clock, over the drafts the cache answered for."""
    if live and known:
        shown = [run.shown[id(draft.post)] for draft in known]
        supps = [run.suppressions[id(draft.post)] for draft in known]
        for found in lint_drafts(known, run.ruleset, shown, supps, rules=live):
            run.located += found


def _keep(
    store: LintCache,
    kept: Sequence[tuple[Path, _Linted]],
    digests: Sequence[str | None],
    media: dict[int, list[list[Any]]],
) -> bool:
    """Put what linting the files of *kept* gave into *store*, their media files' stamps
    into *media*; whether each was linted as the text its digest in *digests* (the key of
    the whole queue) was taken from, rather than as a text edited since that first read."""
    same = True
    for path, (index, summary, values, supp, problems, found, key) in kept:
        assert summary is not None and key is not None
        store.put(str(path), key, summary, values, found, supp, problems)
        media[index] = key[1]
        same = same and key[0] == digests[index]
    return same


def _text(path: Path) -> str | None:
    """The text of the post file *path* as the loader reads it, or None when it cannot be
    read as one (missing, too large, not UTF-8: loading it reports why)."""
    from soulpost.filesafe import read_capped

    read = read_capped(path)
    if read is None or read[2] is not None:
        return None
    try:
        text = read[1].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in text:  # as the loader reads it: universal newlines
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _known(  # noqa: PLR0917 (the files, as read)
    files: Sequence[Path],
    texts: Sequence[str | None],
    digests: Sequence[str | None],
    store: LintCache,
    root: Path,
    media: dict[int, list[list[Any]]],
) -> tuple[list[_Linted], list[int]]:
    """Records for the files the cache knows (by index), and the indexes of the others;
    the stamps of the known files' media go to *media*."""
    hits: list[_Linted] = []
    misses: list[int] = []
    for index, path in enumerate(files):
        text, digest = texts[index], digests[index]
        record = None
        if text is not None and digest is not None:
            record = _record(index, path, text, digest, store, root, media)
        if record is None:
            misses.append(index)
        else:
            hits.append(record)
    return hits, misses


def _record(  # noqa: PLR0917 (one file, as read)
    index: int,
    path: Path,
    text: str,
    digest: str,
    store: LintCache,
    root: Path,
    media: dict[int, list[list[Any]]],
) -> _Linted | None:
    """What linting *path* gave, from the cache; None when it does not know this text."""
    entry = store.find(str(path), text, root, digest=digest)
    if entry is None:
        return None
    try:
        summary = decode_summary(entry[1], text)
        values = decode_values(entry[2])
        found = decode_findings(entry[3], display(path, root), summary[0])
        supp, problems = decode_extra(entry[4], path)
    except ValueError:  # an entry of another shape: a miss
        return None
    media[index] = entry[4].get("m", [])
    return (index, summary, values, supp, problems, found, None)


class _Misses:
    """The files the cache does not know, loaded and linted as the workers do: in forked
    workers when there are many (records arrive chunk by chunk, in file order), else here.
    ``failed`` is True when workers were wanted but no pool could be started, or when a
    series or evergreen post asks for the whole queue to be loaded."""

    def __init__(self, job: _Files, misses: list[int], workers: int) -> None:
        from soulpost.lint.engine import _workers

        self.job, self.misses, self.failed = job, misses, False
        self.pool: ProcessPoolExecutor | None = None
        self.many = bool(workers) and bool(_workers(len(misses)))
        self.workers = workers

    def __enter__(self) -> Iterator[_Linted]:
        from soulpost.lint import workers as pool

        misses = self.misses
        if not misses:
            return iter(())
        if not self.many:
            records = pool.lint_files_job(self.job, range(len(misses)))
            self.failed = records is None
            return self._remap(records or [])
        pool._FILES[:] = [self.job]
        try:
            self.pool = pool._fork_pool(self.workers)
            results = self.pool.map(pool._load_and_lint, pool._chunks(len(misses), self.workers))
        except (OSError, RuntimeError, ValueError):  # no fork or no semaphores here
            pool._FILES.clear()
            self.failed = True
            return iter(())
        return self._remap(record for chunk in results for record in chunk)

    def _remap(self, records: Iterable[_Linted]) -> Iterator[_Linted]:
        misses = self.misses
        for index, *rest in records:
            yield (misses[index], *rest)  # type: ignore[misc]

    def __exit__(self, kind: object, exc: object, trace: object) -> None:
        from soulpost.lint import workers as pool

        if self.pool is not None:
            # On Ctrl-C or a failing rule, do not wait for the chunks not started.
            self.pool.shutdown(wait=True, cancel_futures=exc is not None)
            pool._FILES.clear()


class Recall:
    """The lint cache in a lint of loaded posts (:func:`soulpost.lint.engine._lint`)."""

    def __init__(self, store: LintCache, run: Run, root: Path) -> None:
        self.store, self.run, self.root = store, run, root
        self.hits: set[int] = set()  # id(post) of the posts the cache answered for
        self.keys: dict[int, Key] = {}  # id(post) -> key, for the posts worth keeping
        self.problems: dict[int, list[InputError]] = {}
        # Linted drafts worth keeping, with their own findings (from workers too).
        self.fresh: list[tuple[Draft, list[Finding]]] = []
        self.live = [r for r in run.ruleset.post_rules if r.spec.code in store.live]

    def look_up(self, draft: Draft, problems: list[InputError]) -> None:
        """Take *draft*'s findings and values from the cache, if it knows its file
        (*problems*: those of its ``[lint] ignore``, kept with what it gives)."""
        post = draft.post
        path = draft.path
        if path is None or not storable(post):
            return  # stdin, a series' occurrence or an evergreen share
        raw = (post.__pydantic_private__ or {}).get("_raw")
        if raw is None:
            return
        entry = self.store.find(str(path), raw, self.root)
        if entry is not None:
            try:
                values = decode_values(entry[2])
                found = decode_findings(entry[3], self.run.shown[id(post)], post.id)
            except ValueError:  # an entry of another shape: a miss
                entry = None
        if entry is None:
            self.keys[id(post)] = key_of(post, str(path), raw, self.root)
            if problems:
                self.problems[id(post)] = problems
            return
        draft.__dict__.update(values)
        self.run.located += found
        self.hits.add(id(post))

    def lint_chunk(self, drafts: Sequence[Draft], mine: Sequence[Draft]) -> list[Finding]:
        """``Run.lint_chunk``: every post rule over the reported drafts the cache does not
        know, the clock's rules over the others; queue rules prepare every draft."""
        run = self.run
        shown, suppressions = run.shown, run.suppressions
        fresh = [d for d in mine if id(d.post) not in self.hits]
        known = [d for d in mine if id(d.post) in self.hits]
        out: list[Finding] = []
        found = lint_drafts(
            fresh,
            run.ruleset,
            [shown[id(d.post)] for d in fresh],
            [suppressions[id(d.post)] for d in fresh],
        )
        for draft, findings in zip(fresh, found, strict=True):
            out += findings
            if id(draft.post) in self.keys:
                self.fresh.append((draft, findings))
        if known and self.live:
            again = lint_drafts(
                known,
                run.ruleset,
                [shown[id(d.post)] for d in known],
                [suppressions[id(d.post)] for d in known],
                rules=self.live,
            )
            for findings in again:
                out += findings
        run.prepare(drafts, always=True)
        return out

    def keep(self, drafts: Sequence[Draft]) -> None:
        """Keep what the linted drafts gave, and write the cache if it changed."""
        store = self.store
        for draft, findings in self.fresh:
            post = draft.post
            supp = self.run.suppressions[id(post)]
            key = self.keys[id(post)]
            problems = self.problems.get(id(post), [])
            store.put(
                str(draft.path), key, post.summary(), draft.__dict__, findings, supp, problems
            )
        # Posts given to the linter may be a few of the queue (the calendar's week).
        store.save((str(d.path) for d in drafts if d.path is not None), whole=False)
