"""The lint cache's files are written as tempfile would have them written, without it.

``write_atomic`` used ``tempfile.mkstemp``; importing tempfile (with shutil, bz2 and lzma)
cost every lint that writes the cache. Its own temporary file must keep what mkstemp
gave: a new file only this user reads, never through a link, renamed over the target.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from soulpost.lint.cachefiles import _temporary, read_owned, write_atomic


def test_write_atomic_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "lint-x" / "00.jsonl"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert read_owned(target) == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["00.jsonl"]
    if sys.platform != "win32":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700


def test_a_temporary_file_is_new_private_and_named_at_random(tmp_path: Path) -> None:
    made = []
    for _ in range(20):
        fd, name = _temporary(tmp_path)
        os.close(fd)
        made.append(name)
    assert len(set(made)) == 20
    for name in made:
        path = name
        assert path.parent == tmp_path
        assert path.name.startswith(".lint-") and path.name.endswith(".tmp")
        if sys.platform != "win32":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")
def test_a_link_planted_at_a_temporary_name_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that is taken (here by a link to a file elsewhere) is never opened: the next
    random name is tried, and the link's target is left alone."""
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    second = b"\x01" * 6
    names = iter([bytes(6), bytes(6), second])
    monkeypatch.setattr(os, "urandom", lambda n: next(names))
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / f".lint-{bytes(6).hex()}.tmp").symlink_to(victim)
    fd, name = _temporary(folder)
    os.close(fd)
    assert name.name == f".lint-{second.hex()}.tmp"
    assert victim.read_bytes() == b"keep"


def test_a_folder_that_cannot_be_written_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    write_atomic(blocker / "00.jsonl", b"x")  # its folder is a file: nothing, no error
    assert blocker.read_bytes() == b""
