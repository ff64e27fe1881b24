"""`soulpost lint draft.txt` and stdin outside a workspace, with no platform known (issue 9)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result

CLI = Callable[..., Result]
NOTE = "platform limits were not checked"


def test_plain_text_outside_a_workspace_gets_the_soul_rules(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / "draft.txt").write_text("LIKE THIS IF YOU'RE AN ARIES!\n", encoding="utf-8")
    result = cli("lint", "draft.txt", cwd=tmp_path)
    assert result.code == 0, result.err  # warnings only: exit by findings, not 2
    assert "SP201 engagement-bait" in result.out and "SP101 shouting" in result.out
    assert result.err.count(NOTE) == 1
    assert "SP606" not in result.out  # the stand-in platform is not reported as unknown
    result = cli("lint", "--fail-on", "warning", "draft.txt", cwd=tmp_path)
    assert result.code == 1


def test_stdin_is_linted_and_the_note_is_said_once(cli: CLI, tmp_path: Path) -> None:
    result = cli("lint", "--format", "json", "-", cwd=tmp_path, stdin="Vote for your favorite pet!")
    report = json.loads(result.out)
    assert [f["code"] for f in report["findings"]] == ["SP201"]
    assert result.err.count(NOTE) == 1
    clean = cli("lint", "-", cwd=tmp_path, stdin="What would you add to the checklist?")
    assert clean.code == 0 and "no problems" in clean.out


def test_a_named_platform_checks_its_limits_and_says_nothing(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("word " * 80, encoding="utf-8")
    result = cli("lint", "--platform", "x", "long.txt", cwd=tmp_path)
    assert "too-long" in result.out
    assert NOTE not in result.err
