"""Issue 12, item 9: ``approve`` and ``add`` (and ``init``) write files a shared queue can
still read. An edited draft keeps its mode and owner; a new file gets the mode of the
umask, like any editor's; a symlinked draft has its target edited and stays a link, but
only when that target is inside the workspace."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hostile._ws import make

DRAFT = 'text = "Shared queue: thoughts?"\nat = 2026-12-01T09:30:00\n'


@pytest.fixture
def umask() -> Iterator[Any]:
    old = os.umask(0o022)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.mark.parametrize("perm", [0o644, 0o664, 0o640])
def test_approve_keeps_the_mode(cli: Any, tmp_path: Path, perm: int) -> None:
    root = make(tmp_path)
    draft = root / "queue" / "p.toml"
    draft.write_text(DRAFT, encoding="utf-8")
    draft.chmod(perm)
    result = cli("approve", "p", cwd=root)
    assert result.code == 0, result.err
    assert 'status = "approved"' in draft.read_text()
    assert mode(draft) == perm


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_approve_keeps_the_owner(cli: Any, tmp_path: Path) -> None:
    root = make(tmp_path)
    draft = root / "queue" / "p.toml"
    draft.write_text(DRAFT, encoding="utf-8")
    os.chown(draft, 4321, 4322)
    assert cli("approve", "p", cwd=root).code == 0
    info = draft.stat()
    assert (info.st_uid, info.st_gid) == (4321, 4322)


def test_approve_edits_a_symlinks_target_inside_the_workspace(cli: Any, tmp_path: Path) -> None:
    root = make(tmp_path)
    (root / "drafts").mkdir()
    target = root / "drafts" / "p.toml"
    target.write_text(DRAFT, encoding="utf-8")
    target.chmod(0o644)
    link = root / "queue" / "p.toml"
    link.symlink_to("../drafts/p.toml")
    result = cli("approve", "p", cwd=root)
    assert result.code == 0, result.err
    assert link.is_symlink() and os.readlink(link) == "../drafts/p.toml"
    assert 'status = "approved"' in target.read_text()
    assert mode(target) == 0o644
    assert not [p for p in (root / "drafts").iterdir() if p.name.startswith(".")]


def test_approve_refuses_a_symlink_leading_out(cli: Any, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = outside / "p.toml"
    target.write_text(DRAFT, encoding="utf-8")
    (tmp_path / "ws").mkdir()
    root = make(tmp_path / "ws")
    (root / "queue" / "p.toml").symlink_to(target)
    result = cli("approve", "p", cwd=root)
    assert result.code == 2
    assert "p.toml" in result.err and "outside the workspace" in result.err, result.err
    assert "Traceback" not in result.err
    assert target.read_text() == DRAFT
    assert (root / "queue" / "p.toml").is_symlink()


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_add_and_init_follow_the_umask(
    cli: Any, tmp_path: Path, umask: Any, mask: int, expected: int
) -> None:
    umask(mask)
    root = tmp_path / "ws"
    assert cli("init", str(root), "--timezone", "UTC").code == 0
    assert mode(root / "config.toml") == expected
    assert mode(root / "queue" / "welcome.toml") == expected
    result = cli("add", "A new post: what do you think?", "--id", "fresh", cwd=root)
    assert result.code == 0, result.err
    assert mode(root / "queue" / "fresh.toml") == expected
