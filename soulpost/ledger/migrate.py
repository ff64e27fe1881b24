"""Versioned schema migrations, the part every backend shares.

Each backend keeps an ordered list of :class:`Migration` (its own SQL) and a table of the
versions applied, as sqlite-utils does. Opening a ledger applies what is missing, in order,
each in its own transaction; a ledger that already has a version this soulpost does not know
was written by a newer soulpost and is refused (reading it could misread states, writing it
could break the newer one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from soulpost.ledger.base import LedgerUnusable


@dataclass(frozen=True)
class Migration:
    """One step: *version* (1, 2, ...), a short name, and the function applying it to an
    open transaction of the backend."""

    version: int
    name: str
    apply: Callable[[Any], None]


def latest(migrations: Sequence[Migration]) -> int:
    return migrations[-1].version if migrations else 0


def pending(current: int, migrations: Sequence[Migration], where: str) -> list[Migration]:
    """The steps still to apply to a ledger at *current*; refuses one from the future."""
    known = latest(migrations)
    if current > known:
        raise LedgerUnusable(
            f"{where}: the ledger has schema version {current}, but this soulpost knows only "
            f"up to {known}: it was written by a newer soulpost. Upgrade soulpost (or use "
            "the newer one); nothing was read or written"
        )
    return [m for m in migrations if m.version > current]
