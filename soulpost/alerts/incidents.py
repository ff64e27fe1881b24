"""What is wrong right now, as incidents: pure functions of ledger rows, the heartbeat and
``now``.

An **incident** lasts as long as its cause: a publication stays failed, missed or in doubt
(the newest row of a post on a platform, not yet settled by a person), or the daemon's
heartbeat stays stale. Its key names that cause (see :func:`_since`), so the same incident
seen by the next pass has the same key (and is not alerted again), while a new failure
after a retry, or a new stall after the daemon came back, is a new key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soulpost.ledger import Publication

HEARTBEAT_FILE = "heartbeat.json"  # written by the daemon (soulpost.daemon.HEARTBEAT_FILE)
MIN_STALE = timedelta(minutes=1)
BEATS_BEFORE_STALE = 3


@dataclass(frozen=True)
class Incident:
    """One thing a person should hear about once."""

    key: str
    kind: str  # failed | missed | in_doubt | stalled
    subject: str
    lines: tuple[str, ...]
    post_id: str | None = None

    def text(self, workspace: str, link: str | None) -> str:
        """The message: what happened, then how to see more."""
        more = [f"Details: soulpost history {self.post_id}"] if self.post_id else []
        if link and self.post_id:
            more.append(link.format(id=self.post_id))
        return "\n".join([f"[soulpost {workspace}] {self.subject}", *self.lines, *more])


def from_rows(rows: list[Publication], now: datetime, kinds: list[str]) -> list[Incident]:
    """One incident per publication that is failed, missed or in doubt (and wanted)."""
    out = []
    for row in rows:
        if row.state not in kinds or row.state not in ("failed", "missed", "in_doubt"):
            continue
        if not row.needs_attention(now):
            continue
        state = row.state.replace("_", " ")
        lines = [f"Reason: {row.reason}"] if row.reason else []
        if row.scheduled_at is not None:
            lines.append(f"Scheduled: {row.scheduled_at.isoformat()}")
        if row.state == "in_doubt":
            lines.append(
                "It may be live: check the platform, then settle it with soulpost resolve "
                f"{row.post_id} --platform {row.platform} --published URL|--not-published"
            )
        elif row.state in ("failed", "missed"):
            lines.append(
                f"To send it again: soulpost retry {row.post_id} --platform {row.platform}"
            )
        key = f"{row.state}:{row.post_id}:{row.platform}:{row.key.content_hash[:16]}:{_since(row)}"
        subject = f"{state}: {row.post_id} on {row.platform}"
        out.append(Incident(key, row.state, subject, tuple(lines), row.post_id))
    return out


def _since(row: Publication) -> str:
    """What tells this incident from an earlier one of the same publication.

    Failed and missed are final until a person acts, so their last change marks the
    incident (a retry that fails again is a new one). An in-doubt row changes at every
    lookup while it stays in doubt, so its creation marks it, with ``force`` (set by a
    person's retry) telling a second round apart.
    """
    if row.state == "in_doubt":
        return f"{row.created_at.isoformat()}:{int(row.force)}"
    return row.updated_at.isoformat()


def from_heartbeat(
    beat: dict[str, Any] | None, now: datetime, stale_after: timedelta | None
) -> Incident | None:
    """The stalled-daemon incident, when the daemon's last heartbeat is too old.

    A daemon that stopped cleanly (SIGTERM) writes ``state = "stopped"``: that is a person's
    choice, not an incident. Stale means older than *stale_after*, by default three
    heartbeat intervals and at least a minute.
    """
    if not beat or beat.get("state") == "stopped" or not beat.get("at"):
        return None
    try:
        at = datetime.fromisoformat(str(beat["at"]))
        interval = timedelta(seconds=float(beat.get("interval") or 30))
    except (TypeError, ValueError):
        return None
    if at.tzinfo is None:
        return None
    limit = stale_after or max(MIN_STALE, BEATS_BEFORE_STALE * interval)
    age = now - at
    if age <= limit:
        return None
    minutes = int(age.total_seconds() // 60)
    lines = (
        f"Last heartbeat: {at.isoformat()} ({minutes} min ago), pid {beat.get('pid', '?')}, "
        f"state {beat.get('state', '?')}.",
        "Posts are not published while it is down. Check `soulpost status`, then restart "
        "the daemon (e.g. systemctl restart soulpost).",
    )
    key = f"stalled:{beat.get('started_at', '')}:{at.isoformat()}"
    return Incident(key, "stalled", "the daemon's heartbeat stopped", lines)
