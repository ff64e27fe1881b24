"""Evergreen posts: a pool of ``evergreen = true`` drafts re-shared into their own slots.

``[evergreen]`` names the slots (like ``[[slots]]``), a ``start`` day and how many
``weeks`` to fill. For each platform, the slots in that span are taken in time order; a
slot a post with a time of its own (explicit ``at`` or a series occurrence) already holds on
that platform is left alone. Each free slot gets the next post of the pool, in id order,
that:

* goes to that platform,
* was not the previous evergreen share on that platform (never two of the same in a row),
* was last shared on that platform at least ``min_gap`` ago, and
* comes at least ``platform_gap`` after the platform's previous evergreen share.

A slot no post may take stays empty. Each share is a post of its own with the id
``<post id>@<local YYYYMMDDTHHMM>.<platform>``, so the ledger publishes, retries and settles
each one alone; a post's share *n* on a platform uses its text, then each of its ``rotate``
texts in turn. Lint sees every share, so flooding and the promotion share count them. The schedule
depends only on the files (no clock), so every host and every pass computes the same one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from soulpost.series import SEPARATOR

if TYPE_CHECKING:
    from soulpost.config import EvergreenSettings, Settings
    from soulpost.errors import InputError
    from soulpost.posts import Post


def expand(posts: list[Post], settings: Settings) -> tuple[list[Post], list[InputError]]:
    """*posts* with the evergreen pool replaced by its shares, and an error for each pool
    post when config.toml has no ``[evergreen]`` (then no share is made)."""
    conf = settings.evergreen
    pool = sorted((p for p in posts if p.evergreen), key=lambda p: p.id)
    if not pool:
        return posts, []
    if conf is None:
        from soulpost.errors import InputError

        return [p for p in posts if not p.evergreen], [
            InputError(
                "evergreen = true, but config.toml has no [evergreen] section saying when "
                "the pool is re-shared",
                path=p.path,
                key="evergreen",
                hint='add [evergreen] with start = 2026-12-07 and slots = [{ days = "fri", '
                'times = ["15:00"] }] (see docs/planning.md)',
            )
            for p in pool
        ]
    from soulpost.slots import slot_instants

    zone = settings.zone() or UTC
    begin = datetime.combine(conf.start, time(0), tzinfo=zone)
    others = [p for p in posts if not p.evergreen]
    taken: dict[str, set[datetime]] = {}
    for post in others:
        if post.at is not None:
            for platform in post.platforms:
                taken.setdefault(platform, set()).add(post.at.astimezone(UTC))
    slots = list(slot_instants(conf.slots, zone, begin, conf.weeks * 7 - 1))
    platforms = sorted({p for post in pool for p in post.platforms})
    shares: list[tuple[datetime, str, Post]] = []
    for platform in platforms:
        free = [s for s in slots if s not in taken.get(platform, set())]
        shares += _fill(platform, free, pool, conf)
    counts: dict[tuple[str, str], int] = {}
    out = list(others)
    for when, platform, post in sorted(shares, key=lambda s: (s[0], s[1])):
        number = counts.get((post.id, platform), 0)
        counts[post.id, platform] = number + 1
        out.append(_share(post, when, platform, number, zone))
    return out, []


def _fill(
    platform: str,
    free: Sequence[datetime],
    pool: Sequence[Post],
    conf: EvergreenSettings,
) -> list[tuple[datetime, str, Post]]:
    """The shares for *platform*'s *free* slots."""
    candidates = [p for p in pool if platform in p.platforms]
    last_share: dict[str, list[datetime]] = {}
    chosen: list[tuple[datetime, str, Post]] = []
    turn = 0
    previous: Post | None = None
    for slot in free:
        if previous is not None and slot - chosen[-1][0] < conf.platform_gap:
            continue
        for step in range(len(candidates)):
            post = candidates[(turn + step) % len(candidates)]
            if post is previous or not _rested(last_share.get(post.id, []), slot, conf.min_gap):
                continue
            chosen.append((slot, platform, post))
            last_share.setdefault(post.id, []).append(slot)
            previous, turn = post, (turn + step + 1) % len(candidates)
            break
    return chosen


def _rested(times: Sequence[datetime], slot: datetime, gap: timedelta) -> bool:
    """Whether *slot* is at least *gap* away from every earlier share in *times*."""
    return all(abs(slot - t) >= gap for t in times)


def _share(post: Post, when: datetime, platform: str, number: int, zone: tzinfo) -> Post:
    """Share *number* of *post* on *platform* at *when*, a post of its own."""
    from soulpost.timeutil import LocalTimeKind

    texts = [post.text, *post.rotate]
    local = when.astimezone(zone)
    share = post.model_copy(
        update={
            "id": f"{post.id}{SEPARATOR}{local:%Y%m%dT%H%M}.{platform}",
            "at": local,
            "platforms": [platform],
            "text": texts[number % len(texts)],
            "evergreen": False,
        }
    )
    private = dict(post.__pydantic_private__ or {})
    private["_time_kind"] = LocalTimeKind.NORMAL
    share.__pydantic_private__ = private
    return share
