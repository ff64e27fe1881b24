"""Linting a large queue on every core, with forked worker processes.

Post rules look at one post at a time, so they split cleanly across processes; queue
rules need the whole queue and run in the parent. Workers are forked, so they inherit
the imported modules and the configured rules and start in milliseconds; what they send
back is kept small, because pickling whole posts back and forth would cost more than the
rules themselves. Two entry points:

* :func:`load_and_lint` is ``soulpost lint`` on a large queue: each worker reads, parses,
  validates and lints its share of the files in one pass and sends back located findings
  plus a summary of each post (:meth:`~soulpost.posts.Post.summary`) for the queue rules.
* :func:`post_rules_in_workers` lints posts already loaded in the parent (the publishing
  gate on a large queue): the workers inherit the posts and only the findings come back.

Only a single-threaded process forks (forking a threaded one, such as the daemon, is
unsafe); :func:`soulpost.lint.engine._workers` decides.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.lint.cache import key_of, storable
from soulpost.lint.draft import Draft, QueueView
from soulpost.lint.engine import CHUNK, Run, lint_drafts
from soulpost.lint.shown import display as _display
from soulpost.lint.suppress import NONE, Suppressions, post_suppressions
from soulpost.posts import Post, PostInvalid, PostSummary, build_post
from soulpost.workspace import duplicate_id, post_context, read_post_file

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from soulpost.config import Settings
    from soulpost.errors import InputError
    from soulpost.lint.cache import Key
    from soulpost.lint.model import Finding, Report
    from soulpost.lint.select import RuleSet


@dataclass
class _Files:
    """What :func:`load_and_lint`'s workers need: set just before forking, inherited."""

    files: list[Path]
    settings: Settings
    ruleset: RuleSet
    now: datetime
    root: Path | None
    context: dict[str, Any]
    # How many files the whole run lints (queue rules' ``prepares_for`` is asked about it).
    total: int = 0
    # A lint cache wants the results: say which can be kept (their key), and let every
    # queue rule prepare every draft, so what is kept serves a queue of any size.
    keep: bool = False
    # Lint as loading the posts one by one would (series expanded, evergreen shared):
    # a series or evergreen post stops the work (None) for the caller to do so.
    special_stops: bool = False


# Filled in the parent just before forking; workers read them through inheritance.
_FILES: list[_Files] = []
_POSTS: list[tuple[Sequence[Draft], Run]] = []

# One loaded and linted file, as a worker sends it back: its index in the list of files,
# the post's summary (None when it did not load), what rules cached on the draft, the
# post's suppressions (None for none), its errors (load errors, or problems in
# [lint] ignore), its post-rule findings and, when a lint cache asked, the key under
# which these results can be kept (None: not to be kept).
_Linted = tuple[
    int,
    PostSummary | None,
    dict[str, Any],
    Suppressions | None,
    list["InputError"],
    list["Finding"],
    "Key | None",
]


def _fork_pool(workers: int) -> ProcessPoolExecutor:
    # Imported here: a cached lint of a few files loads this module but forks nothing,
    # and importing multiprocessing with concurrent.futures would cost it more than the
    # cache saves on one draft.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


# The smallest chunk the shrinking tail of the work is cut into.
MIN_CHUNK = 25


