"""A real Bluesky PDS for tests: the session-scoped ``pds`` fixture.

It runs ``shared/peers/bluesky-pds.sh`` (beside the repository): the official
``@atproto/pds`` with an in-memory PLC directory, both on 127.0.0.1, with one account
``alice.test``. A PDS that is already running (``bluesky-pds.sh status``) is reused; one
the fixture starts gets two free loopback ports (unless ``PDS_PORT``/``PLC_PORT`` are set),
so it cannot collide with another session's PDS, and it is stopped when the last test
session using it ends (sessions register under ``$SOULPOST_PDS_DIR/fixture-users``). A PDS
someone started by hand is never stopped. The first install
downloads Node 22 and the PDS from the npm registry (about 90 s, state in
``SOULPOST_PDS_DIR``, default ``/tmp/soulpost-pds``); later starts take a few seconds.

When the PDS cannot be installed or started (no bash, no node/npm, no registry access, the
script missing), every test using the fixture is **skipped** with the script's own last
lines as the reason, so a plain ``pytest`` still passes on a machine without Node. Set
``SOULPOST_SKIP_PDS=1`` to skip without trying.

Use it in a test module with ``pytest_plugins = ["tests.pds"]``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

SCRIPT = Path(__file__).resolve().parents[1].parent / "shared" / "peers" / "bluesky-pds.sh"
START_TIMEOUT = 900  # seconds: a cold install compiles better-sqlite3


@dataclass(frozen=True)
class Pds:
    """Where the PDS listens and the account to use."""

    url: str
    handle: str
    password: str
    did: str
    started_here: bool
    startup_seconds: float


def _run(
    *args: str, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def _free_ports() -> dict[str, str]:
    """Ports for a PDS this fixture starts, unless the environment chose them.

    The script's defaults (2583/2582) clash when another session runs its own PDS from a
    different state folder; two kernel-chosen free ports cannot.
    """
    if os.environ.get("PDS_PORT") or os.environ.get("PLC_PORT"):
        return {}
    ports = []
    sockets = [socket.socket() for _ in range(2)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
        ports.append(str(sock.getsockname()[1]))
    for sock in sockets:
        sock.close()
    return {"PDS_PORT": ports[0], "PLC_PORT": ports[1]}


def _state_dir() -> Path:
    """The script's state folder (``SOULPOST_PDS_DIR``, default ``/tmp/soulpost-pds``)."""
    return Path(os.environ.get("SOULPOST_PDS_DIR") or "/tmp/soulpost-pds")


def _pds_pid() -> str:
    pidfile = _state_dir() / "state" / "pds.pid"
    return pidfile.read_text().strip() if pidfile.is_file() else ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _info(text: str) -> dict[str, str] | None:
    """Parse ``status`` output (info.json) or ``start`` output (KEY=value lines)."""
    start = text.find("{")
    if start != -1:
        with contextlib.suppress(ValueError):
            info = json.loads(text[start : text.rfind("}") + 1])
            return {
                "url": info["baseUrl"],
                "handle": info["handle"],
                "password": info["password"],
                "did": info["did"],
            }
    pairs = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    if {"PDS_URL", "PDS_HANDLE", "PDS_PASSWORD", "PDS_DID"} <= pairs.keys():
        return {
            "url": pairs["PDS_URL"],
            "handle": pairs["PDS_HANDLE"],
            "password": pairs["PDS_PASSWORD"],
            "did": pairs["PDS_DID"],
        }
    return None


def _why(result: subprocess.CompletedProcess[str]) -> str:
    """The script's own words: the stage it reached and the first real error, not npm's
    stack trace."""
    lines = [ln.strip() for ln in (result.stderr + "\n" + result.stdout).splitlines()]
    stages = [ln for ln in lines if ln and not ln.startswith("npm ")]
    errors = [
        ln.removeprefix("npm error").strip()
        for ln in lines
        if ln.startswith("npm error ")
        # skip the stack trace and object dump (indented), the bare code lines and blanks
        and not re.match(r"npm error(\s{2,}| (code|errno|syscall) |\s*$| \})", ln)
    ]
    chosen = stages[-1:] + errors[:1] if errors else stages[-4:]
    text = " | ".join(chosen) or f"exit code {result.returncode}"
    return f"the Bluesky PDS peer could not be started ({SCRIPT.name}): {text}"


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    """Serialise start/stop between pytest processes (e.g. xdist workers)."""
    path = Path(tempfile.gettempdir()) / "soulpost-pds-fixture.lock"
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def pds() -> Iterator[Pds]:
    """A running local PDS (reused if one is up), or a skip with the reason."""
    if os.environ.get("SOULPOST_SKIP_PDS"):
        pytest.skip("SOULPOST_SKIP_PDS is set")
    if not SCRIPT.is_file():
        pytest.skip(f"no Bluesky PDS peer script at {SCRIPT}")
    missing = [tool for tool in ("bash", "node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"cannot run the Bluesky PDS peer: {', '.join(missing)} not installed")
    started = time.monotonic()
    # Sessions using this PDS register here, so the last one out stops it.
    users = _state_dir() / "fixture-users"
    me = users / str(os.getpid())
    marker = users / "started-by-fixture"  # holds the pid of a PDS a fixture started
    with _lock():
        status = _run("status", timeout=30)
        info = _info(status.stdout) if status.returncode == 0 else None
        started_here = info is None
        if info is None:
            try:
                result = _run("start", timeout=START_TIMEOUT, env=_free_ports())
            except subprocess.TimeoutExpired:
                _run("stop", timeout=30)
                pytest.skip(f"the Bluesky PDS peer did not start within {START_TIMEOUT} s")
            info = _info(result.stdout) if result.returncode == 0 else None
            if info is None:
                pytest.skip(_why(result))
            users.mkdir(parents=True, exist_ok=True)
            marker.write_text(_pds_pid())
        users.mkdir(parents=True, exist_ok=True)
        me.touch()
    host = urlsplit(info["url"]).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        pytest.fail(f"refusing a PDS that is not on loopback: {info['url']}")
    try:
        yield Pds(
            info["url"].rstrip("/"),
            info["handle"],
            info["password"],
            info["did"],
            started_here,
            time.monotonic() - started,
        )
    finally:
        # Stop it when the last session using it ends, and only if a fixture started it
        # (a PDS someone started by hand stays up). Another session may still be using it.
        with _lock():
            me.unlink(missing_ok=True)
            others = [p for p in users.iterdir() if p.name.isdigit() and _alive(int(p.name))]
            ours = marker.is_file() and marker.read_text().strip() == _pds_pid() != ""
            if not others and ours:
                _run("stop", timeout=60)
                marker.unlink(missing_ok=True)
