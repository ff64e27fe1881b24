"""Start-up shortcuts of the real command line (issue 9: one draft linted in <= 0.15 s).

Each shortcut must leave behaviour as it was: the collector is back on for commands that
run long (the daemon, the language server), and a user's pydantic setting is kept.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# Runs soulpost.cli.main() as the real command line does (argv None), with the command's
# run() replaced by one that reports what start-up left behind.
PROBE = textwrap.dedent(
    """
    import gc, importlib, os, sys
    command = sys.argv[1]
    module = importlib.import_module(sys.argv[2])

    def run(args):
        print(f"gc={gc.isenabled()} plugins={os.environ.get('PYDANTIC_DISABLE_PLUGINS')}")
        return 0

    module.run = run
    from soulpost.cli import main
    sys.argv = ["soulpost", command]
    raise SystemExit(main())
    """
)


def probe(command: str, module: str, tmp_path: Path, env: dict[str, str] | None = None) -> str:
    """What the probe printed for *command* (its module *module*)."""
    environ = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, command, module],
        cwd=tmp_path,
        env={**environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("command", "module"),
    [("daemon", "soulpost.commands.daemon"), ("queue", "soulpost.commands.queue")],
)
def test_other_commands_run_with_the_collector_on(
    command: str, module: str, tmp_path: Path
) -> None:
    assert probe(command, module, tmp_path) == "gc=True plugins=__all__"


def test_lint_keeps_the_collector_paused_to_its_end(tmp_path: Path) -> None:
    assert probe("lint", "soulpost.commands.lint", tmp_path) == "gc=False plugins=__all__"


def test_a_pydantic_plugin_setting_of_the_user_is_kept(tmp_path: Path) -> None:
    out = probe("queue", "soulpost.commands.queue", tmp_path, {"PYDANTIC_DISABLE_PLUGINS": "x"})
    assert out == "gc=True plugins=x"