def warm_up_size(count: int, workers: int) -> int:
    """How many of *count* files :func:`load_and_lint` lints here before it forks.

    Rules build much of what they need on first use: patterns compiled when a text first
    passes their gate, the gates read off each pattern's parse tree, word lists, the
    language tables. Forked workers built all of it each for itself: about 0.8 G
    instructions each at 10,000 drafts, some 7 % of a worker's work. Built here on a
    first chunk, it is built once and every worker inherits it (and the gates are kept
    for the next run: only this process writes soulpost.codecache's file, so what the
    workers worked out was lost with them). The chunk is a small share of the queue
    (at most CHUNK, and an eighth of a worker's share), so the wait it adds before the
    workers start is about what each worker saves on its half of it.
    """
    return min(CHUNK, count // (workers * 8))


def _chunks(count: int, workers: int) -> list[tuple[int, int]]:
    """Index ranges of at most CHUNK posts (see there), and at least four per worker.

    Towards the end the chunks shrink (each a share of what is left), so the workers run
    out of work at about the same time: with equal chunks, one worker could still be on a
    whole chunk while the other has nothing left to do.
    """
    size = max(1, min(CHUNK, -(-count // (workers * 4))))
    bounds = []
    start = 0
    while start < count:
        left = count - start
        step = min(size, max(MIN_CHUNK, -(-left // (workers * 2))), left)
        bounds.append((start, start + step))
        start += step
    return bounds


def load_and_lint(
    files: Sequence[Path],
    settings: Settings,
    ruleset: RuleSet,
    workers: int,
    *,
    now: datetime,
    root: Path | None,
    errors: Iterable[InputError],
) -> Report | None:
    """Load and lint *files* in *workers* processes; None when no pool can be started.

    Reports what loading the files with :func:`soulpost.workspace.load_posts` and linting
    them with :func:`soulpost.lint.engine.lint_posts` would: the same findings, and the
    same errors in the same order (load errors and duplicate ids in file order, then
    problems in ``[lint] ignore``). Every queue rule must accept summary posts
    (``needs_whole_posts = False``).
    """
    files = list(files)
    job = _Files(files, settings, ruleset, now, root, post_context(settings), len(files))
    _FILES[:] = [job]
    head = warm_up_size(len(files), workers)
    try:
        first = (lint_files_job(job, range(head)) or []) if head else []  # see warm_up_size
        pool = _fork_pool(workers)
        # Workers inherit the list of files: only index ranges go to them.
        rest = [(start + head, end + head) for start, end in _chunks(len(files) - head, workers)]
        results = pool.map(_load_and_lint, rest)
    except (OSError, RuntimeError, ValueError):  # no fork or no semaphores here
        _FILES.clear()
        return None
    except BaseException:
        _FILES.clear()
        raise
    run = Run(ruleset, errors)
    try:
        records = itertools.chain(first, (rec for chunk in results for rec in chunk))
        merge(run, records, files, settings, now, root)
    except BaseException:  # Ctrl-C or a failing rule: do not wait for the chunks not started
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        _FILES.clear()
    run.queue_rules(run.ranked_queue_rules(), QueueView(run.drafts, now))
    return run.finish()


def merge(  # noqa: PLR0917 (the run's parts, as load_and_lint has them)
    run: Run,
    records: Iterable[_Linted],
    files: Sequence[Path],
    settings: Settings,
    now: datetime,
    root: Path | None,
    kept: list[tuple[Path, _Linted]] | None = None,
) -> dict[int, Draft]:
    """Take *records* (in file order) into *run*: posts as drafts, errors, findings.

    Load errors and duplicate ids come in file order, then problems in ``[lint] ignore``,
    as :func:`soulpost.workspace.load_posts` and the engine report them. Records with a
    cache key go to *kept*. Returns the drafts by file index.
    """
    load_errors: list[InputError] = []
    problems: list[InputError] = []
    seen: dict[str, Path] = {}
    drafts: dict[int, Draft] = {}
    for record in records:
        index, summary, cache, supp, found_errors, found, key = record
        if summary is None:
            load_errors.extend(found_errors)
            continue
        path = files[index]
        post = Post.from_summary(summary, path)
        first = seen.get(post.id)
        if first is not None:
            load_errors.append(duplicate_id(post, path, first))
            continue
        seen[post.id] = path
        draft = drafts[index] = Draft(post, settings, post.at, now)
        draft.__dict__.update(cache)
        run.drafts.append(draft)
        run.show(draft, _display(path, root), supp or NONE)
        problems.extend(found_errors)
        run.located.extend(found)
        if key is not None and kept is not None:
            kept.append((path, record))
    run.report.errors.extend([*load_errors, *problems])
    return drafts


def _load_and_lint(bounds: tuple[int, int]) -> list[_Linted]:
    """In a worker: load files[start:end] and run the post rules over each post.

    The work goes step by step over the whole chunk (read every file, validate every
    post, then each rule over every draft) rather than post by post: running the same
    code over many posts in a row keeps the interpreter's caches warm, and made a worker
    about a fifth faster.
    """
    return lint_files_job(_FILES[0], range(*bounds)) or []  # workers never stop early


def lint_files_job(job: _Files, indexes: Iterable[int]) -> list[_Linted] | None:
    """Load ``job.files[i]`` for each of *indexes* and run the post rules over each post;
    the records in file order. :func:`_load_and_lint` in a worker; here for a few files."""
    ruleset, settings, now, root = job.ruleset, job.settings, job.now, job.root
    context, registry = job.context, job.ruleset.registry
    reads = [(index, read_post_file(job.files[index])) for index in indexes]
    out: list[_Linted] = []
    loaded: list[tuple[int, Post, str]] = []
    for index, read in reads:
        if read is None:
            continue  # vanished since the listing
        _stamp, text, data, errors = read
        if data is not None:
            try:
                loaded.append((index, build_post(data, job.files[index], context, text), text))
                continue
            except PostInvalid as exc:
                errors = exc.errors
        out.append((index, None, {}, None, errors, [], None))
    del reads
    if job.special_stops and any(p.repeat is not None or p.evergreen for _i, p, _t in loaded):
        return None
    keys: list[Key | None] = [None] * len(loaded)
    if job.keep:  # taken before linting: see key_of
        where = root if root is not None else Path.cwd()
        keys = [
            key_of(post, str(job.files[index]), text, where) if storable(post) else None
            for index, post, text in loaded
        ]
    drafts = [Draft(post, settings, post.at, now) for _index, post, _text in loaded]
    shown = [_display(draft.path, root) for draft in drafts]
    checked = [
        post_suppressions(post, registry) if post.lint.ignore else (NONE, [])
        for _index, post, _text in loaded
    ]
    found = lint_drafts(drafts, ruleset, shown, [supp for supp, _problems in checked])
    for rule in ruleset.queue_rules:
        if job.keep or rule.prepares_for(job.total):  # at least as many posts as will load
            for draft in drafts:
                rule.prepare(draft)
    for (index, post, _text), draft, (supp, problems), findings, key in zip(
        loaded, drafts, checked, found, keys, strict=True
    ):
        draft.release()
        kept = supp if supp is not NONE else None
        out.append((index, post.summary(), draft.__dict__, kept, problems, findings, key))
    out.sort(key=lambda record: record[0])  # file order, as loading one by one reports
    return out


def post_rules_in_workers(
    drafts: Sequence[Draft],
    run: Run,
    workers: int,
    *,
    while_waiting: Callable[[], None] = lambda: None,
) -> list[Finding]:
    """Run every post rule over *drafts* in forked workers; return located findings.

    What the queue rules will need from each draft (its cached classifications) comes back
    too and is put into the parent's drafts, so ``prepare`` finds it already computed.
    *while_waiting* runs in this process once the work is handed out.
    """
    _POSTS[:] = [(drafts, run)]
    located: list[Finding] = []
    try:
        with _fork_pool(workers) as pool:
            results = pool.map(_post_rules_range, _chunks(len(drafts), workers))
            while_waiting()
            for found, caches, fresh in results:
                located.extend(found)
                for index, cache in caches:
                    drafts[index].__dict__.update(cache)
                if run.recall is not None:  # what the cache keeps comes back by index
                    run.recall.fresh += [(drafts[index], kept) for index, kept in fresh]
    finally:
        _POSTS.clear()
    return located


def _post_rules_range(
    bounds: tuple[int, int],
) -> tuple[list[Finding], list[tuple[int, dict[str, Any]]], list[tuple[int, list[Finding]]]]:
    """In a worker: the post rules over drafts[start:end], findings located; with a lint
    cache, also each linted draft's own findings, by index, for the parent to keep."""
    drafts, run = _POSTS[0]
    indexes = range(*bounds)
    found = run.lint_chunk([drafts[i] for i in indexes])
    fresh: list[tuple[int, list[Finding]]] = []
    if run.recall is not None:
        where = {id(drafts[i]): i for i in indexes}
        fresh = [(where[id(draft)], kept) for draft, kept in run.recall.fresh]
        run.recall.fresh.clear()
    return found, [(i, dict(drafts[i].__dict__)) for i in indexes], fresh
