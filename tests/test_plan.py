"""The plan is pure: slots, next free slot, DST gap/overlap, lateness, approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from soulpost.config import Settings
from soulpost.ledger import PubKey, Publication
from soulpost.plan import Action, build_plan, next_free_slot, resolve_times, slot_instants
from soulpost.posts import Post
from soulpost.timeutil import LocalTimeKind
from soulpost.workspace import post_context

BASE: dict[str, Any] = {
    "timezone": "Europe/London",
    "slots": [{"days": "mon-fri", "times": ["09:30", "13:00"]}],
    "platforms": {
        "mastodon": {"adapter": "outbox"},
        "linkedin": {"adapter": "outbox", "slots": [{"days": "tue-thu", "times": ["08:00"]}]},
    },
}


def settings(**publish: Any) -> Settings:
    return Settings.model_validate({**BASE, "publish": publish})


def post(s: Settings, post_id: str, **data: Any) -> Post:
    body = {"id": post_id, "text": "Hello there, what do you think?", **data}
    body.setdefault("platforms", ["mastodon"])
    return Post.model_validate(body, context=post_context(s))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def row(p: Post, platform: str, state: str, **kw: Any) -> Publication:
    now = utc("2026-12-01T00:00:00")
    fields: dict[str, Any] = {
        "key": PubKey(p.id, platform, "h" * 64),
        "state": state,
        "scheduled_at": p.at,
        "idem_key": "k",
        "attempts": 0,
        "next_attempt_at": None,
        "reason": None,
        "force": False,
        "owner_pid": None,
        "owner_host": None,
        "claimed_at": None,
        "remote_id": None,
        "url": None,
        "published_at": None,
        "created_at": now,
        "updated_at": now,
    }
    fields.update(kw)
    return Publication(**fields)


def test_slots_follow_weekdays_and_the_workspace_zone() -> None:
    s = settings()
    zone = s.zone()
    assert zone is not None
    # Friday 2026-12-04 after the last slot: next are Monday's (weekend skipped).
    found = list(slot_instants(s.slots, zone, utc("2026-12-04T14:00:00"), days=4))
    assert found[:2] == [utc("2026-12-07T09:30:00"), utc("2026-12-07T13:00:00")]
    # In summer the same wall time is an hour earlier in UTC.
    summer = next(iter(slot_instants(s.slots, zone, utc("2026-07-01T00:00:00"))))
    assert summer == utc("2026-07-01T08:30:00")


def test_slot_in_dst_gap_is_skipped_and_overlap_takes_first_occurrence() -> None:
    s = Settings.model_validate(
        {"timezone": "Europe/London", "slots": [{"days": "daily", "times": ["01:30"]}]}
    )
    zone = s.zone()
    assert zone is not None
    spring = list(slot_instants(s.slots, zone, utc("2026-03-28T12:00:00"), days=2))
    # 2026-03-29 01:30 does not exist in London: that day has no slot.
    assert [t.date().isoformat() for t in spring] == ["2026-03-30"]
    autumn = list(slot_instants(s.slots, zone, utc("2026-10-25T00:00:00"), days=0))
    assert autumn == [utc("2026-10-25T00:30:00")]  # 01:30 BST, the first of the two


def test_post_without_at_takes_next_free_slot_of_its_platforms() -> None:
    s = settings()
    now = utc("2026-12-01T09:00:00")  # a Tuesday
    taken = post(s, "taken", at="2026-12-01T09:30:00")
    a = post(s, "a")
    b = post(s, "b", platforms=["linkedin"])
    c = post(s, "c", platforms=["mastodon", "linkedin"])
    timings, chosen = resolve_times([taken, a, b, c], s, now, {}, eligible=["a", "b", "c"])
    assert timings["taken"].source == "explicit"
    assert timings["a"].at == utc("2026-12-01T13:00:00")  # 09:30 is taken on mastodon
    assert timings["b"].at == utc("2026-12-02T08:00:00")  # linkedin's own slots
    # c may use either platform's slots, but not an instant taken on either platform.
    assert timings["c"].at == utc("2026-12-02T09:30:00")
    assert chosen == {"a": timings["a"].at, "b": timings["b"].at, "c": timings["c"].at}


def test_reserved_slot_does_not_move_as_time_runs() -> None:
    s = settings()
    a = post(s, "a", status="approved")
    first = build_plan([a], s, utc("2026-12-01T09:00:00"))
    slot = first.new_slots["a"]
    later = build_plan([a], s, slot + timedelta(seconds=5), reserved=first.new_slots)
    assert later.items[0].action is Action.DUE
    assert later.items[0].source == "slot"
    assert later.new_slots == {}


def test_drafts_get_provisional_slots_after_approved_posts() -> None:
    s = settings(require_approval=True)
    draft = post(s, "a-draft")
    approved = post(s, "b-approved", status="approved")
    timings, chosen = resolve_times(
        [draft, approved], s, utc("2026-12-01T09:00:00"), {}, eligible=["b-approved"]
    )
    assert timings["b-approved"].at == utc("2026-12-01T09:30:00")
    assert timings["a-draft"].source == "slot (provisional)"
    assert list(chosen) == ["b-approved"]


def test_next_free_slot_for_add() -> None:
    s = settings()
    existing = [post(s, "x", at="2026-12-01T09:30:00"), post(s, "y")]
    when = next_free_slot(existing, s, ["mastodon"], utc("2026-12-01T09:00:00"))
    assert when == utc("2026-12-02T09:30:00")  # 09:30 explicit, 13:00 taken by y


def test_lateness_due_and_missed_with_per_post_override() -> None:
    s = settings(max_lateness="2h")
    p = post(s, "p", at="2026-12-01T09:00:00Z")
    patient = post(s, "patient", at="2026-12-01T09:00:00Z", max_lateness="1d")
    at = utc("2026-12-01T09:00:00")
    assert build_plan([p], s, at - timedelta(seconds=1)).items[0].action is Action.FUTURE
    assert build_plan([p], s, at).items[0].action is Action.DUE
    assert build_plan([p], s, at + timedelta(hours=2)).items[0].action is Action.DUE
    late = build_plan([p, patient], s, at + timedelta(hours=2, seconds=1))
    actions = {i.post.id: i.action for i in late.items}
    assert actions == {"p": Action.MISSED, "patient": Action.DUE}
    assert "more than max_lateness 2h" in late.by_action(Action.MISSED)[0].reason


def test_approval_holds_drafts() -> None:
    s = settings(require_approval=True)
    draft = post(s, "d", at="2026-12-01T09:00:00Z")
    ok = post(s, "ok", at="2026-12-01T09:00:00Z", status="approved")
    plan = build_plan([draft, ok], s, utc("2026-12-01T09:00:01"))
    assert {i.post.id: i.action for i in plan.items} == {"d": Action.HELD, "ok": Action.DUE}


def test_gap_post_is_blocked_even_without_lint() -> None:
    s = settings(lint_gate=False)
    gap = post(s, "gap", at="2026-03-29T01:30:00")
    overlap = post(s, "overlap", at="2026-10-25T01:30:00")
    assert gap.time_kind is LocalTimeKind.GAP
    plan = build_plan([gap, overlap], s, utc("2026-10-25T00:30:00"))
    by_id = {i.post.id: i for i in plan.items}
    assert by_id["gap"].action is Action.BLOCKED
    assert "does not exist" in by_id["gap"].reason
    assert by_id["overlap"].action is Action.DUE  # first occurrence: 00:30 UTC
    assert by_id["overlap"].at == utc("2026-10-25T00:30:00")


def test_ledger_state_settles_and_retries_wait() -> None:
    s = settings()
    p = post(s, "p", at="2026-12-01T09:00:00Z")
    now = utc("2026-12-01T09:10:00")
    done = build_plan([p], s, now, ledger_rows={("p", "mastodon"): row(p, "mastodon", "published")})
    assert done.items[0].action is Action.SETTLED
    later = now + timedelta(minutes=5)
    waiting = build_plan(
        [p],
        s,
        now,
        ledger_rows={("p", "mastodon"): row(p, "mastodon", "pending", next_attempt_at=later)},
    )
    assert waiting.items[0].action is Action.WAITING
    assert waiting.next_wake(now) == later


def test_forced_retry_ignores_lateness_and_lint_blocks() -> None:
    s = settings()
    p = post(s, "p", at="2026-12-01T09:00:00Z")
    now = utc("2026-12-03T09:00:00")
    forced = row(p, "mastodon", "pending", force=True)
    assert build_plan([p], s, now, ledger_rows={("p", "mastodon"): forced}).items[0].action is (
        Action.DUE
    )
    blocked = build_plan(
        [p], s, utc("2026-12-01T09:00:00"), blocked={("p", None): ["lint S001: shouting"]}
    )
    assert blocked.items[0].action is Action.BLOCKED
    assert "S001" in blocked.items[0].reason
