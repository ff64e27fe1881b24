"""``soulpost preview`` views: terminal text, JSON and Markdown, each a pure function of a
:class:`~soulpost.review.model.Review`.

The text shown is the part's ``shown`` text: what the payload carries, character for
character (JSON gives ``sent`` too, the exact string in the request). In the terminal a
real line break starts a line marked ``│``; a line folded only to fit the terminal goes on
with ``┆``, so a reader can always tell a line break that will be posted from one that is
not.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from soulpost.review.cells import wrap

if TYPE_CHECKING:
    from soulpost.review.changes import Change, Changes
    from soulpost.review.model import Card, PartView, PostView, Review


def when(review: Review, at: datetime | None) -> str:
    if at is None:
        return "no time (no free slot)"
    return review.local(at).strftime("%a %d %b %Y %H:%M %Z")


def length(part: PartView) -> str:
    """``250/500 characters`` (and ``184/3000 bytes`` where a platform also limits bytes)."""
    shown = [f"{c.count}/{c.limit} {c.unit}" + (" (over)" if c.over else "") for c in part.counts]
    return ", ".join(shown) if shown else "no limit"


def _card_text(card: Card, cols: int) -> list[str]:
    head = f"  ── {card.title} ({card.platform}) · {card.state}"
    if card.reason and card.state not in ("approved",):
        head += f": {card.reason}"
    lines = [head]
    if card.url or card.remote_id:
        edited = " (edited since; the edit is not posted again)" if card.edited else ""
        lines.append(f"     receipt: {card.url or card.remote_id}{edited}")
    if card.error:
        lines.append(f"     cannot render: {card.error}")
    for part in card.parts:
        label = "post" if part.index == 0 else f"reply {part.index}"
        lines.append(f"     {label} · {length(part)}")
        for raw in part.shown.split("\n"):
            folded = wrap(raw, max(20, cols - 7))
            lines.append(f"     │ {folded[0]}".rstrip())
            lines.extend(f"     ┆ {more}" for more in folded[1:])
        for media in part.media:
            alt = media.alt or "NO ALT TEXT"
            folded = wrap(f"{media.url or media.path} · alt: {alt}", max(20, cols - 7))
            lines.append(f"     ▣ {folded[0]}")
            lines.extend(f"       {more}" for more in folded[1:])
        if part.card:
            lines.append(f"     ⧉ link card for {part.card} (read from the page when sent)")
    return lines


def post_text(review: Review, post: PostView, cols: int = 80) -> str:
    lines = [f"{post.id}  {post.path or ''}".rstrip()]
    tags = f" · tags: {', '.join(post.tags)}" if post.tags else ""
    lines.append(f"  {when(review, post.at)} ({post.source}) · {post.status}{tags}")
    for card in post.cards:
        lines.extend(_card_text(card, cols))
    if post.findings:
        lines.append("  findings:")
        for f in post.findings:
            where = f" on {f.platform}" if f.platform else ""
            lines.append(f"    {f.severity} {f.code} {f.name} [{f.lesson}]{where}: {f.message}")
            if f.hint:
                lines.append(f"      hint: {f.hint}")
    return "\n".join(lines)


def review_text(review: Review, cols: int = 80) -> str:
    out = [post_text(review, p, cols) for p in review.posts]
    if not out:
        out.append("no posts to preview")
    summary = [f"{len(review.posts)} post(s); times in {review.timezone}"]
    summary += [f"note: {n}" for n in review.notes]
    summary += [f"error: {e}" for e in review.load_errors]
    return "\n\n".join(out) + "\n\n" + "\n".join(summary) + "\n"


# -- JSON --------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def card_json(card: Card) -> dict[str, Any]:
    return {
        "platform": card.platform,
        "title": card.title,
        "adapter": card.adapter,
        "state": card.state,
        "reason": card.reason or None,
        "error": card.error,
        "receipt": {"remote_id": card.remote_id, "url": card.url, "edited": card.edited,
                    "published_at": _iso(card.published_at)} if card.remote_id else None,
        "parts": [
            {
                "sent": p.sent,
                "shown": p.shown,
                "media": [asdict(m) for m in p.media],
                "length": [asdict(c) | {"over": c.over} for c in p.counts],
                "facets": list(p.facets),
                "card": p.card,
            }
            for p in card.parts
        ],
    }  # fmt: skip


def review_json(review: Review, changes: Changes | None = None) -> dict[str, Any]:
    posts = [
        {
            "id": p.id,
            "path": p.path,
            "at": _iso(p.at),
            "local": _iso(p.local),
            "time_source": p.source,
            "status": p.status,
            "tags": p.tags,
            "states": p.states,
            "cards": [card_json(c) for c in p.cards],
            "findings": [asdict(f) for f in p.findings],
        }
        for p in review.posts
    ]
    out: dict[str, Any] = {
        "version": 1,
        "timezone": review.timezone,
        "now": review.now.isoformat(),
        "posts": posts,
        "notes": review.notes,
        "errors": review.load_errors,
    }
    if changes is not None:
        out["changed_since"] = changes.ref
        out["changes"] = [asdict(c) | {"old_at": _iso(c.old_at)} for c in changes.items]
    return out


# -- Markdown (GitHub job summary, PR comment) -------------------------------------------


def _fence(text: str) -> str:
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}text\n{text}\n{ticks}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _schedule_line(review: Review, post: PostView, change: Change | None) -> str:
    now = when(review, post.at)
    if change is None or change.kind == "added":
        return f"**New**, goes out {now} ({post.source})" if change else f"{now} ({post.source})"
    if change.old_at is not None and post.at is not None and change.old_at != post.at:
        return f"**Moved**: {when(review, change.old_at)} → {now}"
    return f"{now} ({post.source}); time unchanged" if change.old_at else f"{now} ({post.source})"


def _post_markdown(review: Review, post: PostView, change: Change | None) -> list[str]:
    out = [f"### `{post.id}`", "", _schedule_line(review, post, change) + f" · {post.status}"]
    if (
        change is not None
        and change.old_platforms
        and set(change.old_platforms) != {c.platform for c in post.cards}
    ):
        out[-1] += f" · platforms were {', '.join(change.old_platforms)}"
    for card in post.cards:
        counts = "; ".join(length(p) for p in card.parts)
        out += ["", f"**{card.title}** · {card.state} · {counts}"]
        if card.reason and card.state != "approved":
            out.append(f"<br>{_cell(card.reason)}")
        if card.url:
            out.append(f"<br>receipt: {card.url}")
        if card.error:
            out.append(f"<br>cannot render: {_cell(card.error)}")
        for part in card.parts:
            out += ["", _fence(part.shown)]
            out += [f"- image `{m.path}`, alt: {_cell(m.alt) or '**none**'}" for m in part.media]
            if part.card:
                out.append(f"- link card for <{part.card}> (read from the page when sent)")
    if post.findings:
        out += ["", "| rule | lesson | finding | hint |", "|---|---|---|---|"]
        out += [
            f"| {f.severity} `{f.code}` {f.name} | {f.lesson} | {_cell(f.message)} | "
            f"{_cell(f.hint or '')} |"
            for f in post.findings
        ]
    return [*out, ""]


def review_markdown(review: Review, changes: Changes | None = None) -> str:
    by_id = {c.post_id: c for c in changes.items} if changes else {}
    by_path = {c.path: c for c in changes.items} if changes else {}
    scope = f" changed since `{changes.ref}`" if changes else ""
    out = [f"## soulpost preview: {len(review.posts)} post(s){scope}", ""]
    if review.posts:
        out += ["| when | post | platforms | state | findings |", "|---|---|---|---|---|"]
        for p in review.posts:
            worst = ", ".join(sorted({f.severity for f in p.findings})) or "none"
            out.append(
                f"| {when(review, p.at)} | `{p.id}` | {', '.join(c.platform for c in p.cards)} "
                f"| {', '.join(p.states)} | {len(p.findings)} ({worst}) |"
            )
        out.append("")
    for post in review.posts:
        change = by_path.get(post.path or "") or by_id.get(post.id)
        out += _post_markdown(review, post, change)
    removed = [c for c in (changes.items if changes else []) if c.kind == "removed"]
    if removed:
        out += ["### Removed from the queue", ""]
        out += [
            f"- `{c.post_id or c.path}`" + (f", was {when(review, c.old_at)}" if c.old_at else "")
            for c in removed
        ]
        out.append("")
    out += [f"> note: {n}" for n in review.notes]
    out += [f"> error: {e}" for e in review.load_errors]
    return "\n".join(out).rstrip() + "\n"
