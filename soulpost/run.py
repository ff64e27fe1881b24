"""One publishing pass: load -> lint -> plan -> publish -> record. The CLI's ``publish`` and
the daemon are two thin drivers of :func:`run_pass`.

A pass first takes the workspace lock (another pass or the daemon holding it means this one
steps aside and reports ``skipped``), settles claims left by dead processes, then works
through the due publications in time order. ``dry_run`` renders every payload and sends,
records and locks nothing.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.plan import Action, Item, Plan, build_plan, newest_rows

if TYPE_CHECKING:
    from soulpost.clock import Clock
    from soulpost.config import Settings
    from soulpost.ledger import Ledger, Publication
    from soulpost.posts import Post
    from soulpost.publish.base import Adapter, Rendered
    from soulpost.publish.send import RetryPolicy
    from soulpost.workspace import PostCache, Workspace

Log = Callable[[str], None]


def stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Result:
    """One line of a pass's report: a (post, platform) and what happened to it."""

    post_id: str
    platform: str
    state: str  # published | failed | missed | in_doubt | pending | blocked | rendered | ...
    reason: str | None = None
    url: str | None = None
    at: datetime | None = None

    @property
    def needs_attention(self) -> bool:
        return self.state in ("failed", "missed", "in_doubt", "blocked", "invalid")


@dataclass
class PassReport:
    """What a pass did."""

    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. edits to published posts
    load_errors: list[str] = field(default_factory=list)
    skipped: str | None = None  # why nothing ran (another pass holds the lock)
    due: int = 0
    next_wake: datetime | None = None
    stopped_early: bool = False
    plan: Plan[Any] | None = None

    @property
    def exit_code(self) -> int:
        """0: all due work done or nothing due; 1: a person should look."""
        if self.skipped:
            return 0
        bad = any(r.needs_attention for r in self.results) or bool(self.load_errors)
        return 1 if bad else 0

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for result in self.results:
            out[result.state] = out.get(result.state, 0) + 1
        return out


@dataclass
class PassOptions:
    """How to run a pass."""

    dry_run: bool = False
    only: set[str] | None = None  # post ids (``publish ID --now``)
    now_ids: set[str] = field(default_factory=set)  # due now whatever their time
    kind: str = "publish"
    lock_held: bool = False  # the daemon holds the workspace lock already
    stop: Callable[[], bool] = lambda: False  # checked between publications
    policy: RetryPolicy | None = None
    jitter: Callable[[], float] = random.random
    lint_cache: LintCache | None = None  # the daemon keeps lint results between passes
    not_before: datetime | None = None  # plan for this instant; send nothing before it


class Adapters:
    """Adapters of one pass, built on first use and closed at the end."""

    def __init__(self, ws: Workspace, clock: Clock) -> None:
        self.ws = ws
        self.clock = clock
        self._made: dict[str, Adapter] = {}

    def get(self, platform: str) -> Adapter:
        if platform not in self._made:
            from soulpost.publish.base import AdapterConfig
            from soulpost.publish.registry import load

            settings = self.ws.settings
            conf = settings.platforms.get(platform)
            cls = load(settings.adapter_for(platform))
            self._made[platform] = cls(
                AdapterConfig(
                    platform=platform,
                    state_dir=self.ws.state_dir,
                    clock=self.clock,
                    account=conf.account if conf else None,
                    options=dict(conf.options) if conf else {},
                    credentials=dict(conf.env) if conf else {},
                    root=self.ws.root,
                )
            )
        return self._made[platform]

    def close(self) -> None:
        for adapter in self._made.values():
            adapter.close()
        self._made.clear()


def lint_blocks(
    ws: Workspace, items: list[Item[Post]], now: datetime, plan_times: dict[str, datetime]
) -> dict[tuple[str, str | None], list[str]]:
    """Error-level findings of the posts in *items*, keyed by (post id, platform or None).

    The linter sees the whole queue (queue rules need it) but only these posts' files are
    reported. If the linter itself fails, every one of these posts is blocked: a post is
    never published unchecked while the gate is on.
    """
    paths = sorted({i.post.path for i in items if i.post.path is not None})
    ids = {i.post.id for i in items}
    try:
        from soulpost.lint.engine import lint_workspace

        report = lint_workspace(ws, now=now, times=plan_times, paths=paths)
    except Exception as exc:
        message = f"the linter failed ({type(exc).__name__}: {exc}); not publishing unchecked"
        return {(post_id, None): [message] for post_id in ids}
    blocks: dict[tuple[str, str | None], list[str]] = {}
    for finding in report.findings:
        if finding.severity != "error" or finding.post_id is None or finding.post_id not in ids:
            continue
        blocks.setdefault((finding.post_id, finding.platform), []).append(
            f"lint {finding.code} {finding.name}: {finding.message}"
        )
    return blocks


