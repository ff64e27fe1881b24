"""Link cards for adapters (Bluesky's external embed, LinkedIn's article): which link gets
a card, and the card fetched once per publication.

``compose`` stays pure: it only names the link (``{"card": {"url": ...}}`` in the first
part) when the post wants a card (``card = true``, the default), the adapter's ``cards``
option is on, and the part has no images (a card and images cannot share a post). The page
is fetched when the post is sent (:mod:`soulpost.publish.cards`, bounded and fenced), and
what was found, or why nothing was, is noted in the ledger under the publication part's key,
platform and URL, so a retry, even after a crash and on another host sharing a PostgreSQL
ledger, uses the same card (and the picture already uploaded) instead of fetching the page
again. Without a ledger (an adapter built on its own) the note lives in the state directory,
as before the ledger had it, and such an older note is still read. A link without a card is
sent as plain text: a card never fails a post.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from soulpost.publish import cards
from soulpost.publish.adapters._common import KeyNotes

if TYPE_CHECKING:
    from soulpost.posts import Post
    from soulpost.publish.adapters._common import HttpAdapter


def card_link(
    adapter: HttpAdapter, post: Post, links: list[str], has_media: bool
) -> dict[str, str] | None:
    """``{"url": ...}`` for the first of *links* (in the order the platform links them)
    when it should become a card."""
    if has_media or not post.card or not getattr(adapter.opts, "cards", False) or not links:
        return None
    return {"url": links[0]}


def text_links(text: str) -> list[str]:
    """The links a reader sees in *text*: ``http(s)://`` URLs, as the networks link them."""
    from soulpost.text import find_urls

    return [url for _, _, url in find_urls(text, require_scheme=True)]


def fence_of(adapter: HttpAdapter) -> cards.Fence:
    opts = adapter.opts
    return cards.Fence(
        bool(getattr(opts, "cards_allow_private", False)),
        float(getattr(opts, "cards_timeout", cards.DEFAULT_TIMEOUT)),
        int(getattr(opts, "cards_max_bytes", cards.DEFAULT_MAX_BYTES)),
    )


def cached_card(
    adapter: HttpAdapter,
    key: str,
    url: str,
    build: Callable[[cards.Card, Any], dict[str, Any]],
) -> dict[str, Any] | None:
    """The platform's card object for *url* under *key*: from the note when one exists,
    else fetched (page, then picture), built with ``build(card, session)`` and noted. None
    when the page has no card (the reason is noted too, and not fetched again)."""
    note = _noted(adapter, key, url)
    if note is not None:
        found = note.get("card")
        return dict(found) if isinstance(found, dict) else None
    from soulpost.publish import http

    session = http.build_session()
    try:
        card = cards.fetch(session, url, fence_of(adapter))
        made: dict[str, Any] | None = build(card, session)
        why = ""
    except cards.CardUnavailable as exc:
        made, why = None, str(exc)
    finally:
        session.close()
    _note(adapter, key, url, made, why)
    return made


def _noted(adapter: HttpAdapter, key: str, url: str) -> dict[str, Any] | None:
    """The ledger's note, else one an older soulpost left in the state directory."""
    from soulpost.ledger.base import LedgerError

    ledger = adapter.config.ledger
    if ledger is not None:
        try:
            found = ledger.link_card(key, adapter.platform, url)
        except LedgerError:
            found = None
        if found is not None:
            return found
    note = KeyNotes(adapter.config.state_dir, f"{adapter.platform}.cards").get(key)
    return note if note is not None and note.get("url") == url else None


def _note(adapter: HttpAdapter, key: str, url: str, made: dict[str, Any] | None, why: str) -> None:
    """Into the ledger (every host sharing it sees it); the state directory without one, or
    when the ledger cannot take it (the card is still used for this send)."""
    from soulpost.ledger.base import LedgerError

    ledger = adapter.config.ledger
    if ledger is not None:
        try:
            ledger.note_link_card(key, adapter.platform, url, made, why)
            return
        except LedgerError:
            pass
    notes = KeyNotes(adapter.config.state_dir, f"{adapter.platform}.cards")
    notes.put(key, {"url": url, "card": made, "why": why})


def picture(
    adapter: HttpAdapter, session: Any, card: cards.Card, limit: int
) -> tuple[bytes, str] | None:
    """The card's picture within *limit* bytes, or None (a card without one is fine)."""
    if not card.image_url:
        return None
    try:
        return cards.fetch_image(session, card.image_url, fence_of(adapter), limit)
    except cards.CardUnavailable:
        return None
