"""The README's main command is true, and looks the same whenever it is tried.

Its soulpost steps run in a copy of the example workspace through this interpreter, with
no SOULPOST_* variable of ours leaking in: every step must succeed, the linter must not
report a single "scheduled ... ago" (it runs at the command's clock, not the wall clock),
the calendar must show the post the pass published, and two runs give the same output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_repo import readme_commands

pytestmark = pytest.mark.slow


def main_steps() -> str:
    command = readme_commands()[0]
    _, _, steps = command.partition(".venv/bin/pip install -q -e . && ")
    assert steps, command
    return steps.replace(".venv/bin/soulpost", f"{sys.executable} -m soulpost")


def run_in_copy(root: Path) -> subprocess.CompletedProcess[str]:
    root.mkdir()
    for name in ("config.toml", "queue", "rules", "media"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copyfile(source, root / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOULPOST_")}
    env["PYTHONPATH"] = str(REPO)
    env["COLUMNS"] = "110"
    return subprocess.run(
        ["bash", "-c", "set -o pipefail; " + main_steps()],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_readme_main_command_runs_at_one_clock(tmp_path: Path) -> None:
    first = run_in_copy(tmp_path / "a")
    assert first.returncode == 0, first.stdout + first.stderr
    out = first.stdout + first.stderr
    assert not re.search(r"scheduled for .* ago", out), out
    assert "published  2026-12-01-onboarding-lessons on mastodon" in out
    assert "09:30✓onboarding" in out  # the calendar shows what the pass published
    assert "wrote " in out and (tmp_path / "a" / "site" / "index.html").is_file()
    second = run_in_copy(tmp_path / "b")
    assert second.returncode == 0
    same = second.stdout.replace(str(tmp_path / "b"), str(tmp_path / "a"))
    assert same == first.stdout
