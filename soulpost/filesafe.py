"""Reading and writing the files a person gives soulpost, safely.

Drafts arrive by pull request, so every file soulpost reads on their behalf is untrusted:
only regular files are read, never more than :data:`MAX_FILE_BYTES`, opening never blocks
(a FIFO), and media must stay inside the workspace. Writing is atomic and keeps what a
shared queue needs: the file's mode and owner, links in place, the umask for new files.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from stat import S_ISBLK, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISREG, S_ISSOCK

from soulpost.errors import InputError

# The largest draft (or config file) read: generous for text, and what stops a link to
# /dev/zero or a runaway file from filling memory.
MAX_FILE_BYTES = 1 << 20
MAX_FILE_TEXT = "1 MiB"

# Non-blocking, so that opening a FIFO returns at once instead of waiting for a writer
# (a FIFO is then refused as not a regular file); never a controlling terminal.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def read_capped(path: Path) -> tuple[tuple[int, int], bytes, InputError | None] | None:
    """The (mtime_ns, size) stamp and bytes of the regular file *path*, or the stamp and
    an error naming the file when it is anything else or larger than the cap; None when
    it vanished since it was listed.

    Plain ``os`` calls on one descriptor (open, fstat, read) cost half of what
    ``Path.stat`` plus ``Path.read_bytes`` do, which shows at 10,000 files. On an error,
    the stamp is what a stat of the path sees, so a rescan comparing stamps does not take
    the same broken file for a changed one, pass after pass.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        if path.is_symlink():
            return (0, 0), b"", _failed(path, "a symbolic link to a file that does not exist")
        return None  # vanished between listing and reading
    except OSError as exc:
        return _stamp_of(path), b"", _failed(path, f"cannot read: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        stamp = (info.st_mtime_ns, info.st_size)
        if not S_ISREG(info.st_mode):
            kind = _file_kind(info.st_mode)
            return stamp, b"", _failed(path, f"not a regular file (it is {kind})")
        data = b"" if info.st_size > MAX_FILE_BYTES else _read_at_most(fd, info.st_size)
    except OSError as exc:
        return _stamp_of(path), b"", _failed(path, f"cannot read: {exc.strerror or exc}")
    finally:
        os.close(fd)
    size = max(info.st_size, len(data))
    if size > MAX_FILE_BYTES:
        return stamp, b"", _too_big(path, size)
    return stamp, data, None


def _read_at_most(fd: int, size: int) -> bytes:
    """The file's bytes, but never more than one byte past :data:`MAX_FILE_BYTES`."""
    chunks = [os.read(fd, min(size, MAX_FILE_BYTES) + 1)]
    total = len(chunks[0])
    if total > size:  # it grew since the fstat: read on, up to the cap
        while total <= MAX_FILE_BYTES and (chunk := os.read(fd, 1 << 16)):
            chunks.append(chunk)
            total += len(chunk)
    return b"".join(chunks)


def _stamp_of(path: Path) -> tuple[int, int]:
    """The (mtime_ns, size) a stat of *path* sees, or (0, 0): what a rescan compares."""
    try:
        info = path.stat()
    except OSError:
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)


def _failed(path: Path, problem: str) -> InputError:
    hint = "a draft must be a plain, readable .toml file: fix or remove this entry"
    return InputError(problem, path=path, hint=hint)


def _too_big(path: Path, size: int) -> InputError:
    problem = f"is {size} bytes; a file is read only up to {MAX_FILE_TEXT} ({MAX_FILE_BYTES} bytes)"
    hint = "a draft is a short text: shorten it or split it into several posts"
    return InputError(problem, path=path, hint=hint)


def _file_kind(mode: int) -> str:
    kinds = ((S_ISDIR, "a folder"), (S_ISFIFO, "a FIFO"), (S_ISCHR, "a character device"))
    for test, name in (*kinds, (S_ISBLK, "a block device"), (S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a plain file"


def media_location(root: Path, path: str) -> Path:
    """Where a ``media.path`` points: relative to the workspace *root*, unless written as
    an absolute path or with ``~``. Adapters read the file from here."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else root / candidate


def outside_reason(root: Path, path: str) -> str | None:
    """Why the media file *path* may not be used (None when, with every symbolic link
    followed, it is inside the workspace *root*). A draft comes by pull request: a path
    leading out of the workspace would upload whatever file it names."""
    try:
        real = media_location(root, path).resolve()
        base = root.resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a link loop, a NUL byte
        return f"cannot be resolved ({exc})"
    if not real.is_relative_to(base):
        return "leads outside the workspace"
    return None


def write_new_file(path: Path, content: str) -> None:
    """Write *content* to *path* atomically; fail with FileExistsError if *path* exists.

    The new file gets the mode any editor would give it (0666 less the umask), not the
    0600 of a temporary file: in a shared queue, the publishing user must be able to read it.
    """
    import tempfile  # here: reading, which every lint does, needs neither it nor shutil

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        _write_and_sync(fd, content)
        os.link(tmp, path)  # link() refuses to replace: a post is never overwritten
    finally:
        tmp.unlink()


def replace_file(path: Path, content: str, *, root: Path | None = None) -> None:
    """Replace *path* with *content* atomically (write, fsync, rename), keeping its mode
    and (where permitted) its owner and group.

    When *path* is a symbolic link, the file it points to is replaced and the link kept;
    with *root* given, that file must lie inside *root*, else :class:`InputError` and
    nothing is written (a link in a queue must not let soulpost edit files elsewhere).
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if root is not None and target != path and not target.is_relative_to(root.resolve()):
        raise InputError(
            "is a symbolic link to a file outside the workspace; soulpost edits files only "
            "inside it",
            path=path,
            hint=f"edit {target} by hand, or replace the link with the file itself",
        )
    before = target.stat()
    import tempfile

    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        os.fchmod(fd, before.st_mode & 0o7777)
        if (before.st_uid, before.st_gid) != (os.geteuid(), os.getegid()):
            try:
                os.fchown(fd, before.st_uid, before.st_gid)
            except PermissionError:  # only root may give a file away; keep what we may
                with contextlib.suppress(PermissionError):
                    os.fchown(fd, -1, before.st_gid)
        _write_and_sync(fd, content)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_and_sync(fd: int, content: str) -> None:
    """Write *content* to the open file *fd*, flush it to disk and close it."""
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows
    (``/proc/self/status``), else by setting and restoring it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
