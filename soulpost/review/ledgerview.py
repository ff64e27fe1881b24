"""The ledger as review sees it: read-only, and never a reason to fail.

Review must work on a fresh clone (no ``.soulpost/`` yet), in CI, and where the state
folder is read-only (a mounted volume, another user's workspace). SQLite cannot open a
WAL database read-only in a folder it may not write (it needs the ``-shm`` file), so when
a read-only open fails the database is copied to a temporary folder and read there. If
even that fails, review goes on without ledger state and says why.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soulpost.config import PublishSettings
    from soulpost.ledger import Publication
    from soulpost.workspace import Workspace


@dataclass
class LedgerState:
    """The newest row per (post, platform), the reserved slots, and a note when the ledger
    could not be read."""

    rows: dict[tuple[str, str], Publication] = field(default_factory=dict)
    slots: dict[str, datetime] = field(default_factory=dict)
    note: str | None = None


def _read(state_dir: Path, backend: str, settings: PublishSettings | None) -> LedgerState:
    from soulpost.ledger import open_ledger
    from soulpost.plan import newest_rows

    ledger = open_ledger(state_dir, backend=backend, read_only=True, settings=settings)
    try:
        return LedgerState(newest_rows(ledger.publications()), ledger.slots())
    finally:
        ledger.close()


def read_ledger(ws: Workspace) -> LedgerState:
    """What the ledger says, without writing anything in the workspace."""
    return read_state(ws.state_dir, ws.settings.publish.ledger, ws.settings.publish)


def read_state(
    state_dir: Path, backend: str, settings: PublishSettings | None = None
) -> LedgerState:
    """:func:`read_ledger` from the state folder and the backend name (*settings*: the
    ``[publish]`` section, which names a PostgreSQL ledger's URL variable)."""
    from soulpost.ledger import DB_NAME

    if backend == "sqlite" and not (state_dir / DB_NAME).exists():
        return LedgerState()
    try:
        return _read(state_dir, backend, settings)
    except Exception as first:
        if backend != "sqlite":
            return LedgerState(note=f"ledger not read ({type(first).__name__}: {first})")
    try:
        with tempfile.TemporaryDirectory(prefix="soulpost-review-") as tmp:
            for suffix in ("", "-wal"):
                source = state_dir / f"{DB_NAME}{suffix}"
                if source.exists():
                    shutil.copyfile(source, Path(tmp) / source.name)
            return _read(Path(tmp), backend, settings)
    except Exception as exc:
        return LedgerState(note=f"ledger not read ({type(exc).__name__}: {exc})")
