"""A cron pass that does work in proportion to what changed and what is due.

1. Stat the queue (in a forked child when the last plan's wake-up has come, while this
   process imports what sending needs: :mod:`soulpost.run.scanahead`). If every stamp,
   the config, the ledger and the clock (before the last plan's wake-up) are as the last
   plan left them (``index-head.json``), there is nothing to plan: record the run and
   stop. No draft is read, no plan built.
2. Otherwise plan from the near window (:mod:`soulpost.run.window`) when nothing changed
   and it covers the plan; else bring the queue index up to date, parsing only the files
   added or edited, plan from its summaries and write the window for the next passes.
3. Nothing due, missed or to look up: stop there and remember the plan's wake-up.
4. Something to do: load in full only the posts the pass acts on (due, missed, in doubt,
   failed or published ones whose file changed since) and run the usual full pass over
   them. Their times are the summary plan's (explicit, or a slot it reserved), so the
   smaller plan decides the same for them. When a queue rule could block at the lint
   gate, or two files share an id, the whole queue is loaded instead, as before. On a
   shared ledger, the plain due posts are parsed only when this publisher is about to
   send them (:mod:`soulpost.run.deferred`), and the ledger opened while the queue is
   scanned (it says which share of the due drafts to parse meanwhile) serves the whole
   pass.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from soulpost.plan import Action, Plan, build_plan, newest_rows
from soulpost.run.scanahead import PendingStamps, ScanLost
from soulpost.timeutil import LocalTimeKind

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from soulpost.clock import Clock
    from soulpost.config import Settings
    from soulpost.ledger import Ledger, Publication
    from soulpost.queueindex import Head, QueueState, Stamp, Summary
    from soulpost.run.deferred import Deferred
    from soulpost.run.report import Log, PassOptions, PassReport
    from soulpost.run.window import Window
    from soulpost.workspace import PostCache, Workspace

HORIZON = timedelta(days=1)
"""Posts further ahead than this, with explicit times and nothing in the ledger, are only
*future*: the plan skips them and takes just the earliest one's time as a wake-up."""

MAX_IDLE = timedelta(hours=6)
"""The longest an idle pass trusts the last plan without planning again (slots and
lateness depend on the clock in ways the wake-up time does not capture)."""


@dataclass
class LiveQueue:
    """The daemon's queue index, kept in memory between passes: the stamps its last scan
    found and the summaries parsed from them."""

    stamps: dict[str, Stamp] = field(default_factory=dict)
    state: QueueState | None = None


@dataclass
class Selection:
    """The posts a pass acts on, loaded in full, and the summaries of the whole queue."""

    ws: Workspace
    summaries: list[Summary]
    wake: datetime | None  # the summary plan's next wake-up
    deferred: Deferred | None = None  # due posts parsed only when sent (shared ledger)
    ledger: Ledger | None = None  # the pass's open ledger, for the full pass to go on with


@dataclass
class _Pass:
    """What the steps of one indexed pass share."""

    root: Path
    settings: Settings
    config_path: Path
    ledger: Ledger
    clock: Clock
    opts: PassOptions
    report: PassReport
    now: datetime
    key: str = ""  # the config's key and the stamps' digest (a cron pass's)
    digest: str = ""
    preloaded: PostCache | None = None  # due drafts parsed while the queue was scanned
    handed: bool = False  # the ledger went on with the Selection (not closed here)


