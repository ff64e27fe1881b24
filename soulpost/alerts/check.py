"""One alert check: find the incidents, send each new one once per channel, record it.

The record is ``alerts.json`` in the state directory (beside the ledger, git-ignored):
the incidents still open and, per channel, when the alert went out or how many tries
failed. An incident that no longer shows is closed (forgotten), so the same publication
failing again after a retry alerts again. A channel that fails is tried again at the next
check, at most :data:`MAX_TRIES` times per incident. ``alerts.lock`` (flock) keeps a cron
pass and ``doctor`` from sending the same alert at the same moment.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.alerts.channels import AlertNotSent, Channel, configured
from soulpost.alerts.incidents import HEARTBEAT_FILE, Incident, from_heartbeat, from_rows

if TYPE_CHECKING:
    from soulpost.clock import Clock
    from soulpost.config import Settings

STATE_FILE = "alerts.json"
LOCK_FILE = "alerts.lock"
MAX_TRIES = 3


@dataclass
class CheckResult:
    """What one check did, for the log or ``doctor``."""

    open: int = 0
    sent: list[str] = field(default_factory=list)  # "channel: subject"
    failed: list[str] = field(default_factory=list)  # "channel: subject: why"


def check(
    root: Path,
    settings: Settings,
    clock: Clock,
    *,
    heartbeat: bool,
    channels: list[Channel] | None = None,
) -> CheckResult:
    """Alert every new incident; *heartbeat* False skips the stalled-daemon check (the
    daemon's own passes: its heartbeat is its own)."""
    alerts = settings.alerts
    result = CheckResult()
    if alerts is None:
        return result
    state_dir = root / settings.publish.state_dir
    now = clock.now()
    incidents = from_rows(_attention(state_dir, settings, now), now, list(alerts.on))
    if heartbeat and "stalled" in alerts.on:
        stalled = from_heartbeat(_read_json(state_dir / HEARTBEAT_FILE), now, alerts.stale_after)
        if stalled is not None:
            incidents.append(stalled)
    if not incidents and not (state_dir / STATE_FILE).exists():
        return result  # nothing open, nothing to close: no file to write
    chosen = channels if channels is not None else configured(settings, root, state_dir, clock)
    with _locked(state_dir):
        record = _read_json(state_dir / STATE_FILE) or {}
        previous: dict[str, Any] = record.get("open", {}) if isinstance(record, dict) else {}
        current: dict[str, Any] = {}
        for incident in incidents:
            entry = previous.get(incident.key) or {"since": now.isoformat(), "channels": {}}
            text = incident.text(root.name, alerts.history_link)
            _deliver(incident, text, entry, chosen, now=now, result=result)
            current[incident.key] = entry
        _write_json(state_dir / STATE_FILE, {"version": 1, "open": current})
    result.open = len(current)
    return result


def _deliver(
    incident: Incident,
    text: str,
    entry: dict[str, Any],
    channels: list[Channel],
    *,
    now: datetime,
    result: CheckResult,
) -> None:
    """Send *incident* through each channel that has not had it yet (and may try again)."""
    for channel in channels:
        done = entry["channels"].setdefault(channel.name, {"tries": 0})
        if done.get("sent") or done["tries"] >= MAX_TRIES:
            continue
        done["tries"] += 1
        try:
            channel.send(incident.subject, text, incident.key)
        except AlertNotSent as exc:
            done["error"] = str(exc)[:300]
            result.failed.append(f"{channel.name}: {incident.subject}: {exc}")
            continue
        done["sent"] = now.isoformat()
        done.pop("error", None)
        result.sent.append(f"{channel.name}: {incident.subject}")


def _attention(state_dir: Path, settings: Settings, now: datetime) -> list[Any]:
    from soulpost.ledger import DB_NAME, open_ledger

    backend = settings.publish.ledger
    if backend == "sqlite" and not (state_dir / DB_NAME).exists():
        return []
    ledger = open_ledger(state_dir, backend=backend, read_only=True)
    try:
        return ledger.needing_attention(now)
    finally:
        ledger.close()


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


@contextlib.contextmanager
def _locked(state_dir: Path) -> Iterator[None]:
    state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(state_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def doctor_lines(root: Path, settings: Settings, clock: Clock) -> tuple[list[str], int]:
    """``soulpost doctor``'s alerts section: run a check (the heartbeat included, so a
    stalled daemon is alerted from here too) and say what went out; with the number of
    problems (alerts that could not be sent)."""
    alerts = settings.alerts
    if alerts is None:
        return [], 0
    names = [*alerts.platforms, *(["email"] if alerts.email else [])]
    lines = [f"alerts (to {', '.join(names) or 'no channel'}):"]
    try:
        result = check(root, settings, clock, heartbeat=True)
    except Exception as exc:
        return [*lines, f"  problem: the check failed ({type(exc).__name__}: {exc})"], 1
    lines += [f"  sent: {line}" for line in result.sent]
    lines += [f"  problem: not sent: {line}" for line in result.failed]
    lines.append(f"  ok: {result.open} open incident(s), each alerted once")
    if not names:
        lines.append("  problem: [alerts] names no platform and no email")
    return lines, len(result.failed) + (0 if names else 1)
