"""One import run from source to linted drafts, for the CLI (and tests) to drive.

:func:`import_feeds` reads each feed, writes the new items' drafts and records them as seen;
:func:`import_rows` writes the valid rows of a CSV file. Both return an :class:`Outcome`
the command prints: what was written, what was refused and why, and the lint report of
the new drafts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.errors import InputError
from soulpost.importers.drafts import NewPost, Written, lint_written, write_posts

if TYPE_CHECKING:
    from soulpost.config import FeedSettings
    from soulpost.lint.model import Report
    from soulpost.workspace import Workspace


@dataclass
class Outcome:
    """What an import did, for the command to print."""

    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # refused rows or items (exit 1)
    broken: list[str] = field(default_factory=list)  # whole sources that failed (exit 2)
    notes: list[str] = field(default_factory=list)
    lint_text: str = ""
    lint: Report | None = None


def resolve_feeds(
    ws: Workspace, sources: list[str], template: str | None
) -> list[tuple[FeedSettings, str]]:
    """The feeds to read, each with its key in the seen record: every configured feed when
    *sources* is empty; else each source as a configured feed's name or URL, or an ad hoc
    URL/file (keyed by itself) with *template* or the default one."""
    from soulpost.config import FeedSettings, check_template
    from soulpost.importers.feed import ADHOC

    if template is not None:
        try:
            check_template(template, ("title", "link", "summary", "author", "feed", "published"))
        except ValueError as exc:
            raise InputError(str(exc), key="--template") from None
    configured = ws.settings.feeds
    if not sources:
        if not configured:
            raise InputError(
                "no feeds configured and none given",
                key="feeds",
                hint='add [[feeds]] name = "blog", url = "https://..." to config.toml, '
                "or pass a URL or file",
            )
        chosen = [(f, f.name) for f in configured]
    else:
        chosen = []
        for source in sources:
            match = next((f for f in configured if source in (f.name, f.url)), None)
            if match is not None:
                chosen.append((match, match.name))
            else:
                chosen.append((FeedSettings(name=ADHOC, url=source), source))
    if template is not None:
        chosen = [(f.model_copy(update={"template": template}), key) for f, key in chosen]
    return chosen


def import_feeds(ws: Workspace, feeds: list[tuple[FeedSettings, str]], *, now: datetime) -> Outcome:
    """Import every feed in *feeds*; a broken one is reported and the others go on."""
    from soulpost.importers.feed import load_seen, new_posts, parse_feed, save_seen
    from soulpost.importers.fetch import read_source

    outcome = Outcome()
    seen = load_seen(ws.root)
    changed = False
    for feed, key in feeds:
        try:
            _, items = parse_feed(read_source(feed.url, ws.root), feed.url)
        except InputError as exc:
            outcome.broken.append(exc.render(ws.root))
            continue
        result = new_posts(feed, items, seen.get(key, {}), list(ws.settings.default_platforms))
        if feed.schedule == "next-slot":
            _give_slots(ws, result.posts, now)
        written = write_posts(ws, result.posts, now=now)
        _record(outcome, written)
        record = seen.setdefault(key, {})
        for post in result.posts:
            if post.post_id in written.ids or post.origin in written.twins:
                record[result.idents[post.origin]] = now.isoformat(timespec="seconds")
                changed = True
        label = feed.name if key == feed.name else feed.url
        outcome.notes.append(
            f"{label}: {len(written.ids)} new draft(s) from {len(items)} item(s)"
            + (f"; {result.waiting} more at the next run (max_new)" if result.waiting else "")
        )
    if changed:
        save_seen(ws.root, seen)
    _lint(ws, outcome, now)
    return outcome


def _record(outcome: Outcome, written: Written) -> None:
    outcome.written.extend(written.paths)
    outcome.problems.extend(written.problems)
    outcome.notes.extend(written.skipped)


def _lint(ws: Workspace, outcome: Outcome, now: datetime) -> None:
    outcome.lint_text, outcome.lint = lint_written(ws.root, outcome.written, now)


def _give_slots(ws: Workspace, posts: list[NewPost], now: datetime) -> None:
    """Write the next free slot as each post's ``at``, one after another (as ``soulpost add
    --next-slot`` would, counting the slots given to the posts before it)."""
    from soulpost.plan import next_free_slot
    from soulpost.posts import Post

    queue: list[Any] = list(ws.posts)
    reserved = _reserved(ws)
    zone = ws.settings.zone()
    for n, new in enumerate(posts):
        platforms = new.data.get("platforms") or list(ws.settings.default_platforms)
        slot = next_free_slot(queue, ws.settings, platforms, now, reserved)
        if slot is None:
            continue  # no slots configured: the post keeps no `at` and plans like any other
        new.data["at"] = slot.astimezone(zone).replace(tzinfo=None) if zone else slot
        queue.append(
            Post.model_validate(
                {"id": f"import-{n}", "text": "-", "platforms": platforms, "at": slot}
            )
        )


def _reserved(ws: Workspace) -> dict[str, datetime]:
    from soulpost.ledger import DB_NAME, open_ledger

    if not (ws.state_dir / DB_NAME).exists():
        return {}
    ledger = open_ledger(ws.state_dir, backend=ws.settings.publish.ledger, read_only=True)
    try:
        return ledger.slots()
    finally:
        ledger.close()


def import_rows(
    ws: Workspace, posts: list[NewPost], problems: list[str], *, now: datetime, force: bool
) -> Outcome:
    """Write the posts of a CSV file's valid rows; *problems* are its refused rows."""
    outcome = Outcome(problems=list(problems))
    _record(outcome, write_posts(ws, posts, now=now, force=force))
    _lint(ws, outcome, now)
    return outcome
