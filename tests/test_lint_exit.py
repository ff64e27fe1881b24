"""The real ``soulpost lint`` process ends without the interpreter's teardown (freeing every
post one by one), so its whole report and exit code must still come out, as from main()."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result, run_process

CONFIG = (
    'timezone = "Europe/Berlin"\ndefault_platforms = ["x"]\n[platforms.x]\nadapter = "outbox"\n'
)
LOUD = 'text = "FLASH SALE!!! ACT NOW!!! Buy now at https://shop.example.com/{n}"\n'


def _queue(workspace: Callable[..., Path], count: int, broken: bool = False) -> Path:
    posts = {f"p{n:04d}.toml": LOUD.format(n=n) for n in range(count)}
    if broken:
        posts["zz-broken.toml"] = 'text = "unterminated\n'
    return workspace(CONFIG, posts)


def test_the_whole_report_and_the_exit_code_come_out(
    workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    root = _queue(workspace, 300)
    args = (
        "lint",
        "--now",
        "2026-11-20T12:00:00+00:00",
        "--format",
        "json",
        "--fail-on",
        "warning",
    )
    real = run_process(*args, cwd=root)
    in_process = cli("-C", str(root), *args)
    assert real.code == in_process.code == 1
    assert real.out == in_process.out
    assert len(json.loads(real.out)["findings"]) >= 600  # large enough to fill the pipe


def test_errors_still_go_to_stderr_with_exit_code_2(workspace: Callable[..., Path]) -> None:
    root = _queue(workspace, 3, broken=True)
    real = run_process("lint", "--now", "2026-11-20T12:00:00+00:00", cwd=root)
    assert real.code == 2
    assert "zz-broken.toml" in real.out + real.err
    assert "invalid TOML" in real.out + real.err
