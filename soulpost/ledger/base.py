"""The ledger's interface and data types, shared by every backend.

One row per (post, platform, content hash) moves through::

    pending -> claimed -> published | failed | missed | in_doubt
       ^          |
       +----------+  (not sent / rate limited: back to pending with a next attempt time)

* **Claims are atomic**: :meth:`Ledger.claim` decides and writes in one transaction, so two
  processes can never both hold a claim. A claim carries a **lease** (an expiry, renewed
  each time its owner records progress): a claim whose owner died, or whose lease ran out
  because its pass failed or hung, is recovered by the next pass (see ``owner.py``).
* **Intent before request**: before each request the part being sent is recorded as
  ``sending`` (committed); its receipt replaces that at once. A recovered claim is
  ``in_doubt`` only if a part was ``sending`` (the request may have gone out); with no
  request in flight nothing can have been sent and the row safely returns to ``pending``.
  Parts with receipts are never sent again, so a thread resumes where it stopped.
* The idempotency key includes the content hash, so an edited post is a new publication.

A backend (``sqlite/``: one file, one host; ``postgres/``: one database, many hosts)
implements :class:`Ledger`; backends never import each other (an import-linter contract
keeps it so).
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from soulpost.errors import StateError

if TYPE_CHECKING:
    from soulpost.ledger.owner import Owner

State = Literal["pending", "claimed", "published", "failed", "missed", "in_doubt"]
STATES: tuple[State, ...] = ("pending", "claimed", "published", "failed", "missed", "in_doubt")
ATTENTION: tuple[State, ...] = ("failed", "missed", "in_doubt")
DB_NAME = "ledger.sqlite3"
"""The SQLite ledger's file in the state folder (here, so naming it loads no sqlite3)."""


class LedgerError(StateError):
    """A request to the ledger that the current state does not allow (message for people)."""


class LedgerUnusable(LedgerError):
    """The ledger cannot be used at all (corrupt, missing, locked, full, from a newer
    soulpost, not writable). The message names the file and what to do; nothing is sent."""


def ts(when: datetime) -> str:
    """A sortable UTC text form of an aware datetime (the ledger's only time format)."""
    if when.tzinfo is None:
        raise ValueError("the ledger stores timezone-aware datetimes only")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def from_ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class PubKey:
    """Identifies one publication: a post's rendered content on one platform."""

    post_id: str
    platform: str
    content_hash: str

    def idempotency_key(self, part: int = 0) -> str:
        base = f"sp-{self.post_id}-{self.platform}-{self.content_hash[:16]}"
        return base if part == 0 else f"{base}-p{part}"


@dataclass(frozen=True)
class Part:
    """One request of a publication (part 0 is the post, 1.. are thread replies)."""

    index: int
    key: str
    state: Literal["sending", "sent"]
    remote_id: str | None = None
    url: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True)
class Publication:
    """One row of the ledger."""

    key: PubKey
    state: State
    scheduled_at: datetime | None
    idem_key: str
    attempts: int
    next_attempt_at: datetime | None
    reason: str | None
    force: bool
    owner_pid: int | None
    owner_host: str | None
    claimed_at: datetime | None
    remote_id: str | None
    url: str | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    parts: tuple[Part, ...] = field(default=())
    lease_until: datetime | None = None  # a claim's expiry (None: no lease recorded)
    parts_total: int | None = None  # how many requests the publication takes, if known
    acknowledged: bool = False  # a person settled it; it no longer needs attention

    @property
    def post_id(self) -> str:
        return self.key.post_id

    @property
    def platform(self) -> str:
        return self.key.platform

    def needs_attention(self, now: datetime) -> bool:
        """Whether a person should look: failed, missed or in doubt and not yet settled by
        one, or a claim whose lease ran out (its pass failed or hung)."""
        if self.state == "claimed":
            return self.lease_until is not None and self.lease_until < now
        return self.state in ATTENTION and not self.acknowledged


@dataclass(frozen=True)
class Attempt:
    """One try at one part, and what came of it."""

    key: PubKey
    part: int
    at: datetime
    outcome: str
    error: str | None


