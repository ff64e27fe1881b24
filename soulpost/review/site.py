"""``soulpost site OUT/``: a static, self-contained HTML review site.

Shaped like datasette's pages: Jinja2 templates with autoescape on, found first in the
workspace's own ``templates/`` folder (or ``--templates DIR``) and then in the packaged
``soulpost/review/templates/``, so a team can restyle one partial without forking; views
are pure functions that turn a :class:`~soulpost.review.model.Review` into plain dicts.
Nothing is fetched: the stylesheet ships with the package, images are copied into
``OUT/media/`` (only files inside the workspace), and every link is relative, so the site
opens from disk, as a CI artifact or on any static host.

Pages: ``index.html`` (what needs a person, the months, what is next), one page per month
and per week (a calendar), and one page per post (``posts/ID.html``) with a preview card per
network, the findings beside them, and receipts once published.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from soulpost.review.calendar import SYMBOLS, short_id
from soulpost.review.richtext import runs

if TYPE_CHECKING:
    from jinja2 import Environment

    from soulpost.review.model import Card, PostView, Review

ATTENTION = ("blocked", "failed", "missed", "in doubt")


def _badge(state: str) -> str:
    return (
        f'<span class="state state-{state.replace(" ", "-")}"><span aria-hidden="true">'
        f"{SYMBOLS.get(state, '?')}</span> {state}</span>"
    )


# State badges and a part's text are built here, escaped once, rather than by template
# macros: with 10,000 post pages the macro calls were most of the site's run time.
BADGES = {state: _badge(state) for state in (*SYMBOLS, "unscheduled")}


def text_html(part_runs: list[Any]) -> Markup:
    """A part's runs as HTML: links open elsewhere; tags and mentions are marked."""
    out = []
    for r in part_runs:
        if r.kind == "text":
            out.append(escape(r.text))
        elif r.kind == "link":
            out.append(
                Markup(
                    '<a href="{}" rel="nofollow noopener" target="_blank" data-raw="{}">{}</a>'
                ).format(r.href, r.raw, r.text)
            )
        else:
            out.append(Markup('<span class="{}">{}</span>').format(r.kind, r.text))
    return Markup("").join(out)