def indexed_pass(
    root: Path,
    settings: Settings,
    config_path: Path,
    *,
    clock: Clock,
    opts: PassOptions,
    report: PassReport,
    log: Log,
) -> Selection | bool:
    """Steps 1-3 of the module docstring: the posts to act on (step 4), True when the
    pass is over, False when only a load of the whole queue will do."""
    from soulpost.run.passes import recover
    from soulpost.workspace import paused_gc

    state_dir = root / settings.publish.state_dir
    live = opts.live
    opening = _scan_opening(root, settings, config_path, clock, opts)
    if opening is None:
        return False  # the full load reports an unreadable queue properly
    key, stamps, digest, preloaded, ledger = opening
    step: _Pass | None = None
    try:
        recovered = recover(ledger, clock, log)
        now = clock.now()
        if opts.not_before is not None and opts.not_before > now:
            now = opts.not_before  # plan for the instant the pass will send at
        step = _Pass(root, settings, config_path, ledger, clock, opts, report, now, key, digest)
        step.preloaded = preloaded
        head = None if recovered or live is not None else _unchanged(step, key, digest)
        if head is not None:
            report.load_errors, report.next_wake = head.errors, head.wake
            _record_idle(step, None)
            return True
        chosen = _from_window(step, stamps) if live is None else False
        if chosen is not False:
            return _settle(step, chosen)
        every = stamps.resolve() if isinstance(stamps, PendingStamps) else stamps
        with paused_gc(len(every)):  # the index's objects are kept to the end anyway
            state, fresh = _state(state_dir, config_path, key, live)
            changed = state.update(every, settings, root, now=digest or None)
            if fresh or (changed and live is None):
                state.save(state_dir)  # the daemon saves when it starts, for cron passes after
            found = state.summaries()
        if found is None:
            return False  # two files share an id: the full load names both
        return _settle(step, _plan(step, found, every, fresh=fresh))
    except ScanLost:
        return False  # the stamps behind the digest are lost: load the whole queue
    finally:
        if step is None or not step.handed:
            ledger.close()
        if isinstance(stamps, PendingStamps):
            stamps.close()  # a child whose stamps were not wanted is ended


def _scan_opening(
    root: Path, settings: Settings, config_path: Path, clock: Clock, opts: PassOptions
) -> tuple[str, dict[str, Stamp] | PendingStamps, str, PostCache | None, Ledger] | None:
    """:func:`_scan`, with the ledger opened meanwhile (or after it): the config's key,
    the stamps, their digest, the preloaded drafts and the open ledger; None (nothing
    left open) when the config or the queue cannot be read."""
    from soulpost import queueindex
    from soulpost.ledger import open_ledger

    opened: list[Ledger] = []

    def early_ledger() -> Ledger:
        state_dir = root / settings.publish.state_dir
        opened.append(open_ledger(state_dir, settings=settings.publish, owner=opts.owner))
        return opened[0]

    try:
        stamps, digest, unreadable, preloaded = _scan(
            root, settings, config_path, clock, opts, early_ledger
        )
    except BaseException:
        for ledger in opened:
            ledger.close()
        raise
    key = queueindex.config_key(config_path)
    if key is None or unreadable:
        for ledger in opened:
            ledger.close()
        if isinstance(stamps, PendingStamps):
            stamps.close()
        return None
    return key, stamps, digest, preloaded, opened[0] if opened else early_ledger()


