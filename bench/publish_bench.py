"""Publishing engine benchmarks on a generated queue (10,000 posts by default).

    .venv/bin/python bench/publish_bench.py                 # all, 10k posts, 5 runs
    .venv/bin/python bench/publish_bench.py --posts 10000 --due 1000 --runs 5
    .venv/bin/python bench/publish_bench.py --posts 100000 --published 10000 --archive
    SOULPOST_BENCH_LEDGER_URL=postgresql://... \
        .venv/bin/python bench/publish_bench.py --only throughput --ledger postgres --publishers 4

Measures, each as the median of ``--runs``:

* **first pass**: the first ``soulpost publish --due`` over the queue, which builds the queue
  index (every draft parsed once); reported, and left out of the idle figures;
* **idle pass**: ``soulpost publish --due`` as a subprocess (what cron runs) when nothing is
  due and the index exists: whole-process wall time, CPU time and max RSS (from ``wait4``);
* **daemon idle rescan**: the daemon's stat-only poll of ``queue/`` and, after it, a full
  pass with the parse cache warm (in-process);
* **throughput**: ``--publishers`` ``publish --due`` subprocesses (one by default)
  publishing ``--due`` posts to a local webhook server on 127.0.0.1 (lint gate on), after a
  pass an hour earlier built each host's queue index (as the cron pass before does):
  publications per second over the whole run (process start to the last exit:
  ``publish_per_s``) and in the steady state (the server's first request to its last:
  ``publish_steady_per_s``), the publishers' CPU per publication (whole run, all
  processes and their lint children: ``publish_cpu_ms_each``; in all: ``publish_cpu_s``),
  the bench process's (the server's threads and a 5 ms
  poll: ``server_cpu_ms_each``), on a PostgreSQL server running on this machine its CPU
  (``postgres_cpu_ms_each``: the postmaster and every backend, those that ended included),
  and max RSS. Several publishers are several hosts: each
  its own copy of the workspace (``SOULPOST_HOST`` host-1...), all on one PostgreSQL ledger
  (``--ledger postgres``; its URL in the variable ``--ledger-url-env`` names, default
  ``SOULPOST_BENCH_LEDGER_URL``; each run uses fresh post ids, so the database can be
  reused); with SQLite they would only step aside for each other;
* **burst** (``--only burst``, not run by default): a ``soulpost daemon`` over the queue
  (index built) gets ``--due`` new drafts at once, due 5 s later: publications per second
  from their due time to the last one received (``burst_per_s_from_due``), first to last
  (``burst_steady_per_s``), and the daemon's CPU per publication meanwhile (noticing,
  parsing, planning, linting and sending them): the one-publisher figure without a
  process's start-up and a cron pass's reading of the queue index. With ``--ledger
  postgres --publishers N``: one daemon, then N daemons (one a host, each its own
  checkout, one fresh schema a run), alternated for ``--runs`` rounds, and the ratio of
  their rates (``bench/pgburst.py`` says what is measured; exactly-once is checked);
* **on time**: a ``soulpost daemon`` over the queue (started after a pass built the
  index); a draft added 2 s ahead of its time; how late it reaches the local server.

``--published N`` makes N of the posts published before the measures (to the outbox, at
the queue's start), and ``--archive`` then moves them out with ``soulpost archive``: the
queue keeps ``--posts`` minus N drafts, the ledger N receipts.

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
from dataclasses import dataclass
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


def make_workspace(
    root: Path,
    posts: int,
    due: int,
    now: datetime,
    url: str,
    *,
    published: int = 0,
    tag: str = "",
    ledger: str = "",
) -> None:
    """*posts* drafts: the first *published* an hour before *now* on the outbox (for
    :func:`publish_setup`), then *due* due at *now* on the webhook, then the rest ahead.
    *tag* goes into every id and text (fresh publications on a reused ledger)."""
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
{ledger}"""
    )
    queue = root / "queue"
    queue.mkdir()
    for i in range(posts):
        n = i - published
        if i < published:
            at = now - timedelta(hours=1, seconds=-i * 0.001)
            platforms = '["mastodon"]'
        elif n < due:
            at = now - timedelta(seconds=60 - n * 0.001)
            platforms = '["hook"]'
        else:
            at = now + timedelta(hours=1, minutes=n * 7)
            platforms = '["mastodon", "hook"]' if n % 3 else '["mastodon"]'
        text = text_for(i).replace("Post ", f"Post {tag}", 1)
        (queue / f"post-{tag}{i:06d}.toml").write_text(
            f'text = "{text}"\nplatforms = {platforms}\nat = {at.isoformat()}\n'
        )


