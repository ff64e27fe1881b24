"""Send one claimed publication, part by part, and classify what happened.

The retry policy lives here. Within one pass a *not sent* failure is tried again a few
times with short exponential delays; after that, and for rate limits that lift later than
``max_inline_wait``, the publication goes back to ``pending`` with a next attempt time
(exponential backoff with jitter, or the platform's reset time). Rejections fail at once.
An unknown outcome is settled by the adapter's ``lookup`` when it has one (after
``lookup_settle`` seconds, so a slow receiver has recorded what it got), otherwise the
publication is held ``in_doubt`` for a person: it is never retried blindly. Whatever an
adapter does (return something that is not a receipt, raise SystemExit) is contained here
and classified as unknown.

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
    Composed,
    NotSent,
    Payload,
    PublishError,
    RateLimited,
    Receipt,
    Rejected,
    UnknownOutcome,
)

if TYPE_CHECKING:
    from soulpost.clock import Clock
    from soulpost.ledger import Ledger, Publication, State


RATE_WAIT_FLOOR = 1.0
"""Seconds: the shortest wait a rate limit gets where the engine uses it, whatever the
adapter reports (a ``Retry-After: 0`` would otherwise turn into a burst of requests)."""
RATE_WAIT_CAP = 3600.0
"""Seconds: the longest a rate limit may park a post before it is tried again (a huge
``Retry-After`` would otherwise park it for a day; ``max_lateness`` decides if it is
missed)."""


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
    #: Seconds between an unclear answer and the lookup that settles it: a receiver that
    #: answers late may record the post only after answering (issue 12 item 14).
    lookup_settle: float = 5.0

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
    composed: Composed,
    *,
    clock: Clock,
    policy: RetryPolicy,
    jitter: Callable[[], float] = random.random,
    begun: bool = False,
) -> Outcome:
    """Send every unsent part of the claimed *pub*; record each step; release the claim.
    *begun*: part 0 was recorded as being sent with the claim (``Claim.begun``). The last
    part's receipt and the release as published are one ledger step."""
    key = pub.key
    done = {p.index: p for p in pub.parts}
    parent: Receipt | None = None
    first: Receipt | None = None  # part 0's, as the ledger now records it
    last = len(composed.parts) - 1
    released = False
    for index, payload in enumerate(composed.parts):
        part = done.get(index)
        if part is not None and part.state == "sent":
            parent = Receipt(part.remote_id or part.key, part.url, part.published_at or clock.now())
            first = first or parent
            continue
        step = _Part(adapter, ledger, pub, index, payload, clock, policy, jitter)
        step.begun = begun and index == 0
        step.last = index == last
        result: Outcome | Receipt | None = None
        if part is not None and part.state == "sending":
            # Sent by an earlier process that stopped: only a lookup may settle it.
            result = step.settle(None)
        if result is None:
            result = step.send(parent)
        if isinstance(result, Outcome):
            return result
        parent = result
        first = first or parent
        released = step.last
    if not released:
        ledger.finish(key, "published", clock.now())
    # Part 0's receipt is known here (sent now, or read with the claim): no read back.
    return Outcome("published", None, first)


def checked_receipt(value: object, adapter: Adapter) -> Receipt:
    """*value* if it is a usable receipt (an id, an aware time); else UnknownOutcome, since
    an adapter that answered at all may well have sent the post."""
    if (
        isinstance(value, Receipt)
        and isinstance(value.remote_id, str)
        and value.remote_id.strip()
        and (value.url is None or isinstance(value.url, str))
        and isinstance(value.published_at, datetime)
        and value.published_at.tzinfo is not None
    ):
        return value
    what = "an unusable Receipt" if isinstance(value, Receipt) else type(value).__name__
    raise UnknownOutcome(
        f"{adapter.name} returned {what} instead of a receipt; the post may have been sent",
        platform=adapter.platform,
    )


def _contained(adapter: Adapter, exc: BaseException) -> UnknownOutcome:
    """Any other failure of an adapter, even SystemExit, is an unknown outcome: a bug must
    never pass for "not sent" (a double post) nor stop the publisher."""
    if isinstance(exc, UnknownOutcome):
        return exc
    return UnknownOutcome(
        f"adapter error: {adapter.name} failed with {type(exc).__name__}: {exc}",
        platform=adapter.platform,
    )


