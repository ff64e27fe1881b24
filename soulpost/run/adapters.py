"""The adapters of one pass, built on first use and closed at the end."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soulpost.clock import Clock
    from soulpost.ledger.base import Ledger
    from soulpost.publish.base import Adapter
    from soulpost.workspace import Workspace


class Adapters:
    """Adapters of one pass, built on first use and closed at the end."""

    def __init__(self, ws: Workspace, clock: Clock, ledger: Ledger | None = None) -> None:
        self.ws = ws
        self.clock = clock
        self.ledger = ledger
        self._made: dict[str, Adapter] = {}

    def get(self, platform: str) -> Adapter:
        if platform not in self._made:
            from soulpost.publish.registry import build

            self._made[platform] = build(self.ws, platform, self.clock, self.ledger)
        return self._made[platform]

    def prepare(self, platforms: set[str]) -> None:
        """Build the adapters of *platforms* now: a daemon's pass that wakes early to send
        at an instant builds them before it, where the first request would otherwise
        import the HTTP stack and build its adapter after it (in every daemon sharing the
        ledger at once). One that cannot be built is left to the send, which reports it."""
        for platform in sorted(platforms):
            with contextlib.suppress(Exception):
                self.get(platform)

    def close(self) -> None:
        for adapter in self._made.values():
            adapter.close()
        self._made.clear()
