"""Shared fixtures: scratch workspaces and running the real CLI entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from soulpost.cli import main

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run ``soulpost`` in-process through its real entry point ``soulpost.cli.main``."""

    def run(*args: str | Path, cwd: Path | None = None, stdin: str | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        if stdin is not None:
            import io

            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def bench_module(name: str) -> Any:
    """The benchmark script ``bench/NAME.py`` as a module (its workspace makers)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def count_calls(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, seen: Callable[..., None]
) -> None:
    """Replace ``owner.name`` by a wrapper that calls *seen* with the arguments, then the
    real function (so a test counts calls without changing what they do)."""
    real = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        seen(*args, **kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)


def run_process(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> Result:
    """Run the installed ``soulpost`` console script in a subprocess."""
    exe = Path(sys.executable).with_name("soulpost")
    proc = subprocess.run(
        [str(exe), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def imported_modules(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> set[str]:
    """The modules ``python -X importtime -m soulpost *args`` imports, read from the
    interpreter's own log on stderr (the command must succeed). *env* replaces the whole
    environment when given."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "soulpost", *args],
        cwd=cwd,
        env=os.environ.copy() if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert len(lines) > 100  # the log's format is what this reads
    return {line.rsplit("|", 1)[1].strip() for line in lines}


@pytest.fixture
def workspace(tmp_path: Path) -> Callable[..., Path]:
    """Make a workspace in tmp_path: ``workspace(config=..., posts={name: toml})``."""

    def make(
        config: str = 'timezone = "Europe/Berlin"\n', posts: dict[str, str] | None = None
    ) -> Path:
        (tmp_path / "config.toml").write_text(textwrap.dedent(config), encoding="utf-8")
        queue = tmp_path / "queue"
        queue.mkdir(exist_ok=True)
        for name, body in (posts or {}).items():
            target = queue / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(body), encoding="utf-8")
        return tmp_path

    return make


@pytest.fixture(autouse=True)
def _token_store_of_the_test(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test (and every process it starts) gets an empty token store of its own,
    outside its workspace: a developer's real keyring or ~/.config is never read or written."""
    home = tmp_path_factory.mktemp("user-config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("SOULPOST_TOKEN_STORE", "file")
    return home / "soulpost"


@pytest.fixture(scope="session", autouse=True)
def _lint_cache_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The lint cache of this test session (and every process it starts) lives in a scratch
    folder: tests never read or write a developer's ~/.cache/soulpost."""
    folder = tmp_path_factory.mktemp("lint-cache")
    before = os.environ.get("SOULPOST_CACHE_DIR")
    os.environ["SOULPOST_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("SOULPOST_CACHE_DIR", None)
    else:
        os.environ["SOULPOST_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A real PostgreSQL server for this test session (tests/pg.py), stopped at its end.
    Skips only when PostgreSQL is not installed (``.ci/run`` installs it)."""
    from tests.pg import PgServer, binaries

    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install -y postgresql; .ci/run does)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install -e '.[dev]')")
    server = PgServer(bin_dir).start()
    try:
        yield server
    finally:
        server.stop()


def settle_threads(timeout: float = 3.0) -> None:
    """Let threads earlier tests left behind end: a fake server's keep-alive request thread
    lives until its client's socket closes, and a process with threads never forks workers
    (soulpost.workspace.fork_workers), so a test of the forked path waits for them first."""
    import gc
    import threading
    import time

    gc.collect()  # closes the sockets of sessions nobody holds any more
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
