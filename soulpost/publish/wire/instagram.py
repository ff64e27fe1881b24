"""Instagram (Instagram Graph API content publishing): containers, carousels and limits.

Two steps, as on Threads (Meta's "Content Publishing" guide): ``POST /{ig-user}/media``
creates a container from an image at a public URL (``image_url``, ``caption``, and since
March 2025 ``alt_text``), or a carousel (``media_type=CAROUSEL``, ``children``: up to 10
item containers made with ``is_carousel_item=true``); ``POST /{ig-user}/media_publish``
with ``creation_id`` publishes it. ``GET /{container}?fields=status_code`` says
``IN_PROGRESS``, ``FINISHED``, ``PUBLISHED``, ``ERROR`` or ``EXPIRED``. Instagram has no
text-only posts, accepts JPEG images only, captions up to 2,200 characters with at most 30
hashtags, and an account may publish a limited number of posts per 24 hours through the API
(``GET /{ig-user}/content_publishing_limit``); over it Graph answers code 9 / subcode
2207042, which is a rate limit, not a refusal.
"""

from __future__ import annotations

from collections.abc import Sequence

from soulpost.publish.wire.threads import Image

MAX_CAPTION = 2200
MAX_HASHTAGS = 30
MAX_CAROUSEL = 10
#: Graph error (code, subcode) pairs that mean "too many posts for now".
PUBLISH_LIMIT = frozenset({(9, 2207042), (4, 2207051)})
POST_FIELDS = "id,caption,timestamp,permalink,media_type"


def container_body(
    caption: str, images: Sequence[Image] = (), *, children: Sequence[str] = ()
) -> dict[str, str]:
    """Form fields of ``POST /{ig-user}/media`` for the post's own container: an IMAGE
    container for one image, a CAROUSEL for *children* (item container ids)."""
    if len(caption) > MAX_CAPTION:
        raise ValueError(f"caption is {len(caption)} characters; Instagram allows {MAX_CAPTION}")
    if children:
        if not 2 <= len(children) <= MAX_CAROUSEL:
            raise ValueError(f"a carousel takes 2 to {MAX_CAROUSEL} items, not {len(children)}")
        body = {"media_type": "CAROUSEL", "children": ",".join(children)}
    elif len(images) == 1:
        body = item_body(images[0], carousel=False)
    else:
        raise ValueError("an Instagram post needs one image, or carousel items")
    if caption:
        body["caption"] = caption
    return body


def item_body(image: Image, *, carousel: bool = True) -> dict[str, str]:
    """Form fields of an image container (a carousel item when *carousel*); a video is a
    reel on its own, a VIDEO item in a carousel."""
    if image.video:
        kind = "VIDEO" if carousel else "REELS"
        body = {"media_type": kind, "video_url": image.url}
    else:
        body = {"image_url": image.url}
    if image.alt:
        body["alt_text"] = image.alt
    if carousel:
        body["is_carousel_item"] = "true"
    return body


def publish_body(container: str) -> dict[str, str]:
    """Form fields of ``POST /{ig-user}/media_publish``."""
    return {"creation_id": container}
