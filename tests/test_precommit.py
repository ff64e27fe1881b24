"""The pre-commit hook, run by the real pre-commit against this repository's HEAD.

pre-commit clones the repository at a commit and pip-installs it into an environment of
its own, as it would for a user; that takes 30-60 s the first time, so the environment
lives in one PRE_COMMIT_HOME shared by the whole test session. Only committed work is
tested (``rev`` is HEAD), so the test behaves the same on a clean checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")

pytestmark = pytest.mark.slow

CALM = """\
id = "calm"
text = "Three things we learned from 40 customer interviews about onboarding. What would you add?"
platforms = ["mastodon"]
"""

SHOUTY = """\
id = "shouty"
text = "FLASH SALE!!! 50% OFF EVERYTHING!!! ACT NOW, THIS IS YOUR LAST CHANCE!!! BUY NOW!!!"
platforms = ["mastodon"]
"""


# fail_on = "warning": this workspace wants the hook to stop shouting, not only errors
CONFIG = """\
timezone = "Europe/London"
default_platforms = ["mastodon"]

[lint]
fail_on = "warning"
"""


def _git(*args: str, cwd: Path) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout.strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A git repository that is a soulpost workspace with one calm and one shouty draft."""
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    queue = tmp_path / "queue"
    queue.mkdir()
    (queue / "calm.toml").write_text(CALM, encoding="utf-8")
    (queue / "shouty.toml").write_text(SHOUTY, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("NOT A DRAFT!!!\n", encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "idea.md").write_text(
        "WE ARE THE BEST!!! BUY NOW!!!\n", encoding="utf-8"
    )
    rev = _git("rev-parse", "HEAD", cwd=REPO)
    (tmp_path / ".pre-commit-config.yaml").write_text(
        textwrap.dedent(
            f"""\
            repos:
              - repo: {REPO.as_posix()}
                rev: {rev}
                hooks:
                  - id: soulpost-lint
                  - id: soulpost-lint-text
            """
        ),
        encoding="utf-8",
    )
    _git("init", "-q", "-b", "main", cwd=tmp_path)
    _git("add", ".", cwd=tmp_path)
    _git("commit", "-q", "-m", "drafts", cwd=tmp_path)
    return tmp_path


def _pre_commit(scratch: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "VIRTUAL"))
    }
    env.update({"PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"})
    return subprocess.run(
        [str(PRE_COMMIT), *args],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_hook_passes_calm_and_fails_shouty_drafts(scratch: Path, pre_commit_home: Path) -> None:
    calm = _pre_commit(
        scratch, pre_commit_home, "run", "soulpost-lint", "--files", "queue/calm.toml"
    )
    assert calm.returncode == 0, calm.stdout + calm.stderr
    assert "soulpost lint" in calm.stdout
    assert "Passed" in calm.stdout

    shouty = _pre_commit(
        scratch, pre_commit_home, "run", "soulpost-lint", "--files", "queue/shouty.toml"
    )
    assert shouty.returncode == 1, shouty.stdout + shouty.stderr
    assert "Failed" in shouty.stdout
    assert "queue/shouty.toml" in shouty.stdout
    assert "SP101" in shouty.stdout  # the no-shouting rule, by its stable code
    assert "queue/calm.toml" not in shouty.stdout


def test_hook_skips_files_outside_queue(scratch: Path, pre_commit_home: Path) -> None:
    result = _pre_commit(scratch, pre_commit_home, "run", "soulpost-lint", "--files", "notes.txt")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no files to check" in result.stdout.lower()


def test_text_hook_lints_markdown_drafts(scratch: Path, pre_commit_home: Path) -> None:
    result = _pre_commit(scratch, pre_commit_home, "run", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "drafts/idea.md" in result.stdout
    assert "queue/shouty.toml" in result.stdout
    assert "notes.txt" not in result.stdout  # outside both hooks' files


def test_hook_definition_is_valid() -> None:
    proc = subprocess.run(
        [str(PRE_COMMIT), "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
