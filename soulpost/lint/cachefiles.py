"""The files of the lint cache (:mod:`soulpost.lint.cache`): read only when they are the
user's own regular files, written whole through a temporary file and a rename.

A shard is JSON Lines: a header (format and environment), then one line per post file,
``digest TAB name TAB entry`` with the name and the entry in JSON.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# The format of the files; another one is a miss.
FORMAT = 1

# One entry, as stored: [digest, summary, draft values, findings, extra] (see cache.py).
Entry = list[Any]
# How an entry is held: its digest, and the entry, or its JSON text until it is needed.
Item = tuple[str, "Entry | str"]


def read_owned(path: Path) -> bytes | None:
    """The bytes of *path* when it is a regular file of this user's (not a link), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None  # someone else's file: not ours to trust
        with os.fdopen(fd, "rb") as stream:
            fd = -1
            return stream.read()
    except OSError:
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write *data* to *path* through a temporary file and a rename: a concurrent reader
    sees the old file or the new one. A cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = _temporary(path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        temp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()


# Flags of a new temporary file, as tempfile.mkstemp opens it: created here or failing,
# never through a link, not inherited by child processes.
_NEW = os.O_RDWR | os.O_CREAT | os.O_EXCL
for _flag in ("O_NOFOLLOW", "O_CLOEXEC", "O_NOINHERIT", "O_BINARY"):
    _NEW |= getattr(os, _flag, 0)


def _temporary(folder: Path) -> tuple[int, Path]:
    """A new file in *folder* only this user may read, opened for writing, and its path.

    What ``tempfile.mkstemp(dir=folder, prefix=".lint-", suffix=".tmp")`` gives, without
    importing :mod:`tempfile`: it imports :mod:`shutil`, and with it ``bz2`` and ``lzma``,
    which cost every lint that writes the cache (the first one, or one after an edit)
    about 1 % of linting one draft. The name is random, and a name taken is tried again.
    """
    for _attempt in range(100):
        name = folder / f".lint-{os.urandom(6).hex()}.tmp"
        try:
            return os.open(name, _NEW, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name in {folder}")


def read_shard(path: Path, env: str) -> dict[str, Item]:
    """The entries of the cache file at *path* for *env*; empty for anything odd.

    The file is JSON Lines: a header (format and environment), then one line per post
    file, ``digest TAB name TAB entry`` with the name and the entry in JSON. Entries are
    parsed only when their digest matches, so a command that looks up a few posts does
    not parse the whole queue's, and one that rewrites the file copies unchanged lines.
    """
    import json

    data = read_owned(path)
    if data is None:
        return {}
    try:
        lines = data.decode("utf-8").split("\n")
        header = json.loads(lines[0])
    except (ValueError, RecursionError):
        return {}
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("env") != env:
        return {}
    entries: dict[str, Item] = {}
    for line in lines[1:]:
        parts = line.split("\t", 2)
        if len(parts) != 3:
            continue
        digest, quoted, payload = parts
        name = _name(quoted)
        if name is not None:
            entries[name] = (digest, payload)
    return entries


def parse_all(entries: dict[str, Item]) -> None:
    """Parse every entry of a shard with one call of the JSON parser (a call per entry
    costs more than the parsing); a shard with a line that does not parse is left to be
    parsed line by line, so that one bad line costs only its own entry."""
    import json

    names = [name for name, (_digest, payload) in entries.items() if isinstance(payload, str)]
    if not names:
        return
    joined = ",".join(entries[name][1] for name in names)  # type: ignore[misc]
    try:
        parsed = json.loads(f"[{joined}]")
    except (ValueError, RecursionError):
        return
    if not isinstance(parsed, list) or len(parsed) != len(names):
        return  # a line that held more than one value: line by line, then
    for name, payload in zip(names, parsed, strict=True):
        digest = entries[name][0]
        entries[name] = (digest, [digest, *payload] if isinstance(payload, list) else "")


def _name(quoted: str) -> str | None:
    """A name as JSON writes it; without escapes, the text between the quotes."""
    if len(quoted) >= 2 and quoted[0] == quoted[-1] == '"' and "\\" not in quoted:
        return quoted[1:-1]
    import json

    try:
        name = json.loads(quoted)
    except (ValueError, RecursionError):
        return None
    return name if isinstance(name, str) else None


def write_shard(path: Path, env: str, entries: Mapping[str, Item]) -> None:
    """Write *entries* to *path* atomically; a cache that cannot be written is skipped
    (and a shard left with no entries is removed)."""
    import json

    if not entries:
        with contextlib.suppress(OSError):
            path.unlink()
        return
    # ASCII (other characters escaped): parsed back as 1-byte text, a third faster than
    # UTF-8 holding one emoji, which makes the whole text 4 bytes a character.
    dumps = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
    try:
        lines = [dumps({"format": FORMAT, "env": env})]
        for name, (digest, payload) in entries.items():
            text = payload if isinstance(payload, str) else dumps(payload[1:])
            lines.append(f"{digest}\t{dumps(name)}\t{text}")
        data = "\n".join(lines).encode("utf-8")
    except ValueError:
        return
    write_atomic(path, data)
