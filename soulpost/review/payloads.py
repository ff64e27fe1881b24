"""The one door from review into publishing: each adapter's own pure ``render``.

A preview is built by the very method a publishing pass calls before it sends
(:meth:`soulpost.publish.base.Adapter.render`), on an adapter loaded through the same
registry and configured from the same ``[platforms.NAME]`` table, so what review shows is
what goes out, byte for byte. Only the adapters' pure parts run here (``render`` and
``capabilities``; constructing an adapter must not touch the network). Adapter modules are
loaded by name through the registry, so this room imports ``publish.base`` and
``publish.registry`` only; an import-linter contract forbids it ``publish.send``,
``publish.http``, ``run`` and ``daemon``.

The wire shapes differ by adapter (Mastodon's ``status``, LinkedIn's escaped
``post.commentary``, Facebook's ``message``...): :func:`wire_parts` reads the text and the
media back out of a rendered payload, and keeps both the exact string sent and the text a
reader will see (they differ only where a format escapes, as LinkedIn's does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soulpost.platforms import Capabilities
    from soulpost.posts import Post
    from soulpost.publish.base import Adapter, Composed
    from soulpost.workspace import Workspace

# Inverse of soulpost.publish.render.linkedin.escape_little: LinkedIn shows the character.
_LITTLE_ESCAPE = re.compile(r"\\([\\|{}@\[\]()<>#*_~])")


@dataclass(frozen=True)
class WireMedia:
    """One image of one part: the workspace path, its alt text, and a URL when the
    adapter sends images by link (Slack, generic webhooks)."""

    path: str
    alt: str
    url: str | None = None


@dataclass(frozen=True)
class WirePart:
    """One request of a publication as the platform receives it.

    ``sent`` is the exact string in the request body; ``shown`` is what readers see (equal
    unless the format escapes); ``facets`` are Bluesky's byte-offset link/tag facets and
    ``mentions`` the handles it resolves when sending.
    """

    sent: str
    shown: str
    media: tuple[WireMedia, ...] = ()
    facets: tuple[Mapping[str, Any], ...] = ()
    mentions: tuple[Mapping[str, Any], ...] = ()
    payload: Mapping[str, Any] = field(default_factory=dict)
    #: The text the platform's length limit applies to, when not ``shown`` (Mastodon counts
    #: a content warning with the text, without the preview's labels).
    counted: str | None = None

    @property
    def card(self) -> str | None:
        """The link this part shows as a card (Bluesky, LinkedIn), fetched when sent."""
        link = self.payload.get("card")
        return str(link["url"]) if isinstance(link, Mapping) and link.get("url") else None


class _FixedClock:
    """A clock for adapters built only to render: rendering reads no time."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        raise RuntimeError("review never waits")


class Renderers:
    """Adapters of one review, built on first use exactly as a publishing pass builds them."""

    def __init__(self, ws: Workspace, now: datetime) -> None:
        self.ws = ws
        self.clock = _FixedClock(now)
        self._made: dict[str, Adapter | Exception] = {}
        # Per platform, asked once a card: the answers do not change within a run.
        self._names: dict[str, str] = {}
        self._caps: dict[str, Capabilities | None] = {}

    def adapter_name(self, platform: str) -> str:
        name = self._names.get(platform)
        if name is None:
            name = self._names[platform] = self.ws.settings.adapter_for(platform)
        return name

    def get(self, platform: str) -> Adapter:
        """The adapter for *platform*; raises what building it raised (a config error)."""
        if platform not in self._made:
            from soulpost.publish.registry import build

            try:
                self._made[platform] = build(self.ws, platform, self.clock)
            except Exception as exc:  # shown on the card; never stops the review
                self._made[platform] = exc
        made = self._made[platform]
        if isinstance(made, Exception):
            raise made
        return made

    def capabilities(self, platform: str) -> Capabilities | None:
        if platform in self._caps:
            return self._caps[platform]
        caps: Capabilities | None
        try:
            caps = self.get(platform).capabilities()
        except Exception:
            from soulpost.platforms import PLATFORMS

            caps = PLATFORMS.get(platform)
        self._caps[platform] = caps
        return caps

    def compose(self, post: Post, platform: str) -> tuple[tuple[WirePart, ...], Composed]:
        """The parts *platform* receives for *post*, and the composed publication, whose
        ``content_hash()`` keys it in the ledger (so review can tell an edited post from a
        published one; hashing is left to the caller, which needs it only once published)."""
        adapter = self.get(platform)
        composed = adapter.compose(post)
        name = self.adapter_name(platform)
        return tuple(wire_part(name, p) for p in composed.parts), composed

    def close(self) -> None:
        for made in self._made.values():
            if not isinstance(made, Exception):
                made.close()
        self._made.clear()


