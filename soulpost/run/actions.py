"""The publishing step of a pass: plan, gate, then one small handler per planned action.

:func:`publish` plans with the ledger's view, asks the lint gate about what is due (and
plans again with its blocks; or, when only post rules can block, lints the due posts a
chunk at a time as they are sent), records missed and blocked items, reconciles in-doubt
ones an adapter can look up, waits for ``not_before``, and delivers each due item in time
order (on a shared ledger, in this publisher's order: :mod:`soulpost.run.sharing`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from soulpost.plan import Action, Item, Plan, build_plan, newest_rows
from soulpost.run.gate import Blocks, gate, lint_blocks, post_rules_only
from soulpost.run.report import Log, PassOptions, PassReport, Result

if TYPE_CHECKING:
    from soulpost.clock import Clock
    from soulpost.ledger import Ledger, PubKey, Publication
    from soulpost.lint.select import RuleSet
    from soulpost.posts import Post
    from soulpost.publish.base import Adapter, Composed
    from soulpost.publish.send import Outcome, RetryPolicy
    from soulpost.run.adapters import Adapters
    from soulpost.run.deferred import Deferred, Due
    from soulpost.workspace import Workspace

Pair = tuple[str, str]
D = TypeVar("D", bound="Due")


@dataclass
class Step:
    """Everything the handlers of one pass share."""

    ws: Workspace
    ledger: Ledger
    adapters: Adapters
    clock: Clock
    opts: PassOptions
    policy: RetryPolicy
    report: PassReport
    log: Log
    now: datetime
    composed: dict[Pair, Composed] = field(default_factory=dict)
    refused: int = 0  # claims refused because another publisher had the post
    reserved: dict[str, datetime] | None = None  # the ledger's slots, once asked for

    def result(self, item: Due, state: str, reason: str | None, url: str | None = None) -> None:
        self.report.results.append(
            Result(item.post.id, item.platform, state, reason or None, url, item.at)
        )


def publish(
    ws: Workspace,
    ledger: Ledger,
    *,
    adapters: Adapters,
    clock: Clock,
    opts: PassOptions,
    policy: RetryPolicy,
    report: PassReport,
    log: Log,
    deferred: Deferred | None = None,
) -> None:
    """Plan, gate and act on every (post, platform); see the module docstring. The due
    items of *deferred* are parsed only when their chunk is sent (:mod:`.deferred`)."""
    now = clock.now()
    if opts.not_before is not None and opts.not_before > now:
        now = opts.not_before  # the daemon woke early to be ready on time
    step = Step(ws, ledger, adapters, clock, opts, policy, report, log, now)
    rows = ledger_view(step)
    if deferred is not None and ws.settings.publish.lint_gate and _gate_later(step) is None:
        # The gate must judge them with the plan: parse them all now, as before.
        ws = step.ws = replace(ws, posts=ws.posts + deferred.load_all())
        deferred = None
    plan, items, rules = _plan(step, rows, more_due=deferred is not None)
    due: list[Due] = [i for i in items if i.action is Action.DUE]
    report.plan = plan
    for item in items:
        HANDLERS.get(item.action, _other)(step, item)
    times = {pid: t.at for pid, t in plan.timings.items() if t.at is not None}
    if deferred is not None:
        deferred.times = times  # resolved posts' times join the plan's, for the gate
        due = sorted([*due, *deferred.items], key=lambda i: (i.at or now, i.post.id, i.platform))
    report.due = len(due)
    if due and opts.not_before is not None:
        adapters.prepare({item.platform for item in due})  # before the instant, not after
        if (wait := (opts.not_before - clock.now()).total_seconds()) > 0:
            clock.sleep(wait)
    _send_all(
        step,
        due,
        lambda chunk: lint_blocks(step.ws, chunk, now, times, rules=rules),
        rules,
        deferred,
    )
    report.next_wake = plan.next_wake(now)


def _gate_later(step: Step) -> RuleSet | None:
    """The post rules, when the lint gate can judge the due posts a chunk at a time, just
    before they are sent (see :mod:`soulpost.run.sharing`): only post rules can block, and
    neither the daemon's lint cache, a dry run nor ``publish ID --now`` (whose plan shows
    what is blocked) wants the whole answer first. Else None: the gate runs at the plan."""
    ws, opts = step.ws, step.opts
    if opts.dry_run or opts.only is not None or opts.lint_cache is not None:
        return None
    return post_rules_only(ws.settings, ws.root, ws.config_path)


def _send_all(
    step: Step,
    due: list[Due],
    lint: Callable[[list[Item[Post]]], Blocks],
    rules: RuleSet | None,
    deferred: Deferred | None = None,
) -> None:
    """Send the due items a chunk at a time, in this publisher's order (time order when it
    is alone: :func:`soulpost.run.sharing.spread`), with progress on a terminal (log lines
    print above it). Before each chunk, posts another publisher took since the plan are
    skipped, and with *rules* the rest are linted (*lint*, a chunk ahead of the sends where
    a child process can do it: :mod:`soulpost.run.lintahead`); a chunk where another
    publisher was at work makes this one ask its place again, one wholly taken or with a
    claim refused shares out what is left again (:class:`Shares`); a stop
    request ends the loop between publications. Items of *deferred* are parsed once their
    chunk has been checked (then the gate lints each chunk here, never in a child)."""
    from soulpost.progress import Progress
    from soulpost.run.deferred import resolve_chunk
    from soulpost.run.lintahead import LintAhead
    from soulpost.run.sharing import Shares, chunks, place

    log = step.log
    shares = Shares(due, lambda: place(step.ledger))
    parsed = cast("list[Item[Post]]", shares.rest) if deferred is None else []  # all posts
    ahead = LintAhead(chunks(parsed) if rules is not None else [], lint).start()
    with Progress(f"publishing {len(due)} due", len(due)) as bar:
        if bar.enabled:
            step.log = bar.note
        try:
            index = 0
            while (part := shares.next()) is not None:
                if step.opts.stop():
                    _stopping(step)
                    return
                taken = _not_taken(step, part, bar.advance)
                chunk = resolve_chunk(step, deferred, taken, bar.advance)
                refused = step.refused
                if rules is None or not chunk:
                    blocks: Blocks = {}
                else:  # the child lints the chunks of the first order only
                    blocks = lint(chunk) if shares.moved else ahead.blocks(index, chunk)
                if not _send_chunk(step, chunk, blocks, bar.advance):
                    return
                if (step.refused > refused or not taken) and shares.rest:
                    # Another publisher is (a claim refused) or was here (all taken).
                    shares.prune(lambda rest: _not_taken(step, rest, bar.advance))
                elif len(taken) < len(part):
                    shares.crowded()  # another publisher works here: where do I stand?
                if shares.moved:
                    ahead.close()  # the chunks are no longer those the child was given
                index += 1
        finally:
            ahead.close()
            step.log = log


def _send_chunk(
    step: Step, chunk: list[Item[Post]], blocks: Blocks, advance: Callable[[], None]
) -> bool:
    """Send (or report blocked) each item of *chunk*; False when a stop request ended it.
    A claim refused because another publisher took the post means it works nearby: the
    rest of the chunk is checked against the ledger again (one query) before going on."""
    left = list(chunk)
    while left:
        item = left.pop(0)
        if step.opts.stop():
            _stopping(step)
            return False
        post_id = item.post.id
        reasons = blocks.get((post_id, item.platform), []) + blocks.get((post_id, None), [])
        if reasons:
            step.report.due -= 1  # as when the plan's gate blocks it: counted blocked, not due
            _blocked(step, replace(item, action=Action.BLOCKED, reason="; ".join(reasons)))
            advance()
            continue
        refused = step.refused
        send_due(step, item)
        advance()
        if step.refused > refused and left:
            left = _not_taken(step, left, advance)
    return True


def _stopping(step: Step) -> None:
    step.report.stopped_early = True
    step.log("stopping: the publication in flight finished; the rest waits for the next pass")


def _not_taken(step: Step, chunk: list[D], advance: Callable[[], None]) -> list[D]:
    """The items of *chunk* no other publisher has claimed, published or left in doubt
    since the plan (one query on a shared ledger); the others are reported skipped, as a
    refused claim would be, without being linted or claimed."""
    taken = step.ledger.taken([(i.post.id, i.platform) for i in chunk])
    if not taken:
        return chunk
    left = []
    for item in chunk:
        state = taken.get((item.post.id, item.platform))
        if state is None:
            left.append(item)
            continue
        step.result(item, "skipped", f"already {state.replace('_', ' ')}")
        advance()
    return left


def ledger_view(step: Step) -> dict[Pair, Publication]:
    """Newest rows per (post, platform), dropping failed/missed rows of content that has
    since been edited (an edit makes a new publication), and noting edits to published
    posts (reported, never re-posted). Renders made on the way are kept in the step."""
    rows = newest_rows(step.ledger.publications())
    posts = step.ws.by_id()
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
            current = step.adapters.get(row.platform).compose(post)
        except Exception:
            continue
        step.composed[pair] = current
        if current.content_hash() == row.key.content_hash:
            continue
        if row.state == "published":
            step.report.notes.append(
                f"{row.post_id} on {row.platform} was edited after it was published "
                f"({row.url or row.remote_id}); the edit is not posted again"
            )
        else:
            del rows[pair]
    return rows


def _plan(
    step: Step, rows: dict[Pair, Publication], *, more_due: bool = False
) -> tuple[Plan[Post], list[Item[Post]], RuleSet | None]:
    """The plan and its items for the selected posts, with lint blocks applied; or, with
    the rules it returns, the due posts are linted as they are sent (:func:`_gate_later`).
    *more_due*: due posts outside this plan (deferred) are to be linted as they are sent."""
    ws, ledger, opts = step.ws, step.ledger, step.opts
    forced = opts.only or set()
    plan = build_plan(
        ws.posts, ws.settings, step.now, ledger_rows=rows, reserved=ledger.slots(), force=forced
    )
    if not opts.dry_run:
        ledger.reserve_slots(plan.new_slots)

    def selected(p: Plan[Post]) -> list[Item[Post]]:
        return [i for i in p.items if opts.only is None or i.post.id in opts.only]

    items = selected(plan)
    if not ws.settings.publish.lint_gate:
        return plan, items, None
    due = [i for i in items if i.action is Action.DUE]
    rules = _gate_later(step) if due or more_due else None
    if rules is not None:
        return plan, items, rules
    blocks = gate(ws, plan, due, step.now, opts.lint_cache)
    if not blocks:
        return plan, items, None
    plan = build_plan(
        ws.posts,
        ws.settings,
        step.now,
        ledger_rows=rows,
        reserved={**ledger.slots(), **plan.new_slots},
        blocked=blocks,
        force=forced,
    )
    return plan, selected(plan), None


# -- one handler per planned action ------------------------------------------------------


def _missed(step: Step, item: Item[Post]) -> None:
    key = _key_for(step, item)
    if key is not None and not step.opts.dry_run:
        step.ledger.mark_missed(key, item.at, item.reason, step.now)
    step.result(item, "missed", item.reason)
    step.log(f"missed {item.post.id} on {item.platform}: {item.reason}")


def _blocked(step: Step, item: Item[Post]) -> None:
    step.result(item, "blocked", item.reason)
    step.log(f"blocked {item.post.id} on {item.platform}: {item.reason}")


def _settled(step: Step, item: Item[Post]) -> None:
    latest = item.latest
    if latest is None:
        _other(step, item)
    elif latest.state == "in_doubt" and not step.opts.dry_run:
        if latest.next_attempt_at is None or latest.next_attempt_at <= step.now:
            _reconcile(step, item, latest)
    elif step.opts.only is not None:
        state = latest.state.replace("_", " ")
        where = f" ({latest.url})" if latest.url else ""
        step.result(item, "skipped", f"already {state}{where}")


def _other(step: Step, item: Item[Post]) -> None:
    """Future, waiting, held, unscheduled: reported only when the person named the post."""
    if step.opts.only is not None and item.action is not Action.DUE:
        step.result(item, item.action.value, item.reason)


HANDLERS: dict[Action, Callable[[Step, Item[Post]], None]] = {
    Action.MISSED: _missed,
    Action.BLOCKED: _blocked,
    Action.SETTLED: _settled,
}


def _reconcile(step: Step, item: Item[Post], latest: Publication) -> None:
    """An in-doubt publication whose adapter can look it up is settled that way."""
    try:
        adapter = step.adapters.get(item.platform)
    except Exception:
        return
    if not adapter.supports_lookup:
        return
    composed = adapter.compose(item.post)
    if composed.content_hash() != latest.key.content_hash:
        return  # edited since: the old content cannot be looked up reliably
    claim = step.ledger.claim(
        latest.key,
        scheduled_at=latest.scheduled_at,
        now=step.clock.now(),
        allow_states=("in_doubt",),
    )
    if claim.publication is None:
        return
    outcome = _deliver(step, adapter, claim.publication, composed)
    _back_off_doubt(step, claim.publication, outcome)
    url = outcome.receipt.url if outcome.receipt else None
    step.result(item, outcome.state, outcome.reason, url)
    step.log(f"reconciled {item.post.id} on {item.platform}: {outcome.state}")


def send_due(step: Step, item: Item[Post]) -> None:
    """Validate, render, claim and deliver one due (post, platform)."""
    from soulpost.ledger import PubKey

    try:
        adapter = step.adapters.get(item.platform)
        problems = adapter.validate(item.post)
        # What validate explains is not composed: its words beat compose's error.
        composed = adapter.compose(item.post) if not problems else None
    except Exception as exc:
        reason = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        step.result(item, "invalid", f"cannot render: {reason}")
        step.log(f"invalid {item.post.id} on {item.platform}: {reason}")
        return
    if problems or composed is None:
        reason = "; ".join(problems)
        step.result(item, "invalid", reason)
        step.log(f"invalid {item.post.id} on {item.platform}: {reason}")
        return
    if step.opts.dry_run:
        step.result(item, "rendered", _preview(composed))
        return
    changed = _changed_on_disk(item.post)
    if changed:
        step.result(item, "skipped", changed)
        step.log(f"skipped {item.post.id} on {item.platform}: {changed}")
        return
    key = PubKey(item.post.id, item.platform, composed.content_hash())
    claim = step.ledger.claim_to_send(
        key,
        scheduled_at=item.at,
        now=step.clock.now(),
        parts=len(composed.parts),
        part_key=key.idempotency_key(0),
    )
    if claim.publication is None:
        step.refused += 1
        step.result(item, "skipped", claim.reason)
        step.log(f"skipped {item.post.id} on {item.platform}: {claim.reason}")
        return
    outcome = _deliver(step, adapter, claim.publication, composed, begun=claim.begun)
    _back_off_doubt(step, claim.publication, outcome)
    url = outcome.receipt.url if outcome.receipt else None
    step.result(item, outcome.state, outcome.reason, url)
    step.log(
        f"{outcome.state.replace('_', ' ')} {item.post.id} on {item.platform}"
        + (f": {url}" if url else "")
        + (f": {outcome.reason}" if outcome.reason else "")
    )


def _deliver(
    step: Step, adapter: Adapter, pub: Publication, composed: Composed, *, begun: bool = False
) -> Outcome:
    """Deliver one claimed publication. Anything escaping the publish layer (an adapter's
    bad receipt, a bug) settles this claim at once (in doubt if a request was in flight)
    and the pass goes on; a ledger that cannot be written stops the pass (the caller
    releases what it can)."""
    from soulpost.ledger import LedgerUnusable
    from soulpost.publish.send import Outcome, deliver

    try:
        return deliver(
            adapter,
            step.ledger,
            pub,
            composed,
            clock=step.clock,
            policy=step.policy,
            jitter=step.opts.jitter,
            begun=begun,
        )
    except LedgerUnusable:
        raise
    except (Exception, SystemExit) as exc:  # a plugin calling sys.exit() must not end a pass
        why = f"publishing failed ({type(exc).__name__}: {exc})"
        released = step.ledger.release_held(step.clock.now(), why)
        now = next((p for p in released if p.key == pub.key), None)
        state = now.state if now is not None else "in_doubt"
        return Outcome(state, (now.reason if now else None) or why)


def _back_off_doubt(step: Step, pub: Publication, outcome: Outcome) -> None:
    """An in-doubt publication is looked up again (which may mean a request: Mastodon
    replays the POST) only after an exponential, capped delay, counted per publication."""
    if outcome.state != "in_doubt":
        return
    rounds = pub.attempts + 1
    until = step.clock.now() + step.policy.backoff(rounds, step.opts.jitter())
    step.ledger.postpone(pub.key, until, step.clock.now())


def _changed_on_disk(post: Post) -> str | None:
    """Why the draft must not go out now: deleted or edited since it was loaded."""
    if post.path is None:
        return None
    try:
        with post.path.open(encoding="utf-8") as handle:
            current = handle.read(MAX_RECHECK + 1)
    except FileNotFoundError:
        return "the draft was deleted during the pass; not published"
    except (OSError, UnicodeDecodeError):
        return "the draft cannot be read any more; not published"
    loaded = post.raw_text()
    if loaded is not None and current != loaded:
        return "the draft changed during the pass; the next pass publishes the new version"
    return None


MAX_RECHECK = 4 * 1024 * 1024
"""Bytes read back when re-checking a draft before sending (drafts are far smaller)."""


def _key_for(step: Step, item: Item[Post]) -> PubKey | None:
    from soulpost.ledger import PubKey

    composed = step.composed.get((item.post.id, item.platform))
    if composed is None:
        try:
            composed = step.adapters.get(item.platform).compose(item.post)
        except Exception:
            return None
    return PubKey(item.post.id, item.platform, composed.content_hash())


def _file_changed_since(path: Path | None, when: datetime | None) -> bool:
    if path is None or when is None:
        return False
    try:
        return path.stat().st_mtime > when.timestamp()
    except OSError:
        return False


def _preview(composed: Composed) -> str:
    import json

    return json.dumps(list(composed.parts), ensure_ascii=False)
