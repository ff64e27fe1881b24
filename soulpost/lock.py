"""The workspace pass lock: one pass (CLI or daemon) at a time per workspace.

``flock`` on ``.soulpost/pass.lock``, never blocking: a second pass sees the lock held and
steps aside (``publish --due`` then exits 0). The kernel drops the lock when the holder
dies, so a killed process never leaves a stale lock behind. The daemon holds it for its whole
life, so cron passes stay out of its way. Claims in the ledger are atomic on their own; this
lock only keeps passes from doing the same work twice over.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from soulpost.errors import SoulpostError

LOCK_NAME = "pass.lock"


class LockUnavailable(SoulpostError):
    """The lock file cannot be created or opened (a read-only or full state directory)."""


class PassLock:
    """A non-blocking exclusive lock on a file; ``acquire()`` says whether it was taken."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock if it is free; False when another process holds it."""
        if self._fd is not None:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LockUnavailable(
                f"{self.path}: cannot take the workspace lock ({exc.strerror}); check that "
                f"the user running soulpost may write to {self.path.parent}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass  # the pid is informational; the lock itself is held
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def holder(self) -> str | None:
        """The pid written by the holder (informational only)."""
        try:
            return self.path.read_text().strip() or None
        except OSError:
            return None

    def __enter__(self) -> PassLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
