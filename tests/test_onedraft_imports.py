"""What a one-draft ``soulpost lint`` does not import (issue 9's one draft in <= 0.15 s).

Each module here was imported by every one-draft lint for something only some runs need:
``signal`` for the progress timer (a terminal only); ``string`` to check the shipped
packs' messages (checked when their snapshot is made); ``importlib.metadata`` for plugins
(see tests/test_startup_loader.py); ``tempfile`` (and with it ``shutil``, ``bz2`` and
``lzma``) to name the lint cache's temporary file, which a lint that fills or updates the
cache writes. The real command line runs under ``-X importtime``, which names every
module it imports.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from soulpost.errors import ConfigError
from soulpost.lint.packsnap import check
from soulpost.lint.registry import load_pack
from tests.conftest import imported_modules

POST = """text = "A calm update: details at https://example.com/notes/one-2 Replies welcome."
platforms = ["mastodon", "x"]
"""

NOT_IMPORTED = ("signal", "string", "importlib.metadata")
# Not imported either when the lint writes its cache (the first lint, or an edited draft).
NOT_IMPORTED_WRITING = ("tempfile", "shutil", "bz2", "lzma")


def imported(tmp_path: Path, *args: str, keep: bool = False) -> set[str]:
    """The modules one lint of ``queue/a.toml`` imports; *keep*: in the workspace an
    earlier call made (its files as they are now), else in a new one."""
    root = tmp_path / "ws"
    if not keep:
        (root / "queue").mkdir(parents=True)
        (root / "config.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
        (root / "queue" / "a.toml").write_text(POST, encoding="utf-8")
    env = {**os.environ, "SOULPOST_CACHE_DIR": str(tmp_path / "cache")}
    return imported_modules("lint", *args, "queue/a.toml", cwd=root, env=env)


def test_a_one_draft_lint_imports_none_of_them(tmp_path: Path) -> None:
    modules = imported(tmp_path, "--no-cache")
    assert "soulpost.lint.engine" in modules  # it did lint
    assert [name for name in NOT_IMPORTED if name in modules] == []


def test_nor_does_one_with_the_lint_cache(tmp_path: Path) -> None:
    modules = imported(tmp_path)  # an empty cache: this lint fills it
    assert "soulpost.lint.cache" in modules
    assert [name for name in NOT_IMPORTED if name in modules] == []
    assert [name for name in NOT_IMPORTED_WRITING if name in modules] == []
    assert any((tmp_path / "cache").rglob("*.jsonl"))  # it did write the cache


def test_nor_one_that_updates_the_cache_for_an_edited_draft(tmp_path: Path) -> None:
    imported(tmp_path)
    draft = tmp_path / "ws" / "queue" / "a.toml"
    draft.write_text(POST.replace("A calm update", "A calmer update"), encoding="utf-8")
    shards = {p: p.read_bytes() for p in (tmp_path / "cache").rglob("*.jsonl")}
    modules = imported(tmp_path, keep=True)
    assert [name for name in NOT_IMPORTED_WRITING if name in modules] == []
    after = {p: p.read_bytes() for p in (tmp_path / "cache").rglob("*.jsonl")}
    assert after != shards  # the edited draft's entry was written


def test_the_snapshot_check_refuses_a_message_the_registry_would(tmp_path: Path) -> None:
    """A snapshot rule's message is not checked again at load, so making it checks it."""
    rule = {
        "code": "SP901",
        "name": "wide",
        "kind": "phrases",
        "severity": "warning",
        "lesson": "listen",
        "summary": "s",
        "message": "{match:>2000000000}",
        "options": {"phrases": ["act now"]},
    }
    with pytest.raises(ValueError, match="width or precision"):
        check("x.toml", {"rule": [rule]})
    pack = tmp_path / "x.toml"  # the registry says the same of the pack as TOML
    pack.write_text(
        '[[rule]]\ncode = "SP901"\nname = "wide"\nkind = "phrases"\nseverity = "warning"\n'
        'lesson = "listen"\nsummary = "s"\nmessage = "{match:>2000000000}"\n'
        'options = { phrases = ["act now"] }\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="width or precision"):
        load_pack(pack)
