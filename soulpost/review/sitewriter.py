"""Writing the review site (``soulpost site OUT/``; the views are :mod:`soulpost.review.site`).

A post's page needs its cards composed through the adapters (payloads, counted lengths,
states) and then rendered. Posts are independent of each other once the queue is planned
and linted, so both happen in forked page writers, one pass per post: they inherit the
planned review, the adapters and the compiled templates, and only index ranges go to them.
Each renders all of a page its findings do not decide while the linter runs here, and
the rest once they come. Each writes the month and week pages its range holds whole and
sends back what the other pages need of each post (its cards' states, and its calendar
entry, rendered once, where a page left to write lists it); the overview and the pages a
range boundary cuts are written here once those are in (see
:mod:`soulpost.review.calendarpages`). Composing in the parent before forking, as the site
did first, left one core idle for a fifth of the run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace as View
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from soulpost.review.calendarpages import (
    Layout,
    index_page,
    layout,
    month_and_week_pages,
    write_pages,
)
from soulpost.review.model import judge_post
from soulpost.review.model import post_view as compose_post
from soulpost.review.site import (
    Brief,
    Fragments,
    entry_view,
    environment,
    groups,
    judge_page,
    page_view,
)
from soulpost.review.templating import direct_macro

if TYPE_CHECKING:
    from jinja2 import Environment, Template

    from soulpost.review.forked import Bounds
    from soulpost.review.model import FindingView, Pending, PostView, Review
    from soulpost.review.payloads import Renderers
    from soulpost.workspace import Workspace

MARKER = ".soulpost-site"
PARALLEL_PAGES = 2000  # below this many posts one process writes every page
# The packaged templates every run renders: compiled once, before the writers fork.
TEMPLATES = (
    "base.html", "post.html", "_entry.html", "_post_parts.html", "index.html", "month.html",
    "week.html",
)  # fmt: skip

# Each post's cards as (platform, state), and its calendar entry's HTML.
Written = tuple[list[tuple[str, str]], str]
# The findings sent to a page writer: the distinct ones, and each post's indexes into them.
Packed = tuple[list["FindingView"], list[list[int]]]
# Pages written, their bytes, what the calendar pages need of each post (its entry only
# when a page left to write lists it), and the month and week pages written.
Pages = tuple[int, int, list[Written], set[str]]
# A post composed before its findings are known: its view and its page's (cards rendered
# but for their heads; see site.page_view).
Composed = tuple["PostView", View]


@dataclass
class SiteReport:
    pages: int = 0
    bytes: int = 0
    media: int = 0
    skipped_media: list[str] | None = None
    removed: list[str] = field(default_factory=list)


@dataclass
class _Job:
    """What the forked page writers share (set before forking, read in the children)."""

    ws: Workspace
    review: Review
    pending: list[Pending]
    briefs: list[Brief]
    out: Path
    media_ok: set[str]
    env: Environment
    renderers: Renderers
    common: dict[str, Any]
    parts_of: Fragments
    layout: Layout
    #: A writer's posts' findings, rendered and joined, by index (see _finish_range).
    joined: dict[int, Markup] = field(default_factory=dict)


_SHARED: dict[str, _Job] = {}


def copy_media(root: Path, pending: list[Pending], out: Path) -> tuple[set[str], list[str]]:
    """Copy every image a post names into ``OUT/media/``; only regular files inside the
    workspace (a draft comes by pull request and may name ``/etc/passwd`` or ``../..``)."""
    from soulpost.review.model import post_media

    root = root.resolve()
    copied: set[str] = set()
    skipped: list[str] = []
    names: set[str] = set()
    for p in pending:  # post_media's paths, without its list of pairs for every post
        post = p.post
        if post.variants:
            names.update(path for path, _ in post_media(post))
        elif post.media:
            names.update(m.path for m in post.media)
    for path in sorted(names):
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


# Three system calls a page (Python's open() adds an fstat and a terminal check): 10,000
# small files are a good part of the site's system time.
_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)
_DIR_FD = os.open in os.supports_dir_fd


def _write(path: Path | str, data: bytes, folder: int | None = None) -> None:
    """Write *data* to *path*, relative to the open folder *folder* when given (the
    kernel then does not walk the whole path again for each of 10,000 pages)."""
    fd = os.open(path, _FLAGS, 0o666, dir_fd=folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _compose(job: _Job, i: int) -> Composed:
    """``pending[i]``'s cards composed and its page's view made, its cards' parts and
    receipts rendered: all of a page that needs no finding."""
    pending = job.pending
    view = compose_post(job.ws, pending[i], job.renderers, job.review.zone, judged=False)
    nav = View(
        prev=pending[i - 1].post.id if i > 0 else None,
        next=pending[i + 1].post.id if i + 1 < len(pending) else None,
    )
    page = page_view(view, job.review.zone, job.media_ok, nav, job.parts_of)
    return view, page


def _compose_range(bounds: Bounds) -> list[Composed]:
    """A forked writer's first phase, while the linter runs in the parent."""
    job = _SHARED["job"]
    return [_compose(job, i) for i in range(*bounds)]


