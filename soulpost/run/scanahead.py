"""The queue's stat scan in a forked child, while the cron pass gets ready to send.

At 100,000 drafts the stat of every draft and the stamps' digest cost a cron pass about
0.4 s of CPU before anything else can be decided; a pass that will publish also spends
0.1 s on start-up imports (the settings' models) and 0.15-0.2 s importing what sending
needs (requests, the adapters, the lint engine), none of which depends on the queue.
When the last plan's wake-up has come (so the pass will plan, and most likely send),
``publish --due`` forks the child as soon as it knows the workspace (:func:`start_early`,
before those imports), with the pass lock already taken so no other pass changes the
queue under the scan; a pass that forked nothing then forks in
:mod:`soulpost.run.indexed`, under the same condition. An idle pass scans for itself.

The child answers in two parts through a pipe (``marshal``): first the stamps' digest
(with the queue folder's own stamp), then the stamps themselves. Most passes need only
the digest (an idle pass, or one that plans from the near window with nothing changed),
so the 100,000 stamps (about 0.05 s to pass over and read back) are read only when the
pass asks for them (:class:`PendingStamps`); a pass that does not ends the child.

Nothing is decided before the digest arrives: the pass waits for it exactly where it
scanned before, so a draft changed or added before that moment is seen as it was. A
child that cannot be forked (one core, another thread running, no ``fork``), that dies or
that answers nonsense costs only the scan in this process, as before. The child closes
every inherited descriptor but its pipe (the pass lock stays this process's) and leaves
with ``os._exit``, running nothing of the parent's.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from soulpost.errors import StateError
from soulpost.run.childproc import can_fork, detach, fork_piped, stop

if TYPE_CHECKING:
    from collections.abc import Callable

    from soulpost.clock import Clock
    from soulpost.config import Settings
    from soulpost.lock import PassLock
    from soulpost.queueindex import Stamp
    from soulpost.workspace import PostCache

Scanned = tuple[dict[str, "Stamp"], str]
"""Every draft's stamp by path (:func:`soulpost.queueindex.scan_stamps`) and their digest."""

_SIZE = struct.Struct("<Q")


@dataclass(frozen=True)
class Head:
    """The first part of the child's answer: what most passes need."""

    digest: str
    count: int  # how many stamps the second part holds
    queue: tuple[int, int] | None  # the queue folder's own entry, (-1, -1) when unreadable


class ScanLost(StateError):
    """The child's stamps could not be had, and a scan here found the queue changed since
    its digest: what the pass decided from that digest cannot be matched with stamps.
    The indexed pass catches it and loads the whole queue instead."""


class ScanAhead:
    """One forked scan of *queue*; :meth:`head` and :meth:`stamps` wait for it."""

    def __init__(self, pid: int, read: int, queue: Path) -> None:
        self.pid: int | None = pid
        self._read: int | None = read
        self.queue = queue
        self._head: Head | None = None

    @classmethod
    def start(cls, queue: Path) -> ScanAhead | None:
        """Fork the child scanning *queue*, or None when it cannot (scan here then)."""
        if not can_fork():
            return None
        forked = fork_piped(lambda write: _child(queue, write))
        return None if forked is None else cls(*forked, queue)

    def head(self) -> Head | None:
        """The digest part of the answer (once); None when the child failed."""
        if self._head is None and self._read is not None:
            self._head = _decode_head(self._part())
            if self._head is None:
                self.close()
        return self._head

    def answered(self) -> bool:
        """Whether :meth:`head` would return at once (the digest is in the pipe, or the
        child is gone): work done while waiting for it should stop there."""
        if self._head is not None or self._read is None:
            return True
        import select

        try:
            return bool(select.select([self._read], [], [], 0)[0])
        except (OSError, ValueError):
            return True

    def stamps(self) -> dict[str, Stamp] | None:
        """The stamps the digest was made of; None when the child failed. Ends the child."""
        head = self.head()
        if head is None or self._read is None:  # failed, or closed since the digest
            return None
        data = self._part()
        status = self._reap()
        self.close()
        if data is None or status != 0:
            return None
        try:
            stamps = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None
        return stamps if isinstance(stamps, dict) and len(stamps) == head.count else None

    def result(self) -> Scanned | None:
        """The child's stamps and digest together; None when it failed."""
        head = self.head()
        stamps = self.stamps() if head is not None else None
        return None if head is None or stamps is None else (stamps, head.digest)

    def _part(self) -> bytes | None:
        """One length-prefixed part from the pipe (None at its end or on an error)."""
        assert self._read is not None
        try:
            size = _read_exactly(self._read, _SIZE.size)
            return None if size is None else _read_exactly(self._read, _SIZE.unpack(size)[0])
        except BaseException:  # interrupted (a signal's handler raised): stop the child
            self.close()
            raise

    def _reap(self) -> int | None:
        pid, self.pid = self.pid, None
        if pid is None:
            return None
        try:
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        except ChildProcessError:
            return None

    def close(self) -> None:
        """Stop the child if it still runs (its work is only reading) and reap it."""
        stop(self._read, self.pid)
        self._read = self.pid = None


