"""Issue 12 item 12 (SOULPOST_NOW out of range): one clear line and exit 2, no traceback,
for every command that reads the clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9999-12-31T23:00:00Z"]
)
@pytest.mark.parametrize("command", [("status",), ("publish", "--due"), ("retry", "x")])
def test_soulpost_now_out_of_range_is_one_line(
    tmp_path: Path,
    cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    command: tuple[str, ...],
) -> None:
    (tmp_path / "config.toml").write_text('timezone = "UTC"\n')
    (tmp_path / "queue").mkdir()
    monkeypatch.setenv("SOULPOST_NOW", value)
    result = cli("-C", tmp_path, *command)
    assert result.code == 2, result.out + result.err
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1 and "SOULPOST_NOW" in result.err, result.err
