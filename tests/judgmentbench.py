"""bench/judgment.py for the tests that hold its floors: the bench is a script, not a
package, so it is loaded from its file; the held-out scores are its own, not a copy."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("judgment_bench", REPO / "bench" / "judgment.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def heldout_scores(scratch: Path) -> dict[str, Any]:
    """Lint the held-out part in a workspace under *scratch*, as the bench does; its scores."""
    bench = bench_module()
    posts = bench.load(["heldout"])
    rules = bench.rule_table(scratch)
    bench.make_workspace(scratch / "ws", posts, rules)
    bench.lint(scratch / "ws", posts)
    result: dict[str, Any] = bench.scores(posts, rules)
    return result
