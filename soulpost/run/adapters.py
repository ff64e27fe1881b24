"""The adapters of one pass, built on first use and closed at the end."""

from __future__ import annotations

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

    def close(self) -> None:
        for adapter in self._made.values():
            adapter.close()
        self._made.clear()
