"""Taplo's own CLI (npm ``@taplo/cli``) for tests: the ``taplo`` fixture.

``.ci/run`` installs it into ``.ci/tools`` when npm is present; a developer's first run of
the suite does the same here. The fixture skips, with the reason, only when npm is missing;
when npm is there and the install fails, the tests fail, so a broken install is seen.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TOOLS = REPO / ".ci" / "tools"
PACKAGE = "@taplo/cli@0.7.0"  # the version .ci/run installs


def _installed() -> Path | None:
    explicit = os.environ.get("SOULPOST_TAPLO")
    if explicit:
        return Path(explicit)
    local = TOOLS / "node_modules" / ".bin" / "taplo"
    if local.exists():
        return local
    found = shutil.which("taplo")
    return Path(found) if found else None


@pytest.fixture(scope="session")
def taplo() -> Iterator[Path]:
    """The taplo executable, installed from npm if needed."""
    found = _installed()
    if found is None:
        if shutil.which("npm") is None:
            pytest.skip("Taplo's CLI comes from npm, and npm is not installed")
        TOOLS.mkdir(parents=True, exist_ok=True)
        with (TOOLS / ".install.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # xdist workers install once
            found = _installed()
            if found is None:
                result = subprocess.run(
                    ["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", PACKAGE],
                    capture_output=True,
                    text=True,
                    timeout=300,
                    check=False,
                )
                found = _installed()
                if result.returncode != 0 or found is None:
                    pytest.fail(f"npm install {PACKAGE} failed: {result.stderr[-2000:]}")
    yield found


def run_taplo(taplo: Path, cwd: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """``taplo lint`` in *cwd* (which holds the .taplo.toml), without colours or the network."""
    env = {**os.environ, "NO_COLOR": "1", "RUST_LOG": "error"}
    return subprocess.run(
        [str(taplo), "lint", "--colors", "never", *files],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
