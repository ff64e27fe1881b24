"""What each network allows, as plain data: the one source of truth for limits.

The linter reads these to check drafts; the publishing adapters declare them as their
``capabilities``. Nothing here talks to a network, so the linter can use it offline and
stay independent of the publishers. Figures and sources: ``shared/platforms.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Counting = Literal["twitter", "mastodon", "bluesky", "chars"]


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
        ),
        Capabilities("linkedin", "LinkedIn", 3000, "chars", max_images=20),
        Capabilities("facebook", "Facebook Pages", 63206, "chars", max_images=10),
        Capabilities("pinterest", "Pinterest", 800, "chars", max_images=1, alt_text_max=500),
        Capabilities("discord", "Discord webhook", 2000, "chars", max_images=10, threads=True),
        Capabilities("slack", "Slack webhook", 40000, "chars", max_images=1, threads=True),
        Capabilities("webhook", "Generic webhook", None, "chars", max_images=10, threads=True),
    )
}


def known_platforms() -> frozenset[str]:
    """Names a post may target without further configuration."""
    return frozenset(PLATFORMS)
