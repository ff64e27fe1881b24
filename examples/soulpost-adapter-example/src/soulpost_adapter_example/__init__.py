"""``filedrop``: a soulpost adapter that writes each publication as a JSON file.

A folder someone else watches (a static site build, a sync job) is a delivery target too.
Each part lands in ``options.dir/<key>.json``; the idempotency key names the file, so a
retry of the same key finds the file and never writes a second one, and ``lookup`` can
always tell whether a key went out.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from soulpost.platforms import Capabilities
from soulpost.publish.base import (
    Adapter,
    AdapterConfig,
    NotSent,
    Payload,
    Receipt,
    Setting,
)


class FileDropAdapter(Adapter):
    """Writes ``<key>.json`` files into a folder."""

    name = "filedrop"
    summary = "writes each publication as a JSON file into options.dir"
    supports_lookup = True
    options: ClassVar[dict[str, Setting]] = {
        "dir": Setting("folder to write into (relative to the workspace)", required=True),
    }

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        folder = Path(str(config.options.get("dir") or "drop"))
        root = config.root or config.state_dir.parent
        self.folder = folder if folder.is_absolute() else root / folder

    @classmethod
    def capabilities_for(cls, platform: str, options: Any = None) -> Capabilities:
        """Readable without an instance, so ``soulpost adapters filedrop`` shows them."""
        return Capabilities(platform, "File drop", 5000, threads=True)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def _write(self, payload: Payload, key: str, parent: Receipt | None) -> Receipt:
        path = self._path(key)
        now = self.config.clock.now()
        if path.exists():  # this key went out before: same receipt, no second file
            return self._receipt(path)
        record = {
            "key": key,
            "platform": self.platform,
            "reply_to": parent.remote_id if parent else None,
            "published_at": now.isoformat(),
            "payload": dict(payload),
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)  # a reader never sees half a file
        except OSError as exc:
            # Nothing was published if the file is not there: retrying is safe.
            raise NotSent(f"cannot write {path}: {exc.strerror}", platform=self.platform) from None
        return self._receipt(path)

    def _receipt(self, path: Path) -> Receipt:
        record = json.loads(path.read_text(encoding="utf-8"))
        when = datetime.fromisoformat(record["published_at"])
        return Receipt(record["key"], path.resolve().as_uri(), when)

    def publish(self, payload: Payload, key: str) -> Receipt:
        return self._write(payload, key, None)

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        return self._write(payload, key, parent)

    def lookup(self, key: str, payload: Payload) -> Receipt | None:
        path = self._path(key)
        return self._receipt(path) if path.exists() else None
