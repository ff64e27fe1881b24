"""What a pass's helper child needs, shared by the lint gate's and the queue scan's.

A cron pass forks a child to do work on the machine's other core while it goes on (lint
the next chunks: :mod:`soulpost.run.lintahead`; stat the queue: :mod:`soulpost.run.scanahead`).
Both fork only where that is safe and both cut the child loose from the parent's files
and signal handlers the same way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from typing import NoReturn


def can_fork() -> bool:
    """A second core to run on, and no other thread whose locks a child could inherit held."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1


def fork_piped(child: Callable[[int], NoReturn]) -> tuple[int, int] | None:
    """Fork a child that runs ``child(write)`` (it must never return) with the write end
    of a new pipe; here, its pid and the read end. None when fork or the pipe fails."""
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child
        os.close(read)
        child(write)
    os.close(write)
    return pid, read


def stop(read: int | None, pid: int | None) -> int | None:
    """Close our end of a child's pipe, kill the child if it still runs (its work is only
    reading) and reap it; its exit code, or None when there was none to reap."""
    if read is not None:
        os.close(read)
    if pid is None:
        return None
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    try:
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:
        return None


def detach(keep: int) -> None:
    """In the child: close every inherited descriptor but *keep* (its pipe; the pass lock,
    the ledger and open connections stay the parent's) and take the default signal
    handlers back, so SIGINT and SIGTERM end it rather than run the parent's handlers."""
    os.closerange(3, keep)
    os.closerange(keep + 1, _open_max())
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _open_max() -> int:
    try:
        return max(1024, min(os.sysconf("SC_OPEN_MAX"), 1 << 20))
    except (ValueError, OSError):
        return 65536
