"""The site's overview, month and week pages (views in :mod:`soulpost.review.site`), and
which process writes each.

Every post's calendar entry is rendered by the page writer that writes the post's page
(:mod:`soulpost.review.sitewriter`); writers take contiguous ranges of the review's order,
which is by time. A month or week whose posts all lie in one writer's range is written by
that writer, right after its post pages, while the other writer still works; only the
entries of the pages a range boundary cuts (one month and one week at most per boundary)
come back to the main process, which writes those pages and the overview. Writing them
all here once the writers were done was about 0.1 s with one core idle.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from soulpost.review.site import index_view, month_key, month_view, week_key, week_view

if TYPE_CHECKING:
    from pathlib import Path

    from jinja2 import Environment
    from markupsafe import Markup

    from soulpost.review.model import Review
    from soulpost.review.site import Brief

# (file, template, context) of one page
Page = tuple[str, str, dict[str, Any]]


@dataclass
class Layout:
    """The month and week pages of a review's posts, and where each post appears."""

    months: dict[str, list[Brief]]
    weeks: dict[str, list[Brief]]
    month_keys: list[str]
    week_keys: list[str]
    #: Each month and week page's file, with the first and one past the last index (in
    #: the review's order) of the posts it lists.
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Each post's month and week page files; None for a post without a time.
    pages_of: list[tuple[str, str] | None] = field(default_factory=list)

    def inside(self, first: int, end: int) -> set[str]:
        """The month and week pages whose posts all lie in ``first <= index < end``."""
        return {name for name, (lo, hi) in self.spans.items() if first <= lo and hi <= end}


def layout(briefs: list[Brief]) -> Layout:
    """The month and week pages of *briefs* (in the review's order) and where each post
    appears. A day's month and week are worked out once (a queue has several posts a
    day): this runs before the page writers fork, with one core idle."""
    months: dict[str, list[Brief]] = {}
    weeks: dict[str, list[Brief]] = {}
    spans: dict[str, tuple[int, int]] = {}
    pages_of: list[tuple[str, str] | None] = []
    days: dict[date, tuple[list[Brief], list[Brief], tuple[str, str]]] = {}
    for i, brief in enumerate(briefs):
        local = brief.local
        if local is None:
            pages_of.append(None)
            continue
        day = local.date()
        found = days.get(day)
        if found is None:
            month, week = month_key(local), week_key(day)
            names = (f"months/{month}.html", f"weeks/{week}.html")
            found = days[day] = (months.setdefault(month, []), weeks.setdefault(week, []), names)
        found[0].append(brief)
        found[1].append(brief)
        for name in found[2]:
            span = spans.get(name)
            spans[name] = (span[0] if span is not None else i, i + 1)
        pages_of.append(found[2])
    return Layout(months, weeks, sorted(months), sorted(weeks), spans, pages_of)


def index_page(review: Review, briefs: list[Brief], plan: Layout) -> Page:
    view = index_view(review, briefs, plan.month_keys, plan.week_keys)
    return "index.html", "index.html", {"view": view}


def month_and_week_pages(
    plan: Layout, entries: dict[str, Markup], only: set[str] | None = None
) -> Iterator[Page]:
    """The month pages, then the week pages (those named in *only*, when given); *entries*
    holds the calendar entry of every post they list."""
    month_keys, week_keys = plan.month_keys, plan.week_keys
    week_set = set(week_keys)
    for key in month_keys:
        name = f"months/{key}.html"
        if only is None or name in only:
            first = date.fromisoformat(key + "-01")
            view = month_view(first, plan.months[key], month_keys, week_set)
            yield name, "month.html", {"view": view, "entries": entries}
    for key in week_keys:
        name = f"weeks/{key}.html"
        if only is None or name in only:
            view = week_view(key, plan.weeks[key], week_keys)
            yield name, "week.html", {"view": view, "entries": entries}


def write_pages(
    env: Environment, out: Path, common: dict[str, Any], pages: Iterator[Page]
) -> tuple[int, int]:
    """Render and write *pages* under *out*; (pages, bytes)."""
    count = size = 0
    for name, template, context in pages:
        depth = name.count("/")
        html = env.get_template(template).render(root="../" * depth, page=name, **common, **context)
        data = html.encode("utf-8")
        (out / name).write_bytes(data)
        count += 1
        size += len(data)
    return count, size