def _finish_range(bounds: Bounds, composed: list[Composed], message: Packed) -> Pages:
    """A forked writer's second phase: the findings of its posts have come."""
    job = _SHARED["job"]
    distinct, indexes = message
    # Each distinct finding rendered once, and each post's joined from those (looking
    # each finding of each post up again would hash all its fields, in Python).
    shown = [job.parts_of.get("finding", (f,), f) for f in distinct]
    for i, found in zip(range(*bounds), indexes, strict=True):
        job.pending[i].findings = [distinct[k] for k in found]
        job.briefs[i].findings = len(found)
        job.joined[i] = Markup("".join([shown[k] for k in found]))
    pages, size, written, _ = _write_posts(bounds, composed)
    # The month and week pages this range holds whole: written here, and their entries
    # need not cross back (see soulpost.review.calendarpages).
    names = job.layout.inside(*bounds)
    briefs = job.briefs
    entries = {briefs[i].id: Markup(w[1]) for i, w in zip(range(*bounds), written, strict=True)}
    more, extra = write_pages(
        job.env, job.out, job.common, month_and_week_pages(job.layout, entries, names)
    )
    needed = []
    for i, (cards, html) in zip(range(*bounds), written, strict=True):
        where = job.layout.pages_of[i]
        done = where is None or (where[0] in names and where[1] in names)
        needed.append((cards, "" if done else html))
    return pages + more, size + extra, needed, names


def _pack(job: _Job, bounds: Bounds) -> Packed:
    """The findings of ``pending[bounds[0]:bounds[1]]`` as a writer gets them: each
    distinct finding once, and each post's as indexes into those. A 10,000-post queue has
    about 14,000 findings but 2,400 distinct ones; pickling each one was most of the time
    between the linter's end and the writers' second phase."""
    # By identity: the lint gives equal findings one view (model._lint), and two equal
    # views that are not one object would only be sent twice.
    table: dict[int, int] = {}
    distinct: list[FindingView] = []
    indexes = []
    for i in range(*bounds):
        found = []
        for f in job.pending[i].findings:
            k = table.get(id(f))
            if k is None:
                k = table[id(f)] = len(distinct)
                distinct.append(f)
            found.append(k)
        indexes.append(found)
    return distinct, indexes


def _write_posts(bounds: Bounds, composed: list[Composed] | None = None) -> Pages:
    """Render and write the pages of ``pending[bounds[0]:bounds[1]]`` (composing them
    first unless *composed*); (pages, bytes, what the calendar pages need of each)."""
    job = _SHARED["job"]
    page, entry = job.env.get_template("post.html"), entry_renderer(job.env)
    briefs = job.briefs
    written: list[Written] = []
    size = 0
    parts_of = job.parts_of
    folder = os.open(job.out / "posts", os.O_RDONLY) if _DIR_FD else None
    try:
        for k, i in enumerate(range(*bounds)):
            made = composed[k] if composed is not None else _compose(job, i)
            size += _write_post(job, i, made, page, folder)
            brief = briefs[i]
            html = entry(entry_view(brief, parts_of, brief.time), "../")
            written.append((brief.cards, str(html)))  # a str crosses the pipe faster
    finally:
        if folder is not None:
            os.close(folder)
    return len(written), size, written, set()


def entry_renderer(env: Environment) -> Callable[[View, str], str]:
    """What renders a post's calendar entry from its :func:`entry_view` and the way to
    the site's root: ``_entry.html``'s ``entry`` macro, or, for a workspace's own
    ``_entry.html`` written as a page (before the macro), the template itself."""
    template = env.get_template("_entry.html")
    try:  # a page's module is the page rendered without its variables, and may fail
        macro = getattr(template.module, "entry", None)
    except Exception:
        macro = None
    if callable(macro):
        return direct_macro(macro, 2)
    return lambda e, root: template.render(e=e, root=root)


def _write_post(job: _Job, i: int, composed: Composed, page: Template, folder: int | None) -> int:
    """Judge, render and write the page of ``pending[i]``; its size. The post's brief
    gets its cards' states and its time's forms, for its calendar entry."""
    view, context = composed
    judge_post(view, job.pending[i])
    judge_page(context, view, job.parts_of, job.joined.get(i))
    name = f"posts/{view.id}.html"
    data = page.render(root="../", page=name, view=context, **job.common).encode("utf-8")
    if folder is None:
        _write(job.out / name, data)
    else:
        _write(f"{view.id}.html", data, folder)
    brief = job.briefs[i]
    brief.cards = [(c.platform, c.state) for c in view.cards]
    brief.time = context.time
    return len(data)


