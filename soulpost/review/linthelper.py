"""The calendar's lint, begun in a forked helper while the calendar reads the index and plans.

The calendar shows a post as blocked when an error-level finding would hold it, so it lints
the posts it shows. Most of that cost comes before the first post is looked at: importing
the linter and building the configured rule set (compiling every rule's patterns). None of
it depends on the plan, so on a machine with a second core a forked helper does it while
this process reads the queue index and plans the queue; then it is given the shown posts'
files and times, and sends back the error findings. Where there is no fork, one core or a
threaded process, :func:`lint_blocks` runs here instead; so it does when the helper fails.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.lint.select import RuleSet

# (post id, platform or None) -> "CODE message" of each error-level finding
Blocks = dict[tuple[str, str | None], list[str]]


@dataclass(frozen=True)
class Where:
    """The workspace and clock the calendar lints at."""

    root: Path
    settings: Settings
    config_path: Path
    now: datetime
    # Let the lint cache answer for drafts unchanged since it last saw them.
    cache: bool = True


def ruleset_for(root: Path, settings: Settings, config_path: Path) -> RuleSet:
    """The configured rules, as the linter builds them (raises ConfigError)."""
    from soulpost.lint.registry import load_registry
    from soulpost.lint.select import configure

    registry = load_registry(root, settings.lint.packs)
    return configure(registry, settings.lint, config_path=config_path)


def lint_blocks(
    where: Where,
    request: tuple[list[Any], Mapping[str, datetime]],
    ruleset: RuleSet | Exception | None = None,
) -> tuple[Blocks, list[str]]:
    """Error findings of the requested posts (loaded posts, or files to load) and notes.

    The rules see only these posts, with the plan's *times*: the publisher's gate blocks on
    error-level findings, and the built-in error rules are all per-post ones."""
    from soulpost.errors import SoulpostError
    from soulpost.lint.engine import lint_posts
    from soulpost.workspace import load_posts

    items, times = request
    if not items:
        return {}, []
    try:
        if isinstance(ruleset, Exception):
            raise ruleset
        if ruleset is None:
            ruleset = ruleset_for(where.root, where.settings, where.config_path)
        posts = items
        if isinstance(items[0], str):
            posts, _ = load_posts([Path(p) for p in items], where.settings)
        report = lint_posts(
            posts, where.settings, now=where.now, times=times, root=where.root,
            config_path=where.config_path, ruleset=ruleset, cache=where.cache,
        )  # fmt: skip
    except SoulpostError as exc:
        return {}, [f"lint did not run: {exc}"]
    blocks: Blocks = {}
    for f in report.findings:
        if f.severity == "error" and f.post_id is not None:
            blocks.setdefault((f.post_id, f.platform), []).append(f"{f.code} {f.message}")
    return blocks, []


class Helper:
    """A forked process that builds the rule set now and lints what :meth:`lint` asks."""

    def __init__(self, pid: int, request: int, reply: int) -> None:
        self.pid, self.request, self.reply = pid, request, reply

    @classmethod
    def start(cls, where: Where) -> Helper | None:
        """A running helper, or None where this process should not fork."""
        from soulpost.workspace import fork_workers

        if not fork_workers(1, 0):
            return None
        to_child, request = os.pipe()
        reply, from_child = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (to_child, request, reply, from_child):
                os.close(fd)
            return None
        if pid == 0:  # the helper: never returns, never runs the parent's exit handlers
            try:
                os.close(request)
                os.close(reply)
                _serve(to_child, from_child, where)
            finally:
                os._exit(0)
        os.close(to_child)
        os.close(from_child)
        return cls(pid, request, reply)

    def lint(
        self, request: tuple[list[Any], Mapping[str, datetime]]
    ) -> tuple[Blocks, list[str]] | None:
        """The helper's answer to *request* (files and times), or None if it gave none."""
        try:
            with os.fdopen(self.request, "wb") as pipe:
                self.request = -1
                pickle.dump(request, pipe)
            with os.fdopen(self.reply, "rb") as pipe:
                self.reply = -1
                data = pipe.read()
            answer: tuple[Blocks, list[str]] = pickle.loads(data)
            return answer
        except (OSError, EOFError, pickle.UnpicklingError):
            return None

    def close(self) -> None:
        """Wait for the helper; one never asked (the queue was loaded here) is stopped."""
        if self.request >= 0:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        for fd in (self.request, self.reply):
            if fd >= 0:
                os.close(fd)
        self.request = self.reply = -1
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _serve(inbox: int, outbox: int, where: Where) -> None:
    """In the helper: build the rules, wait for the request, lint, answer."""
    ruleset: RuleSet | Exception
    try:
        ruleset = ruleset_for(where.root, where.settings, where.config_path)
    except Exception as exc:  # reported with the answer, as the in-process lint would
        ruleset = exc
    else:
        _warm_up(where, ruleset, inbox)
    with os.fdopen(inbox, "rb") as pipe:
        data = pipe.read()
    if not data:
        return  # the calendar needed no lint after all
    request = pickle.loads(data)
    answer = lint_blocks(where, request, ruleset)
    with os.fdopen(outbox, "wb") as pipe:
        pickle.dump(answer, pipe)


# Drafts the helper lints, and forgets, while it waits for the calendar's request: at
# most WARM_UP, a batch at a time, stopping as soon as the request has come.
WARM_UP, BATCH = 32, 8


def _warm_up(where: Where, ruleset: RuleSet, inbox: int) -> None:
    """Lint a few drafts of the queue and throw the answer away, while the calendar still
    reads the index and plans (this process would only wait).

    A run's first lint pays for importing the rules' modules, compiling patterns on first
    use and reading word lists: about 0.08 s of the 0.1 s it took to lint a week of 56
    posts, the last step before the calendar can answer. The request then finds all that
    done. The first drafts the folder lists will do; anything wrong with them is the
    request's business, not this. On a busy machine the request may come first: the
    warm-up stops between batches, so it delays the answer by one batch at most."""
    import select

    from soulpost.workspace import QUEUE_DIR

    names: list[str] = []
    try:
        with os.scandir(where.root / QUEUE_DIR) as entries:
            for entry in entries:
                if entry.name.endswith(".toml") and not entry.name.startswith("."):
                    names.append(entry.path)
                    if len(names) == WARM_UP:
                        break
    except OSError:
        return
    # Not through the cache: this answer is thrown away, and keeping it would rewrite the
    # cache file for nothing.
    where = dataclasses.replace(where, cache=False)
    for start in range(0, len(names), BATCH):
        if select.select([inbox], [], [], 0)[0]:
            return  # the request (or the end of it) is here
        with contextlib.suppress(Exception):
            lint_blocks(where, (names[start : start + BATCH], {}), ruleset)