class PendingStamps(Mapping[str, "Stamp"]):
    """The child's stamps, read from it the first time the pass looks at one. If they
    cannot be had, the queue is scanned here; should that scan's digest differ from the one
    the pass went by, :class:`ScanLost` is raised (the pass then loads the whole queue)."""

    def __init__(self, ahead: ScanAhead, digest: str) -> None:
        self._ahead, self._digest = ahead, digest
        self._stamps: dict[str, Stamp] | None = None

    def resolve(self) -> dict[str, Stamp]:
        if self._stamps is None:
            stamps = self._ahead.stamps()
            if stamps is None:
                from soulpost import queueindex

                stamps = queueindex.scan_stamps(self._ahead.queue)
                if queueindex.digest(stamps) != self._digest:
                    raise ScanLost(
                        f"{self._ahead.queue}: the queue changed while it was scanned; "
                        "run the pass again"
                    )
            self._stamps = stamps
        return self._stamps

    def __getitem__(self, path: str) -> Stamp:
        return self.resolve()[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self.resolve())

    def __len__(self) -> int:
        return len(self.resolve())

    def close(self) -> None:
        """End the child if its stamps were not read."""
        self._ahead.close()


def _read_exactly(fd: int, size: int) -> bytes | None:
    """*size* bytes from *fd*, or None at the end of the stream (or an error)."""
    parts: list[bytes] = []
    left = size
    while left:
        try:
            got = os.read(fd, min(left, 1 << 20))
        except OSError:
            return None
        if not got:
            return None
        parts.append(got)
        left -= len(got)
    return b"".join(parts)


def _decode_head(data: bytes | None) -> Head | None:
    """The child's first part, checked for shape (our own child's, through our own pipe)."""
    try:
        answer = marshal.loads(data) if data is not None else None
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(answer, tuple) and len(answer) == 3):
        return None
    digest, count, queue = answer
    if not (isinstance(digest, str) and isinstance(count, int)):
        return None
    if not (queue is None or (isinstance(queue, tuple) and len(queue) == 2)):
        return None
    return Head(digest, count, queue)


def _child(queue: Path, write: int) -> NoReturn:
    """Scan, send the digest, then the stamps, and exit without running anything else."""
    code = 0
    try:
        detach(write)
        gc.disable()  # 100,000 new tuples, none of them garbage (see paused_gc)
        from soulpost import queueindex

        stamps = queueindex.scan_stamps(queue)
        head = (queueindex.digest(stamps), len(stamps), stamps.get(str(queue)))
        for part in (marshal.dumps(head), marshal.dumps(stamps)):
            view = memoryview(_SIZE.pack(len(part)) + part)
            while view:
                view = view[os.write(write, view) :]
    except BaseException:  # the parent scans for itself (or no longer listens)
        code = 1
    finally:
        with contextlib.suppress(OSError):
            os.close(write)
        os._exit(code)


@dataclass
class EarlyScan:
    """The pass lock and a forked scan taken before the pass's own start-up."""

    lock: PassLock
    scan: ScanAhead

    def close(self) -> None:
        self.scan.close()
        self.lock.release()