def _scan(  # noqa: PLR0917 (the pass's own parts, passed on)
    root: Path,
    settings: Settings,
    config_path: Path,
    clock: Clock,
    opts: PassOptions,
    ledger: Callable[[], Ledger],
) -> tuple[dict[str, Stamp] | PendingStamps, str, bool, PostCache | None]:
    """Every draft's stamp, their digest (none for the daemon, whose stamps are its own
    scan's), whether the queue itself is unreadable, and the due drafts the last window
    names, parsed meanwhile (:func:`window.preload_due`): on a shared ledger, only this
    publisher's share of them (the *ledger*, opened meanwhile, says where it stands).

    ``publish --due`` forked a child scanning the queue at its start (``opts.early``);
    otherwise, when the last plan's wake-up has come, one is forked here. Meanwhile this
    process imports what sending needs (when that wake-up has come), then waits for the
    child's digest; the stamps themselves are read from the child only if the pass looks
    at them (:class:`~soulpost.run.scanahead.PendingStamps`). Nothing is decided on older
    stamps: a child that failed means a scan here."""
    from soulpost import queueindex
    from soulpost.run.scanahead import ScanAhead, prefetch, preload
    from soulpost.run.sharing import place
    from soulpost.workspace import QUEUE_DIR, paused_gc

    queue = root / QUEUE_DIR
    if opts.live is not None:  # the daemon's own scans
        return opts.live.stamps, "", opts.live.stamps.get(str(queue)) == (-1, -1), None
    head = queueindex.read_head(root / settings.publish.state_dir)
    sending = head is not None and head.wake is not None and clock.now() >= head.wake
    early = opts.early
    ahead = early.scan if early is not None and early.scan.queue == queue else None
    if ahead is None and sending:
        ahead = ScanAhead.start(queue)
    preloaded = None
    if ahead is not None:
        try:
            if sending:
                prefetch(root, settings, config_path)
                share = place(ledger())
                preloaded = preload(root, settings, config_path, clock, share, ahead.answered)
        except BaseException:
            ahead.close()
            raise
        got = ahead.head()
        if got is not None:
            stamps = PendingStamps(ahead, got.digest)
            return stamps, got.digest, got.queue == (-1, -1), preloaded
    with paused_gc(queueindex.UPDATE_CHUNK):  # 100,000 stamps: see paused_gc
        scanned = queueindex.scan_stamps(queue)
    return scanned, queueindex.digest(scanned), scanned.get(str(queue)) == (-1, -1), preloaded


def _settle(step: _Pass, chosen: Selection | datetime | Literal[False] | None) -> Selection | bool:
    """What :func:`indexed_pass` answers for the plan's *chosen* (see :func:`_plan`); an
    idle cron pass records its wake-up in ``index-head.json``."""
    from soulpost import queueindex

    if chosen is None or chosen is False:
        return False
    if isinstance(chosen, datetime) and step.opts.live is None:
        stamp = step.ledger.change_stamp()
        head = queueindex.Head(step.key, step.digest, stamp, chosen, step.report.load_errors)
        queueindex.write_head(step.root / step.settings.publish.state_dir, head)
    if isinstance(chosen, Selection):
        chosen.ledger, step.handed = step.ledger, True  # one connection for the whole pass
        return chosen
    return True


def _from_window(
    step: _Pass, stamps: Mapping[str, Stamp]
) -> Selection | datetime | Literal[False] | None:
    """The plan from the near window (:mod:`soulpost.run.window`) when it decides what
    the whole index would (as :func:`_plan` answers); False when the whole index must be
    read instead."""
    from soulpost.queueindex import forget_head
    from soulpost.run import window

    state_dir = step.root / step.settings.publish.state_dir
    saved = window.read(state_dir, step.key, step.digest)
    if saved is None:
        return False
    forget_head(state_dir)  # as _state does: this pass plans afresh
    return _plan(step, (saved.summaries, saved.errors), stamps, fresh=False, window=saved)


def _unchanged(step: _Pass, key: str, digest: str) -> Head | None:
    """The last plan's record if it still holds: same files, settings and ledger, and
    its wake-up not reached (``index-head.json``)."""
    from soulpost.queueindex import read_head

    head = read_head(step.root / step.settings.publish.state_dir)
    if (
        head is not None
        and (head.config, head.digest) == (key, digest)
        and (head.wake is None or step.now < head.wake)
        and head.ledger == step.ledger.change_stamp()
    ):
        return head
    return None


def _record_idle(step: _Pass, rows: list[Publication] | None) -> None:
    """An idle pass: recorded as a run; what needs a person is still reported."""
    from soulpost.run.passes import attention_lines

    now, report = step.now, step.report
    run_id = step.ledger.start_run(now, step.opts.kind)
    found = rows if rows is not None else step.ledger.needing_attention(now)
    report.attention = attention_lines(found, report, now)
    step.ledger.finish_run(run_id, step.clock.now(), {"due": 0})


