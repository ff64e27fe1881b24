"""What each network allows, as plain data: the one source of truth for limits.

The linter reads these to check drafts; the publishing adapters declare them as their
``capabilities``. Nothing here talks to a network, so the linter can use it offline and
stay independent of the publishers. Figures and sources: ``shared/platforms.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Counting = Literal["twitter", "mastodon", "bluesky", "threads", "chars"]


@dataclass(frozen=True)
class VideoLimits:
    """What a network takes as a video: one per post, alone (no images beside it)."""

    max_bytes: int
    max_seconds: float | None = None
    min_seconds: float | None = None
    types: tuple[str, ...] = ("video/mp4", "video/quicktime")


MB = 1024 * 1024


@dataclass(frozen=True)
class Capabilities:
    """Hard limits and features of one network."""

    name: str
    title: str
    max_length: int | None  # None: no practical limit (webhook, outbox)
    counting: Counting = "chars"
    max_bytes: int | None = None  # Bluesky also limits UTF-8 bytes
    url_length: int | None = None  # every URL counts as this many characters
    max_images: int = 4
    max_image_bytes: int | None = None
    alt_text_max: int | None = None
    threads: bool = False  # native reply chains the scheduler can post as a thread
    idempotency: Literal["key", "record-key", "none"] = "none"
    #: The platform fetches each image from a public URL instead of receiving its bytes
    #: (Threads, Instagram): the workspace must say where its media is served from.
    media_by_url: bool = False
    #: A post must carry at least one image (Instagram has no text-only posts).
    needs_media: bool = False
    #: Image formats the platform accepts, as MIME types (empty: any image).
    image_types: tuple[str, ...] = ()
    max_hashtags: int | None = None
    #: The account can comment under its own post (a post's ``first_comment``), and how
    #: long such a comment may be.
    comments: bool = False
    comment_max_length: int | None = None
    #: Video the adapter can publish (None: no video).
    video: VideoLimits | None = None
    notes: tuple[str, ...] = field(default=())


PLATFORMS: dict[str, Capabilities] = {
    c.name: c
    for c in (
        Capabilities(
            "mastodon",
            "Mastodon",
            500,
            "mastodon",
            url_length=23,
            max_images=4,
            max_image_bytes=16 * 1024 * 1024,
            alt_text_max=1500,
            threads=True,
            idempotency="key",
            video=VideoLimits(99 * MB, types=("video/mp4", "video/webm", "video/quicktime")),
        ),
        Capabilities(
            "bluesky",
            "Bluesky",
            300,
            "bluesky",
            max_bytes=3000,
            max_images=4,
            max_image_bytes=2_000_000,
            threads=True,
            idempotency="record-key",
            video=VideoLimits(100_000_000, 180.0, types=("video/mp4",)),
        ),
        Capabilities(
            "x",
            "X",
            280,
            "twitter",
            url_length=23,
            max_images=4,
            max_image_bytes=5 * 1024 * 1024,
            alt_text_max=1000,
            threads=True,
            video=VideoLimits(512 * MB, 140.0, 0.5),
        ),
        Capabilities(
            "linkedin",
            "LinkedIn",
            3000,
            "chars",
            max_images=20,
            comments=True,
            comment_max_length=1250,
            video=VideoLimits(500 * MB, 1800.0, 3.0, ("video/mp4",)),
        ),
        Capabilities(
            "facebook",
            "Facebook Pages",
            63206,
            "chars",
            max_images=10,
            comments=True,
            comment_max_length=8000,
            video=VideoLimits(1024 * MB, 4 * 3600.0, 1.0),
        ),
        Capabilities("pinterest", "Pinterest", 800, "chars", max_images=1, alt_text_max=500),
        Capabilities(
            "threads",
            "Threads",
            500,
            "threads",
            max_images=20,
            max_image_bytes=8 * 1024 * 1024,
            threads=True,
            media_by_url=True,
            image_types=("image/jpeg", "image/png"),
            video=VideoLimits(1024 * MB, 300.0),
        ),
        Capabilities(
            "instagram",
            "Instagram",
            2200,
            "chars",
            max_images=10,
            max_image_bytes=8 * 1024 * 1024,
            media_by_url=True,
            needs_media=True,
            image_types=("image/jpeg",),
            max_hashtags=30,
            comments=True,
            comment_max_length=2200,
            video=VideoLimits(300 * MB, 900.0, 3.0),
        ),
        Capabilities("discord", "Discord webhook", 2000, "chars", max_images=10, threads=True),
        Capabilities("slack", "Slack webhook", 40000, "chars", max_images=1, threads=True),
        Capabilities("webhook", "Generic webhook", None, "chars", max_images=10, threads=True),
    )
}


def known_platforms() -> frozenset[str]:
    """Names a post may target without further configuration."""
    return frozenset(PLATFORMS)
