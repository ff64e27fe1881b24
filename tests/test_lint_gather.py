"""What `soulpost lint` reads when given paths: each draft once, however it is named.

The file list is de-duplicated only when more than one path is given (a single walk of a
folder lists each file once, and hashing every path of a 10,000-draft queue showed in a
lint's start-up); these tests pin that a draft named twice is still linted once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text('default_platforms = ["mastodon"]\n')
    queue = tmp_path / "queue"
    (queue / "sub").mkdir(parents=True)
    (queue / "a.toml").write_text('text = "A calm first post about our garden."\n')
    (queue / "b.toml").write_text('text = "A calm second post about the river."\n')
    (queue / "sub" / "c.toml").write_text('text = "A calm third post about bread."\n')
    return tmp_path


def summary(root: Path, *paths: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-m", "soulpost", "lint", "--format", "json", *paths],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, int] = json.loads(done.stdout)["summary"]
    return result


@pytest.mark.parametrize(
    ("paths", "posts"),
    [
        ((), 3),
        (("queue",), 3),
        (("queue/a.toml",), 1),
        (("queue/a.toml", "queue/a.toml"), 1),
        (("queue", "queue/sub/c.toml"), 3),
        (("queue/sub", "queue"), 3),
    ],
)
def test_each_draft_is_linted_once(workspace: Path, paths: tuple[str, ...], posts: int) -> None:
    result = summary(workspace, *paths)
    assert (result["posts"], result["files"]) == (posts, posts)
