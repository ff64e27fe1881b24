"""``soulpost site OUT/``: a static, self-contained HTML review site.

Shaped like datasette's pages: Jinja2 templates with autoescape on, found first in the
workspace's own ``templates/`` folder (or ``--templates DIR``) and then in the packaged
``soulpost/review/templates/``, so a team can restyle one partial without forking; views
are pure functions that turn a :class:`~soulpost.review.model.Review` into plain dicts.
Nothing is fetched: the stylesheet ships with the package, images are copied into
``OUT/media/`` (only files inside the workspace), and every link is relative, so the site
opens from disk, as a CI artifact or on any static host.

Writing is :mod:`soulpost.review.sitewriter`'s. Pages: ``index.html`` (what needs a
person, the months, what is next), one page per month and per week (a calendar), and one
page per post (``posts/ID.html``) with a preview card per network, the findings beside
them, and receipts once published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from itertools import islice
from pathlib import Path
from types import SimpleNamespace as View
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from soulpost.review.calendar import SYMBOLS, short_id
from soulpost.review.model import STATES
from soulpost.review.richtext import runs
from soulpost.review.templating import direct_macro, output_escape

if TYPE_CHECKING:
    from collections.abc import Callable

    from jinja2 import Environment

    from soulpost.review.model import Card, PostView, Review

ATTENTION = ("blocked", "failed", "missed", "in doubt")
_NEEDS_PERSON = frozenset(ATTENTION)


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
    if len(part_runs) == 1 and part_runs[0].kind == "text":
        return Markup(output_escape(part_runs[0].text))  # the usual part: plain text
    # Each value escaped and joined: what Markup(...).format(...) makes, without the
    # string.Formatter it runs in Python (a tenth of composing a card), and without a
    # Markup per piece (output_escape gives MarkupSafe's text).
    esc = output_escape
    out: list[str] = []
    for r in part_runs:
        if r.kind == "text":
            out.append(esc(r.text))
        elif r.kind == "link":
            out.append(
                f'<a href="{esc(r.href)}" rel="nofollow noopener" target="_blank" '
                f'data-raw="{esc(r.raw)}">{esc(r.text)}</a>'
            )
        else:
            out.append(f'<span class="{esc(r.kind)}">{esc(r.text)}</span>')
    return Markup("".join(out))  # every piece is escaped already


def environment(template_dir: Path | None, cache_folder: Path | None = None) -> Environment:
    """Workspace templates first, packaged ones second; autoescape always on. The packaged
    templates' code is kept in *cache_folder* (default: beside them, see
    :mod:`soulpost.review.templatecache`)."""
    from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader

    from soulpost.review.templatecache import PackagedTemplateCache
    from soulpost.review.templating import SiteEnvironment

    loaders: list[Any] = []
    if template_dir is not None and template_dir.is_dir():
        loaders.append(FileSystemLoader(str(template_dir)))
    loaders.append(PackageLoader("soulpost.review", "templates"))
    env = SiteEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # A run's templates do not change while it runs: without this, every page that
        # extends base.html would stat its file twice to see whether it did.
        auto_reload=False,
        # A site renders a handful of templates: a plain dict holds them all (the default,
        # a 400-entry LRU behind a lock, is asked again by every page that extends one).
        cache_size=-1,
        # The packaged templates' compiled code, kept beside them as .pyc files are (a
        # workspace's own templates are compiled from their text every run).
        bytecode_cache=PackagedTemplateCache(folder=cache_folder),
    )
    env.globals["symbols"] = SYMBOLS
    env.globals["badge"] = {k: Markup(v) for k, v in BADGES.items()}
    return env


# -- views: Review -> plain data ---------------------------------------------------------
#
# Views are namespaces rather than dicts: Jinja reads ``card.platform`` by trying the
# attribute first, and on a dict that fails with an exception before the key is looked
# up, eight times slower; with about 150 such reads a post page, it was a third of
# rendering 10,000 pages. ``card["platform"]`` works on them too.


@dataclass(slots=True)
class Brief:
    """What the overview, month and week pages show of one post: its time, first line,
    number of findings and each card's (platform, state). The page writers compose the
    cards, so they send the states back; everything else is known before."""

    id: str
    at: datetime | None
    local: datetime | None
    text: str
    findings: int
    cards: list[tuple[str, str]] = field(default_factory=list)
    #: The forms of its time once its page made them (its calendar entry shows two).
    time: Any = None

    @property
    def states(self) -> list[str]:
        return sorted({state for _, state in self.cards}, key=STATES.index)

    @property
    def platforms(self) -> list[str]:
        return [platform for platform, _ in self.cards]


_DAY_NAMES: dict[date, str] = {}  # a day as When.text names it


class When:
    """A post's time as pages show it; each form is made only when a page shows it (a
    calendar entry shows two of the three, and 10,000 entries are rendered)."""

    __slots__ = ("local",)

    def __init__(self, local: datetime | None) -> None:
        self.local = local

    @property
    def iso(self) -> str:
        return self.local.isoformat() if self.local else ""

    @property
    def text(self) -> str:
        """``local.strftime("%A %d %B %Y, %H:%M %Z")``, the date part formatted once per
        day (strftime with a zone's name was most of making a post page's times)."""
        local = self.local
        if local is None:
            return "no time (no free slot)"
        day = local.date()
        named = _DAY_NAMES.get(day)
        if named is None:
            named = _DAY_NAMES[day] = day.strftime("%A %d %B %Y")
        return f"{named}, {local.hour:02d}:{local.minute:02d} {local.tzname() or ''}"

    @property
    def short(self) -> str:
        local = self.local  # what strftime("%H:%M") says, without parsing a format
        return f"{local.hour:02d}:{local.minute:02d}" if local else "—"

    def made(self) -> View:
        """Every form, made now: a post page shows them once per card and part."""
        return View(iso=self.iso, text=self.text, short=self.short)


def _time(post: PostView | Brief) -> When:
    return When(post.local)


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


_SEPARATOR = " · "  # between the lengths of a part


class Fragments:
    """The pieces of a post page that repeat from post to post (a card's head, its author
    line, a part's images and lengths, a finding, a calendar entry's badges), rendered by
    the macros of ``_post_parts.html`` once per distinct input and kept.

    Each is keyed by everything its macro reads. With autoescape every ``{{ }}`` costs an
    escape and a Markup; a post page had about 120 of them, most repeating what the
    previous page said. The pages are the same, byte for byte."""

    def __init__(self, env: Environment) -> None:
        self._macros = env.get_template("_post_parts.html").module
        self._kept: dict[str, dict[tuple[Any, ...], Markup]] = {}
        self._lengths: dict[tuple[Any, ...], Markup] = {}
        self._calls: dict[str, Callable[..., Any]] = {}

    def _call(self, name: str, arity: int) -> Callable[..., Any]:
        """The macro *name*, called with *arity* arguments (see
        :func:`~soulpost.review.templating.direct_macro`)."""
        call = self._calls.get(name)
        if call is None:
            call = self._calls[name] = direct_macro(getattr(self._macros, name), arity)
        return call

    def get(self, name: str, key: tuple[Any, ...], *args: Any) -> Markup:
        kept = self._kept.get(name)
        if kept is None:
            kept = self._kept[name] = {}
        found = kept.get(key)
        if found is None:
            found = kept[key] = Markup(self._call(name, len(args))(*args))
        return found

    def render(self, name: str, *args: Any) -> Markup:
        """A macro's output not worth keeping (it differs from post to post)."""
        made: Markup = self._call(name, len(args))(*args)
        return made

    def lengths(self, counts: tuple[Any, ...]) -> Markup:
        """A part's lengths, each by the ``count`` macro, joined (a page shows one line of
        them per part; most parts of a queue share a handful of lines)."""
        found = self._lengths.get(counts)
        if found is None:
            # Every piece is Markup already: str.join, not Markup.join (which escapes each).
            pieces = [self.get("count", (c.unit, c.count, c.limit), c) for c in counts]
            found = self._lengths[counts] = Markup(_SEPARATOR.join(pieces))
        return found