@dataclass
class LintCache:
    """The daemon's memory of lint results, so a due post is not held up by linting.

    Linting sees the whole queue (queue rules need it), which takes time on a large queue.
    The daemon lints posts coming up within ``lookahead`` as soon as the queue changes and
    keeps the result while no file and no setting changes (the fingerprint); at the due
    time the gate then reads the cache. Any change to the queue means a fresh lint.
    """

    lookahead: timedelta = timedelta(minutes=15)
    fingerprint: str | None = None
    checked: frozenset[str] = frozenset()
    blocks: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)
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


def _gate(
    ws: Workspace, plan: Plan[Post], due: list[Item[Post]], now: datetime, cache: LintCache | None
) -> dict[tuple[str, str | None], list[str]]:
    """Lint blocks for the due posts (and, with a cache, for those coming up soon)."""
    times = {pid: t.at for pid, t in plan.timings.items() if t.at is not None}
    if cache is None:
        return lint_blocks(ws, due, now, times) if due else {}
    fingerprint = cache.fingerprint_of(ws)
    due_ids = {i.post.id for i in due}
    if fingerprint is not None and fingerprint == cache.fingerprint and due_ids <= cache.checked:
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
    cache.checked = frozenset(i.post.id for i in wanted)
    cache.blocks = blocks
    return blocks


def _file_changed_since(path: Path | None, when: datetime | None) -> bool:
    if path is None or when is None:
        return False
    try:
        return path.stat().st_mtime > when.timestamp()
    except OSError:
        return False


def run_pass(
    root: Path,
    *,
    clock: Clock,
    options: PassOptions | None = None,
    cache: PostCache | None = None,
    log: Log = stderr_log,
) -> PassReport:
    """Run one pass over the workspace at *root*; see the module docstring."""
    from soulpost.lock import PassLock
    from soulpost.workspace import PostCache, load_settings, load_workspace

    opts = options or PassOptions()
    report = PassReport()
    root = root.resolve()
    settings, config_path = load_settings(root)
    state_dir = root / settings.publish.state_dir
    lock = PassLock(state_dir)
    if not opts.dry_run and not opts.lock_held and not lock.acquire():
        holder = lock.holder()
        report.skipped = f"another pass or the daemon (pid {holder or '?'}) is running here"
        return report
    try:
        quick = cache is None and not opts.dry_run and opts.only is None and not opts.now_ids
        if quick and _idle_pass(
            root,
            settings,
            config_path=config_path,
            clock=clock,
            opts=opts,
            report=report,
            log=log,
        ):
            return report
        fresh = cache if cache is not None else PostCache()
        ws = load_workspace(root=root, cache=fresh)
        report.load_errors = [e.render(ws.root) for e in ws.errors]
        _full_pass(ws, clock, opts, report, log)
        if cache is None and not opts.dry_run:
            from soulpost import queueindex

            queueindex.save(ws.state_dir, ws, fresh)
    finally:
        if not opts.lock_held:
            lock.release()
    return report


def _idle_pass(
    root: Path,
    settings: Settings,
    *,
    config_path: Path,
    clock: Clock,
    opts: PassOptions,
    report: PassReport,
    log: Log,
) -> bool:
    """Plan from the queue index without parsing any draft; True when that settled the
    pass (nothing due, missed or in doubt, nothing changed), False to do a full pass."""
    from soulpost import queueindex
    from soulpost.ledger import open_ledger, owner_alive
    from soulpost.workspace import QUEUE_DIR

    state_dir = root / settings.publish.state_dir
    found = queueindex.lookup(state_dir, config_path, root / QUEUE_DIR)
    if found is None:
        return False
    summaries, errors = found
    ledger = open_ledger(state_dir, backend=settings.publish.ledger)
    try:
        recovered = ledger.recover(clock.now(), owner_alive)
        for pub in recovered:
            log(f"recovered {pub.post_id} on {pub.platform}: {pub.state} ({pub.reason or ''})")
        rows = newest_rows(ledger.publications())
        now = clock.now()
        plan = build_plan(summaries, settings, now, ledger_rows=rows, reserved=ledger.slots())
        busy = any(i.action in (Action.DUE, Action.MISSED) for i in plan.items) or any(
            i.action is Action.SETTLED and i.latest is not None and i.latest.state == "in_doubt"
            for i in plan.items
        )
        if busy or recovered:
            return False
        run_id = ledger.start_run(now, opts.kind)
        ledger.reserve_slots(plan.new_slots)
        report.plan = plan
        report.load_errors = errors
        report.next_wake = plan.next_wake(now)
        ledger.finish_run(run_id, clock.now(), {"due": 0})
        return True
    finally:
        ledger.close()


