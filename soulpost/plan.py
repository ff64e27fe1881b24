"""The plan: given posts, ledger state and ``now``, what is due, waiting, missed or held.

Pure: no clock, no files, no network. The same inputs always give the same plan.

Times. A post with ``at`` uses it (``source = "explicit"``). A post without one takes the
next free posting slot (``source = "slot"``): the candidates are the slot times of every
platform it names (each platform's own ``slots`` or the global ones, in the workspace time
zone); a candidate is free when no other post on any of the same platforms already has that
instant. Once a pass has given a publishable post a slot, the ledger remembers it, so the
time does not move as the clock runs; until then it is shown as provisional. Slot times in a
DST gap do not exist and are skipped; in an overlap the first occurrence is used.

Decisions, per (post, platform), in this order:

1. settled in the ledger (published, failed, missed, in doubt, or being published) -> that;
2. no time (no slots configured) -> ``unscheduled``;
3. needs approval and is not approved -> ``held``;
4. its local time does not exist (DST gap) -> ``blocked``, whatever the linter says;
5. a retry is planned for later -> ``waiting``;
6. the time is in the future -> ``future``;
7. more than ``max_lateness`` (the post's own, else config's) past its time -> ``missed``,
   unless a person asked for a retry or it is a thread whose first parts are already live;
8. otherwise -> ``due``; an error-level lint finding turns ``due`` into ``blocked``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from soulpost.slots import slot_instants
from soulpost.timeutil import LocalTimeKind, format_duration

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.ledger import Publication


class Schedulable(Protocol):
    """What the plan reads of a post (a full Post, or a cached summary of one)."""

    @property
    def id(self) -> str: ...

    @property
    def at(self) -> datetime | None: ...

    @property
    def platforms(self) -> list[str]: ...

    @property
    def status(self) -> str: ...

    @property
    def time_kind(self) -> LocalTimeKind | None: ...

    @property
    def max_lateness(self) -> timedelta | None: ...


P = TypeVar("P", bound=Schedulable)


class Action(StrEnum):
    """What the pass does with one (post, platform)."""

    DUE = "due"
    FUTURE = "future"
    WAITING = "waiting"  # a retry is planned for later
    MISSED = "missed"
    HELD = "held"  # needs approval
    BLOCKED = "blocked"  # lint error or a time that does not exist
    UNSCHEDULED = "unscheduled"
    SETTLED = "settled"  # the ledger already has an outcome (or a claim)


@dataclass(frozen=True)
class Timing:
    """A post's resolved time and where it came from."""

    at: datetime | None
    source: str  # "explicit" | "slot" | "slot (provisional)" | "none"


@dataclass(frozen=True)
class Item(Generic[P]):
    """One (post, platform) and what to do with it."""

    post: P
    platform: str
    at: datetime | None
    source: str
    action: Action
    reason: str = ""
    latest: Publication | None = None  # the newest ledger row for (post, platform)


@dataclass
class Plan(Generic[P]):
    """The whole plan; ``new_slots`` are slot choices to remember in the ledger."""

    items: list[Item[P]]
    timings: dict[str, Timing]
    new_slots: dict[str, datetime] = field(default_factory=dict)

    def by_action(self, action: Action) -> list[Item[P]]:
        return [i for i in self.items if i.action is action]

    def next_wake(self, now: datetime) -> datetime | None:
        """The earliest future instant at which a plan could change (a due time or retry)."""
        times = []
        for item in self.items:
            if item.action is Action.FUTURE and item.at is not None:
                times.append(item.at)
            elif item.action is Action.WAITING and item.latest and item.latest.next_attempt_at:
                times.append(item.latest.next_attempt_at)
        later = [t for t in times if t > now]
        return min(later) if later else None


# -- slots ------------------------------------------------------------------------------