def part_views(card: Card, media_ok: set[str], parts_of: Fragments) -> list[View]:
    """The views of *card*'s parts: they do not depend on its state or findings, so the
    site makes them while the linter still runs."""
    platform = card.platform
    parts = []
    for part in card.parts:
        facets = [f for f in part.facets if isinstance(f, dict)]
        media = [
            View(src=m.path if m.path in media_ok else None, alt=m.alt, path=m.path)
            for m in part.media
        ]
        view = View(
            index=part.index,
            html=text_html(runs(part.shown, platform, facets=facets)),
            media=media,
            counts=part.counts,
            over=part.over,
        )
        if media:
            key = tuple((m.src, m.alt, m.path) for m in media)
            view.media_html = parts_of.get("media", key, view, "../")
        else:
            view.media_html = ""
        view.lengths = parts_of.lengths(part.counts)
        parts.append(view)
    return parts


def card_view(
    card: Card,
    zone: tzinfo,
    media_ok: set[str],
    parts_of: Fragments,
    time: View,
) -> View:
    """*card* as pages show it, but for what its findings decide (its state, reason and
    head: :func:`judge_card_view`); its parts and receipt (``body``) are rendered now, so
    the page writers do that while the linter still runs. *time*: the forms of its post's
    time."""
    view = View(
        platform=card.platform,
        title=card.title,
        error=card.error,
        url=card.url,
        # Only web addresses become links (an outbox receipt is "outbox:KEY"; a ledger row
        # is data, and a "javascript:" URL must never be clickable).
        href=card.url if card.url and card.url.startswith(("https://", "http://")) else None,
        remote_id=card.remote_id,
        published_at=card.published_at.isoformat() if card.published_at else None,
        published_text=(
            card.published_at.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")
            if card.published_at
            else None
        ),
        edited=card.edited,
        author=_author(card),
        handle=_handle(card),
        parts=part_views(card, media_ok, parts_of),
    )
    view.byline = parts_of.get("byline", (view.author, view.handle), view)
    view.body = parts_of.render("body", view, time)
    return view