def _full_pass(
    ws: Workspace, clock: Clock, opts: PassOptions, report: PassReport, log: Log
) -> None:
    """Lint, plan, publish and record with the whole queue loaded."""
    from soulpost.ledger import open_ledger
    from soulpost.publish.send import RetryPolicy

    ledger = open_ledger(ws.state_dir, backend=ws.settings.publish.ledger, read_only=opts.dry_run)
    adapters = Adapters(ws, clock)
    try:
        run_id = 0 if opts.dry_run else ledger.start_run(clock.now(), opts.kind)
        if not opts.dry_run:
            from soulpost.ledger import owner_alive

            for pub in ledger.recover(clock.now(), owner_alive):
                log(f"recovered {pub.post_id} on {pub.platform}: {pub.state} ({pub.reason or ''})")
        publish = ws.settings.publish
        policy = opts.policy or RetryPolicy(
            max_attempts=publish.max_attempts, base_delay=publish.retry_delay.total_seconds()
        )
        _publish(
            ws,
            ledger,
            adapters=adapters,
            clock=clock,
            opts=opts,
            policy=policy,
            report=report,
            log=log,
        )
        if not opts.dry_run:
            ledger.finish_run(run_id, clock.now(), {**report.counts(), "due": report.due})
    finally:
        adapters.close()
        ledger.close()


def _ledger_view(
    ws: Workspace, ledger: Ledger, adapters: Adapters, report: PassReport
) -> tuple[dict[tuple[str, str], Publication], dict[tuple[str, str], Rendered]]:
    """Newest rows per (post, platform), dropping failed/missed rows of content that has
    since been edited (an edit makes a new publication), and noting edits to published
    posts (reported, never re-posted)."""
    rows = newest_rows(ledger.publications())
    posts = ws.by_id()
    rendered: dict[tuple[str, str], Rendered] = {}
    for pair, row in list(rows.items()):
        post = posts.get(row.post_id)
        if post is None or row.platform not in post.platforms:
            continue
        check = row.state in ("failed", "missed") or (
            row.state == "published" and _file_changed_since(post.path, row.published_at)
        )
        if not check:
            continue
        try:
            current = adapters.get(row.platform).render(post)
        except Exception:
            continue
        rendered[pair] = current
        if current.content_hash() == row.key.content_hash:
            continue
        if row.state == "published":
            report.notes.append(
                f"{row.post_id} on {row.platform} was edited after it was published "
                f"({row.url or row.remote_id}); the edit is not posted again"
            )
        else:
            del rows[pair]
    return rows, rendered


