"""What a pass is asked to do (:class:`PassOptions`) and what it did (:class:`PassReport`)."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from soulpost.config import Settings
    from soulpost.ledger import Owner
    from soulpost.plan import Plan
    from soulpost.publish.send import RetryPolicy
    from soulpost.run.gate import LintCache
    from soulpost.run.indexed import LiveQueue
    from soulpost.run.scanahead import EarlyScan

Log = Callable[[str], None]


def stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Result:
    """One line of a pass's report: a (post, platform) and what happened to it."""

    post_id: str
    platform: str
    state: str  # published | failed | missed | in_doubt | pending | blocked | rendered | ...
    reason: str | None = None
    url: str | None = None
    at: datetime | None = None

    @property
    def needs_attention(self) -> bool:
        return self.state in ("failed", "missed", "in_doubt", "blocked", "invalid")


@dataclass
class PassReport:
    """What a pass did."""

    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. edits to published posts
    load_errors: list[str] = field(default_factory=list)
    skipped: str | None = None  # why nothing ran (another pass holds the lock)
    due: int = 0
    next_wake: datetime | None = None
    stopped_early: bool = False
    plan: Plan[Any] | None = None
    # Every publication in the ledger that needs a person (in doubt, failed, missed, a
    # stuck claim), this pass's or older: one line each. Until a person settles them,
    # every pass says so and exits 1, so cron mail and monitoring keep seeing it.
    attention: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0: all due work done or nothing due; 1: a person should look."""
        if self.skipped:
            return 0
        bad = any(r.needs_attention for r in self.results) or bool(self.load_errors)
        return 1 if bad or self.attention else 0

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for result in self.results:
            out[result.state] = out.get(result.state, 0) + 1
        return out


@dataclass
class PassOptions:
    """How to run a pass."""

    dry_run: bool = False
    # Post ids (``publish ID --now``): only these, and due now whatever their time.
    only: set[str] | None = None
    kind: str = "publish"
    lock_held: bool = False  # the daemon holds the workspace lock already
    stop: Callable[[], bool] = lambda: False  # checked between publications
    policy: RetryPolicy | None = None
    jitter: Callable[[], float] = random.random
    lint_cache: LintCache | None = None  # the daemon keeps lint results between passes
    not_before: datetime | None = None  # plan for this instant; send nothing before it
    owner: Owner | None = None  # who claims (the daemon keeps one for its life)
    # The daemon's queue index in memory (stamps from its own scans), instead of a scan
    # and the saved index each pass.
    live: LiveQueue | None = None
    # The settings and config path to use instead of loading config.toml (the daemon
    # keeps the last good ones while the file is broken).
    settings: tuple[Settings, Path] | None = None
    # ``publish --due``: the pass lock and the queue's scan, taken before the pass's own
    # start-up (:func:`soulpost.run.scanahead.start_early`); the pass checks they are its.
    early: EarlyScan | None = None
