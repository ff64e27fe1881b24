"""The shipped packs' snapshot kept in marshal's format beside packsnap's .pyc (issue 9).

The kept copy must hold exactly what the JSON holds, be used only when it was made from
these very JSON bytes by this interpreter, and not be written where Python writes no
bytecode.
"""

from __future__ import annotations

import json
import marshal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest import MonkeyPatch

from soulpost.lint import packsnap


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: MonkeyPatch) -> Iterator[Path]:
    """Where the copy goes in this test; the snapshot read afresh before and after."""
    path = tmp_path / "packsnap.shipped.marshal"
    monkeypatch.setattr(packsnap, "_kept_path", lambda: path)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    packsnap._snapshot.cache_clear()
    yield path
    packsnap._snapshot.cache_clear()


def from_json() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(packsnap.SNAPSHOT.read_text(encoding="utf-8"))
    return loaded


def test_the_kept_copy_holds_what_the_json_holds(kept: Path) -> None:
    first = packsnap._snapshot()
    assert kept.is_file()
    packsnap._snapshot.cache_clear()
    again = packsnap._snapshot()  # from the copy now
    assert first == again == from_json()
    assert len(first) >= 4


def write_copy(kept: Path, version: str, made_from: bytes, data: object) -> None:
    kept.write_bytes(marshal.dumps((version, packsnap.stamp(made_from), data)))


def test_only_a_copy_of_these_bytes_by_this_interpreter_is_used(kept: Path) -> None:
    raw = packsnap.SNAPSHOT.read_bytes()
    other = {"de.toml": {"stamp": {}, "data": {}}}
    write_copy(kept, sys.version, raw, other)  # the check can fail: this copy is used
    assert packsnap._snapshot() == other

    packsnap._snapshot.cache_clear()
    write_copy(kept, sys.version, raw + b" ", other)  # made from other JSON
    assert packsnap._snapshot() == from_json()

    packsnap._snapshot.cache_clear()
    write_copy(kept, "another python", raw, other)
    assert packsnap._snapshot() == from_json()

    packsnap._snapshot.cache_clear()
    kept.write_bytes(b"\x00 not marshal")
    assert packsnap._snapshot() == from_json()


def test_nothing_is_kept_when_python_writes_no_bytecode(
    kept: Path, monkeypatch: MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert packsnap._snapshot() == from_json()
    assert not kept.exists()