def publish_setup(root: Path, now: datetime, published: int, archive: bool) -> dict[str, float]:
    """Publish the first *published* posts (outbox) and, with *archive*, archive them."""
    if not published:
        return {}
    env = {"SOULPOST_NOW": (now - timedelta(minutes=59)).isoformat()}
    wall, _cpu, _mem, code = run_cli(["-C", str(root), "publish", "--due", "-q"], env)
    assert code == 0, code
    out: dict[str, float] = {"setup_publish_s": round(wall, 2)}
    if archive:
        env = {"SOULPOST_NOW": now.isoformat()}
        wall, _cpu, _mem, code = run_cli(["-C", str(root), "archive", "-q"], env)
        assert code == 0, code
        out["archive_s"] = round(wall, 2)
        assert len(list((root / "archive").iterdir())) == published
    return out


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds (user + system), max RSS in MB, exit code of one
    soulpost subprocess."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [EXE, *args], env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 4)


def bench_idle(root: Path, now: datetime, runs: int) -> dict[str, float]:
    env = {"SOULPOST_NOW": now.isoformat()}
    args = ["-C", str(root), "publish", "--due", "-q"]
    first, first_cpu, first_mem, code = run_cli(args, env)
    assert code == 0, code
    walls, cpus, rss = [], [], []
    for _ in range(runs):
        wall, cpu, mem, code = run_cli(args, env)
        assert code == 0, code
        walls.append(wall)
        cpus.append(cpu)
        rss.append(mem)
    return {
        "first_pass_s": round(first, 3),
        "first_pass_cpu_s": round(first_cpu, 3),
        "first_pass_max_rss_mb": round(first_mem, 1),
        "idle_pass_s": median(walls),
        "idle_pass_cpu_s": median(cpus),
        "idle_pass_max_rss_mb": round(max(rss), 1),
    }


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


@dataclass
class Setup:
    """What the generated workspaces hold and which ledger they share."""

    posts: int
    due: int
    published: int = 0
    archive: bool = False
    ledger: str = "sqlite"
    url_env: str = "SOULPOST_BENCH_LEDGER_URL"
    publishers: int = 1
    spread_us: int = 0  # burst: microseconds between due times
    daemon_log: str = ""  # burst: where the daemon's log goes (default: nowhere)
    burst_ahead: float = 5.0  # burst: seconds from writing the drafts to their due time

    def ledger_config(self) -> str:
        if self.ledger == "sqlite":
            return ""
        return f'ledger = "{self.ledger}"\nledger_url_env = "{self.url_env}"\n'


def bench_throughput(setup: Setup, runs: int) -> dict[str, object]:
    rates: list[float] = []
    steady: list[float] = []
    cpus: list[float] = []
    server: list[float] = []
    rss: list[float] = []
    database: list[float] = []
    for run in range(runs):
        with tempfile.TemporaryDirectory(prefix="soulpost-bench-") as tmp, LocalServer() as srv:
            now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
            tag = f"{os.getpid()}x{run}x" if setup.ledger != "sqlite" else ""
            first = Path(tmp) / "host-1"
            first.mkdir()
            make_workspace(
                first,
                setup.posts,
                setup.due,
                now,
                srv.url,
                published=setup.published,
                tag=tag,
                ledger=setup.ledger_config(),
            )
            publish_setup(first, now, setup.published, setup.archive)
            roots = [first]
            for n in range(2, setup.publishers + 1):
                roots.append(Path(tmp) / f"host-{n}")
                shutil.copytree(first, roots[-1], symlinks=True)
            # Each host's pass an hour earlier builds its own queue index, as the cron pass
            # before does on a real host (an index names its files by path, so a copy
            # made after it would parse every draft again inside the measured run).
            before = {"SOULPOST_NOW": (now - timedelta(hours=1)).isoformat()}
            for root in roots:
                assert run_cli(["-C", str(root), "publish", "--due", "-q"], before)[3] == 0
            postmaster = _postmaster(setup)
            pg0 = _tree_cpu(postmaster)
            cpu0 = os.times()
            with Arrivals(srv, setup.due) as seen:
                wall, mem, cpu = run_publishers(roots, now)
            assert srv.count() == setup.due, srv.count()
            time.sleep(0.2)  # the backends of the publishers that left are reaped
            if pg0 is not None and (pg1 := _tree_cpu(postmaster)) is not None:
                database.append((pg1 - pg0) / setup.due * 1000)
            rates.append(setup.due / wall)
            steady.append(seen.rate())
            cpus.append(cpu / setup.due * 1000)
            server.append(os.times().user - cpu0.user + os.times().system - cpu0.system)
            rss.append(mem)
    more = {} if not database else {"postgres_cpu_ms_each": round(statistics.median(database), 3)}
    return {
        **more,
        "publishers": setup.publishers,
        "ledger": setup.ledger,
        "publish_per_s": round(statistics.median(rates), 1),
        "publish_steady_per_s": round(statistics.median(steady), 1),
        "publish_cpu_ms_each": round(statistics.median(cpus), 3),
        "publish_cpu_s": round(statistics.median(cpus) * setup.due / 1000, 3),
        "server_cpu_ms_each": round(statistics.median(server) / setup.due * 1000, 3),
        "publish_max_rss_mb": round(max(rss), 1),
    }


