"""What review shows, as plain data: one :class:`PostView` per post, one :class:`Card` per
(post, platform), built once and handed to every view (terminal, JSON, Markdown, calendar,
ICS, HTML site). Views are pure functions of a :class:`Review`.

A card's state, in the order it is decided (the first that applies wins):

1. the ledger has an outcome: ``published``, ``failed``, ``missed``, ``in doubt`` (or
   ``publishing`` while a pass holds it);
2. an error-level lint finding for the post (or for this platform): ``blocked``; the
   publisher's lint gate would hold it;
3. the plan says: ``draft`` (needs approval), ``blocked`` (its local time does not
   exist), ``retrying``, ``missed`` (already too late), ``unscheduled`` (no time, no free
   slot), else ``approved`` (it will go out at its time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.review.payloads import Renderers, WireMedia

if TYPE_CHECKING:
    from soulpost.lint.model import Finding, Report
    from soulpost.plan import Item
    from soulpost.posts import Post
    from soulpost.workspace import Workspace

STATES = (
    "draft", "approved", "blocked", "published", "failed", "missed", "in doubt",
    "publishing", "retrying", "unscheduled",
)  # fmt: skip
_LEDGER_STATES = {
    "published": "published",
    "failed": "failed",
    "missed": "missed",
    "in_doubt": "in doubt",
    "sending": "publishing",
    "pending": "publishing",
}


@dataclass(frozen=True)
class Count:
    """One length limit of one part, counted the way the platform counts."""

    unit: str
    count: int
    limit: int

    @property
    def over(self) -> bool:
        return self.count > self.limit


@dataclass(frozen=True)
class PartView:
    """One part (0: the post; 1..: thread replies) as the platform receives it."""

    index: int
    sent: str
    shown: str
    media: tuple[WireMedia, ...]
    counts: tuple[Count, ...]
    facets: tuple[Any, ...] = ()
    #: The link shown as a card (its page is read only when publishing), if any.
    card: str | None = None

    @property
    def over(self) -> bool:
        return any(c.over for c in self.counts)


@dataclass(frozen=True)
class FindingView:
    """A lint finding as a reviewer reads it: what, why (the lesson) and what to do."""

    code: str
    name: str
    severity: str
    lesson: str
    message: str
    hint: str | None
    line: int
    platform: str | None
    summary: str = ""


@dataclass
class Card:
    """One post on one platform: its payload parts, state and receipt."""

    platform: str
    title: str
    adapter: str
    state: str
    reason: str = ""
    parts: tuple[PartView, ...] = ()
    error: str | None = None  # the adapter could not render it (config error, bad payload)
    url: str | None = None
    remote_id: str | None = None
    published_at: datetime | None = None
    edited: bool = False  # published, and the file changed since
    account: str | None = None  # the configured account name, for the author line
    findings: list[FindingView] = field(default_factory=list)


@dataclass
class PostView:
    """One post: where it lives, when it goes out, and a card per platform."""

    id: str
    path: str | None
    at: datetime | None
    local: datetime | None
    source: str
    status: str
    tags: list[str]
    text: str
    cards: list[Card]
    findings: list[FindingView]
    media: list[tuple[str, str]]  # (path, alt) of every image the post names

    @property
    def states(self) -> list[str]:
        return sorted({c.state for c in self.cards}, key=STATES.index)


@dataclass
class Review:
    """Everything review shows of one workspace at one instant."""

    root: Path
    timezone: str
    zone: tzinfo
    now: datetime
    posts: list[PostView]
    load_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.zone)


def finding_view(f: Finding, report: Report) -> FindingView:
    info = report.rules.get(f.code)
    return FindingView(
        f.code, f.name, f.severity, f.lesson, f.message, f.hint, f.line, f.platform,
        info.summary if info else "",
    )  # fmt: skip


def _counts(text: str, caps: Any) -> tuple[Count, ...]:
    if caps is None:
        return ()
    from soulpost.text import platform_length

    return tuple(Count(u, c, lim) for u, c, lim in platform_length(text, caps))


def card_for(item: Item[Post], renderers: Renderers, findings: list[FindingView]) -> Card:
    """The card of one planned (post, platform)."""
    platform = item.platform
    caps = renderers.capabilities(platform)
    card = Card(platform, caps.title if caps else platform, renderers.adapter_name(platform), "")
    card.findings = [f for f in findings if f.platform in (None, platform)]
    conf = renderers.ws.settings.platforms.get(platform)
    card.account = conf.account if conf else None
    try:
        wire, composed = renderers.compose(item.post, platform)
        card.parts = tuple(
            PartView(
                i, w.sent, w.shown, w.media, _counts(w.counted or w.shown, caps), w.facets, w.card
            )
            for i, w in enumerate(wire)
        )
    except Exception as exc:
        card.error = f"{type(exc).__name__}: {exc}"
        composed = None
    latest = item.latest
    if latest is not None:
        card.url, card.remote_id, card.published_at = (
            latest.url,
            latest.remote_id,
            latest.published_at,
        )
        # Hashing every payload cost a fifth of composing; only a published card needs it.
        card.edited = latest.state == "published" and (
            composed is not None and composed.content_hash() != latest.key.content_hash
        )
    card.state, card.reason = _state(item, card)
    return card


def _state(item: Item[Post], card: Card) -> tuple[str, str]:
    errors = [f"{f.code} {f.message}" for f in card.findings if f.severity == "error"]
    return state_for(item, errors, card.error)


def state_for(
    item: Item[Any], lint_errors: list[str], render_error: str | None = None
) -> tuple[str, str]:
    """The state of one planned (post, platform) and why (see the module docstring)."""
    from soulpost.plan import Action

    latest = item.latest
    if item.action is Action.SETTLED and latest is not None:
        return _LEDGER_STATES.get(latest.state, latest.state), latest.reason or ""
    if lint_errors and item.action not in (Action.HELD, Action.UNSCHEDULED):
        return "blocked", "; ".join(lint_errors)
    if render_error is not None:
        return "blocked", render_error
    return {
        Action.HELD: "draft",
        Action.BLOCKED: "blocked",
        Action.WAITING: "retrying",
        Action.MISSED: "missed",
        Action.UNSCHEDULED: "unscheduled",
    }.get(item.action, "approved"), item.reason


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


@dataclass
class Pending:
    """One post of a review before its cards are composed: everything :func:`post_view`
    needs. The site composes cards in its page writers, in parallel, from these."""

    post: Post
    timing: Any
    items: list[Item[Post]]
    findings: list[FindingView]

    @property
    def at(self) -> datetime | None:
        at: datetime | None = self.timing.at
        return at


def plan_review(
    ws: Workspace,
    now: datetime,
    *,
    ids: set[str] | None = None,
    lint: bool = True,
) -> tuple[Review, list[Pending]]:
    """A review without its posts yet, and the posts to show in the review's order (by
    time, unscheduled last, then id): planned, linted, not yet composed."""
    from soulpost.plan import build_plan
    from soulpost.review.ledgerview import read_ledger

    zone = ws.settings.zone() or UTC
    state = read_ledger(ws)
    review = Review(ws.root, ws.settings.timezone or "UTC", zone, now, [])
    review.load_errors = [e.render(ws.root) for e in ws.errors]
    if state.note:
        review.notes.append(state.note)
    plan = build_plan(ws.posts, ws.settings, now, ledger_rows=state.rows, reserved=state.slots)
    shown = [p for p in ws.posts if ids is None or p.id in ids]
    findings = _lint(ws, now, plan, shown, review) if lint else {}
    items: dict[str, list[Item[Post]]] = {}
    for item in plan.items:
        items.setdefault(item.post.id, []).append(item)
    pending = [
        Pending(post, plan.timings[post.id], items.get(post.id, []), findings.get(post.id, []))
        for post in shown
    ]
    pending.sort(key=lambda p: (p.at is None, p.at or now, p.post.id))
    return review, pending


def build_review(
    ws: Workspace,
    now: datetime,
    *,
    ids: set[str] | None = None,
    lint: bool = True,
    renderers: Renderers | None = None,
) -> Review:
    """The review of *ws* at *now*; *ids* limits which posts are shown (the plan, the
    slots and queue rules still see the whole queue)."""
    review, pending = plan_review(ws, now, ids=ids, lint=lint)
    own = renderers is None
    renderers = renderers or Renderers(ws, now)
    try:
        review.posts = [post_view(ws, p, renderers, review.zone) for p in pending]
    finally:
        if own:
            renderers.close()
    return review


def post_view(ws: Workspace, pending: Pending, renderers: Renderers, zone: tzinfo) -> PostView:
    """The post of *pending* with a composed card per platform."""
    return _post_view(
        ws,
        pending.post,
        timing=pending.timing,
        items=pending.items,
        findings=pending.findings,
        renderers=renderers,
        zone=zone,
    )


def _post_view(
    ws: Workspace,
    post: Post,
    *,
    timing: Any,
    items: list[Item[Post]],
    findings: list[FindingView],
    renderers: Renderers,
    zone: tzinfo,
) -> PostView:
    at = timing.at
    source = timing.source if at is not None else "unscheduled"
    return PostView(
        id=post.id,
        path=_shown_path(post.path, ws.root),
        at=at,
        local=at.astimezone(zone) if at is not None else None,
        source=source,
        status=post.status,
        tags=list(post.tags),
        text=first_line(post.text),
        cards=[card_for(i, renderers, findings) for i in items],
        findings=findings,
        media=post_media(post),
    )


def post_media(post: Post) -> list[tuple[str, str]]:
    """(path, alt) of every image *post* names, its own and its platforms' variants'."""
    media = [(m.path, m.alt or "") for m in post.media]
    for platform in post.platforms:
        for m in post.media_for(platform):
            if (m.path, m.alt or "") not in media:
                media.append((m.path, m.alt or ""))
    return media


def _shown_path(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    # Plain strings first: Path.relative_to on 10,000 posts cost 0.1 s.
    text, prefix = str(path), str(root).rstrip("/") + "/"
    if text.startswith(prefix) and "/../" not in text and "\\" not in text:
        return text[len(prefix) :]
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _lint(
    ws: Workspace, now: datetime, plan: Any, shown: list[Post], review: Review
) -> dict[str, list[FindingView]]:
    """Findings by post id, the linter seeing the whole queue at the same clock."""
    from soulpost.errors import SoulpostError
    from soulpost.lint.engine import lint_workspace

    times = {pid: t.at for pid, t in plan.timings.items() if t.at is not None}
    paths = None
    if len(shown) < len(ws.posts):
        paths = sorted({p.path for p in shown if p.path is not None})
    try:
        report = lint_workspace(ws, now=now, times=times, paths=paths)
    except SoulpostError as exc:
        review.notes.append(f"lint did not run: {exc}")
        return {}
    out: dict[str, list[FindingView]] = {}
    for f in report.findings:
        if f.post_id is not None:
            out.setdefault(f.post_id, []).append(finding_view(f, report))
    return out