def environment(template_dir: Path | None) -> Environment:
    """Workspace templates first, packaged ones second; autoescape always on."""
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader

    loaders: list[Any] = []
    if template_dir is not None and template_dir.is_dir():
        loaders.append(FileSystemLoader(str(template_dir)))
    loaders.append(PackageLoader("soulpost.review", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.globals["symbols"] = SYMBOLS
    env.globals["badge"] = {k: Markup(v) for k, v in BADGES.items()}
    return env


# -- views: Review -> plain data ---------------------------------------------------------


def _time(review: Review, post: PostView) -> dict[str, str]:
    if post.local is None:
        return {"iso": "", "text": "no time (no free slot)", "short": "—"}
    return {
        "iso": post.local.isoformat(),
        "text": post.local.strftime("%A %d %B %Y, %H:%M %Z"),
        "short": post.local.strftime("%H:%M"),
    }


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def card_view(card: Card, zone: tzinfo, media_ok: set[str]) -> dict[str, Any]:
    parts = []
    for part in card.parts:
        facets = [f for f in part.facets if isinstance(f, dict)]
        parts.append(
            {
                "index": part.index,
                "html": text_html(runs(part.shown, card.platform, facets=facets)),
                "media": [
                    {"src": m.path if m.path in media_ok else None, "alt": m.alt, "path": m.path}
                    for m in part.media
                ],
                "counts": part.counts,
                "over": part.over,
            }
        )
    return {
        "platform": card.platform,
        "title": card.title,
        "state": card.state,
        "reason": card.reason,
        "error": card.error,
        "url": card.url,
        # Only web addresses become links (an outbox receipt is "outbox:KEY"; a ledger row
        # is data, and a "javascript:" URL must never be clickable).
        "href": card.url if card.url and card.url.startswith(("https://", "http://")) else None,
        "remote_id": card.remote_id,
        "published_at": card.published_at.isoformat() if card.published_at else None,
        "published_text": (
            card.published_at.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")
            if card.published_at
            else None
        ),
        "edited": card.edited,
        "author": _author(card),
        "handle": _handle(card),
        "parts": parts,
        "findings": len(card.findings),
    }


def _author(card: Card) -> str:
    """The display name on a card: the account's local part (``@me@host`` -> ``me``)."""
    account = (card.account or "").lstrip("@")
    if card.platform == "mastodon":
        account = account.split("@")[0]
    return account or "your account"


def _handle(card: Card) -> str | None:
    """The ``@handle`` line of the networks that show one."""
    account = (card.account or "").lstrip("@")
    if account and card.platform in ("mastodon", "bluesky", "x"):
        return "@" + account
    return None


def post_view(
    review: Review, post: PostView, media_ok: set[str], nav: dict[str, Any]
) -> dict[str, Any]:
    return {
        "post": post,
        "time": _time(review, post),
        "cards": [card_view(c, review.zone, media_ok) for c in post.cards],
        "findings": post.findings,
        "nav": nav,
        "week": week_key(post.local.date()) if post.local else None,
        "month": post.local.strftime("%Y-%m") if post.local else None,
    }


def _entry(review: Review, post: PostView) -> dict[str, Any]:
    return {
        "id": post.id,
        "short": short_id(post.id),
        "href": f"posts/{post.id}.html",
        "time": _time(review, post),
        "states": post.states,
        "platforms": [c.platform for c in post.cards],
        "text": post.text,
        "findings": len(post.findings),
    }


def month_view(
    review: Review, first: date, posts: list[PostView], months: list[str], weeks: set[str]
) -> dict[str, Any]:
    start = first - timedelta(days=first.weekday())
    nxt = (first + timedelta(days=32)).replace(day=1)
    by_day: dict[date, list[str]] = {}
    for post in posts:
        assert post.local is not None
        by_day.setdefault(post.local.date(), []).append(post.id)
    rows = []
    day = start
    while day < nxt:
        row = []
        for i in range(7):
            cell = day + timedelta(days=i)
            inside = first <= cell < nxt
            row.append({"date": cell, "inside": inside, "posts": by_day.get(cell, [])})
        key = week_key(day)
        rows.append({"key": key if key in weeks else None, "days": row})
        day += timedelta(days=7)
    key = first.strftime("%Y-%m")
    index = months.index(key)
    return {
        "title": first.strftime("%B %Y"),
        "key": key,
        "weeks": rows,
        "prev": months[index - 1] if index > 0 else None,
        "next": months[index + 1] if index + 1 < len(months) else None,
        "count": len(posts),
    }


def week_view(review: Review, key: str, posts: list[PostView], weeks: list[str]) -> dict[str, Any]:
    monday = date.fromisocalendar(int(key[:4]), int(key[6:]), 1)
    days = []
    for i in range(7):
        day = monday + timedelta(days=i)
        mine = [p.id for p in posts if p.local is not None and p.local.date() == day]
        days.append({"date": day, "posts": mine})
    index = weeks.index(key)
    return {
        "key": key,
        "title": f"Week of {monday:%A %d %B %Y}",
        "days": days,
        "prev": weeks[index - 1] if index > 0 else None,
        "next": weeks[index + 1] if index + 1 < len(weeks) else None,
        # the month page of the week's first post (a week may start in a month with none)
        "month": next(p.local.strftime("%Y-%m") for p in posts if p.local is not None),
    }


def index_view(review: Review, months: list[str], weeks: list[str]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for post in review.posts:
        for card in post.cards:
            counts[card.state] = counts.get(card.state, 0) + 1
    attention = [_entry(review, p) for p in review.posts if set(p.states) & set(ATTENTION)]
    upcoming = [_entry(review, p) for p in review.posts if p.at is not None and p.at >= review.now]
    return {
        "counts": counts,
        "attention": attention[:200],
        "attention_total": len(attention),
        "upcoming": upcoming[:50],
        "months": [
            {"key": m, "title": date.fromisoformat(m + "-01").strftime("%B %Y")} for m in months
        ],
        "unscheduled": [_entry(review, p) for p in review.posts if p.at is None],
        "posts": len(review.posts),
        "weeks": weeks,
        "current_week": week_key(review.local(review.now).date()),
    }


# -- writing -----------------------------------------------------------------------------


@dataclass
class SiteReport:
    pages: int = 0
    bytes: int = 0
    media: int = 0
    skipped_media: list[str] | None = None
    removed: list[str] = field(default_factory=list)


def copy_media(review: Review, out: Path) -> tuple[set[str], list[str]]:
    """Copy every image a post names into ``OUT/media/``; only regular files inside the
    workspace (a draft comes by pull request and may name ``/etc/passwd`` or ``../..``)."""
    root = review.root.resolve()
    copied: set[str] = set()
    skipped: list[str] = []
    for path in sorted({m for p in review.posts for m, _ in p.media}):
        source = (root / path).resolve()
        try:
            relative = source.relative_to(root)
        except ValueError:
            skipped.append(f"{path}: outside the workspace, not copied")
            continue
        if not source.is_file():
            skipped.append(f"{path}: no such file")
            continue
        target = out / "media" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copied.add(path)
    return copied, skipped


def _groups(review: Review) -> tuple[dict[str, list[PostView]], dict[str, list[PostView]]]:
    months: dict[str, list[PostView]] = {}
    weeks: dict[str, list[PostView]] = {}
    for post in review.posts:
        if post.local is None:
            continue
        months.setdefault(post.local.strftime("%Y-%m"), []).append(post)
        weeks.setdefault(week_key(post.local.date()), []).append(post)
    return months, weeks


def entry_html(env: Environment, review: Review) -> dict[str, Markup]:
    """Each post's calendar entry, rendered once (``_entry.html``) for the month and week
    pages, which list every post: rendering it per page was most of their cost."""
    template = env.get_template("_entry.html")
    return {
        p.id: Markup(template.render(e=_entry(review, p), root="../", badge=BADGES))
        for p in review.posts
    }


def calendar_pages(review: Review, env: Environment) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(file, template, context) of the overview, month and week pages."""
    html = entry_html(env, review)
    months, weeks = _groups(review)
    month_keys, week_keys = sorted(months), sorted(weeks)
    yield "index.html", "index.html", {"view": index_view(review, month_keys, week_keys)}
    for key in month_keys:
        first = date.fromisoformat(key + "-01")
        view = month_view(review, first, months[key], month_keys, set(week_keys))
        yield f"months/{key}.html", "month.html", {"view": view, "entries": html}
    for key in week_keys:
        view = week_view(review, key, weeks[key], week_keys)
        yield f"weeks/{key}.html", "week.html", {"view": view, "entries": html}


def post_page(review: Review, index: int, media_ok: set[str]) -> tuple[str, dict[str, Any]]:
    """The file name and context of the page of ``review.posts[index]``."""
    posts = review.posts
    nav = {
        "prev": posts[index - 1].id if index > 0 else None,
        "next": posts[index + 1].id if index + 1 < len(posts) else None,
    }
    post = posts[index]
    return f"posts/{post.id}.html", {"view": post_view(review, post, media_ok, nav)}


@dataclass
class _Job:
    """What forked page writers share (set before forking, read in the children)."""

    review: Review
    out: Path
    media_ok: set[str]
    template_dir: Path | None
    common: dict[str, Any]


# The job of the forked page writers: set just before forking, read in the children.
_SHARED: dict[str, _Job] = {}
PARALLEL_PAGES = 2000  # below this many posts one process writes every page


def _write_posts(bounds: tuple[int, int]) -> tuple[int, int]:
    """Write the post pages ``bounds[0]:bounds[1]``; (pages, bytes)."""
    job = _SHARED["job"]
    template = environment(job.template_dir).get_template("post.html")
    pages = size = 0
    for i in range(*bounds):
        name, context = post_page(job.review, i, job.media_ok)
        data = template.render(root="../", page=name, **job.common, **context).encode("utf-8")
        (job.out / name).write_bytes(data)
        pages += 1
        size += len(data)
    return pages, size


def _write_all_posts(job: _Job, meanwhile: Callable[[], tuple[int, int]]) -> tuple[int, int]:
    """Post pages across the machine's cores (forked, sharing the review), else here;
    *meanwhile* (the calendar pages) runs in this process while the workers write."""
    from soulpost.workspace import fork_workers

    count = len(job.review.posts)
    workers = fork_workers(count, PARALLEL_PAGES)
    _SHARED["job"] = job
    try:
        if workers:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            step = -(-count // (workers * 2))
            chunks = [(i, min(count, i + step)) for i in range(0, count, step)]
            import gc

            # Freeze what exists now: the collector then never walks (and so never copies)
            # the review's pages in the children; 10,000 posts are a lot of objects.
            gc.freeze()
            try:
                context = multiprocessing.get_context("fork")
                pool = ProcessPoolExecutor(workers, mp_context=context)
            except (OSError, RuntimeError, ValueError):
                pass  # no fork or no semaphores here: write every page in this process
            else:
                with pool:
                    running = pool.map(_write_posts, chunks)  # submits every chunk now
                    here = meanwhile()
                    done = [here, *running]
                return sum(d[0] for d in done), sum(d[1] for d in done)
        here = meanwhile()
        pages, size = _write_posts((0, count))
        return here[0] + pages, here[1] + size
    finally:
        _SHARED.clear()


def _write_calendar_pages(
    review: Review, env: Environment, out: Path, common: dict[str, Any]
) -> tuple[int, int]:
    pages = size = 0
    for name, template, context in calendar_pages(review, env):
        depth = name.count("/")
        html = env.get_template(template).render(root="../" * depth, page=name, **common, **context)
        data = html.encode("utf-8")
        (out / name).write_bytes(data)
        pages += 1
        size += len(data)
    return pages, size


MARKER = ".soulpost-site"


def remove_stale(review: Review, out: Path) -> list[str]:
    """Pages an earlier run wrote for posts, months and weeks that are gone now.

    Only in a folder soulpost wrote before (it holds :data:`MARKER`), and only ``*.html``
    in its ``posts/``, ``months/`` and ``weeks/``: OUT is whatever the user typed."""
    if not (out / MARKER).is_file():
        return []
    months, weeks = _groups(review)
    keep = {
        "posts": {f"{p.id}.html" for p in review.posts},
        "months": {f"{k}.html" for k in months},
        "weeks": {f"{k}.html" for k in weeks},
    }
    removed = []
    for sub, names in keep.items():
        for page in (out / sub).glob("*.html"):
            if page.name not in names and page.is_file() and not page.is_symlink():
                page.unlink()
                removed.append(f"{sub}/{page.name}")
    return removed


def write_site(review: Review, out: Path, *, template_dir: Path | None = None) -> SiteReport:
    """Write the site into *out* (created; files of an earlier run are replaced, and the
    pages of posts removed since are deleted)."""
    env = environment(template_dir)
    for sub in ("posts", "months", "weeks", "static"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    report = SiteReport()
    media_ok, report.skipped_media = copy_media(review, out)
    report.media = len(media_ok)
    static = Path(__file__).with_name("static")
    for asset in static.iterdir():
        if asset.is_file():
            shutil.copyfile(asset, out / "static" / asset.name)
            report.bytes += asset.stat().st_size
    local = review.local(review.now)
    common = {
        "generated": local.replace(microsecond=0).isoformat(),
        "generated_text": local.strftime("%a %d %b %Y %H:%M %Z"),
        "timezone": review.timezone,
    }
    job = _Job(review, out, media_ok, template_dir, common)
    pages, size = _write_all_posts(job, lambda: _write_calendar_pages(review, env, out, common))
    report.pages += pages
    report.bytes += size
    report.removed = remove_stale(review, out)
    (out / MARKER).write_text(
        "written by `soulpost site`; its pages are replaced\n", encoding="utf-8"
    )
    return report
