"""A third-party adapter, installed for real, found through the ``soulpost.adapters`` entry
point and published through with the real CLI in a subprocess.

The example package (``examples/soulpost-adapter-example``) is built and installed with pip
into a throwaway ``--target`` folder that only the subprocesses see on ``PYTHONPATH``, so the
test venv is never changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "soulpost-adapter-example"

pytestmark = pytest.mark.slow


def wheel_houses() -> list[Path]:
    """Local folders of wheels a build may use offline (``SOULPOST_TEST_WHEELS``, or
    virtualenv's cache, which holds a setuptools new enough to build without ``wheel``)."""
    candidates = [os.environ.get("SOULPOST_TEST_WHEELS", "")]
    candidates.append(str(Path.home() / ".cache" / "virtualenv" / "wheel" / "house"))
    return [Path(c) for c in candidates if c and any(Path(c).glob("setuptools-*.whl"))]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin installed with pip into a private folder (never the test venv).

    With the venv's own setuptools (``--no-build-isolation``; the dev extras install one that
    can build wheels), else in an isolated build that takes setuptools from a local wheel
    folder. No network either way."""
    work = tmp_path_factory.mktemp("plugin")
    source = work / "src"
    shutil.copytree(EXAMPLE, source)  # builds write egg-info/build folders; keep the repo clean
    target = work / "site"
    base = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    base += ["--target", str(target), str(source)]
    attempts = [[*base, "--no-build-isolation"]]
    attempts += [[*base, "--find-links", str(house)] for house in wheel_houses()]
    errors = []
    for command in attempts:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode == 0:
            return target
        errors.append(done.stderr.strip().splitlines()[-1:])
    pytest.fail(
        f"cannot build the example plugin offline: {errors}; the dev extras install "
        "setuptools and wheel for this (pip install -e '.[dev]')"
    )


def soulpost(*args: str, cwd: Path, site: Path | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOULPOST_")}
    env["SOULPOST_NOW"] = "2026-12-01T09:05:00Z"
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (site, REPO) if p is not None)
    return subprocess.run(
        [sys.executable, "-m", "soulpost", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def workspace(root: Path) -> Path:
    (root / "config.toml").write_text(
        textwrap.dedent(
            """\
            timezone = "UTC"
            [platforms.drop]
            adapter = "filedrop"
            options = { dir = "out/drop" }
            [publish]
            lint_gate = false
            """
        ),
        encoding="utf-8",
    )
    (root / "queue").mkdir()
    (root / "queue" / "hello.toml").write_text(
        'text = "Hello from a plugin. What would you build?"\nplatforms = ["drop"]\n'
        'at = 2026-12-01T09:00:00Z\nthread = ["And a second part."]\n',
        encoding="utf-8",
    )
    return root


def test_plugin_is_listed_with_its_distribution(site: Path, tmp_path: Path) -> None:
    result = soulpost("adapters", "filedrop", cwd=tmp_path, site=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("filedrop  (plugin from soulpost-adapter-example)")
    assert "writes each publication as a JSON file" in result.stdout
    assert "dir" in result.stdout and "(required)" in result.stdout


def test_publish_through_the_plugin(site: Path, tmp_path: Path) -> None:
    root = workspace(tmp_path)
    result = soulpost("publish", "--due", cwd=root, site=site)
    assert result.returncode == 0, result.stdout + result.stderr
    files = sorted((root / "out" / "drop").glob("*.json"))
    assert len(files) == 2  # the post and its thread part
    records = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    texts = sorted(r["payload"]["text"] for r in records)
    assert texts == ["And a second part.", "Hello from a plugin. What would you build?"]
    history = soulpost("history", "hello", cwd=root, site=site)
    assert "hello on drop: published file://" in history.stdout
    # A second pass publishes nothing again.
    again = soulpost("publish", "--due", cwd=root, site=site)
    assert again.returncode == 0
    assert len(list((root / "out" / "drop").glob("*.json"))) == 2


def test_without_the_plugin_the_adapter_is_unknown(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    result = soulpost("doctor", cwd=root, site=None)
    assert result.returncode == 2
    assert "unknown adapter 'filedrop'" in result.stdout
    assert "soulpost.adapters" in result.stdout
