"""Publishing engine benchmarks on a generated 10,000-post queue.

    .venv/bin/python bench/publish_bench.py                 # all, 10k posts, 5 runs
    .venv/bin/python bench/publish_bench.py --posts 10000 --due 1000 --runs 5

Measures, each as the median of ``--runs``:

* **idle pass**: ``soulpost publish --due`` as a subprocess (what cron runs) when nothing is
  due: whole-process wall time and max RSS (from ``wait4``);
* **daemon idle rescan**: the daemon's stat-only poll of ``queue/`` and, after it, a full
  pass with the parse cache warm (in-process);
* **throughput**: one ``publish --due`` subprocess publishing ``--due`` posts to a local
  webhook server on 127.0.0.1 (lint gate on): publications per second and max RSS;
* **on time**: a ``soulpost daemon`` over the queue; a draft added 2 s ahead of its time;
  how late it reaches the local server.

Targets (issue 4): idle pass < 1 s at 10k, on time within 1 s, >= 50 publications/s,
memory < 150 MB. Results are printed and written to bench/out/publish.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
EXE = str(Path(sys.executable).with_name("soulpost"))

from tests.localserver import LocalServer  # noqa: E402

WORDS = (  # noqa: SIM905 (a paragraph of words reads better than a list)
    "onboarding interviews customers export settings search abbreviations template calendar "
    "workshop slides checklist accessibility alt text hashtags emoji readers pricing plan "
    "release notes feedback roadmap bug fix performance mobile app desktop keyboard shortcut "
    "dark mode privacy data backup sync offline team invite comment mention reply thread "
    "newsletter webinar recording tutorial guide example chart survey results lessons"
).split()


def text_for(i: int) -> str:
    """Distinct, plausible drafts (near-identical ones would be a lint problem of their own)."""
    import random

    rng = random.Random(i)
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30)))
    return f"Post {i}: {words}. What do you think?"


def make_workspace(root: Path, posts: int, due: int, now: datetime, url: str) -> None:
    (root / "config.toml").write_text(
        f"""timezone = "Europe/London"
default_platforms = ["mastodon"]
[platforms.mastodon]
adapter = "outbox"
[platforms.hook]
adapter = "webhook"
options = {{ url = "{url}" }}
[[slots]]
days = "mon-fri"
times = ["09:30", "13:00"]
[publish]
max_lateness = "7d"
heartbeat = "30s"
"""
    )
    queue = root / "queue"
    queue.mkdir()
    for i in range(posts):
        if i < due:
            at = now - timedelta(seconds=60 - i * 0.001)
            platforms = '["hook"]'
        else:
            at = now + timedelta(hours=1, minutes=i * 7)
            platforms = '["mastodon", "hook"]' if i % 3 else '["mastodon"]'
        text = text_for(i)
        (queue / f"post-{i:05d}.toml").write_text(
            f'text = "{text}"\nplatforms = {platforms}\nat = {at.isoformat()}\n'
        )


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, max RSS in MB, exit code of one soulpost subprocess."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [EXE, *args], env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 4)


def bench_idle(root: Path, now: datetime, runs: int) -> dict[str, float]:
    env = {"SOULPOST_NOW": now.isoformat()}
    walls, rss = [], []
    for _ in range(runs):
        wall, mem, code = run_cli(["-C", str(root), "publish", "--due", "-q"], env)
        assert code == 0, code
        walls.append(wall)
        rss.append(mem)
    return {"idle_pass_s": median(walls), "idle_pass_max_rss_mb": round(max(rss), 1)}


def bench_rescan(root: Path, now: datetime, runs: int) -> dict[str, float]:
    from soulpost.clock import ShiftedClock
    from soulpost.daemon import Daemon

    daemon = Daemon(root, ShiftedClock(now), log=lambda line: None)
    daemon.lock.acquire()
    daemon.tick("warm")
    polls, passes = [], []
    for _ in range(runs):
        start = time.perf_counter()
        daemon.poll()
        polls.append(time.perf_counter() - start)
        start = time.perf_counter()
        daemon.tick("bench")
        passes.append(time.perf_counter() - start)
    daemon.lock.release()
    return {"daemon_poll_s": median(polls), "daemon_warm_pass_s": median(passes)}


def bench_throughput(posts: int, due: int, runs: int) -> dict[str, float]:
    rates, rss = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="soulpost-bench-") as tmp, LocalServer() as srv:
            root = Path(tmp)
            now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
            make_workspace(root, posts, due, now, srv.url)
            wall, mem, code = run_cli(
                ["-C", str(root), "publish", "--due", "-q"], {"SOULPOST_NOW": now.isoformat()}
            )
            assert code == 0, code
            assert srv.count() == due, srv.count()
            rates.append(due / wall)
            rss.append(mem)
    return {
        "publish_per_s": round(statistics.median(rates), 1),
        "publish_max_rss_mb": round(max(rss), 1),
    }


def bench_on_time(posts: int, runs: int) -> dict[str, float]:
    delays = []
    with tempfile.TemporaryDirectory(prefix="soulpost-bench-") as tmp, LocalServer() as srv:
        root = Path(tmp)
        make_workspace(root, posts, 0, datetime.now(UTC), srv.url)
        env = {k: v for k, v in os.environ.items() if k != "SOULPOST_NOW"}
        proc = subprocess.Popen(
            [EXE, "-C", str(root), "daemon"], env=env, stderr=subprocess.DEVNULL
        )
        try:
            beat = root / ".soulpost" / "heartbeat.json"
            deadline = time.monotonic() + 60
            while not beat.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            for n in range(runs):
                at = datetime.now(UTC) + timedelta(seconds=2)
                (root / "queue" / f"fresh-{n}.toml").write_text(
                    f'text = "Fresh {n}: thoughts?"\nplatforms = ["hook"]\nat = {at.isoformat()}\n'
                )
                while srv.count() < n + 1 and time.monotonic() < deadline + 60:
                    time.sleep(0.005)
                delays.append(time.time() - at.timestamp())
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    return {"on_time_delay_s_median": median(delays), "on_time_delay_s_max": round(max(delays), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, object] = {
        "posts": args.posts,
        "due": args.due,
        "runs": args.runs,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    tmp = Path(tempfile.mkdtemp(prefix="soulpost-bench-"))
    try:
        now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        make_workspace(tmp, args.posts, 0, now, "http://127.0.0.1:9/unused")
        results.update(bench_idle(tmp, now, args.runs))
        results.update(bench_rescan(tmp, now, args.runs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results.update(bench_throughput(args.posts, args.due, max(1, args.runs // 2)))
    results.update(bench_on_time(args.posts, args.runs))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "publish.json").write_text(json.dumps(results, indent=2) + "\n")
    for key, value in results.items():
        print(f"{key:>28}: {value}")


if __name__ == "__main__":
    main()
