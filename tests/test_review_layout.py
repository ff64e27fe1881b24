"""The calendar layout of a review (soulpost/review/calendarpages.py ``layout``) worked out
once per day is the layout worked out post by post, and the lint gives equal findings
one view (soulpost/review/model.py), which the site packs for its writers by identity;
the images copied are those the posts and their variants name."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from soulpost.review.calendarpages import Layout, layout
from soulpost.review.site import Brief, groups, month_key, week_key


def layout_post_by_post(briefs: list[Brief]) -> Layout:
    """The plain way: each post's month and week from its own time."""
    months, weeks = groups(briefs)
    made = Layout(months, weeks, sorted(months), sorted(weeks))
    for i, brief in enumerate(briefs):
        if brief.local is None:
            made.pages_of.append(None)
            continue
        names = (
            f"months/{month_key(brief.local)}.html",
            f"weeks/{week_key(brief.local.date())}.html",
        )
        for name in names:
            made.spans[name] = (made.spans[name][0] if name in made.spans else i, i + 1)
        made.pages_of.append(names)
    return made


def test_the_layout_is_the_same_as_worked_out_post_by_post() -> None:
    """Random queues across year ends, ISO weeks 53 and a DST change, with posts without
    a time among them (the review's order puts those last; here they are anywhere)."""
    rng = random.Random(6)
    zone = ZoneInfo("Europe/Berlin")
    for _ in range(50):
        at = datetime(2026, 12, 20, tzinfo=UTC) + timedelta(hours=rng.randrange(-9000, 9000))
        briefs = []
        for k in range(rng.randrange(0, 120)):
            at += timedelta(minutes=rng.randrange(0, 3000))
            local = at.astimezone(zone) if rng.random() < 0.95 else None
            briefs.append(Brief(f"p{k}", at if local else None, local, "text", 0))
        assert layout(briefs) == layout_post_by_post(briefs)


def test_equal_findings_are_one_view_and_are_sent_once(
    workspace: Callable[..., Path],
) -> None:
    from soulpost.review.forked import split
    from soulpost.review.model import lint_pending, plan_only
    from soulpost.review.sitewriter import _Job, _pack
    from soulpost.workspace import load_workspace

    config = 'timezone = "UTC"\n\n[platforms.mastodon]\nadapter = "outbox"\n'
    drafts = {
        f"p{k}.toml": 'text = "BUY NOW!!! LIMITED OFFER!!!"\nplatforms = ["mastodon"]\n'
        f"at = 2026-12-0{1 + k}T09:00:00Z\n"
        for k in range(4)
    }
    ws = load_workspace(workspace(config, drafts))
    now = datetime(2026, 11, 30, tzinfo=UTC)
    review, pending, plan = plan_only(ws, now)
    lint_pending(ws, now, plan, review, pending)
    first = pending[0].findings
    assert first  # the shouting rules speak
    for other in pending[1:]:
        shared = [f for f in other.findings if f in first]
        assert shared and all(any(f is g for g in first) for f in shared)
    job = _Job.__new__(_Job)
    job.pending = pending
    distinct, indexes = _pack(job, split(len(pending), 1)[0])
    assert len(distinct) == len({id(f) for p in pending for f in p.findings})
    assert [[distinct[k] for k in found] for found in indexes] == [p.findings for p in pending]


def test_every_image_a_post_or_its_variants_name_is_copied(
    cli: Callable[..., Any], workspace: Callable[..., Path], tmp_path: Path
) -> None:
    """The site copies the post's own images and those a platform's variant sends
    instead; an image nobody names stays out."""
    from tests.fakes.images import png

    config = 'timezone = "UTC"\n\n[platforms.mastodon]\nadapter = "outbox"\n'
    config += '\n[platforms.x]\nadapter = "outbox"\n'
    drafts = {
        "own.toml": 'text = "Our chart."\nplatforms = ["mastodon"]\n'
        "at = 2026-12-02T09:00:00Z\n"
        '[[media]]\npath = "media/own.png"\nalt = "a chart"\n',
        "varied.toml": 'text = "The week."\nplatforms = ["mastodon", "x"]\n'
        "at = 2026-12-03T09:00:00Z\n"
        '[[media]]\npath = "media/wide.png"\nalt = "wide"\n'
        '[variants.x]\n[[variants.x.media]]\npath = "media/square.png"\nalt = "square"\n',
        "plain.toml": 'text = "No image."\nplatforms = ["mastodon"]\nat = 2026-12-04T09:00:00Z\n',
    }
    root = workspace(config, drafts)
    (root / "media").mkdir()
    for name in ("own", "wide", "square", "unused"):
        (root / "media" / f"{name}.png").write_bytes(png(3, 2))
    out = tmp_path / "site"
    result = cli("-C", root, "site", str(out), "--now", "2026-12-01T09:31:00Z")
    assert result.code == 0, result.err
    copied = sorted(p.name for p in (out / "media").rglob("*") if p.is_file())
    assert copied == ["own.png", "square.png", "wide.png"]
    assert "3 image(s)" in result.out
