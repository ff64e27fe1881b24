""":func:`run_pass`: take the lock, settle dead claims, then either the quick idle check
(from the queue index, no draft parsed) or the full pass (load, lint, plan, publish)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from soulpost import alerts
from soulpost.plan import newest_rows
from soulpost.run.actions import publish
from soulpost.run.adapters import Adapters
from soulpost.run.report import Log, PassOptions, PassReport, stderr_log

if TYPE_CHECKING:
    from collections.abc import Sequence

    from soulpost.clock import Clock
    from soulpost.config import Settings
    from soulpost.ledger import Ledger, Publication
    from soulpost.plan import Schedulable
    from soulpost.run.deferred import Deferred
    from soulpost.workspace import PostCache, Workspace


def run_pass(
    root: Path,
    *,
    clock: Clock,
    options: PassOptions | None = None,
    cache: PostCache | None = None,
    log: Log = stderr_log,
) -> PassReport:
    """Run one pass over the workspace at *root*; see the package docstring."""
    from soulpost.lock import PassLock
    from soulpost.workspace import PostCache, load_settings

    opts = options or PassOptions()
    report = PassReport()
    root = root.resolve()
    settings, config_path = opts.settings or load_settings(root)
    state_dir = root / settings.publish.state_dir
    lock = PassLock(state_dir)
    early = opts.early
    if early is not None and (early.lock.path != lock.path or opts.dry_run or opts.lock_held):
        early.close()  # taken for another state folder than the settings name: not ours
        opts.early = early = None
    if early is not None:
        lock = early.lock  # taken already, before the settings were read
    elif not opts.dry_run and not opts.lock_held and not lock.acquire():
        holder = lock.holder()
        report.skipped = f"another pass or the daemon (pid {holder or '?'}) is running here"
        return report
    try:
        # The daemon passes its in-memory index (opts.live) and a parse cache for the
        # rare pass that needs the whole queue loaded.
        quick = (cache is None or opts.live is not None) and not opts.dry_run and opts.only is None
        if quick and _indexed(root, settings, config_path, clock, opts, report, log):
            return report
        fresh = cache if cache is not None else PostCache()
        ws = _load(root, settings, config_path, fresh)
        report.load_errors = [e.render(ws.root) for e in ws.errors]
        _full_pass(ws, clock, opts, report, log)
        if cache is None and not opts.dry_run:
            from soulpost import queueindex

            queueindex.save(ws.state_dir, ws, fresh)
    finally:
        if early is not None:
            early.scan.close()
        if not opts.lock_held:
            lock.release()
        alerts.after_pass(root, settings, clock, kind=opts.kind, dry_run=opts.dry_run, log=log)
    return report


def _indexed(  # noqa: PLR0917 (the pass's own parts, passed on)
    root: Path,
    settings: Settings,
    config_path: Path,
    clock: Clock,
    opts: PassOptions,
    report: PassReport,
    log: Log,
) -> bool:
    """The cron pass from the queue index (:mod:`soulpost.run.indexed`); False when it
    needs the whole queue loaded instead."""
    from soulpost.run.indexed import indexed_pass

    chosen = indexed_pass(
        root, settings, config_path, clock=clock, opts=opts, report=report, log=log
    )
    if isinstance(chosen, bool):
        return chosen
    errors = report.load_errors
    summaries = chosen.summaries
    _full_pass(
        chosen.ws,
        clock,
        opts,
        report,
        log,
        everything=summaries,
        deferred=chosen.deferred,
        ledger=chosen.ledger,
    )
    report.load_errors = errors
    wakes = [w for w in (report.next_wake, chosen.wake) if w is not None]
    report.next_wake = min(wakes) if wakes else None
    return True


def _load(root: Path, settings: Settings, config_path: Path, cache: PostCache) -> Workspace:
    """The whole queue, loaded with the pass's settings (as ``load_workspace`` does)."""
    from soulpost.workspace import QUEUE_DIR, Workspace, load_posts, queue_files

    posts, errors = load_posts(queue_files(root / QUEUE_DIR), settings, cache)
    return Workspace(root, settings, config_path, posts, errors)


def recover(ledger: Ledger, clock: Clock, log: Log) -> list[Publication]:
    """Settle claims left by dead processes (or run-out leases), one log line each."""
    from soulpost.ledger import owner_alive

    recovered = ledger.recover(clock.now(), owner_alive)
    for pub in recovered:
        log(f"recovered {pub.post_id} on {pub.platform}: {pub.state} ({pub.reason or ''})")
    return recovered