def _media(items: Any) -> tuple[WireMedia, ...]:
    out = []
    for item in items or ():
        if isinstance(item, Mapping):
            out.append(WireMedia(str(item.get("path", "")), str(item.get("alt") or "")))
    return tuple(out)


def _plain(payload: Mapping[str, Any]) -> WirePart:
    text = payload.get("text")
    sent = text if isinstance(text, str) else ""
    return WirePart(sent, sent, _media(payload.get("media")), payload=payload)


def _mastodon(payload: Mapping[str, Any]) -> WirePart:
    """What a reader meets: the content warning first (Mastodon hides the text behind it),
    the text, then how the status goes out when the post says so (sensitive media,
    visibility, language)."""
    sent = str(payload.get("status", ""))
    shown = sent
    if payload.get("spoiler_text"):
        shown = f"CW: {payload['spoiler_text']}\n\n{sent}"
    how = [
        "media marked sensitive" if payload.get("sensitive") else "",
        *(f"{key} {payload[key]}" for key in ("visibility", "language") if payload.get(key)),
    ]
    if any(how) and (payload.get("spoiler_text") or payload.get("sensitive")):
        shown += "\n\n[" + " · ".join(h for h in how if h) + "]"
    counted = str(payload.get("spoiler_text") or "") + sent
    return WirePart(sent, shown, _media(payload.get("media")), payload=payload, counted=counted)


def _bluesky(payload: Mapping[str, Any]) -> WirePart:
    sent = str(payload.get("text", ""))
    return WirePart(
        sent,
        sent,
        _media(payload.get("media")),
        facets=tuple(payload.get("facets") or ()),
        mentions=tuple(payload.get("mentions") or ()),
        payload=payload,
    )


def _linkedin(payload: Mapping[str, Any]) -> WirePart:
    sent = str(payload.get("post", {}).get("commentary", ""))
    return WirePart(
        sent, _LITTLE_ESCAPE.sub(r"\1", sent), _media(payload.get("media")), payload=payload
    )


def _facebook(payload: Mapping[str, Any]) -> WirePart:
    sent = str(payload.get("message", ""))
    return WirePart(sent, sent, _media(payload.get("photos")), payload=payload)


def _pinterest(payload: Mapping[str, Any]) -> WirePart:
    sent = str(payload.get("pin", {}).get("description", ""))
    return WirePart(sent, sent, _media(payload.get("media")), payload=payload)


def _discord(payload: Mapping[str, Any]) -> WirePart:
    sent = str(payload.get("message", {}).get("content", ""))
    return WirePart(sent, sent, _media(payload.get("media")), payload=payload)


def _slack(payload: Mapping[str, Any]) -> WirePart:
    sent = str(payload.get("text", ""))
    media = tuple(
        WireMedia(
            str(block.get("image_url", "")),
            str(block.get("alt_text", "")),
            str(block.get("image_url", "")),
        )
        for block in payload.get("blocks") or ()
        if isinstance(block, Mapping) and block.get("type") == "image"
    )
    return WirePart(sent, sent, media, payload=payload)


def _linked_media(items: Any) -> tuple[WireMedia, ...]:
    return tuple(
        WireMedia(str(m.get("path", "")), str(m.get("alt") or ""), m.get("url") or None)
        for m in items or ()
        if isinstance(m, Mapping)
    )


def _threads(payload: Mapping[str, Any]) -> WirePart:
    sent = str(payload.get("text", ""))
    return WirePart(sent, sent, _linked_media(payload.get("media")), payload=payload)


def _instagram(payload: Mapping[str, Any]) -> WirePart:
    sent = str(payload.get("caption", ""))
    return WirePart(sent, sent, _linked_media(payload.get("media")), payload=payload)


_READERS: dict[str, Callable[[Mapping[str, Any]], WirePart]] = {
    "threads": _threads,
    "instagram": _instagram,
    "mastodon": _mastodon,
    "bluesky": _bluesky,
    "linkedin": _linkedin,
    "facebook": _facebook,
    "pinterest": _pinterest,
    "discord": _discord,
    "slack": _slack,
}


def wire_part(adapter: str, payload: Mapping[str, Any]) -> WirePart:
    """Read text and media out of one rendered payload of *adapter* (X, webhooks, the
    outbox, the console and plugins that follow the base class use ``text``/``media``)."""
    if "comment" in payload:  # a first comment (LinkedIn escapes it like its posts)
        sent = str(payload["comment"])
        shown = _LITTLE_ESCAPE.sub(r"\1", sent) if adapter == "linkedin" else sent
        return WirePart(sent, shown, payload=payload)
    return _READERS.get(adapter, _plain)(payload)
