"""How publishers sharing one ledger split a pass's due posts without treading on each other.

Every publisher plans the same due list. Sent in the same order by all, they would race
for the same post at each step: one wins the claim, the others pay for a refused claim
(several round trips to the database), and each would lint every due post. Instead each
publisher takes its own share first, in time order, and then helps with the others'
shares from their *ends*, walking backwards, so a helper and the share's owner meet once
in the middle instead of racing post by post. Before a chunk of posts is linted and sent,
one query drops those another publisher has taken since the plan
(:meth:`soulpost.ledger.Ledger.taken`).

Publishers started together on a busy host register with the ledger at different
moments, so the first to look may count fewer peers than there are (alone, it sends in
time order, through the others' shares). A chunk that shows another publisher at work
(posts of it taken already) makes the publisher look again, and what it has left is
ordered by its new place (:class:`Shares`). A chunk wholly taken, or a claim refused, says
another publisher has been or is right there: then everything left is checked in one query
and what is not taken is split again among the publishers (:meth:`Shares.prune`), so
helpers meeting at the end each start on a part of their own.

This only orders the work; claims still decide who sends what, so a wrong guess about the
other publishers (one that stopped, one that started late) costs time, never a
duplicate. Alone (and on SQLite, which has one publisher per workspace), a publisher sends
its due posts in time order, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from soulpost.ledger import Ledger

T = TypeVar("T")

CHUNK = 32
"""Due posts checked against the ledger, linted and then sent at a time: small enough
that a chunk's check is still fresh when its last post goes out (about 0.1 s), large
enough that the check and the lint run cost little per post."""


def place(ledger: Ledger) -> tuple[int, int]:
    """(this publisher's rank, how many publishers are running) among those sharing the
    ledger, by (host, pid); (0, 1) when it is not shared or cannot tell. A publisher whose
    last heartbeat is older than the lease is not running, whatever its row says: a
    running one beats every third of it, and a killed one leaves its row "running" (its
    share would otherwise wait for the others to reach it from its end)."""
    try:
        peers = ledger.publishers()
    except Exception:
        return 0, 1
    me = (ledger.owner.host, ledger.owner.pid)
    lease = getattr(ledger, "lease", None)
    limit = lease.total_seconds() if lease is not None else float("inf")
    running = {
        (str(p["host"]), int(p["pid"]))
        for p in peers
        if p.get("state") == "running" and float(p.get("age_seconds") or 0.0) <= limit
    }
    running.add(me)
    ranked = sorted(running)
    return ranked.index(me), len(ranked)


def spread(due: Sequence[T], rank: int, count: int) -> list[T]:
    """*due* in this publisher's order: its own share (the *rank*-th of *count* equal
    slices) in time order, then every other share from its end backwards, the next
    publisher's first. With one publisher, *due* as it is."""
    if count <= 1 or len(due) <= 1:
        return list(due)
    bounds = [len(due) * k // count for k in range(count + 1)]
    shares = [list(due[bounds[k] : bounds[k + 1]]) for k in range(count)]
    order = list(shares[rank])
    for step in range(1, count):
        order.extend(reversed(shares[(rank + step) % count]))
    return order


def chunks(items: Sequence[T], size: int = CHUNK) -> list[list[T]]:
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


class Shares(Generic[T]):
    """*due* a chunk at a time in this publisher's order (:func:`spread` by the place
    *where* answers), placed again when :meth:`crowded` says another publisher is at work
    in the chunk just given: the items not yet given are then ordered by the new place."""

    def __init__(
        self, due: Sequence[T], where: Callable[[], tuple[int, int]], size: int = CHUNK
    ) -> None:
        self.due = list(due)
        self.where = where
        self.size = size
        self.placed = where() if len(self.due) > 1 else (0, 1)
        self.rest = spread(self.due, *self.placed)
        self.moved = False  # whether the order changed since the start

    def next(self) -> list[T] | None:
        """The next chunk, or None when every item was given."""
        if not self.rest:
            return None
        part, self.rest = self.rest[: self.size], self.rest[self.size :]
        return part

    def prune(self, keep: Callable[[list[T]], list[T]]) -> None:
        """Where another publisher has been (a chunk wholly taken, a claim refused): keep
        of the items not yet given those *keep* returns (one ledger query for all of
        them, instead of one per chunk of posts already taken), and split what is left
        among the publishers again, by the place asked now (:func:`spread` of it in time
        order). Two publishers helping with one share from its end would otherwise race
        for it post by post; with the same posts left, each now starts on its own part."""
        kept = {id(item) for item in keep(self.rest)}
        self.placed = self.where()
        self.rest = spread([item for item in self.due if id(item) in kept], *self.placed)
        self.moved = True

    def crowded(self) -> None:
        again = self.where()
        if again == self.placed:
            return
        self.placed = again
        left = {id(item) for item in self.rest}
        self.rest = [item for item in spread(self.due, *again) if id(item) in left]
        self.moved = True
