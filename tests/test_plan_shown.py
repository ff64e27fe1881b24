"""build_plan(shown=...): the calendar plans one window of a large queue. Every post's time
is still decided against the whole queue (slots are shared), and the posts it keeps get
exactly the items a full plan gives them."""

from __future__ import annotations

from datetime import timedelta

from soulpost.plan import build_plan
from tests.test_plan import post, row, settings, utc


def test_shown_keeps_the_full_plans_items_of_the_window_and_the_unscheduled() -> None:
    s = settings()
    now = utc("2026-12-01T08:00:00")
    explicit = [
        post(s, f"e{i}", at=(now + timedelta(hours=5 * i)).isoformat(), status="approved")
        for i in range(12)
    ]
    # Drafts without a time take the slots the explicit posts leave free: whether one of
    # them lands in the window depends on posts outside it.
    slotted = [
        post(s, f"s{i}", status="approved", platforms=["mastodon", "linkedin"]) for i in range(9)
    ]
    late = post(s, "late", at="2026-11-30T09:00:00+00:00", status="approved")
    posts = [*explicit, *slotted, late]
    rows = {("e0", "mastodon"): row(explicit[0], "mastodon", "published")}
    low, high = utc("2026-12-02T00:00:00"), utc("2026-12-04T00:00:00")

    full = build_plan(posts, s, now, ledger_rows=rows)
    part = build_plan(
        posts, s, now, ledger_rows=rows, shown=lambda t: t.at is None or low <= t.at < high
    )

    expected = [i for i in full.items if i.at is None or low <= i.at < high]
    assert [(i.post.id, i.platform, i.at, i.action, i.reason) for i in part.items] == [
        (i.post.id, i.platform, i.at, i.action, i.reason) for i in expected
    ]
    assert any(i.post.id.startswith("s") for i in expected)  # a slot taker is in the window
    assert len(part.items) < len(full.items)
    assert part.timings == full.timings  # every post's time, shown or not
    assert part.new_slots == full.new_slots