class SlotFinder:
    """Next free slot for a set of platforms, with occupancy shared across calls."""

    def __init__(self, settings: Settings, zone: tzinfo, start: datetime) -> None:
        self.settings = settings
        self.zone = zone
        self.start = start
        self.occupied: dict[str, set[datetime]] = {}
        self._candidates: dict[tuple[str, ...], tuple[list[datetime], int]] = {}

    def occupy(self, platforms: Iterable[str], at: datetime) -> None:
        instant = at.astimezone(UTC)
        for platform in platforms:
            self.occupied.setdefault(platform, set()).add(instant)

    def next_free(self, platforms: Sequence[str]) -> datetime | None:
        group = tuple(sorted(platforms))
        if group not in self._candidates:
            rules = [r for p in group for r in self.settings.slots_for(p)]
            self._candidates[group] = (list(slot_instants(rules, self.zone, self.start)), 0)
        candidates, index = self._candidates[group]
        while index < len(candidates):
            instant = candidates[index]
            if not any(instant in self.occupied.get(p, ()) for p in group):
                self._candidates[group] = (candidates, index)
                return instant
            index += 1  # occupancy only grows, so a taken slot stays taken
        self._candidates[group] = (candidates, index)
        return None


def _ceil_minute(when: datetime) -> datetime:
    floor = when.replace(second=0, microsecond=0)
    return floor if floor == when else floor + timedelta(minutes=1)


def resolve_times(
    posts: Sequence[Schedulable],
    settings: Settings,
    now: datetime,
    reserved: Mapping[str, datetime],
    eligible: Iterable[str] = (),
) -> tuple[dict[str, Timing], dict[str, datetime]]:
    """Every post's time, and the new slot choices for *eligible* posts (to be remembered).

    Reserved slots are kept; eligible posts (those that could publish) choose before the
    others, in id order, so a draft's provisional slot never pushes an approved post later.
    """
    zone = settings.zone() or UTC
    finder = SlotFinder(settings, zone, _ceil_minute(now))
    timings: dict[str, Timing] = {}
    for post in posts:
        if post.at is not None:
            # UTC from here on: aware datetimes in a DST overlap never compare equal to
            # other zones' (PEP 495), and same-zone subtraction ignores offset changes.
            at = post.at.astimezone(UTC)
            timings[post.id] = Timing(at, "explicit")
            finder.occupy(post.platforms, at)
    waiting = [p for p in posts if p.at is None]
    for post in waiting:
        if post.id in reserved:
            at = reserved[post.id].astimezone(UTC)
            timings[post.id] = Timing(at, "slot")
            finder.occupy(post.platforms, at)
    chosen: dict[str, datetime] = {}
    allowed = set(eligible)
    rest = sorted((p for p in waiting if p.id not in reserved), key=lambda p: p.id)
    rest.sort(key=lambda p: p.id not in allowed)  # stable: eligible first
    for post in rest:
        slot = finder.next_free(post.platforms)
        if slot is None:
            timings[post.id] = Timing(None, "none")
            continue
        finder.occupy(post.platforms, slot)
        if post.id in allowed:
            chosen[post.id] = slot
            timings[post.id] = Timing(slot, "slot")
        else:
            timings[post.id] = Timing(slot, "slot (provisional)")
    return timings, chosen


def next_free_slot(
    posts: Sequence[Schedulable],
    settings: Settings,
    platforms: Sequence[str],
    now: datetime,
    reserved: Mapping[str, datetime] | None = None,
) -> datetime | None:
    """The slot a new post on *platforms* would take now (for ``soulpost add --next-slot``)."""
    zone = settings.zone() or UTC
    timings, _ = resolve_times(posts, settings, now, reserved or {})
    finder = SlotFinder(settings, zone, _ceil_minute(now))
    for post in posts:
        timing = timings.get(post.id)
        if timing and timing.at is not None:
            finder.occupy(post.platforms, timing.at)
    return finder.next_free(platforms)


# -- decisions --------------------------------------------------------------------------


def approval_ok(post: Schedulable, settings: Settings) -> bool:
    return not settings.publish.require_approval or post.status == "approved"


