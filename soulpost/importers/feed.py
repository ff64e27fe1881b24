"""RSS/Atom feeds to drafts: parse with feedparser, keep the new items, fill the template.

Decisions, in the order :func:`import_feed` takes them:

1. Read the feed (a file, or an http(s) URL within size and time bounds).
2. Parse it with ``feedparser``. A feed the strict XML parser refuses (feedparser's
   ``bozo`` with anything but an encoding note), or a document that is no RSS/Atom at all,
   is **malformed**: reported with the source and the parser's reason, and nothing is
   written for it (a half-read feed would mark items seen that were never imported).
3. An item's identity is its GUID/Atom id, else its link; items with neither are skipped
   and said so. Items already in the seen record are skipped.
4. At most ``max_new`` new items become drafts (oldest first); the rest wait for the next
   run. Each draft is ``status = "draft"``: a person approves it.
5. Only items whose draft was written are recorded as seen, so a refused draft (say the
   template made it too long for validation) comes back after the config is fixed.

The seen record is ``feeds.seen.json`` at the workspace root, meant to be committed with
the drafts it produced (see docs/feeds.md for why it is not in ``.soulpost/``).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.errors import InputError
from soulpost.importers.drafts import NewPost

if TYPE_CHECKING:
    from soulpost.config import FeedSettings

SEEN_FILE = "feeds.seen.json"
ADHOC = "adhoc"  # the name of a feed given on the command line rather than configured
SEEN_LIMIT = 2000  # identities kept per feed: far more than any feed lists at once
SUMMARY_LIMIT = 280
_TAG = re.compile(r"<[^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"[ \t\r\f\v]+")


@dataclass
class Item:
    """One feed entry, as plain text fields for the template."""

    ident: str
    fields: dict[str, str]
    published: datetime | None


@dataclass
class FeedResult:
    """What one feed gave: the new posts to write, and notes for the person."""

    source: str
    posts: list[NewPost] = field(default_factory=list)
    idents: dict[str, str] = field(default_factory=dict)  # post origin -> item identity
    notes: list[str] = field(default_factory=list)
    waiting: int = 0


def parse_feed(data: bytes, source: str) -> tuple[str, list[Item]]:
    """The feed's title and its items; an InputError naming *source* when it is malformed."""
    import feedparser

    parsed = feedparser.parse(data)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version"):
        raise _malformed(source, "not an RSS or Atom feed (no <rss>, <feed> or RDF root)")
    if problem is not None and not isinstance(problem, feedparser.CharacterEncodingOverride):
        raise _malformed(source, f"not a well-formed RSS/Atom feed: {_reason(problem)}")
    title = _plain(parsed.feed.get("title", ""))
    items = [_item(entry, title) for entry in parsed.entries]
    return title, [i for i in items if i is not None]


def _reason(problem: Exception) -> str:
    """The XML parser's words, with where (line and column) when it says."""
    get_message = getattr(problem, "getMessage", None)
    message = str(get_message() if get_message else problem)
    line = getattr(problem, "getLineNumber", lambda: None)()
    column = getattr(problem, "getColumnNumber", lambda: None)()
    return f"{message} at line {line}, column {column}" if line else message


def _malformed(source: str, problem: str) -> InputError:
    """The error for *source*: a URL is named as the key (it is no path), a file as path."""
    where: dict[str, Any] = {"key": source} if "://" in source else {"path": source}
    return InputError(
        problem, **where, hint="fix the feed (a feed validator shows where); nothing was imported"
    )


def _item(entry: Any, feed_title: str) -> Item | None:
    ident = str(entry.get("id") or entry.get("link") or "").strip()
    if not ident:
        return None
    published = None
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if stamp is not None:
        year, month, day, hour, minute, second = stamp[:6]
        published = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    summary = _plain(entry.get("summary", ""))
    if len(summary) > SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 1].rsplit(" ", 1)[0] + "…"
    fields = {
        "title": _plain(entry.get("title", "")),
        "link": _plain(entry.get("link", "")),
        "summary": summary,
        "author": _plain(entry.get("author", "")),
        "feed": feed_title,
        "published": published.date().isoformat() if published else "",
    }
    return Item(ident, fields, published)


def _plain(value: Any) -> str:
    """Text without markup, entities or control characters, on one line per paragraph."""
    text = html.unescape(_TAG.sub(" ", str(value)))
    text = _CONTROL.sub("", text)
    lines = [_SPACE.sub(" ", line).strip() for line in text.splitlines()]
    return " ".join(line for line in lines if line)


def render(template: str, item: Item) -> str:
    """The draft's text: *template* filled with the item's fields (checked at config load)."""
    return template.format_map(item.fields).strip()


# -- the seen record -------------------------------------------------------------------------


def load_seen(root: Path) -> dict[str, dict[str, str]]:
    """feed key -> {item identity: when it was imported}; an unreadable record is an error
    (importing on would bring back every item it lists)."""
    path = root / SEEN_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(
            f"cannot read the record of imported feed items: {exc}",
            path=path,
            hint="restore it from git; deleting it re-imports every item",
        ) from None
    feeds = data.get("feeds") if isinstance(data, dict) else None
    if not isinstance(feeds, dict):
        raise InputError('expected {"version": 1, "feeds": {...}}', path=path)
    return {str(k): dict(v) for k, v in feeds.items() if isinstance(v, dict)}


def save_seen(root: Path, seen: dict[str, dict[str, str]]) -> None:
    """Write the record atomically, one item per line, sorted, for readable diffs."""
    from soulpost.filesafe import replace_file, write_new_file

    trimmed = {
        key: dict(sorted(items.items(), key=lambda kv: kv[1])[-SEEN_LIMIT:])
        for key, items in sorted(seen.items())
    }
    text = json.dumps({"version": 1, "feeds": trimmed}, indent=1, sort_keys=True) + "\n"
    path = root / SEEN_FILE
    if path.exists():
        replace_file(path, text, root=root)
    else:
        write_new_file(path, text)


# -- one feed --------------------------------------------------------------------------------


def new_posts(
    feed: FeedSettings, items: list[Item], seen: dict[str, str], default_platforms: list[str]
) -> FeedResult:
    """The drafts for *feed*'s unseen items, oldest first, at most ``max_new``."""
    result = FeedResult(feed.url)
    fresh = [i for i in items if i.ident not in seen]
    fresh.sort(key=lambda i: i.published or datetime.max.replace(tzinfo=UTC))
    result.waiting = max(0, len(fresh) - feed.max_new)
    for item in fresh[: feed.max_new]:
        text = render(feed.template, item)
        data: dict[str, Any] = {"text": text + "\n", "status": "draft"}
        platforms = feed.platforms or default_platforms
        if platforms:
            data["platforms"] = list(platforms)
        named = [f"feed:{feed.name}"] if feed.name != ADHOC else []
        data["tags"] = list(dict.fromkeys([*feed.tags, *named]))
        origin = f"{feed.name if feed.name != ADHOC else feed.url}: item {item.ident}"
        result.posts.append(NewPost(data, origin, slug_from=item.fields["title"] or None))
        result.idents[origin] = item.ident
    return result
