"""The schedule as an RFC 5545 calendar (``soulpost calendar --ics FILE``), with icalendar.

One event per post and platform. Its UID is built from the post id and the platform only,
``<post-id>.<platform>@soulpost``, so a subscribed calendar (Google Calendar, Outlook,
Apple Calendar) updates the event when the post's text, time or state changes instead of
adding a second one. ``SEQUENCE`` counts nothing we could keep stable without state, so it
is left out; clients that subscribe to a URL replace events by UID. Events last 15 minutes
(a marker, not a meeting) and are ``TRANSPARENT`` so they never block anyone's free/busy.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soulpost.review.model import Card, PostView, Review

PRODID = "-//soulpost//review//EN"
_STATUS = {"draft": "TENTATIVE", "blocked": "TENTATIVE", "unscheduled": "TENTATIVE"}


def uid(post_id: str, platform: str) -> str:
    """The event's stable identity: the same post on the same platform, whatever changes."""
    return f"{post_id}.{platform}@soulpost"


def _description(post: PostView, card: Card) -> str:
    lines = [f"state: {card.state}" + (f" ({card.reason})" if card.reason else "")]
    if card.url:
        lines.append(f"published: {card.url}")
    for part in card.parts:
        lines += ["", part.shown]
    errors = list(card.findings)
    if errors:
        lines.append("")
        lines += [f"{f.severity} {f.code} {f.name}: {f.message}" for f in errors]
    if post.path:
        lines += ["", f"file: {post.path}"]
    return "\n".join(lines)


def calendar_ics(review: Review, stamp: datetime) -> bytes:
    """The ICS bytes of *review*; *stamp* is ``DTSTAMP`` (when this file was made)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "soulpost schedule")
    cal.add("x-wr-timezone", review.timezone)
    for post in review.posts:
        if post.at is None:
            continue
        for card in post.cards:
            event = Event()
            event.add("uid", uid(post.id, card.platform))
            event.add("dtstamp", stamp)
            event.add("dtstart", post.at)
            event.add("dtend", post.at + timedelta(minutes=15))
            event.add("summary", f"[{card.title}] {post.text or post.id}"[:200])
            event.add("description", _description(post, card))
            event.add("categories", [card.platform, card.state])
            event.add("status", _STATUS.get(card.state, "CONFIRMED"))
            event.add("transp", "TRANSPARENT")
            if card.url:
                event.add("url", card.url)
            cal.add_component(event)
    return bytes(cal.to_ical())