def _plan(
    step: _Pass,
    found: tuple[list[Summary], list[str]],
    stamps: Mapping[str, Stamp],
    *,
    fresh: bool,
    window: Window | None = None,
) -> Selection | datetime | Literal[False] | None:
    """Plan from the summaries: the posts to act on, or (an idle pass, recorded) the
    instant the plan must be made again; None when the whole queue must be loaded; False
    when *window* (the summaries' source) does not cover this plan."""
    summaries, errors = found
    settings, ledger, now = step.settings, step.ledger, step.now
    rows = newest_rows(ledger.publications())
    reserved = ledger.slots()
    if window is not None and not window.covers(rows, reserved, now + HORIZON):
        return False
    if window is None and step.digest:
        _save_window(step, found, rows)
    near, far = _near(summaries, rows, reserved, settings, now)
    if window is not None:
        far = _earliest(far, window.far)
    plan = build_plan(near, settings, now, ledger_rows=rows, reserved=reserved)
    ledger.reserve_slots(plan.new_slots)
    step.report.load_errors = errors
    wanted = _wanted(plan, summaries, rows, stamps, now, reopen_all=fresh)
    wake = _wake(plan, summaries, rows, settings, now, far)
    next_wake = _earliest(plan.next_wake(now), far)
    if wanted or (settings.archive.after is not None and wake <= now):
        later = _defer(step, plan, rows)
        if later is not None:
            wanted -= {i.post.id for i in later.items}
        ws = _load_wanted(step, wanted, summaries)
        return Selection(ws, summaries, next_wake, later) if ws is not None else None
    step.report.plan = plan
    step.report.next_wake = next_wake
    _record_idle(step, list(rows.values()))
    return wake


def _save_window(
    step: _Pass, found: tuple[list[Summary], list[str]], rows: dict[tuple[str, str], Publication]
) -> None:
    """Write the near window for the next passes (a cache: a failure only costs them)."""
    from soulpost.run import window

    state_dir = step.root / step.settings.publish.state_dir
    summaries, errors = found
    with contextlib.suppress(OSError):
        window.write(
            state_dir, step.key, step.digest, summaries, errors, rows, step.settings, step.now
        )


def _state(
    state_dir: Path, config_path: Path, key: str, live: LiveQueue | None
) -> tuple[QueueState, bool]:
    """The queue index (the daemon's in memory, else the saved one) and whether it was
    started afresh (no index for these settings yet)."""
    from soulpost.queueindex import QueueState, forget_head

    if live is not None and live.state is not None and live.state.config == key:
        return live.state, False
    forget_head(state_dir)
    state = QueueState.load(state_dir, config_path)
    if live is not None:
        live.state = state
    return state, not state.found


def _near(
    summaries: list[Summary],
    rows: dict[tuple[str, str], Publication],
    reserved: dict[str, datetime],
    settings: Settings,
    now: datetime,
) -> tuple[list[Summary], datetime | None]:
    """The posts worth planning, and the earliest time among the rest: those more than
    :data:`HORIZON` ahead with an explicit time and no ledger row can only be *future*
    (or held or blocked, which wake nothing). All are planned while a post still waits
    for a slot: choosing one needs every post's time."""
    from soulpost.plan import approval_ok

    if any(s.at is None and s.id not in reserved for s in summaries):
        return summaries, None
    limit = now + HORIZON
    known = {post_id for post_id, _platform in rows}
    near: list[Summary] = []
    far: datetime | None = None
    for summary in summaries:
        at = summary.at
        if at is None or at <= limit or summary.id in known:
            near.append(summary)
        elif summary.time_kind is not LocalTimeKind.GAP and approval_ok(summary, settings):
            far = at if far is None or at < far else far
    return near, far


def _earliest(*times: datetime | None) -> datetime | None:
    known = [t for t in times if t is not None]
    return min(known) if known else None