@dataclass
class _Part:
    """One part of a claimed publication on its way out."""

    adapter: Adapter
    ledger: Ledger
    pub: Publication
    index: int
    payload: Payload
    clock: Clock
    policy: RetryPolicy
    jitter: Callable[[], float]
    #: The part was recorded as being sent with the claim: its first try needs no record.
    begun: bool = False
    #: The publication's last part: its receipt also releases the claim as published.
    last: bool = False

    @property
    def key(self) -> str:
        return self.pub.key.idempotency_key(self.index)

    def _attempt(self, parent: Receipt | None) -> Receipt:
        """One call of the adapter; what it answers, checked, or a PublishError."""
        adapter = self.adapter
        try:
            if self.index == 0 or parent is None:
                answer = adapter.publish(self.payload, self.key)
            else:
                answer = adapter.reply(parent, self.payload, self.key)
        except (NotSent, RateLimited, Rejected):
            raise
        except KeyboardInterrupt:
            # A person stopped the pass mid-request: flag the part, then let the stop happen.
            self._release("in_doubt", "interrupted while sending; check it, then resolve", None)
            raise
        except BaseException as exc:
            raise _contained(adapter, exc) from None
        return checked_receipt(answer, adapter)

    def _failed(self, exc: PublishError) -> None:
        self.ledger.abort_part(self.pub.key, self.index)
        self.ledger.record_attempt(
            self.pub.key, self.index, self.clock.now(), exc.outcome, exc.message
        )

    def _release(self, state: State, reason: str, when: datetime | None) -> Outcome:
        count = state != "pending" or when is None
        return _release(
            self.ledger, self.pub, state, clock=self.clock, reason=reason, when=when, count=count
        )

    def send(self, parent: Receipt | None) -> Outcome | Receipt:
        """Send this part, retrying in the pass what may be retried; its receipt, or the
        outcome the publication was released with."""
        tries = rate_waits = 0
        while True:
            if not self.begun:
                self.ledger.begin_part(self.pub.key, self.index, self.key, self.clock.now())
            self.begun = False  # a try again records its intent again
            try:
                receipt = self._attempt(parent)
            except NotSent as exc:
                self._failed(exc)
                tries += 1
                if tries < self.policy.inline_attempts:
                    self.clock.sleep(self.policy.inline_delay * 2 ** (tries - 1))
                    continue
                return self._defer(exc)
            except RateLimited as exc:
                self._failed(exc)
                rate_waits += 1
                waited = self._wait_out(exc, rate_waits)
                if isinstance(waited, Outcome):
                    return waited
                continue
            except Rejected as exc:
                self._failed(exc)
                return self._release("failed", exc.message, None)
            except UnknownOutcome as exc:
                self.ledger.record_attempt(
                    self.pub.key, self.index, self.clock.now(), exc.outcome, exc.message
                )
                settled = self.settle(exc.message)
                if settled is not None:
                    return settled
                tries += 1  # the lookup says it never arrived: sending again is safe
                if tries < self.policy.inline_attempts:
                    continue
                return self._defer(exc)
            self._record(receipt)
            return receipt

    def _wait_out(self, exc: RateLimited, waits: int) -> Outcome | None:
        """Sleep through a short rate limit (None), or release until it lifts."""
        now = self.clock.now()
        reset = bounded_reset(now, exc.reset_at, self.policy.default_rate_wait)
        wait = (reset - now).total_seconds()
        if wait <= self.policy.max_inline_wait and waits <= 3:
            self.clock.sleep(max(0.0, wait))
            return None
        reason = f"rate limited until {reset.isoformat()}: {exc.message}"
        return self._release("pending", reason, reset)

    def _defer(self, exc: PublishError) -> Outcome:
        return _defer(
            self.ledger, self.pub, exc, clock=self.clock, policy=self.policy, jitter=self.jitter
        )

    def _record(self, receipt: Receipt) -> None:
        record = self.ledger.finish_published if self.last else self.ledger.finish_part
        record(
            self.pub.key,
            self.index,
            remote_id=receipt.remote_id,
            url=receipt.url,
            published_at=receipt.published_at,
            now=self.clock.now(),
        )

    def settle(self, why: str | None) -> Outcome | Receipt | None:
        """After an unclear answer (*why*) or a request an earlier process left in flight
        (None): Receipt, it is live (recorded); None, it certainly is not (intent dropped);
        Outcome, still unknown, now recorded as in doubt.

        Right after an unclear answer the lookup waits ``policy.lookup_settle`` first: a
        receiver that answered late may record the post only after answering, and an early
        "not there" would send it twice."""
        adapter = self.adapter
        reason = why or "a request was in flight when an earlier pass stopped"
        if not adapter.supports_lookup:
            reason = f"{reason}; {adapter.name} cannot check, so a person must (soulpost resolve)"
            return self._release("in_doubt", reason, None)
        if why is not None:
            self.clock.sleep(self.policy.lookup_settle)
        try:
            found = adapter.lookup(self.key, self.payload)
            receipt = None if found is None else checked_receipt(found, adapter)
        except KeyboardInterrupt:
            self._release("in_doubt", f"{reason}; interrupted while looking it up", None)
            raise
        except BaseException as exc:
            message = (
                _contained(adapter, exc).message
                if not isinstance(exc, PublishError)
                else exc.message
            )
            return self._release("in_doubt", f"{reason}; lookup could not tell: {message}", None)
        if receipt is None:
            self.ledger.abort_part(self.pub.key, self.index)
            self.ledger.record_attempt(
                self.pub.key, self.index, self.clock.now(), "lookup-absent", None
            )
            return None
        self._record(receipt)
        return receipt


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
