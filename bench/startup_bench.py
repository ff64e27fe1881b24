"""Whole-process wall time of short commands: `soulpost --version` and `soulpost queue`.

Run from the repository root (the example workspace):

    .venv/bin/python bench/startup_bench.py [--runs 15]

Prints the median, min and max of each command over the runs (after one warm-up run).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).with_name("soulpost"))

COMMANDS = {
    "soulpost --version": [EXE, "--version"],
    "soulpost queue": [EXE, "queue"],
    "soulpost queue --json": [EXE, "queue", "--json"],
}


def measure(argv: list[str], runs: int) -> list[float]:
    subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)  # warm the page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{'command':<28} {'median':>8} {'min':>8} {'max':>8}  (seconds, {args.runs} runs)")
    for name, argv in COMMANDS.items():
        times = measure(argv, args.runs)
        print(f"{name:<28} {statistics.median(times):8.3f} {min(times):8.3f} {max(times):8.3f}")


if __name__ == "__main__":
    main()
