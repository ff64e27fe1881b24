"""One publishing pass: load -> lint -> plan -> publish -> record. The CLI's ``publish`` and
the daemon are two thin drivers of :func:`run_pass`.

A pass first takes the workspace lock (another pass or the daemon holding it means this one
steps aside and reports ``skipped``), settles claims left by dead processes, then works
through the due publications in time order (publishers sharing a ledger each start with
their own share). ``dry_run`` renders every payload and sends, records and locks nothing.

``passes.py`` runs a pass, ``actions.py`` plans and handles each planned action,
``gate.py`` is the lint gate and its cache, ``sharing.py`` the order in which publishers
sharing a ledger take the due posts, ``report.py`` the options and the report.

The names below are imported when first asked for, so ``publish --due`` can fork its
queue scan (:mod:`soulpost.run.scanahead`) before the pass's modules are loaded.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soulpost.run.adapters import Adapters
    from soulpost.run.gate import LintCache, lint_blocks
    from soulpost.run.passes import run_pass
    from soulpost.run.report import Log, PassOptions, PassReport, Result, stderr_log

__all__ = [
    "Adapters",
    "LintCache",
    "Log",
    "PassOptions",
    "PassReport",
    "Result",
    "lint_blocks",
    "run_pass",
    "stderr_log",
]

_HOMES = {
    "Adapters": "adapters",
    "LintCache": "gate",
    "lint_blocks": "gate",
    "run_pass": "passes",
    "Log": "report",
    "PassOptions": "report",
    "PassReport": "report",
    "Result": "report",
    "stderr_log": "report",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'soulpost.run' has no attribute {name!r}")
    return getattr(importlib.import_module(f"soulpost.run.{home}"), name)
