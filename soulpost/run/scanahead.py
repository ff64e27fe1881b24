"""The queue's stat scan in a forked child, while the cron pass gets ready to send.

At 100,000 drafts the stat of every draft and the stamps' digest cost a cron pass about
0.4 s of CPU before anything else can be decided; a pass that will publish also spends
0.15-0.2 s importing what sending needs (requests, the adapters, the lint engine), none
of which depends on the queue. When the last plan's wake-up has come (so this pass will
plan, and most likely send), a forked child does the scan and the digest and hands them
back through a pipe (``marshal``: about 0.05 s to read back) while this process imports.

Nothing is decided before the stamps arrive: the pass waits for them exactly where it
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
import signal
from typing import TYPE_CHECKING, NoReturn

from soulpost.run.childproc import can_fork, detach, fork_piped

if TYPE_CHECKING:
    from pathlib import Path

    from soulpost.queueindex import Stamp

Scanned = tuple[dict[str, "Stamp"], str]
"""Every draft's stamp by path (:func:`soulpost.queueindex.scan_stamps`) and their digest."""


class ScanAhead:
    """One forked scan of the queue; :meth:`result` waits for it."""

    def __init__(self, pid: int, read: int) -> None:
        self.pid, self._read = pid, read

    @classmethod
    def start(cls, queue: Path) -> ScanAhead | None:
        """Fork the child scanning *queue*, or None when it cannot (scan here then)."""
        if not can_fork():
            return None
        forked = fork_piped(lambda write: _child(queue, write))
        return None if forked is None else cls(*forked)

    def result(self) -> Scanned | None:
        """The child's stamps and digest; None when it failed (scan here then)."""
        parts: list[bytes] = []
        try:
            while chunk := os.read(self._read, 1 << 20):
                parts.append(chunk)
        except OSError:
            parts = []
        except BaseException:  # interrupted (a signal's handler raised): stop the child
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            raise
        finally:
            os.close(self._read)
            status = _reap(self.pid)
        if not parts or status != 0:
            return None
        return _decode(b"".join(parts))


def _reap(pid: int) -> int | None:
    """The child's exit code once it has ended (None if it was not ours to wait for)."""
    try:
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:
        return None


def _decode(data: bytes) -> Scanned | None:
    """The child's answer, checked for shape (our own child's, through our own pipe)."""
    try:
        answer = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(answer, tuple) and len(answer) == 2):
        return None
    stamps, digest = answer
    if not (isinstance(stamps, dict) and isinstance(digest, str)):
        return None
    return stamps, digest


def _child(queue: Path, write: int) -> NoReturn:
    """Scan, send the stamps and their digest, and exit without running anything else."""
    from soulpost import queueindex

    code = 0
    try:
        detach(write)
        gc.disable()  # 100,000 new tuples, none of them garbage (see paused_gc)
        stamps = queueindex.scan_stamps(queue)
        view = memoryview(marshal.dumps((stamps, queueindex.digest(stamps))))
        while view:
            view = view[os.write(write, view) :]
    except BaseException:  # the parent scans for itself
        code = 1
    finally:
        with contextlib.suppress(OSError):
            os.close(write)
        os._exit(code)