def start_early(start: Path) -> EarlyScan | None:
    """For ``publish --due``: take the pass lock and fork the queue's scan before the
    settings and the pass's modules are imported. Only in the plain case, a ``config.toml``
    without a ``state_dir`` of its own found at or above *start* (the workspace's root as
    :func:`soulpost.workspace.find_root` finds it); None otherwise, or when the lock is
    held (the pass then steps aside as usual) or a child cannot be forked: the pass goes
    its usual way and checks that what was taken here is its own."""
    from soulpost.lock import LockUnavailable, PassLock

    root = _plain_root(start)
    if root is None or not (root / ".soulpost").is_dir() or not can_fork():
        return None  # (a first pass creates the state folder once its settings are known)
    if not _wake_come(root / ".soulpost"):
        return None  # most likely an idle pass: it scans here, as before
    lock = PassLock(root / ".soulpost")
    try:
        if not lock.acquire():
            return None
    except LockUnavailable:
        return None  # the pass says what is wrong
    scan = ScanAhead.start(root / "queue")
    if scan is None:
        lock.release()
        return None
    return EarlyScan(lock, scan)


def _plain_root(start: Path) -> Path | None:
    """The nearest folder at or above *start* with a ``config.toml`` that sets no
    ``state_dir``; None when a ``pyproject.toml`` comes first (it may hold the settings) or
    the config names a state folder (the pass finds both)."""
    for folder in (start, *start.parents):
        config = folder / "config.toml"
        if config.is_file():
            try:
                text = config.read_bytes()
            except OSError:
                return None
            return None if b"state_dir" in text else folder
        if (folder / "pyproject.toml").is_file():
            return None
    return None


def _wake_come(state_dir: Path) -> bool:
    """Whether the last plan's wake-up (``index-head.json``) has come, so this pass will
    plan and most likely send; the pass decides for itself from the same file, so a wrong
    answer here (an unreadable head, an odd ``SOULPOST_NOW``) costs only time. An idle
    pass does not fork: a fork and a child cost it more CPU than the overlap saves."""
    import json
    from datetime import UTC, datetime

    try:
        wake = json.loads((state_dir / "index-head.json").read_text(encoding="utf-8"))["wake"]
        due = datetime.fromisoformat(wake)
        given = os.environ.get("SOULPOST_NOW")
        now = datetime.fromisoformat(given) if given else datetime.now(UTC)
        return bool(now >= due)
    except (OSError, ValueError, KeyError, TypeError):
        return False


# -- what a pass that sends does while the child scans ---------------------------------


def preload(  # noqa: PLR0917 (the pass's own parts, passed on)
    root: Path,
    settings: Settings,
    config_path: Path,
    clock: Clock,
    share: tuple[int, int],
    scanned: Callable[[], bool],
) -> PostCache | None:
    """The due drafts the last window names (this publisher's *share* of them: its rank
    and how many publishers share the ledger), parsed while the child scans, until
    *scanned* says it has finished; None when that fails (the pass parses them when it
    knows it wants them, as before)."""
    from soulpost import queueindex
    from soulpost.run import window

    key = queueindex.config_key(config_path)
    if key is None:
        return None
    try:
        state_dir = root / settings.publish.state_dir
        return window.preload_due(state_dir, key, settings, clock.now(), share, scanned)
    except Exception:  # a head start only
        return None


def prefetch(root: Path, settings: Settings, config_path: Path) -> None:
    """Get ready for a pass that sends while the child scans (none of it depends on the
    queue): import the lint gate, the send loop, the configured built-in adapters and,
    unless every platform writes to the outbox, requests (0.1-0.15 s of the 0.15-0.2 s);
    build the gate's rule registry (cached, and built again if a rule pack changes before
    the gate asks)."""
    import importlib

    from soulpost.publish import registry
    from soulpost.run.gate import post_rules_only

    names = ["soulpost.lint.engine", "soulpost.run.actions", "soulpost.run.lintahead"]
    if any(p.adapter != "outbox" for p in settings.platforms.values()):
        names.append("soulpost.publish.http")
    for name in names:
        importlib.import_module(name)
    for platform in settings.platforms:  # the built-in adapters' modules
        adapter = settings.adapter_for(platform)
        if adapter in registry.BUILTIN:
            with contextlib.suppress(Exception):  # a broken one is reported when built
                registry.load(adapter)
    if settings.publish.lint_gate:
        post_rules_only(settings, root, config_path)