def _postmaster(setup: Setup) -> int | None:
    """The pid of the PostgreSQL server the ledger's URL names when it runs on this
    machine and its /proc figures can be read (a backend's parent); else None."""
    url = os.environ.get(setup.url_env) if setup.ledger == "postgres" else None
    if not url:
        return None
    try:
        import psycopg

        with psycopg.connect(url) as db:  # read while the backend lives (it ends on close)
            row = db.execute("SELECT pg_backend_pid()").fetchone()
            return int(_stat(int(row[0]) if row else 0)[1])
    except Exception:
        return None


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command's name (state first)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _tree_cpu(postmaster: int | None) -> float | None:
    """CPU seconds of the server: the postmaster, its reaped children (its backends that
    ended) and the children still running."""
    if postmaster is None:
        return None
    try:
        fields = _stat(postmaster)
        ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    child = _stat(int(entry.name))
                except (OSError, IndexError):
                    continue
                if int(child[1]) == postmaster:
                    ticks += int(child[11]) + int(child[12])
    except (OSError, IndexError, ValueError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


class Arrivals:
    """When the server got its first and its last request (polled every 5 ms in a
    thread): the steady rate leaves out each process's start-up and its pass's planning
    and linting, which the whole-run rate (``publish_per_s``) counts."""

    def __init__(self, srv: LocalServer, expected: int) -> None:
        import threading

        self.srv, self.expected = srv, expected
        self.first: tuple[float, int] | None = None
        self.last: tuple[float, int] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Arrivals:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while True:
            stopping = self._stop.is_set()
            count, at = self.srv.count(), time.perf_counter()
            if count and self.first is None:
                self.first = (at, count)
            if count and (self.last is None or count > self.last[1]):
                self.last = (at, count)
            if stopping or count >= self.expected:
                return
            time.sleep(0.005)

    def rate(self) -> float:
        """Requests per second between the first poll that saw one and the last."""
        if self.first is None or self.last is None or self.last[0] <= self.first[0]:
            return 0.0
        return (self.last[1] - self.first[1]) / (self.last[0] - self.first[0])


def run_publishers(roots: list[Path], now: datetime) -> tuple[float, float, float]:
    """Start one ``publish --due`` per workspace at once (host-1, host-2, ...); wall
    seconds until the last exits, the largest max RSS, and their CPU seconds summed."""
    start = time.perf_counter()
    procs = []
    for root in roots:
        env = {**os.environ, "SOULPOST_NOW": now.isoformat(), "SOULPOST_HOST": root.name}
        procs.append(
            subprocess.Popen(
                [EXE, "-C", str(root), "publish", "--due", "-q"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
    mem = cpu = 0.0
    for proc in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, proc.args
        mem = max(mem, usage.ru_maxrss / 1024)
        cpu += usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start, mem, cpu


def bench_on_time(setup: Setup, runs: int) -> dict[str, float]:
    delays = []
    if setup.ledger == "postgres":  # one daemon against --publishers (bench/pgburst.py)
        from bench.pgburst import burst_rounds

        return burst_rounds(setup, runs)
    with tempfile.TemporaryDirectory(prefix="soulpost-bench-") as tmp, LocalServer() as srv:
        root = Path(tmp)
        now = datetime.now(UTC)
        make_workspace(root, setup.posts, 0, now, srv.url, published=setup.published)
        publish_setup(root, now, setup.published, setup.archive)
        env = {k: v for k, v in os.environ.items() if k != "SOULPOST_NOW"}
        assert run_cli(["-C", str(root), "publish", "--due", "-q"], env)[3] == 0  # the index
        proc = subprocess.Popen(
            [EXE, "-C", str(root), "daemon"], env=env, stderr=subprocess.DEVNULL
        )
        try:
            beat = root / ".soulpost" / "heartbeat.json"
            deadline = time.monotonic() + 300
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


def bench_burst(setup: Setup, runs: int = 1) -> dict[str, object]:
    """One ``soulpost daemon`` (SQLite) over the queue, index built; ``--due`` drafts are
    written at once, due ``--burst-ahead`` (5) s later (time to notice, parse, plan and
    lint them); how fast they reach the local server from their due time, and the
    daemon's CPU meanwhile. On PostgreSQL: :mod:`bench.pgburst` (*runs* rounds)."""
    if setup.ledger == "postgres":  # one daemon against --publishers (bench/pgburst.py)
        from bench.pgburst import burst_rounds

        return burst_rounds(setup, runs)
    with tempfile.TemporaryDirectory(prefix="soulpost-bench-") as tmp, LocalServer() as srv:
        root = Path(tmp)
        now = datetime.now(UTC)
        make_workspace(root, setup.posts, 0, now, srv.url, published=setup.published)
        publish_setup(root, now, setup.published, setup.archive)
        env = {k: v for k, v in os.environ.items() if k != "SOULPOST_NOW"}
        assert run_cli(["-C", str(root), "publish", "--due", "-q"], env)[3] == 0  # the index
        log = open(setup.daemon_log, "w") if setup.daemon_log else subprocess.DEVNULL  # noqa: SIM115
        proc = subprocess.Popen([EXE, "-C", str(root), "daemon"], env=env, stderr=log)
        try:
            beat = root / ".soulpost" / "heartbeat.json"
            deadline = time.monotonic() + 300
            while not beat.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            cpu0 = _cpu_of(proc.pid)
            due = datetime.now(UTC) + timedelta(seconds=setup.burst_ahead)
            for n in range(setup.due):
                # One instant, or --spread-us apart (a pass each before daemonburst).
                at = (due + timedelta(microseconds=n * setup.spread_us)).isoformat()
                text = text_for(n).replace("Post ", "Burst ", 1)
                (root / "queue" / f"burst-{n:05d}.toml").write_text(
                    f'text = "{text}"\nplatforms = ["hook"]\nat = {at}\n'
                )
            with Arrivals(srv, setup.due) as seen:
                while srv.count() < setup.due and time.monotonic() < deadline + 120:
                    time.sleep(0.01)
            last = time.time()
            cpu = _cpu_of(proc.pid) - cpu0
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    return {
        "burst_per_s_from_due": round(setup.due / (last - due.timestamp()), 1),
        "burst_steady_per_s": round(seen.rate(), 1),
        "burst_cpu_ms_each": round(cpu / setup.due * 1000, 3),
        # How late the last one left after its own time (the spread's end).
        "burst_last_late_s": round(
            last - due.timestamp() - (setup.due - 1) * setup.spread_us / 1e6, 3
        ),
    }


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PARTS = ("idle", "throughput", "on-time", "burst")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--published", type=int, default=0, metavar="N")
    parser.add_argument("--archive", action="store_true", help="archive the published posts")
    parser.add_argument("--ledger", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--ledger-url-env", default="SOULPOST_BENCH_LEDGER_URL", metavar="VAR")
    parser.add_argument("--publishers", type=int, default=1, metavar="N")
    parser.add_argument(
        "--spread-us", type=int, default=0, metavar="US", help="burst: due times this far apart"
    )
    parser.add_argument("--daemon-log", default="", metavar="PATH", help="burst: the daemon's log")
    parser.add_argument(
        "--burst-ahead",
        type=float,
        default=None,
        metavar="S",
        help="burst: the drafts are due S seconds after they are written (5; postgres 20)",
    )
    parser.add_argument("--only", choices=PARTS, action="append", help="run only these parts")
    args = parser.parse_args()
    if args.ledger == "postgres" and not os.environ.get(args.ledger_url_env):
        parser.error(f"--ledger postgres needs the ledger's URL in ${args.ledger_url_env}")
    if args.publishers > 1 and args.ledger == "sqlite":
        parser.error("several publishers share a PostgreSQL ledger (--ledger postgres)")
    setup = Setup(
        args.posts,
        args.due,
        args.published,
        args.archive,
        args.ledger,
        args.ledger_url_env,
        args.publishers,
        args.spread_us,
        args.daemon_log,
        args.burst_ahead or (20.0 if args.ledger == "postgres" else 5.0),
    )
    parts = args.only or [part for part in PARTS if part != "burst"]
    results: dict[str, object] = {
        "posts": args.posts,
        "due": args.due,
        "published": args.published,
        "archived": args.published if args.archive else 0,
        "runs": args.runs,
        "spread_us": args.spread_us,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg()[0],
    }
    if "idle" in parts:
        results.update(bench_idle_and_rescan(setup, args.runs))
    if "throughput" in parts:
        results.update(bench_throughput(setup, max(1, args.runs // 2)))
    if "burst" in parts:
        results.update(bench_burst(setup, args.runs))
    if "on-time" in parts:
        results.update(bench_on_time(setup, args.runs))
    results["load_after"] = os.getloadavg()[0]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "publish.json").write_text(json.dumps(results, indent=2) + "\n")
    for key, value in results.items():
        print(f"{key:>28}: {value}")


def bench_idle_and_rescan(setup: Setup, runs: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="soulpost-bench-"))
    try:
        now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        url = "http://127.0.0.1:9/unused"
        make_workspace(tmp, setup.posts, 0, now, url, published=setup.published)
        out = publish_setup(tmp, now, setup.published, setup.archive)
        out.update(bench_idle(tmp, now, runs))
        out.update(bench_rescan(tmp, now, runs))
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
