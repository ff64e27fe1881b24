"""A post's first comment (LinkedIn, Facebook, Instagram): the account's own comment under
its post, posted right after it.

It is composed as one more part of the publication (``{"comment": text}``), so the ledger
records it like a thread part: its own idempotency key, sent once, and never again once
recorded. The engine hands it to the adapter's ``reply`` with the post's receipt as parent.
Before a comment is sent the parent is noted under its key, so a lost answer is settled by
reading the parent's comments for one by this account, with this text, made after the
note: a post is never commented twice, and an unrelated comment is never taken for ours;
two candidates, or one listed without its time, leave it in doubt for a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from soulpost.publish.adapters._common import KeyNotes
from soulpost.publish.adapters._graph import graph_time
from soulpost.publish.base import Payload, Receipt, Rejected, UnknownOutcome

if TYPE_CHECKING:
    from soulpost.posts import Post
    from soulpost.publish.adapters._common import HttpAdapter

#: A comment stamped this long before the note was written is still ours (clock skew).
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class SeenComment:
    """A comment as the platform lists it."""

    id: str
    text: str
    mine: bool
    created: datetime | None
    url: str | None = None


def comment_parts(post: Post, platform: str) -> list[Payload]:
    """The first-comment part of *post* on *platform* (none when it has no comment)."""
    text = post.first_comment_for(platform)
    return [{"comment": text}] if text else []


def is_comment(payload: Payload) -> bool:
    return "comment" in payload


def comment_problems(adapter: HttpAdapter, post: Post) -> list[str]:
    """A first comment longer than the platform takes."""
    text = post.first_comment_for(adapter.platform)
    caps = adapter.capabilities()
    limit = caps.comment_max_length
    if text and limit is not None and len(text) > limit:
        return [f"the first comment has {len(text)} characters; {caps.title} allows {limit}"]
    return []


class Comments:
    """What an adapter supplies to post and find its own comments."""

    def __init__(self, adapter: HttpAdapter) -> None:
        self.adapter = adapter
        self.notes = KeyNotes(adapter.config.state_dir, adapter.platform)

    def send(self, parent: Receipt, payload: Payload, key: str, post: Any) -> Receipt:
        """Note the parent, then post the comment with *post* (the platform's call)."""
        text = str(payload.get("comment") or "")
        if not text:
            raise Rejected("an empty first comment", platform=self.adapter.platform)
        clock = self.adapter.config.clock
        self.notes.put(key, {"parent": parent.remote_id, "sent_at": clock.now().isoformat()})
        remote_id, url = post(parent.remote_id, text)
        return Receipt(remote_id, url or parent.url, clock.now())

    def find(self, key: str, payload: Payload, listing: Any) -> Receipt | None:
        """The comment sent under *key*, from *listing(parent_id)*; None when it was never
        sent (no note) or the parent has no such comment by this account."""
        note = self.notes.get(key)
        if not note or not note.get("parent"):
            return None
        text = str(payload.get("comment") or "").strip()
        since = graph_time(note.get("sent_at"))
        seen: Iterable[SeenComment] = listing(str(note["parent"]))
        mine = [c for c in seen if c.mine and c.text.strip() == text]
        if any(c.created is None for c in mine):
            raise self._doubt("the platform listed a comment with this text without its time")
        found = [c for c in mine if not since or (c.created and c.created >= since - CLOCK_SKEW)]
        if len(found) > 1:
            raise self._doubt(f"{len(found)} comments with this text match the attempt")
        if not found:
            return None
        comment = found[0]
        return Receipt(comment.id, comment.url, comment.created or since or _now(self))

    def _doubt(self, why: str) -> UnknownOutcome:
        """Doubt for a person, never a pick among candidates (issue 11)."""
        return UnknownOutcome(
            f"cannot tell whether the first comment landed: {why}; a person must check "
            "(soulpost resolve)",
            platform=self.adapter.platform,
        )


def _now(comments: Comments) -> datetime:
    return comments.adapter.config.clock.now()
