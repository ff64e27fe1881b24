"""``console``: prints each publication to standard output. For trying a workspace out."""

from __future__ import annotations

import sys

from soulpost.publish.base import Adapter, Payload, Receipt
from soulpost.publish.options import AdapterOptions


class ConsoleAdapter(Adapter):
    """Prints the payload; the receipt's id is the idempotency key."""

    name = "console"
    summary = "prints each publication to standard output, for trying a workspace out"
    remote_id_form = "the key it printed for that part"
    Options = AdapterOptions  # takes none

    def _print(self, payload: Payload, key: str, parent: Receipt | None) -> Receipt:
        head = f"[{self.platform}] {key}" + (f" (reply to {parent.remote_id})" if parent else "")
        print(head, file=sys.stdout)
        for line in str(payload.get("text", "")).splitlines():
            print(f"    {line}", file=sys.stdout)
        sys.stdout.flush()
        return Receipt(key, None, self.config.clock.now())

    def publish(self, payload: Payload, key: str) -> Receipt:
        return self._print(payload, key, None)

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        return self._print(payload, key, parent)
