"""A recurring post's occurrences as posts (the rule itself is read in :mod:`.series`)."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING

from soulpost.series import SEPARATOR, local_start, occurrences
from soulpost.timeutil import resolve_local

if TYPE_CHECKING:
    from soulpost.posts import Post


def expand(post: Post, zone: tzinfo) -> list[Post]:
    """The occurrences of *post* (a post with ``repeat``), each a post of its own."""
    assert post.repeat is not None and post.at is not None
    out = []
    for local in occurrences(post.repeat, local_start(post.at, zone), zone):
        at, kind = resolve_local(local, zone)
        copy = post.model_copy(
            update={"id": f"{post.id}{SEPARATOR}{local:%Y%m%dT%H%M}", "at": at, "repeat": None}
        )
        private = dict(post.__pydantic_private__ or {})
        private["_time_kind"] = kind
        copy.__pydantic_private__ = private
        out.append(copy)
    return out
