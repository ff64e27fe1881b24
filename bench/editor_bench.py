"""Editor-facing start-up figures: `soulpost --version` past Python's own start-up, and the
language server's first diagnostics of a freshly opened draft.

Run from the repository root (the example workspace is copied to a scratch folder):

    .venv/bin/python bench/editor_bench.py [--runs 15]

Issue 16's budgets: `soulpost --version` <= 0.05 s past the interpreter's start-up, and a
draft's first diagnostics within 0.3 s of opening it. These are measured here, as
benchmarks, rather than asserted in timed tests that a busy CI machine would make flaky.

The language server is driven over stdio with a minimal JSON-RPC client (Content-Length
framing, as LSP specifies): `initialize`, `initialized`, then `textDocument/didOpen`, and
the clock runs until the first `textDocument/publishDiagnostics` for that document.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys, time
started = time.perf_counter()
from soulpost.cli import main
try:
    main(["--version"])
except SystemExit:
    pass
print(time.perf_counter() - started)
"""

DRAFT = '''text = """
We wrote down how we test the scheduler, step by step. What would you add?
"""
platforms = ["mastodon"]
at = 2026-12-05T11:00:00
'''


def version_past_startup(runs: int) -> list[float]:
    """In-process time from importing the CLI to the end of `--version`, one process per run."""
    times = []
    for _ in range(runs + 1):  # the first run warms the page cache and byte code
        out = subprocess.run(
            [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
        ).stdout
        times.append(float(out.strip().splitlines()[-1]))
    return times[1:]


def send(pipe: IO[bytes], message: dict[str, Any]) -> None:
    body = json.dumps(message).encode()
    pipe.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    pipe.flush()


def receive(pipe: IO[bytes]) -> dict[str, Any]:
    length = 0
    while (line := pipe.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    if not length:
        raise RuntimeError("the language server closed its output")
    return json.loads(pipe.read(length))


def wait_for(pipe: IO[bytes], method: str | None = None, msg_id: int | None = None) -> None:
    while True:
        message = receive(pipe)
        if method and message.get("method") == method:
            return
        if msg_id is not None and message.get("id") == msg_id and "method" not in message:
            return


def first_diagnostics(root: Path, env: dict[str, str]) -> float:
    """Start `soulpost lsp`, initialise it, open a draft; seconds until its diagnostics."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "soulpost", "lsp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdin and proc.stdout
    try:
        params = {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
        send(proc.stdin, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
        wait_for(proc.stdout, msg_id=1)
        send(proc.stdin, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        path = root / "queue" / "2026-12-05-testing.toml"
        path.write_text(DRAFT, encoding="utf-8")
        doc = {"uri": path.as_uri(), "languageId": "toml", "version": 1, "text": DRAFT}
        started = time.perf_counter()
        open_msg = {"textDocument": doc}
        send(proc.stdin, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": open_msg})
        wait_for(proc.stdout, method="textDocument/publishDiagnostics")
        return time.perf_counter() - started
    finally:
        send(proc.stdin, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        send(proc.stdin, {"jsonrpc": "2.0", "method": "exit"})
        proc.wait(timeout=10)


def lsp_runs(runs: int) -> list[float]:
    env = {"SOULPOST_NOW": "2026-11-30T08:00:00Z", "PATH": "/usr/bin:/bin"}
    times = []
    with tempfile.TemporaryDirectory() as scratch:
        for n in range(runs + 1):
            root = Path(scratch) / f"ws{n}"
            root.mkdir()
            shutil.copy(ROOT / "config.toml", root / "config.toml")
            shutil.copytree(ROOT / "queue", root / "queue")
            times.append(first_diagnostics(root, env))
    return times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{'measure':<44} {'median':>8} {'min':>8} {'max':>8}  budget (seconds)")
    rows = [
        ("soulpost --version past interpreter start", version_past_startup(args.runs), 0.05),
        ("lsp: first diagnostics after didOpen", lsp_runs(args.runs), 0.3),
    ]
    for name, times, budget in rows:
        med, low, high = statistics.median(times), min(times), max(times)
        print(f"{name:<44} {med:8.3f} {low:8.3f} {high:8.3f}  {budget}")


if __name__ == "__main__":
    main()
