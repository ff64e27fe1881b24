"""``outbox``: the default, account-free adapter. Each publication is appended as one JSON
line to ``.soulpost/outbox.jsonl`` (or ``options.path``), so a new user can watch a queue
go out without any network. ``lookup`` reads the file back, so it can always settle doubt.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import Field

from soulpost.publish.adapters import _urls
from soulpost.publish.base import Adapter, NotSent, Payload, Receipt
from soulpost.publish.options import AdapterOptions


class OutboxOptions(AdapterOptions):
    """``[platforms.NAME].options`` of the outbox adapter."""

    path: str | None = Field(None, description="the file to append to (.soulpost/outbox.jsonl)")


class OutboxAdapter(Adapter):
    """Append-only JSON-lines file; one line per publication, one write per line."""

    name = "outbox"
    supports_lookup = True
    summary = "appends each publication to a JSON-lines file (no network, no account)"
    remote_id_form = "the record's id in the outbox file (its URL is outbox:<id>)"

    Options = OutboxOptions
    opts: OutboxOptions

    @classmethod
    def remote_id_from_url(cls, url: str) -> str | None:
        return _urls.outbox(url)

    @property
    def path(self) -> Path:
        configured = self.opts.path
        return Path(configured) if configured else self.config.state_dir / "outbox.jsonl"

    def _append(self, record: dict[str, Any]) -> Receipt:
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise NotSent(
                f"cannot open {self.path}: {exc.strerror}", platform=self.platform
            ) from None
        try:
            os.write(fd, line.encode("utf-8"))  # one O_APPEND write: a line lands whole
            os.fsync(fd)
        finally:
            os.close(fd)
        return Receipt(record["id"], f"outbox:{record['id']}", self.config.clock.now())

    def _record(self, payload: Payload, key: str, parent: Receipt | None) -> dict[str, Any]:
        return {
            "id": key,
            "platform": self.platform,
            "account": self.config.account,
            "key": key,
            "reply_to": parent.remote_id if parent else None,
            "published_at": self.config.clock.now().isoformat(),
            "payload": dict(payload),
        }

    def publish(self, payload: Payload, key: str) -> Receipt:
        return self._append(self._record(payload, key, None))

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        return self._append(self._record(payload, key, parent))

    def lookup(self, key: str, payload: Payload) -> Receipt | None:
        try:
            with self.path.open(encoding="utf-8") as handle:
                for line in handle:
                    if f'"{key}"' not in line:
                        continue
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue  # a torn last line from a crash: that write did not land
                    if record.get("key") == key:
                        from datetime import datetime

                        return Receipt(
                            key,
                            f"outbox:{key}",
                            datetime.fromisoformat(record["published_at"]),
                        )
        except FileNotFoundError:
            return None
        return None
