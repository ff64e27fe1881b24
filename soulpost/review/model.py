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

from soulpost.plan import Action
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
    from soulpost.text.lengths import platform_length  # a module: no package fromlist walk

    return tuple(Count(u, c, lim) for u, c, lim in platform_length(text, caps))


def card_for(item: Item[Post], renderers: Renderers, findings: list[FindingView]) -> Card:
    """The card of one planned (post, platform)."""
    return judge_card(compose_card(item, renderers), item, findings)


def compose_card(item: Item[Post], renderers: Renderers) -> Card:
    """The card of one planned (post, platform) before its findings are known: payload,
    lengths and receipt (the site composes while the linter still runs)."""
    platform = item.platform
    caps = renderers.capabilities(platform)
    card = Card(platform, caps.title if caps else platform, renderers.adapter_name(platform), "")
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
    return card


def judge_card(card: Card, item: Item[Post], findings: list[FindingView]) -> Card:
    """*card* with the post's findings for its platform, and its state (which they
    decide: an error-level finding blocks it)."""
    card.findings = [f for f in findings if f.platform in (None, card.platform)]
    card.state, card.reason = _state(item, card)
    return card


def _state(item: Item[Post], card: Card) -> tuple[str, str]:
    errors = [f"{f.code} {f.message}" for f in card.findings if f.severity == "error"]
    return state_for(item, errors, card.error)


def state_for(
    item: Item[Any], lint_errors: list[str], render_error: str | None = None
) -> tuple[str, str]:
    """The state of one planned (post, platform) and why (see the module docstring)."""
    latest = item.latest
    if item.action is Action.SETTLED and latest is not None:
        return _LEDGER_STATES.get(latest.state, latest.state), latest.reason or ""
    if lint_errors and item.action not in (Action.HELD, Action.UNSCHEDULED):
        return "blocked", "; ".join(lint_errors)
    if render_error is not None:
        return "blocked", render_error
    return _PLAN_STATES.get(item.action, "approved"), item.reason


# The state a plan's action gives, when neither the ledger nor the lint decides it.
_PLAN_STATES = {
    Action.HELD: "draft",
    Action.BLOCKED: "blocked",
    Action.WAITING: "retrying",
    Action.MISSED: "missed",
    Action.UNSCHEDULED: "unscheduled",
}


def first_line(text: str) -> str:
    """The first line of *text* that is not blank, stripped.

    Every line break ``splitlines`` knows is whitespace to ``lstrip``, so the first line of
    the left-stripped text is that line (without splitting every other line, 10,000 times).
    """
    rest = text.lstrip()
    return rest.splitlines()[0].strip() if rest else ""


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
    review, pending, plan = plan_only(ws, now, ids=ids)
    if lint:
        lint_pending(ws, now, plan, review, pending)
    return review, pending


def plan_only(
    ws: Workspace, now: datetime, *, ids: set[str] | None = None
) -> tuple[Review, list[Pending], Any]:
    """:func:`plan_review` without linting: the review, the posts in its order (no
    findings yet) and the plan, for :func:`lint_pending`."""
    from soulpost.plan import build_plan
    from soulpost.review.ledgerview import read_ledger

    zone = ws.settings.zone() or UTC
    state = read_ledger(ws)
    review = Review(ws.root, ws.settings.timezone or "UTC", zone, now, [])
    review.load_errors = [e.render(ws.root) for e in ws.errors]
    if state.note:
        review.notes.append(state.note)
    plan = build_plan(ws.posts, ws.settings, now, ledger_rows=state.rows, reserved=state.slots)
    shown = {p.id for p in ws.posts} if ids is None else ids
    items: dict[str, list[Item[Post]]] = {}
    for item in plan.items:
        items.setdefault(item.post.id, []).append(item)
    pending = [
        Pending(post, plan.timings[post.id], items.get(post.id, []), [])
        for post in ws.posts
        if post.id in shown
    ]
    pending.sort(key=lambda p: (p.at is None, p.at or now, p.post.id))
    return review, pending, plan


def lint_pending(
    ws: Workspace, now: datetime, plan: Any, review: Review, pending: list[Pending]
) -> dict[str, list[FindingView]]:
    """Lint the workspace at the plan's times and give each of *pending* its findings
    (the linter sees the whole queue; only *pending*'s posts are reported). Returns the
    findings by post id."""
    findings = _lint(ws, now, plan, [p.post for p in pending], review)
    for p in pending:
        p.findings = findings.get(p.post.id, [])
    return findings


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


def post_view(
    ws: Workspace, pending: Pending, renderers: Renderers, zone: tzinfo, *, judged: bool = True
) -> PostView:
    """The post of *pending* with a composed card per platform; with ``judged=False`` its
    cards have no findings and no state yet (see :func:`judge_post`)."""
    return _post_view(
        ws,
        pending.post,
        timing=pending.timing,
        items=pending.items,
        findings=pending.findings if judged else None,
        renderers=renderers,
        zone=zone,
    )


def judge_post(view: PostView, pending: Pending) -> PostView:
    """Give an unjudged *view* (``post_view(..., judged=False)``) *pending*'s findings
    and each card its state: the same view :func:`post_view` makes."""
    view.findings = pending.findings
    for card, item in zip(view.cards, pending.items, strict=True):
        judge_card(card, item, pending.findings)
    return view


def _post_view(
    ws: Workspace,
    post: Post,
    *,
    timing: Any,
    items: list[Item[Post]],
    findings: list[FindingView] | None,
    renderers: Renderers,
    zone: tzinfo,
) -> PostView:
    at = timing.at
    if findings is None:  # not judged yet
        cards, findings = [compose_card(i, renderers) for i in items], []
    else:
        cards = [card_for(i, renderers, findings) for i in items]
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
        cards=cards,
        findings=findings,
        media=post_media(post),
    )


def post_media(post: Post) -> list[tuple[str, str]]:
    """(path, alt) of every image *post* names, its own and its platforms' variants'."""
    media = [(m.path, m.alt or "") for m in post.media]
    if not post.variants:  # every platform gets the post's own media: nothing to add
        return media
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
        # The lint cache spares the post rules on drafts unchanged since the last lint
        # (``[lint] cache = false`` or a command's --no-cache turns it off).
        report = lint_workspace(ws, now=now, times=times, paths=paths, cache=True)
    except SoulpostError as exc:
        review.notes.append(f"lint did not run: {exc}")
        return {}
    out: dict[str, list[FindingView]] = {}
    # One view per distinct finding, shared by every post that has it: a 10,000-post
    # queue has about 14,000 findings but 2,400 distinct ones, and the site packs and
    # renders each distinct one once (a tuple's hash is C; a view's is Python).
    views: dict[tuple[Any, ...], FindingView] = {}
    for f in report.findings:
        if f.post_id is not None:
            key = (f.code, f.name, f.severity, f.lesson, f.message, f.hint, f.line, f.platform)
            view = views.get(key)
            if view is None:
                view = views[key] = finding_view(f, report)
            out.setdefault(f.post_id, []).append(view)
    return out