def _publish(
    ws: Workspace,
    ledger: Ledger,
    *,
    adapters: Adapters,
    clock: Clock,
    opts: PassOptions,
    policy: RetryPolicy,
    report: PassReport,
    log: Log,
) -> None:
    from soulpost.ledger import PubKey
    from soulpost.publish.send import deliver

    now = clock.now()
    if opts.not_before is not None and opts.not_before > now:
        now = opts.not_before  # the daemon woke early to be ready on time
    rows, rendered_cache = _ledger_view(ws, ledger, adapters, report)
    posts = [p for p in ws.posts if opts.only is None or p.id in opts.only]
    plan = build_plan(
        ws.posts, ws.settings, now, ledger_rows=rows, reserved=ledger.slots(), force=opts.now_ids
    )
    if not opts.dry_run:
        ledger.reserve_slots(plan.new_slots)
    selected = {p.id for p in posts}
    items = [i for i in plan.items if i.post.id in selected]
    due = [i for i in items if i.action is Action.DUE]
    if ws.settings.publish.lint_gate:
        blocks = _gate(ws, plan, due, now, opts.lint_cache)
        if blocks:
            plan = build_plan(
                ws.posts,
                ws.settings,
                now,
                ledger_rows=rows,
                reserved={**ledger.slots(), **plan.new_slots},
                blocked=blocks,
                force=opts.now_ids,
            )
            items = [i for i in plan.items if i.post.id in selected]
            due = [i for i in items if i.action is Action.DUE]
    report.plan = plan
    report.due = len(due)
    for item in items:
        if item.action is Action.MISSED:
            key = _key_for(item, adapters, rendered_cache)
            if key is not None and not opts.dry_run:
                ledger.mark_missed(key, item.at, item.reason, now)
            report.results.append(_result(item, "missed", item.reason))
            log(f"missed {item.post.id} on {item.platform}: {item.reason}")
        elif item.action is Action.BLOCKED:
            report.results.append(_result(item, "blocked", item.reason))
            log(f"blocked {item.post.id} on {item.platform}: {item.reason}")
        elif item.action is Action.SETTLED and item.latest is not None:
            if item.latest.state == "in_doubt" and not opts.dry_run:
                _try_reconcile(
                    item,
                    ledger,
                    adapters=adapters,
                    clock=clock,
                    policy=policy,
                    opts=opts,
                    report=report,
                    log=log,
                )
            elif opts.only is not None:
                state = item.latest.state.replace("_", " ")
                where = f" ({item.latest.url})" if item.latest.url else ""
                report.results.append(_result(item, "skipped", f"already {state}{where}"))
        elif opts.only is not None and item.action is not Action.DUE:
            report.results.append(_result(item, item.action.value, item.reason))
    if due and opts.not_before is not None:
        wait = (opts.not_before - clock.now()).total_seconds()
        if wait > 0:
            clock.sleep(wait)
    for item in due:
        if opts.stop():
            report.stopped_early = True
            log("stopping: the publication in flight finished; the rest waits for the next pass")
            break
        try:
            adapter = adapters.get(item.platform)
            problems = adapter.validate(item.post)
            # What validate explains is not rendered: its words beat a renderer's error.
            rendered = adapter.render(item.post) if not problems else None
        except Exception as exc:
            reason = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            report.results.append(_result(item, "invalid", f"cannot render: {reason}"))
            log(f"invalid {item.post.id} on {item.platform}: {reason}")
            continue
        if problems or rendered is None:
            reason = "; ".join(problems)
            report.results.append(_result(item, "invalid", reason))
            log(f"invalid {item.post.id} on {item.platform}: {reason}")
            continue
        if opts.dry_run:
            report.results.append(_result(item, "rendered", _preview(rendered)))
            continue
        key = PubKey(item.post.id, item.platform, rendered.content_hash())
        claim = ledger.claim(key, scheduled_at=item.at, now=clock.now())
        if claim.publication is None:
            report.results.append(_result(item, "skipped", claim.reason))
            log(f"skipped {item.post.id} on {item.platform}: {claim.reason}")
            continue
        outcome = deliver(
            adapter,
            ledger,
            claim.publication,
            rendered,
            clock=clock,
            policy=policy,
            jitter=opts.jitter,
        )
        url = outcome.receipt.url if outcome.receipt else None
        report.results.append(_result(item, outcome.state, outcome.reason, url))
        log(
            f"{outcome.state.replace('_', ' ')} {item.post.id} on {item.platform}"
            + (f": {url}" if url else "")
            + (f": {outcome.reason}" if outcome.reason else "")
        )
    plan_after = plan
    report.next_wake = plan_after.next_wake(now)


def _try_reconcile(
    item: Item[Post],
    ledger: Ledger,
    *,
    adapters: Adapters,
    clock: Clock,
    policy: RetryPolicy,
    opts: PassOptions,
    report: PassReport,
    log: Log,
) -> None:
    """An in-doubt publication whose adapter can look it up is settled that way."""
    from soulpost.publish.send import deliver

    latest = item.latest
    assert latest is not None
    try:
        adapter = adapters.get(item.platform)
    except Exception:
        return
    if not adapter.supports_lookup:
        return
    rendered = adapter.render(item.post)
    if rendered.content_hash() != latest.key.content_hash:
        return  # edited since: the old content cannot be looked up reliably
    claim = ledger.claim(
        latest.key, scheduled_at=latest.scheduled_at, now=clock.now(), allow_states=("in_doubt",)
    )
    if claim.publication is None:
        return
    outcome = deliver(
        adapter, ledger, claim.publication, rendered, clock=clock, policy=policy, jitter=opts.jitter
    )
    url = outcome.receipt.url if outcome.receipt else None
    report.results.append(_result(item, outcome.state, outcome.reason, url))
    log(f"reconciled {item.post.id} on {item.platform}: {outcome.state}")


def _key_for(item: Item[Post], adapters: Adapters, cache: dict[tuple[str, str], Rendered]) -> Any:
    from soulpost.ledger import PubKey

    rendered = cache.get((item.post.id, item.platform))
    if rendered is None:
        try:
            rendered = adapters.get(item.platform).render(item.post)
        except Exception:
            return None
    return PubKey(item.post.id, item.platform, rendered.content_hash())


def _preview(rendered: Rendered) -> str:
    import json

    return json.dumps(list(rendered.parts), ensure_ascii=False)


def _result(item: Item[Post], state: str, reason: str | None, url: str | None = None) -> Result:
    return Result(item.post.id, item.platform, state, reason or None, url, item.at)
