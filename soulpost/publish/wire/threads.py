"""Threads (Meta's Threads API): container bodies, container states and posts.

Publishing is two steps (Meta's "Threads Posts" guide): ``POST /{user}/threads`` creates a
*media container* (text, one image, or a carousel of 2-20 items made of containers created
with ``is_carousel_item=true``), then ``POST /{user}/threads_publish`` with
``creation_id`` makes it a post. A container is private until published and expires after
24 hours, so creating one has no visible effect; only the publish step does. A reply is a
container with ``reply_to_id``. Images are fetched by Threads from a public URL.

Container ``status``: ``IN_PROGRESS``, ``FINISHED`` (ready), ``PUBLISHED``, ``ERROR`` (with
``error_message``) or ``EXPIRED``. Errors are Graph API errors (see :mod:`.facebook`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

MAX_LENGTH = 500
MAX_CAROUSEL = 20
#: Fields asked for when reading a post back (``GET /{media}``, ``/{user}/threads``).
POST_FIELDS = "id,text,timestamp,permalink,media_type,replied_to"

State = Literal["IN_PROGRESS", "FINISHED", "PUBLISHED", "ERROR", "EXPIRED", "UNKNOWN"]
STATES: frozenset[str] = frozenset({"IN_PROGRESS", "FINISHED", "PUBLISHED", "ERROR", "EXPIRED"})


@dataclass(frozen=True)
class Image:
    """One image (or, with ``video``, one video) as Threads receives it: a public URL and
    its alt text."""

    url: str
    alt: str = ""
    video: bool = False


def container_body(
    text: str,
    images: Sequence[Image] = (),
    *,
    reply_to: str | None = None,
    children: Sequence[str] = (),
) -> dict[str, str]:
    """Form fields of ``POST /{user}/threads`` for the post's own container.

    With one image it is an IMAGE container; with *children* (ids of carousel item
    containers) a CAROUSEL; otherwise TEXT.
    """
    body: dict[str, str]
    if children:
        if not 2 <= len(children) <= MAX_CAROUSEL:
            raise ValueError(f"a carousel takes 2 to {MAX_CAROUSEL} items, not {len(children)}")
        body = {"media_type": "CAROUSEL", "children": ",".join(children)}
    elif len(images) == 1:
        body = item_body(images[0], carousel=False)
    elif images:
        raise ValueError("several images need carousel item containers (children)")
    else:
        if not text:
            raise ValueError("a text post needs text")
        body = {"media_type": "TEXT"}
    if text:
        body["text"] = text
    if reply_to is not None:
        body["reply_to_id"] = reply_to
    return body


def item_body(image: Image, *, carousel: bool = True) -> dict[str, str]:
    """Form fields of an IMAGE (or VIDEO) container (a carousel item when *carousel*)."""
    if image.video:
        body = {"media_type": "VIDEO", "video_url": image.url}
    else:
        body = {"media_type": "IMAGE", "image_url": image.url}
    if image.alt:
        body["alt_text"] = image.alt
    if carousel:
        body["is_carousel_item"] = "true"
    return body


def publish_body(container: str) -> dict[str, str]:
    """Form fields of ``POST /{user}/threads_publish``."""
    return {"creation_id": container}


def parse_id(body: Mapping[str, Any]) -> str:
    """The ``id`` of a created container or published post."""
    value = body.get("id")
    if not isinstance(value, str | int) or not str(value):
        raise ValueError(f"no id in the answer: {dict(body)!r:.200}")
    return str(value)


def parse_state(body: Mapping[str, Any], field: str = "status") -> tuple[State, str]:
    """A container's state and its error message (empty when none)."""
    raw = str(body.get(field) or "").upper()
    state: State = raw if raw in STATES else "UNKNOWN"  # type: ignore[assignment]
    return state, str(body.get("error_message") or body.get("status") or "")


@dataclass(frozen=True)
class ThreadsPost:
    """A post as ``GET /{user}/threads`` or ``/{user}/replies`` lists it."""

    id: str
    text: str
    timestamp: str
    permalink: str | None
    replied_to: str | None


def parse_posts(body: Mapping[str, Any]) -> list[ThreadsPost]:
    """The ``data`` list of a post listing, skipping entries without an id."""
    out = []
    for item in body.get("data") or ():
        if not isinstance(item, Mapping) or not item.get("id"):
            continue
        parent = item.get("replied_to")
        out.append(
            ThreadsPost(
                str(item["id"]),
                str(item.get("text") or item.get("caption") or ""),
                str(item.get("timestamp") or ""),
                str(item["permalink"]) if item.get("permalink") else None,
                str(parent.get("id")) if isinstance(parent, Mapping) and parent.get("id") else None,
            )
        )
    return out
