"""Due posts whose drafts are parsed only when this publisher is about to send them.

Publishers sharing a ledger each plan every due post, but each sends only part of them
(:mod:`soulpost.run.sharing`). Parsing, planning and checking every due draft in full
before the first request cost each of four publishers as much as one publisher sending
them all (2,000 due drafts: about 0.1-0.15 s of CPU a process, a process pool forked
for it), on the same two cores as the sends. So a cron pass on a shared ledger plans
its plain due posts from the queue index's summaries and parses each draft in full
only when its chunk comes up (:meth:`Deferred.resolve`), after the chunk's check
against the ledger: a post another publisher took is never parsed here.

Only the plainest due posts wait so: an explicit time, no ledger row on any platform
(nothing to compare with, nothing to reconcile), every platform due. A resolved draft
is planned again on its own, as the full pass would plan it; if it is no longer due at
the same time on that platform (edited since the plan, deleted, unreadable), it is
reported skipped and the next pass plans it afresh. Nothing about sending changes: the
chunk is linted by the gate before any of it is sent, and each draft is compared with
the disk just before its request, as every due post is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from soulpost.plan import Action, Item

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from soulpost.config import Settings
    from soulpost.ledger import Publication
    from soulpost.plan import Plan
    from soulpost.posts import Post
    from soulpost.queueindex import Summary
    from soulpost.run.actions import Step
    from soulpost.workspace import PostCache

Due = Union["Item[Post]", "Item[Summary]"]
"""A due item: planned from a parsed post, or from a summary (parsed when sent)."""

CHANGED = "the draft changed during the pass; the next pass publishes the new version"


@dataclass
class Deferred:
    """The due items planned from summaries, and the drafts preloaded for them."""

    items: list[Item[Summary]]
    settings: Settings
    cache: PostCache | None = None  # drafts parsed while the queue was scanned
    parsed: int = 0  # drafts parsed here (not found in *cache*)
    times: dict[str, datetime] = field(default_factory=dict)  # resolved posts' times

    def resolve(
        self, chunk: list[Any], now: datetime, reserved: Mapping[str, datetime]
    ) -> tuple[list[Item[Post]], list[tuple[Any, str]]]:
        """*chunk* with its summary items replaced by items of the parsed posts, and the
        items that cannot go (with why). The order is kept."""
        from soulpost.plan import build_plan
        from soulpost.queueindex import Summary

        waiting = [i for i in chunk if isinstance(i.post, Summary)]
        if not waiting:
            return chunk, []
        posts = self._load(sorted({Path(i.post.path) for i in waiting if i.post.path}))
        plan: Plan[Post] = build_plan(posts, self.settings, now, ledger_rows={}, reserved=reserved)
        fresh = {(i.post.id, i.platform): i for i in plan.items}
        self.times.update({pid: t.at for pid, t in plan.timings.items() if t.at is not None})
        ready: list[Item[Post]] = []
        dropped: list[tuple[Any, str]] = []
        for item in chunk:
            if not isinstance(item.post, Summary):
                ready.append(item)
                continue
            now_item = fresh.get((item.post.id, item.platform))
            if now_item is None or now_item.action is not Action.DUE or now_item.at != item.at:
                dropped.append((item, CHANGED))
            else:
                ready.append(now_item)
        return ready, dropped

    def load_all(self) -> list[Post]:
        """Every deferred post parsed now (when the gate must see them with the plan)."""
        items, self.items = self.items, []
        return self._load(sorted({Path(i.post.path) for i in items if i.post.path}))

    def _load(self, paths: list[Path]) -> list[Post]:
        """The posts of *paths*: from the preload cache when the file's stamp is still the
        one it was parsed with, else parsed now. A series or an evergreen pool (never
        planned from summaries) counts as changed: it yields no plain post here."""
        from soulpost.workspace import PostCache, load_posts

        known = self.cache.entries if self.cache is not None else {}
        local = PostCache({p: known[p] for p in paths if p in known})
        posts, _errors = load_posts(paths, self.settings, local)
        self.parsed += local.parsed
        return [p for p in posts if p.repeat is None and not p.evergreen]


def deferrable(
    plan: Plan[Summary], rows: Mapping[tuple[str, str], Publication]
) -> list[Item[Summary]]:
    """The due items that can wait for their chunk: posts with an explicit time, no
    ledger row on any platform, and every one of their items due."""
    known = {post_id for post_id, _platform in rows}
    by_post: dict[str, list[Item[Summary]]] = {}
    for item in plan.items:
        by_post.setdefault(item.post.id, []).append(item)
    out: list[Item[Summary]] = []
    for post_id, items in by_post.items():
        timing = plan.timings.get(post_id)
        if post_id in known or timing is None or timing.source != "explicit":
            continue
        if all(i.action is Action.DUE for i in items):
            out.extend(items)
    return out


def resolve_chunk(
    step: Step, deferred: Deferred | None, chunk: list[Any], advance: Callable[[], None]
) -> list[Item[Post]]:
    """*chunk* with its deferred items parsed (:meth:`Deferred.resolve`), for the send
    loop of :mod:`soulpost.run.actions`; those no longer due as planned are reported
    skipped."""
    if deferred is None:
        return chunk  # nothing deferred: all parsed posts
    if step.reserved is None:
        step.reserved = step.ledger.slots()
    ready, dropped = deferred.resolve(chunk, step.now, step.reserved)
    for item, reason in dropped:
        step.result(item, "skipped", reason)
        step.log(f"skipped {item.post.id} on {item.platform}: {reason}")
        advance()
    return ready