@dataclass(frozen=True)
class RunRecord:
    """One pass: when it ran, who ran it, and its counts."""

    started_at: datetime
    finished_at: datetime | None
    pid: int
    kind: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class Claim:
    """The outcome of :meth:`Ledger.claim`: the publication when won, else why not."""

    publication: Publication | None
    reason: str | None = None
    #: Part 0 was recorded as being sent in the claim's own commit
    #: (:meth:`Ledger.claim_to_send`): the sender goes straight to the request.
    begun: bool = False


class Ledger(ABC):
    """What the engine and the commands need from a ledger backend."""

    owner: Owner
    backend: str = "?"
    where: str = "?"  # where it lives, safe to show (a path; a URL without its password)

    def publishers(self) -> list[dict[str, Any]]:
        """Publishers sharing this ledger with their last heartbeat (a shared backend);
        an embedded one has none to show."""
        return []

    def taken(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], State]:
        """Which of these (post, platform) pairs have a row that a claim would refuse:
        claimed, published or in doubt, in any version. Publishers sharing a ledger skip
        those unseen (a hint, read without locks; the claim still decides). An embedded
        ledger has one publisher per workspace and says none."""
        return {}

    @abstractmethod
    def publications(self, post_id: str | None = None) -> list[Publication]:
        """Every row (optionally one post's), oldest first, with their parts."""

    @abstractmethod
    def needing_attention(self, now: datetime) -> list[Publication]:
        """The newest row of each (post, platform) that needs a person (see
        :meth:`Publication.needs_attention`), without parts; cheap enough for every pass."""

    @abstractmethod
    def get(self, key: PubKey) -> Publication | None:
        """One row by its key, with its parts."""

    @abstractmethod
    def attempts(self, post_id: str | None = None) -> list[Attempt]:
        """Every attempt (optionally one post's), oldest first."""

    @abstractmethod
    def claim(
        self,
        key: PubKey,
        *,
        scheduled_at: datetime | None,
        now: datetime,
        allow_states: tuple[State, ...] = ("pending",),
        parts: int | None = None,
    ) -> Claim:
        """Atomically take the publication for this process, creating it if new; *parts*
        is how many requests it takes (so a person's answer on one part of a thread
        leaves the rest to send)."""

    def claim_to_send(
        self,
        key: PubKey,
        *,
        scheduled_at: datetime | None,
        now: datetime,
        parts: int | None,
        part_key: str,
    ) -> Claim:
        """:meth:`claim` of a pending publication about to be sent. A backend may also
        record part 0 (idempotency key *part_key*) as being sent in the same durable
        commit, when nothing of the publication was sent or is in flight: then
        ``Claim.begun`` is True and the publication returned is as the claim left it (no
        parts). The rows after that commit are those after :meth:`claim` and
        :meth:`begin_part`, so the record before the request is the same, in one commit
        instead of two. By default, the claim alone (the sender then begins the part)."""
        return self.claim(key, scheduled_at=scheduled_at, now=now, parts=parts)

    def finish_published(
        self,
        key: PubKey,
        index: int,
        *,
        remote_id: str,
        url: str | None,
        published_at: datetime,
        now: datetime,
    ) -> None:
        """The last part's receipt, then the claim released as published: what
        :meth:`finish_part` and :meth:`finish` record, in one commit where the backend can.
        The receipt is kept even when this process no longer holds the claim (then
        LedgerError, as :meth:`finish` raises)."""
        self.finish_part(
            key, index, remote_id=remote_id, url=url, published_at=published_at, now=now
        )
        self.finish(key, "published", now)

    @abstractmethod
    def begin_part(self, key: PubKey, index: int, part_key: str, now: datetime) -> None:
        """Record that part *index* is about to be sent (committed before the request)."""

    @abstractmethod
    def finish_part(
        self,
        key: PubKey,
        index: int,
        *,
        remote_id: str,
        url: str | None,
        published_at: datetime,
        now: datetime,
    ) -> None:
        """Record part *index*'s receipt."""

    @abstractmethod
    def abort_part(self, key: PubKey, index: int) -> None:
        """Forget a ``sending`` part that certainly was not sent."""

    @abstractmethod
    def record_attempt(
        self, key: PubKey, index: int, now: datetime, outcome: str, error: str | None
    ) -> None:
        """Append one attempt to the history."""

    @abstractmethod
    def finish(
        self,
        key: PubKey,
        state: State,
        now: datetime,
        *,
        reason: str | None = None,
        next_attempt_at: datetime | None = None,
        count_attempt: bool = False,
    ) -> None:
        """Release this process's claim into *state* (published takes part 0's receipt)."""

    @abstractmethod
    def postpone(self, key: PubKey, until: datetime, now: datetime) -> None:
        """Set the next attempt time of an in-doubt row (the next lookup waits till then)."""

    @abstractmethod
    def mark_missed(
        self, key: PubKey, scheduled_at: datetime | None, reason: str, now: datetime
    ) -> bool:
        """Record a publication as missed unless it is claimed or settled; True if written."""

    @abstractmethod
    def recover(self, now: datetime, alive: Callable[[int, str, str], bool]) -> list[Publication]:
        """Settle claims whose process died or whose lease ran out: in doubt if a request
        was in flight, else pending. Returns the rows changed (as they are now)."""

    @abstractmethod
    def release_held(self, now: datetime, why: str) -> list[Publication]:
        """Settle every claim this process holds (its pass failed): in doubt if a request
        was in flight, else pending. Returns the rows changed."""

    # -- a person's answers (the `retry` and `resolve` commands) ------------------------------

    @abstractmethod
    def retry(self, post_id: str, platform: str, now: datetime) -> Publication:
        """Send a failed or missed publication again at the next pass, whatever its time."""

    @abstractmethod
    def mark_published(
        self, post_id: str, platform: str, url: str, now: datetime, *, remote_id: str | None = None
    ) -> Publication:
        """A person saw the part in doubt live at *url*, with the platform's id *remote_id*;
        a thread goes on with its next part, which replies to that id. Without an id the
        URL stands in for it, which is refused (LedgerError) when a later part needs it."""

    @abstractmethod
    def mark_not_published(self, post_id: str, platform: str, now: datetime) -> Publication:
        """A person saw it did not go out: failed, settled (``retry`` sends it again)."""

    # -- slots and runs ----------------------------------------------------------------------

    @abstractmethod
    def slots(self) -> dict[str, datetime]:
        """Posting slots already given to posts without ``at``."""

    @abstractmethod
    def reserve_slots(self, chosen: dict[str, datetime]) -> None:
        """Remember slot choices so a post's time does not move as the clock runs."""

    @abstractmethod
    def start_run(self, now: datetime, kind: str) -> int:
        """Record that a pass started; returns its id."""

    @abstractmethod
    def finish_run(self, run_id: int, now: datetime, summary: dict[str, Any]) -> None:
        """Record a pass's end and counts."""

    @abstractmethod
    def last_run(self) -> RunRecord | None:
        """The most recent pass."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    @abstractmethod
    def link_card(self, key: str, platform: str, url: str) -> dict[str, Any] | None:
        """The link card noted for the publication part *key* on *platform* and *url*:
        ``{"card": <the platform's card object or None>, "why": <why there is none>}``, or
        None when nothing was noted (the page was never fetched for it)."""

    @abstractmethod
    def note_link_card(
        self, key: str, platform: str, url: str, card: dict[str, Any] | None, why: str
    ) -> None:
        """Note what the page of *url* gave for the part *key* (the first note stays: a
        retry, on any host sharing the ledger, reuses it instead of fetching again)."""

    def change_stamp(self) -> str:
        """A digest that changes whenever any publication or slot does (an idle pass
        compares it with the last plan's; a backend may answer it more cheaply)."""
        import hashlib

        digest = hashlib.sha256()
        for row in self.publications():
            digest.update(repr(dataclasses.astuple(row)).encode())
        digest.update(repr(sorted(self.slots().items())).encode())
        return digest.hexdigest()


def attention(rows: list[Publication], now: datetime) -> list[Publication]:
    """The newest row per (post, platform) that needs a person, oldest first."""
    newest: dict[tuple[str, str], Publication] = {}
    for row in rows:
        newest[(row.post_id, row.platform)] = row
    return [r for r in newest.values() if r.needs_attention(now)]


def describe(row: Publication, now: datetime) -> str:
    """One line for a row that needs a person: what it is and what to do."""
    where = f"{row.post_id} on {row.platform}"
    if row.state == "claimed":
        return (
            f"stuck claim: {where} is held by pid {row.owner_pid} on {row.owner_host}, whose "
            "lease ran out (its pass failed or hangs); the next pass recovers it"
        )
    state = row.state.replace("_", " ")
    return f"{state}: {where}: {row.reason or ''}".rstrip(": ")
