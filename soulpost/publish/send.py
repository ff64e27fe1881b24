"""Send one claimed publication, part by part, and classify what happened.

The retry policy lives here. Within one pass a *not sent* failure is tried again a few
times with short exponential delays; after that, and for rate limits that lift later than
``max_inline_wait``, the publication goes back to ``pending`` with a next attempt time
(exponential backoff with jitter, or the platform's reset time). Rejections fail at once.
An unknown outcome is settled by the adapter's ``lookup`` when it has one, otherwise the
publication is held ``in_doubt`` for a person: it is never retried blindly.

Clock, sleep and jitter are injected, so tests never wait.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from soulpost.publish.base import (
    Adapter,
    NotSent,
    Payload,
    PublishError,
    RateLimited,
    Receipt,
    Rejected,
    Rendered,
    UnknownOutcome,
)

if TYPE_CHECKING:
    from soulpost.clock import Clock
    from soulpost.ledger import Ledger, Publication, State


RATE_WAIT_FLOOR = 1.0
"""Seconds: the shortest wait a rate limit gets, whatever the platform says (a
``Retry-After: 0`` would otherwise turn into a burst of requests)."""
RATE_WAIT_CAP = 3600.0
"""Seconds: the longest a rate limit may park a post before it is tried again (a huge
``Retry-After`` would otherwise park it for ever; ``max_lateness`` decides if it is missed)."""


def bounded_reset(now: datetime, reset_at: datetime | None, default: float) -> datetime:
    """When to try again after a rate limit, clamped to [RATE_WAIT_FLOOR, RATE_WAIT_CAP]."""
    wait = (reset_at - now).total_seconds() if reset_at is not None else default
    return now + timedelta(seconds=min(RATE_WAIT_CAP, max(RATE_WAIT_FLOOR, wait)))


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Delays are in seconds."""

    max_attempts: int = 5  # passes that may end "not sent" before the publication fails
    base_delay: float = 60.0  # backoff between passes: base * 2**(n-1), jittered
    max_delay: float = 3600.0
    inline_attempts: int = 3  # tries within one pass for "not sent"
    inline_delay: float = 0.5  # first in-pass delay, doubled each time
    max_inline_wait: float = 10.0  # a rate limit lifting sooner than this is waited out
    default_rate_wait: float = 60.0  # when a 429 says nothing about its reset

    def backoff(self, attempt: int, jitter: float) -> timedelta:
        """Delay before pass-level attempt *attempt* + 1; *jitter* in [0, 1)."""
        raw = min(self.max_delay, self.base_delay * 2 ** max(0, attempt - 1))
        return timedelta(seconds=raw * (0.5 + 0.5 * jitter))


@dataclass(frozen=True)
class Outcome:
    """What became of one publication in this pass."""

    state: State
    reason: str | None = None
    receipt: Receipt | None = None
    next_attempt_at: datetime | None = None


