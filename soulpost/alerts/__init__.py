"""Alerts: tell a person when a publication failed, was missed or is in doubt, or when the
daemon's heartbeat stopped, once per incident, through webhook platforms or email.

``incidents`` finds what is wrong (pure), ``channels`` delivers (webhook adapters, SMTP),
``check`` records what was sent in the state directory. A pass calls :func:`after_pass`
at its end; ``soulpost doctor`` calls ``check.check`` too. This module imports nothing
heavy: a workspace without ``[alerts]`` pays one attribute test per pass.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soulpost.clock import Clock
    from soulpost.config import Settings


def after_pass(
    root: Path,
    settings: Settings,
    clock: Clock,
    *,
    kind: str,
    dry_run: bool,
    log: Callable[[str], None],
) -> None:
    """The one call a publishing pass makes at its end (from its ``finally``). It never
    raises, so an alert channel (or this check) failing never stops or fails publishing.
    The daemon's own passes skip the heartbeat check: its heartbeat is its own."""
    if dry_run or settings.alerts is None:
        return
    interrupted = sys.exc_info()[0]  # called from a `finally`: what is propagating, if any
    if interrupted is not None and not issubclass(interrupted, Exception):
        return  # Ctrl-C or SIGTERM's SystemExit: stop now, the next pass alerts
    try:
        from soulpost.alerts.check import check

        result = check(root, settings, clock, heartbeat=kind != "daemon")
    except Exception as exc:
        log(f"alerts: the check failed ({type(exc).__name__}: {exc}); publishing goes on")
        return
    for line in result.sent:
        log(f"alert sent: {line}")
    for line in result.failed:
        log(f"alert not sent: {line}")