def _write_all_posts(job: _Job, lint: Callable[[], object] | None) -> Pages:
    """Post pages across the machine's cores, else here; *lint* gives the posts their
    findings. Forked writers start composing before it runs and finish once it is done
    (see :mod:`soulpost.review.forked`)."""
    import gc

    from soulpost.review.forked import TwoPhase
    from soulpost.workspace import fork_workers

    count = len(job.pending)
    workers = fork_workers(count, PARALLEL_PAGES)
    _SHARED["job"] = job
    forked = None
    try:
        if workers:
            # Freeze what exists now: the collector then never walks (and so never copies)
            # the review's pages in the children; 10,000 posts are a lot of objects.
            gc.freeze()
            forked = TwoPhase.start(count, workers, _compose_range, _finish_range)
        if lint is not None:
            lint()
        for brief, pending in zip(job.briefs, job.pending, strict=True):
            brief.findings = len(pending.findings)
        if forked is None:
            return _write_posts((0, count))
        messages = [_pack(job, worker.bounds) for worker in forked.workers]
        done = [
            answer if answer is not None else _write_posts(worker.bounds)  # it failed: here
            for worker, answer in zip(forked.workers, forked.finish(messages), strict=True)
        ]
        written = [w for d in done for w in d[2]]
        calendar = set().union(*(d[3] for d in done))
        return sum(d[0] for d in done), sum(d[1] for d in done), written, calendar
    finally:
        if forked is not None:
            forked.stop()
        _SHARED.clear()


def remove_stale(briefs: list[Brief], out: Path, plan: Layout | None = None) -> list[str]:
    """Pages an earlier run wrote for posts, months and weeks that are gone now (*plan*:
    the :func:`layout` of *briefs*, when it is made already).

    Only in a folder soulpost wrote before (it holds :data:`MARKER`), and only ``*.html``
    in its ``posts/``, ``months/`` and ``weeks/``: OUT is whatever the user typed."""
    if not (out / MARKER).is_file():
        return []
    months, weeks = (plan.months, plan.weeks) if plan is not None else groups(briefs)
    keep = {
        "posts": {f"{p.id}.html" for p in briefs},
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


def _briefs(review: Review, pending: list[Pending]) -> list[Brief]:
    from soulpost.review.model import first_line

    zone = review.zone
    return [
        Brief(
            p.post.id,
            p.at,
            p.at.astimezone(zone) if p.at is not None else None,
            first_line(p.post.text),
            len(p.findings),
        )
        for p in pending
    ]


def _write_calendar_rest(job: _Job, written: list[Written], done: set[str]) -> tuple[int, int]:
    """The overview, and the month and week pages no page writer wrote (*done*), from
    what the writers sent back of each post; (pages, bytes)."""
    entries: dict[str, Markup] = {}
    for brief, (cards, html) in zip(job.briefs, written, strict=True):
        brief.cards = cards
        if html:
            entries[brief.id] = Markup(html)
    plan = job.layout
    left = month_and_week_pages(plan, entries, set(plan.spans) - done)
    index = index_page(job.review, job.briefs, plan)
    return write_pages(job.env, job.out, job.common, iter([index, *left]))


def write_site(
    ws: Workspace,
    review: Review,
    pending: list[Pending],
    out: Path,
    *,
    template_dir: Path | None = None,
    lint: Callable[[], object] | None = None,
) -> SiteReport:
    """Write the site of *pending* (from :func:`soulpost.review.model.plan_review`) into
    *out* (created; files of an earlier run are replaced, and the pages of posts removed
    since are deleted). *lint*, when given, gives *pending* its findings (the page writers
    compose meanwhile): see :func:`soulpost.review.model.lint_pending`."""
    from soulpost.review.payloads import Renderers

    env = environment(template_dir)
    for name in TEMPLATES:
        env.get_template(name)  # compiled here once, inherited by the page writers
    for sub in ("posts", "months", "weeks", "static"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    report = SiteReport()
    media_ok, report.skipped_media = copy_media(review.root, pending, out)
    report.media = len(media_ok)
    for asset in Path(__file__).with_name("static").iterdir():
        if asset.is_file():
            shutil.copyfile(asset, out / "static" / asset.name)
            report.bytes += asset.stat().st_size
    local = review.local(review.now)
    common = {
        "generated": local.replace(microsecond=0).isoformat(),
        "generated_text": local.strftime("%a %d %b %Y %H:%M %Z"),
        "timezone": review.timezone,
    }
    briefs = _briefs(review, pending)
    renderers = Renderers(ws, review.now)
    parts_of, plan = Fragments(env), layout(briefs)
    job = _Job(ws, review, pending, briefs, out, media_ok, env, renderers, common, parts_of, plan)
    try:
        for platform in sorted({i.platform for p in pending for i in p.items}):
            # Built once here rather than once per writer; what building one raised is
            # kept and shown on the cards of that platform.
            with contextlib.suppress(Exception):
                renderers.get(platform)
        report.pages, size, written, done = _write_all_posts(job, lint)
        report.bytes += size
    finally:
        renderers.close()
    pages, size = _write_calendar_rest(job, written, done)
    report.pages += pages
    report.bytes += size
    report.removed = remove_stale(briefs, out, plan)
    (out / MARKER).write_text(
        "written by `soulpost site`; its pages are replaced\n", encoding="utf-8"
    )
    return report