def deliver(
    adapter: Adapter,
    ledger: Ledger,
    pub: Publication,
    rendered: Rendered,
    *,
    clock: Clock,
    policy: RetryPolicy,
    jitter: Callable[[], float] = random.random,
) -> Outcome:
    """Send every unsent part of the claimed *pub*; record each step; release the claim."""
    key = pub.key
    done = {p.index: p for p in pub.parts}
    parent: Receipt | None = None
    for index, payload in enumerate(rendered.parts):
        part = done.get(index)
        part_key = key.idempotency_key(index)
        if part is not None and part.state == "sent":
            parent = Receipt(part.remote_id or part.key, part.url, part.published_at or clock.now())
            continue
        if part is not None and part.state == "sending":
            # Sent by an earlier process that stopped: only a lookup may settle it.
            settled = _settle_by_lookup(
                adapter, ledger, pub, index, part_key=part_key, payload=payload, clock=clock
            )
            if isinstance(settled, Outcome):
                return settled
            if settled is not None:
                parent = settled
                continue
        tries = 0
        rate_waits = 0
        while True:
            ledger.begin_part(key, index, part_key, clock.now())
            try:
                if index == 0 or parent is None:
                    receipt = adapter.publish(payload, part_key)
                else:
                    receipt = adapter.reply(parent, payload, part_key)
            except NotSent as exc:
                ledger.abort_part(key, index)
                ledger.record_attempt(key, index, clock.now(), exc.outcome, exc.message)
                tries += 1
                if tries < policy.inline_attempts:
                    clock.sleep(policy.inline_delay * 2 ** (tries - 1))
                    continue
                return _defer(ledger, pub, exc, clock=clock, policy=policy, jitter=jitter)
            except RateLimited as exc:
                ledger.abort_part(key, index)
                ledger.record_attempt(key, index, clock.now(), exc.outcome, exc.message)
                now = clock.now()
                reset = bounded_reset(now, exc.reset_at, policy.default_rate_wait)
                wait = (reset - now).total_seconds()
                rate_waits += 1
                if wait <= policy.max_inline_wait and rate_waits <= 3:
                    clock.sleep(max(0.0, wait))
                    continue
                reason = f"rate limited until {reset.isoformat()}: {exc.message}"
                return _release(
                    ledger, pub, "pending", clock=clock, reason=reason, when=reset, count=False
                )
            except Rejected as exc:
                ledger.abort_part(key, index)
                ledger.record_attempt(key, index, clock.now(), exc.outcome, exc.message)
                return _release(
                    ledger, pub, "failed", clock=clock, reason=exc.message, when=None, count=True
                )
            except Exception as exc:  # UnknownOutcome, or an adapter bug: never guess "not sent"
                unknown = (
                    exc
                    if isinstance(exc, UnknownOutcome)
                    else UnknownOutcome(f"adapter error {type(exc).__name__}: {exc}")
                )
                ledger.record_attempt(key, index, clock.now(), unknown.outcome, unknown.message)
                settled = _settle_by_lookup(
                    adapter,
                    ledger,
                    pub,
                    index,
                    part_key=part_key,
                    payload=payload,
                    clock=clock,
                    why=unknown.message,
                )
                if isinstance(settled, Outcome):
                    return settled
                if settled is None:
                    # The lookup says it never arrived: sending again is safe.
                    tries += 1
                    if tries < policy.inline_attempts:
                        continue
                    return _defer(ledger, pub, unknown, clock=clock, policy=policy, jitter=jitter)
                receipt = settled
                parent = receipt
                break
            ledger.finish_part(
                key,
                index,
                remote_id=receipt.remote_id,
                url=receipt.url,
                published_at=receipt.published_at,
                now=clock.now(),
            )
            parent = receipt
            break
    ledger.finish(key, "published", clock.now())
    final = ledger.get(key)
    first = next((p for p in final.parts if p.index == 0), None) if final else None
    receipt0 = (
        Receipt(first.remote_id or first.key, first.url, first.published_at or clock.now())
        if first
        else parent
    )
    return Outcome("published", None, receipt0)


def _settle_by_lookup(
    adapter: Adapter,
    ledger: Ledger,
    pub: Publication,
    index: int,
    *,
    part_key: str,
    payload: Payload,
    clock: Clock,
    why: str | None = None,
) -> Outcome | Receipt | None:
    """Receipt: it is live (recorded). None: it certainly is not (intent dropped).
    Outcome: still unknown, now recorded as in doubt."""
    reason = why or "a request was in flight when an earlier pass stopped"
    if adapter.supports_lookup:
        try:
            found = adapter.lookup(part_key, payload)
        except Exception as exc:
            message = exc.message if isinstance(exc, PublishError) else type(exc).__name__
            reason = f"{reason}; lookup could not tell: {message}"
        else:
            if found is None:
                ledger.abort_part(pub.key, index)
                ledger.record_attempt(pub.key, index, clock.now(), "lookup-absent", None)
                return None
            ledger.finish_part(
                pub.key,
                index,
                remote_id=found.remote_id,
                url=found.url,
                published_at=found.published_at,
                now=clock.now(),
            )
            return found
    else:
        reason = f"{reason}; {adapter.name} cannot check, so a person must (soulpost resolve)"
    return _release(ledger, pub, "in_doubt", clock=clock, reason=reason, when=None, count=True)


def _defer(
    ledger: Ledger,
    pub: Publication,
    exc: PublishError,
    *,
    clock: Clock,
    policy: RetryPolicy,
    jitter: Callable[[], float],
) -> Outcome:
    attempts = pub.attempts + 1
    if attempts >= policy.max_attempts:
        reason = f"gave up after {attempts} passes: {exc.message}"
        return _release(ledger, pub, "failed", clock=clock, reason=reason, when=None, count=True)
    when = clock.now() + policy.backoff(attempts, jitter())
    reason = f"not sent ({exc.message}); retry {attempts + 1} at {when.isoformat()}"
    return _release(ledger, pub, "pending", clock=clock, reason=reason, when=when, count=True)


def _release(
    ledger: Ledger,
    pub: Publication,
    state: State,
    *,
    clock: Clock,
    reason: str | None,
    when: datetime | None,
    count: bool,
) -> Outcome:
    ledger.finish(
        pub.key, state, clock.now(), reason=reason, next_attempt_at=when, count_attempt=count
    )
    return Outcome(state, reason, None, when)