def release_after_failure(ledger: Ledger, clock: Clock, exc: BaseException, log: Log) -> None:
    """A pass that stops half way settles what it holds (in doubt if a request was in
    flight, else pending). If even that fails (the ledger is locked or the disk full), the
    claims' lease brings them back at a later pass."""
    why = f"the pass of {ledger.owner.describe()} failed ({type(exc).__name__}: {exc})"
    try:
        released = ledger.release_held(clock.now(), why)
    except Exception as again:
        log(f"could not release this pass's claims ({again}); their lease returns them later")
        return
    for pub in released:
        log(f"released {pub.post_id} on {pub.platform}: {pub.state} ({pub.reason or ''})")


def attention_lines(
    rows: list[Publication], report: PassReport, now: datetime, only: set[str] | None = None
) -> list[str]:
    """One line per publication that needs a person, except those this pass's results
    already show (with *only*, of those posts: ``publish ID --now`` asks about them)."""
    from soulpost.ledger import attention, describe

    shown = {(r.post_id, r.platform) for r in report.results if r.needs_attention}
    return [
        describe(row, now)
        for row in attention(rows, now)
        if (row.post_id, row.platform) not in shown and (only is None or row.post_id in only)
    ]


def auto_archive(
    ws: Workspace,
    ledger: Ledger,
    now: datetime,
    report: PassReport,
    log: Log,
    *,
    everything: Sequence[Schedulable] | None = None,
) -> None:
    """``[archive] after``: move posts published on every platform at least that long ago
    out of the queue (see :mod:`soulpost.run.archive`); a file that cannot move is noted.
    *everything* adds the queue's posts that the pass did not load."""
    from soulpost.run.archive import archivable, archive_posts

    after = ws.settings.archive.after
    if after is None:
        return
    rows = newest_rows(ledger.publications())
    posts = [(p.id, p.platforms, p.path) for p in ws.posts]
    if everything is not None:
        loaded = {p.id for p in ws.posts}
        posts += [
            (s.id, s.platforms, getattr(s, "path", None)) for s in everything if s.id not in loaded
        ]
    chosen = archivable(posts, rows, now - after)
    if not chosen:
        return
    done = archive_posts(ws.root, ws.settings, chosen)
    for move in done.moved:
        log(f"archived {move.post_id}: {move.source} -> {move.target} ({move.how})")
    if done.moved:
        folder = ws.settings.archive.dir
        report.notes.append(f"archived {len(done.moved)} published post(s) to {folder}/")
    report.notes.extend(f"archive: {problem}" for problem in done.problems)


def lookup_due(row: Publication, now: datetime) -> bool:
    """An in-doubt row whose next lookup (backed off) is due."""
    return row.state == "in_doubt" and (row.next_attempt_at is None or row.next_attempt_at <= now)


def _full_pass(
    ws: Workspace,
    clock: Clock,
    opts: PassOptions,
    report: PassReport,
    log: Log,
    *,
    everything: Sequence[Schedulable] | None = None,
    deferred: Deferred | None = None,
    ledger: Ledger | None = None,
) -> None:
    """Lint, plan, publish and record the posts of *ws* (the whole queue, or the ones the
    indexed pass chose; then *everything* summarises the whole queue for the archive, and
    *deferred* holds due posts to parse only when sent: :mod:`soulpost.run.deferred`).
    *ledger* is the indexed pass's, still open (one connection and one heartbeat for the
    pass; closed here); else the ledger is opened here."""
    from soulpost.ledger import open_ledger
    from soulpost.publish.send import RetryPolicy

    if ledger is None:
        ledger = open_ledger(
            ws.state_dir, settings=ws.settings.publish, read_only=opts.dry_run, owner=opts.owner
        )
    adapters = Adapters(ws, clock, ledger)
    try:
        run_id = 0 if opts.dry_run else ledger.start_run(clock.now(), opts.kind)
        if not opts.dry_run:
            recover(ledger, clock, log)
        settings = ws.settings.publish
        policy = opts.policy or RetryPolicy(
            max_attempts=settings.max_attempts, base_delay=settings.retry_delay.total_seconds()
        )
        try:
            publish(
                ws,
                ledger,
                adapters=adapters,
                clock=clock,
                opts=opts,
                policy=policy,
                report=report,
                log=log,
                deferred=deferred,
            )
        except BaseException as exc:
            if not opts.dry_run:
                release_after_failure(ledger, clock, exc, log)
            raise
        now = clock.now()
        if not opts.dry_run and opts.only is None and ws.settings.archive.after is not None:
            auto_archive(ws, ledger, now, report, log, everything=everything)
        report.attention = attention_lines(ledger.needing_attention(now), report, now, opts.only)
        if not opts.dry_run:
            ledger.finish_run(run_id, clock.now(), {**report.counts(), "due": report.due})
    finally:
        adapters.close()
        ledger.close()