def judge_card_view(view: View, card: Card, parts_of: Fragments) -> View:
    """*view* (from :func:`card_view`) given what *card*'s findings decided."""
    view.state, view.reason, view.findings = card.state, card.reason, len(card.findings)
    shown = card.reason if card.state != "approved" else ""
    key = (card.platform, card.title, card.state, shown, card.error)
    view.head = parts_of.get("head", key, view)
    return view


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


def page_view(
    post: PostView,
    zone: tzinfo,
    media_ok: set[str],
    nav: View,
    parts_of: Fragments,
) -> View:
    """What post.html shows of *post* before its findings are known (see
    :func:`judge_page`)."""
    time = _time(post).made()
    return View(
        post=post,
        time=time,
        cards=[card_view(c, zone, media_ok, parts_of, time) for c in post.cards],
        findings=[],
        findings_html=Markup(""),
        nav=nav,
        week=week_key(post.local.date()) if post.local else None,
        month=month_key(post.local) if post.local else None,
    )


def judge_page(
    page: View, post: PostView, parts_of: Fragments, findings_html: Markup | None = None
) -> View:
    """*page* (from :func:`page_view`) given *post*'s findings and its cards' states
    (:func:`soulpost.review.model.judge_post`); *findings_html*: the findings rendered
    and joined, when they are already."""
    for view, card in zip(page.cards, post.cards, strict=True):
        judge_card_view(view, card, parts_of)
    page.findings = post.findings
    if findings_html is None:
        findings = post.findings
        findings_html = Markup("".join([parts_of.get("finding", (f,), f) for f in findings]))
    page.findings_html = findings_html
    return page


def month_key(local: datetime) -> str:
    """``local.strftime("%Y-%m")``, without parsing a format."""
    return f"{local.year}-{local.month:02d}"


def entry_view(post: Brief, parts_of: Fragments | None = None, time: Any = None) -> View:
    """A post's calendar entry; *time* is its time's forms when they are made already."""
    view = View(
        id=post.id,
        short=short_id(post.id),
        href=f"posts/{post.id}.html",
        time=time or _time(post),
        states=post.states,
        platforms=post.platforms,
        text=post.text,
        findings=post.findings,
    )
    if parts_of is not None:
        key = (tuple(view.states), tuple(view.platforms), post.findings)
        view.meta = parts_of.get("entry_meta", key, view)
    return view


def month_view(first: date, posts: list[Brief], months: list[str], weeks: set[str]) -> View:
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
            row.append(View(date=cell, inside=inside, posts=by_day.get(cell, [])))
        key = week_key(day)
        rows.append(View(key=key if key in weeks else None, days=row))
        day += timedelta(days=7)
    key = first.strftime("%Y-%m")
    index = months.index(key)
    return View(
        title=first.strftime("%B %Y"),
        key=key,
        weeks=rows,
        prev=months[index - 1] if index > 0 else None,
        next=months[index + 1] if index + 1 < len(months) else None,
        count=len(posts),
    )


def week_view(key: str, posts: list[Brief], weeks: list[str]) -> View:
    monday = date.fromisocalendar(int(key[:4]), int(key[6:]), 1)
    days = []
    for i in range(7):
        day = monday + timedelta(days=i)
        mine = [p.id for p in posts if p.local is not None and p.local.date() == day]
        days.append(View(date=day, posts=mine))
    index = weeks.index(key)
    return View(
        key=key,
        title=f"Week of {monday:%A %d %B %Y}",
        days=days,
        prev=weeks[index - 1] if index > 0 else None,
        next=weeks[index + 1] if index + 1 < len(weeks) else None,
        # the month page of the week's first post (a week may start in a month with none)
        month=next(p.local.strftime("%Y-%m") for p in posts if p.local is not None),
    )


def index_view(review: Review, posts: list[Brief], months: list[str], weeks: list[str]) -> View:
    counts: dict[str, int] = {}
    for post in posts:
        for _, state in post.cards:
            counts[state] = counts.get(state, 0) + 1
    # Views only for the entries shown: with 10,000 posts nearly all are upcoming.
    attention = [p for p in posts if not _NEEDS_PERSON.isdisjoint(p.states)]
    upcoming = islice((p for p in posts if p.at is not None and p.at >= review.now), 50)
    return View(
        counts=counts,
        attention=[entry_view(p) for p in attention[:200]],
        attention_total=len(attention),
        upcoming=[entry_view(p) for p in upcoming],
        months=[View(key=m, title=date.fromisoformat(m + "-01").strftime("%B %Y")) for m in months],
        unscheduled=[entry_view(p) for p in posts if p.at is None],
        posts=len(posts),
        weeks=weeks,
        current_week=week_key(review.local(review.now).date()),
    )


def groups(posts: list[Brief]) -> tuple[dict[str, list[Brief]], dict[str, list[Brief]]]:
    """The posts of each month and of each ISO week that has any."""
    months: dict[str, list[Brief]] = {}
    weeks: dict[str, list[Brief]] = {}
    for post in posts:
        if post.local is None:
            continue
        months.setdefault(month_key(post.local), []).append(post)
        weeks.setdefault(week_key(post.local.date()), []).append(post)
    return months, weeks