def build_plan(
    posts: Sequence[P],
    settings: Settings,
    now: datetime,
    *,
    ledger_rows: Mapping[tuple[str, str], Publication] | None = None,
    reserved: Mapping[str, datetime] | None = None,
    blocked: Mapping[tuple[str, str | None], list[str]] | None = None,
    force: Iterable[str] = (),
    shown: Callable[[Timing], bool] | None = None,
) -> Plan[P]:
    """Decide every (post, platform). *ledger_rows* holds the newest row per (post,
    platform); *blocked* maps (post id, platform or None for all) to lint messages;
    posts in *force* are due now whatever their time (``publish ID --now``). With
    *shown*, only the posts whose timing it accepts get items (every post's time is still
    decided, since slots are shared): the calendar shows one week of 10,000 posts."""
    now = now.astimezone(UTC)
    rows = ledger_rows or {}
    blocks = blocked or {}
    forced = set(force)
    eligible = [p.id for p in posts if approval_ok(p, settings)]
    timings, chosen = resolve_times(posts, settings, now, reserved or {}, eligible)
    items: list[Item[P]] = []
    for post in posts:
        timing = timings[post.id]
        if shown is not None and not shown(timing):
            continue
        at = now if post.id in forced else timing.at
        for platform in post.platforms:
            latest = rows.get((post.id, platform))
            reasons = blocks.get((post.id, platform), []) + blocks.get((post.id, None), [])
            action, reason = _decide(
                post,
                settings,
                now,
                at=at,
                timing=timing,
                latest=latest,
                forced=post.id in forced,
                blocked=reasons,
            )
            items.append(Item(post, platform, timing.at, timing.source, action, reason, latest))
    items.sort(key=lambda i: (i.at or now, i.post.id, i.platform))
    return Plan(items, timings, chosen)


def _by_time(
    latest: Publication | None, at: datetime, now: datetime, lateness: timedelta
) -> tuple[Action, str] | None:
    """Waiting for a retry, in the future, or missed; None when the time says "due"."""
    # A person's retry, or a thread already partly live, is finished whatever the time.
    exempt = latest is not None and (latest.force or any(p.state == "sent" for p in latest.parts))
    if latest is not None and latest.next_attempt_at and latest.next_attempt_at > now:
        if not exempt and latest.next_attempt_at - at > lateness:
            # The platform asks to wait past max_lateness: it cannot go out in time.
            return (
                Action.MISSED,
                f"the next attempt ({latest.next_attempt_at.isoformat()}) would be more than "
                f"max_lateness {format_duration(lateness)} late; "
                f"last error: {latest.reason or 'none'}",
            )
        return Action.WAITING, latest.reason or "retry planned"
    if at > now:
        return Action.FUTURE, ""
    late = now - at
    if late > lateness and not exempt:
        last = f"; last error: {latest.reason}" if latest and latest.reason else ""
        return (
            Action.MISSED,
            f"{format_duration(late)} late, more than max_lateness "
            f"{format_duration(lateness)}{last}",
        )
    return None


def _decide(
    post: Schedulable,
    settings: Settings,
    now: datetime,
    *,
    at: datetime | None,
    timing: Timing,
    latest: Publication | None,
    forced: bool,
    blocked: list[str],
) -> tuple[Action, str]:
    """The decision ladder for one (post, platform): the first rung that applies wins.

    *at* is when it is due (now for a forced post), *latest* the newest ledger row, and
    *blocked* the lint messages that stop it.
    """
    if latest is not None and latest.state != "pending" and not _reopened(latest, timing):
        return Action.SETTLED, latest.reason or latest.state
    if at is None:
        return Action.UNSCHEDULED, "no `at` and no free posting slot"
    if not approval_ok(post, settings):
        return Action.HELD, f'status is "{post.status}", not "approved"'
    if post.time_kind is LocalTimeKind.GAP and not forced:
        return (
            Action.BLOCKED,
            "its local time does not exist (the clocks skip it for DST); pick a real time",
        )
    lateness = post.max_lateness or settings.publish.max_lateness
    timed = _by_time(latest, at, now, lateness)
    if timed is not None:
        return timed
    if blocked:
        return Action.BLOCKED, "; ".join(blocked)
    return Action.DUE, ""


def _reopened(latest: Publication, timing: Timing) -> bool:
    """A failed or missed publication whose post now has another time is planned afresh."""
    if latest.state not in ("failed", "missed"):
        return False
    return timing.at is not None and latest.scheduled_at != timing.at


def newest_rows(rows: Iterable[Publication]) -> dict[tuple[str, str], Publication]:
    """The newest row per (post, platform) (rows come oldest first)."""
    out: dict[tuple[str, str], Publication] = {}
    for row in rows:
        out[(row.post_id, row.platform)] = row
    return out