def _wanted(
    plan: Plan[Summary],
    summaries: list[Summary],
    rows: dict[tuple[str, str], Publication],
    stamps: Mapping[str, Stamp],
    now: datetime,
    *,
    reopen_all: bool,
) -> set[str]:
    """Ids of the posts the full pass must see: due, missed or in doubt with a lookup due;
    and those with a failed, missed or published row whose file changed since (an edit
    plans a failed one afresh, and an edited published one gets a note)."""
    from soulpost.run.passes import lookup_due

    wanted = {
        i.post.id
        for i in plan.items
        if i.action in (Action.DUE, Action.MISSED)
        or (i.action is Action.SETTLED and i.latest is not None and lookup_due(i.latest, now))
    }
    by_id = {s.id: s for s in summaries}
    for (post_id, _platform), row in rows.items():
        if row.state not in ("failed", "missed", "published") or post_id in wanted:
            continue
        summary = by_id.get(post_id)
        if summary is None or summary.path is None:
            continue
        if reopen_all and row.state != "published":
            wanted.add(post_id)
            continue
        since = row.published_at if row.state == "published" else row.updated_at
        mtime = stamps.get(summary.path, (0, 0))[0] / 1e9
        if since is None or mtime > since.timestamp():
            wanted.add(post_id)
    return wanted


def _wake(  # noqa: PLR0917 (what the plan was made of)
    plan: Plan[Summary],
    summaries: list[Summary],
    rows: dict[tuple[str, str], Publication],
    settings: Settings,
    now: datetime,
    far: datetime | None,
) -> datetime:
    """When an idle pass must plan again: the plan's next wake-up, the next lookup of an
    in-doubt publication, the next post due for the archive, or :data:`MAX_IDLE` from
    now, whichever comes first."""
    times = [now + MAX_IDLE]
    wake = _earliest(plan.next_wake(now), far)
    if wake is not None:
        times.append(wake)
    for item in plan.items:  # an in-doubt publication's next lookup
        latest = item.latest
        if latest is not None and latest.state == "in_doubt" and latest.next_attempt_at:
            times.append(latest.next_attempt_at)
    after = settings.archive.after
    if after is not None:
        from soulpost.run.archive import next_archive

        due = next_archive(((s.id, s.platforms, s.path) for s in summaries), rows, after)
        if due is not None:
            times.append(due)
    return min(times)


def _defer(
    step: _Pass, plan: Plan[Summary], rows: dict[tuple[str, str], Publication]
) -> Deferred | None:
    """On a shared ledger, the plain due posts a cron pass parses only when it is about
    to send them (:mod:`soulpost.run.deferred`); None elsewhere (one publisher sends
    every due post, so nothing is saved by waiting, and the daemon keeps its own cache)."""
    from soulpost.run.deferred import Deferred, deferrable

    if step.opts.live is not None or step.ledger.backend == "sqlite":
        return None
    items = deferrable(plan, rows)
    return Deferred(items, step.settings, step.preloaded) if items else None


def _load_wanted(step: _Pass, wanted: set[str], summaries: list[Summary]) -> Workspace | None:
    """The posts in *wanted*, loaded in full (through the drafts preloaded meanwhile, each
    parsed again if its stamp changed since); None when a queue rule could block at the
    lint gate (then the whole queue must be loaded)."""
    from soulpost.run.gate import queue_rules_can_block
    from soulpost.workspace import PostCache, Workspace, load_posts

    root, settings, config_path = step.root, step.settings, step.config_path
    if settings.publish.lint_gate and queue_rules_can_block(settings, root, config_path):
        return None
    paths = sorted(s.path for s in summaries if s.id in wanted and s.path is not None)
    cache = step.preloaded
    if cache is not None:  # load_posts drops what it was not asked for: the rest may wait
        cache = PostCache(dict(cache.entries))
    posts, errors = load_posts([Path(p) for p in paths], settings, cache)
    return Workspace(root, settings, config_path, posts, errors)
