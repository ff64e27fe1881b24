"""``publish_bench.py --only burst --ledger postgres --publishers N``: one daemon, then N.

The deployment docs/operations.md describes for several hosts: a ``soulpost daemon`` on
each, each with its own checkout of the queue (``SOULPOST_HOST`` host-1...), all on one
PostgreSQL ledger. Each run gets a fresh schema on the server ``$SOULPOST_BENCH_LEDGER_URL``
names and its own loopback webhook server; every checkout holds ``--posts`` drafts and a
cron pass has built its queue index. The daemons are started and left until each has
written its heartbeat (started, first pass done); then ``--due`` drafts due at one instant
(``--burst-ahead`` seconds later) are written into every checkout, as a ``git pull`` on
each host would bring them. Measured:

* ``per_s_from_due``: publications per second from the due instant to the last request the
  server got; ``steady_per_s``: first request to last;
* ``ready_before_due_s``: how long before the due instant the last daemon had planned the
  burst (its heartbeat names the instant as its next wake-up; negative: after it);
* exactly-once: every request the server got, by idempotency key: each post exactly once,
  none missing, nothing else (``duplicates``, ``missing``; a run with either fails);
* ``daemon_cpu_ms_each``: the daemons' CPU (with their children) from the drafts' writing
  to the last request, per publication; ``postgres_cpu_ms_each``: the server's meanwhile
  (the postmaster and every backend), when it runs on this machine;
* ``sent_by_each``: how many each daemon published (from its log lines), and the
  ``skipped`` it logged (posts another daemon had taken: a refused claim or a chunk's check).

One and N alternate for ``--runs`` rounds (one first in even rounds, N first in odd ones);
medians and the ratio of the medians are printed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BURST_ID = re.compile(r"^sp-(burst-\d+)-hook-")
PASS_LINE = re.compile(r"pass \((\w+)\): (.*)$")


def fresh_url(base: str) -> str:
    """A URL for a new, empty schema on the server *base* names."""
    import psycopg

    name = f"pgburst{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(base, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {name}".encode())
    return base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{name}"


def burst_rounds(setup: Any, runs: int) -> dict[str, object]:
    """One daemon and ``setup.publishers`` daemons, alternated for *runs* rounds."""
    counts = [1, setup.publishers] if setup.publishers > 1 else [1]
    found: dict[int, list[dict[str, Any]]] = {n: [] for n in counts}
    for run in range(max(1, runs)):
        for n in counts if run % 2 == 0 else list(reversed(counts)):
            got = burst_once(setup, n)
            found[n].append(got)
            shown = {k: v for k, v in got.items() if k != "publishers"}
            print(f"round {run + 1}, {n} daemon(s): {shown}", flush=True)
    out: dict[str, object] = {}
    for n, results in found.items():
        for key in results[0]:
            values = [r[key] for r in results]
            if all(isinstance(v, (int, float)) for v in values):
                out[f"burst_{n}_{key}"] = round(statistics.median(values), 3)
            else:
                out[f"burst_{n}_{key}"] = values
    if len(counts) > 1:
        one, many = (f"burst_{n}_per_s_from_due" for n in counts)
        out[f"burst_ratio_{counts[1]}_to_1"] = round(float(out[many]) / float(out[one]), 3)  # type: ignore[arg-type]
    return out


def burst_once(setup: Any, publishers: int) -> dict[str, Any]:
    """One run of *publishers* daemons; see the module docstring."""
    from bench.publish_bench import EXE, make_workspace, run_cli, text_for
    from tests.localserver import LocalServer

    url = fresh_url(os.environ[setup.url_env])
    base_env = {k: v for k, v in os.environ.items() if k != "SOULPOST_NOW"}
    base_env[setup.url_env] = url
    with tempfile.TemporaryDirectory(prefix="soulpost-pgburst-") as tmp, LocalServer() as srv:
        now = datetime.now(UTC)
        roots = [Path(tmp) / f"host-{n}" for n in range(1, publishers + 1)]
        roots[0].mkdir()
        make_workspace(roots[0], setup.posts, 0, now, srv.url, ledger=setup.ledger_config())
        for root in roots[1:]:
            shutil.copytree(roots[0], root, symlinks=True)
        for root in roots:  # each host's index, as its cron pass before would build it
            env = {**base_env, "SOULPOST_HOST": root.name}
            assert run_cli(["-C", str(root), "publish", "--due", "-q"], env)[3] == 0
        procs = []
        for root in roots:
            env = {**base_env, "SOULPOST_HOST": root.name}
            log = (root.parent / f"{root.name}.log").open("w")
            procs.append(subprocess.Popen([EXE, "-C", str(root), "daemon"], env=env, stderr=log))
            log.close()
        try:
            return _measure(setup, srv, roots, procs, text_for)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=60)


def _measure(
    setup: Any, srv: Any, roots: list[Path], procs: list[Any], text_for: Any
) -> dict[str, Any]:
    from bench.publish_bench import Arrivals, _postmaster, _tree_cpu

    deadline = time.monotonic() + 600
    beats = [root / ".soulpost" / "heartbeat.json" for root in roots]
    while not all(b.exists() for b in beats):
        assert time.monotonic() < deadline, "the daemons did not start"
        assert all(p.poll() is None for p in procs), "a daemon exited"
        time.sleep(0.05)
    time.sleep(0.5)  # each past its first pass's heartbeat, idle
    postmaster = _postmaster(setup)  # the server of the base URL: the same one
    pg0 = _tree_cpu(postmaster)
    cpu0 = sum(_cpu_with_children(p.pid) for p in procs)
    due = datetime.now(UTC) + timedelta(seconds=setup.burst_ahead)
    due_mono = time.perf_counter() + setup.burst_ahead  # Arrivals' clock
    ids = [f"burst-{n:05d}" for n in range(setup.due)]
    for root in roots:  # the same drafts on every host
        for n, post_id in enumerate(ids):
            text = text_for(n).replace("Post ", "Burst ", 1)
            (root / "queue" / f"{post_id}.toml").write_text(
                f'text = "{text}"\nplatforms = ["hook"]\nat = {due.isoformat()}\n'
            )
    ready: dict[int, float] = {}
    at_due: tuple[float, float | None, float] | None = None  # daemons', server's, bench's CPU
    with Arrivals(srv, setup.due) as seen:
        while srv.count() < setup.due and time.monotonic() < deadline:
            for k, beat in enumerate(beats):
                if k not in ready and _planned(beat, due):
                    ready[k] = due.timestamp() - time.time()
            if at_due is None and time.time() >= due.timestamp():
                daemons = sum(_cpu_with_children(p.pid) for p in procs)
                at_due = (daemons, _tree_cpu(postmaster), _own_cpu())
            time.sleep(0.01)
    last = time.time()
    cpu = sum(_cpu_with_children(p.pid) for p in procs) - cpu0
    bench_after = _own_cpu() - at_due[2] if at_due is not None else None
    time.sleep(0.3)  # the backends' last work is counted
    pg1 = _tree_cpu(postmaster)
    time.sleep(1.0)  # a late duplicate would arrive here
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(timeout=60)
    keys = dict(srv.keys)
    sent = [BURST_ID.match(k) for k in keys]
    got = {m.group(1): keys[m.string] for m in sent if m}
    duplicates = sum(c - 1 for c in got.values() if c > 1)
    missing = len(set(ids) - set(got))
    others = sum(c for k, c in keys.items() if not BURST_ID.match(k))
    assert duplicates == missing == others == 0, (duplicates, missing, others)
    split = [_log_counts(root.parent / f"{root.name}.log") for root in roots]
    if setup.daemon_log:  # kept: PATH.N-host-K.log
        for root in roots:
            target = f"{setup.daemon_log}.{len(roots)}-{root.name}.log"
            shutil.copy(root.parent / f"{root.name}.log", target)
    out: dict[str, Any] = {
        "publishers": len(roots),
        "per_s_from_due": round(setup.due / (last - due.timestamp()), 1),
        "steady_per_s": round(seen.rate(), 1),
        "last_late_s": round(last - due.timestamp(), 3),
        "ready_before_due_s": round(min(ready.values()), 3) if len(ready) == len(roots) else None,
        "daemon_cpu_ms_each": round(cpu / setup.due * 1000, 3),
        "daemon_cpu_s_after_due": round(cpu + cpu0 - at_due[0], 3) if at_due else None,
        "bench_cpu_s_after_due": round(bench_after, 3) if bench_after is not None else None,
        "first_after_due_s": round(seen.first[0] - due_mono, 3) if seen.first else None,
        "received": sum(got.values()),
        "duplicates": duplicates,
        "missing": missing,
        "sent_by_each": [s[0] for s in split],
        "skipped": sum(s[1] for s in split),
    }
    if pg0 is not None and pg1 is not None:
        out["postgres_cpu_ms_each"] = round((pg1 - pg0) / setup.due * 1000, 3)
        if at_due is not None and at_due[1] is not None:
            out["postgres_cpu_s_after_due"] = round(pg1 - at_due[1], 3)
    return out


def _planned(beat: Path, due: datetime) -> bool:
    """Whether the daemon's heartbeat names *due* as its next wake-up."""
    import json

    try:
        wake = json.loads(beat.read_text()).get("next_wake")
    except (OSError, ValueError):
        return False
    if wake is None:
        return False
    return abs(datetime.fromisoformat(wake).timestamp() - due.timestamp()) < 1e-3


def _own_cpu() -> float:
    """This process's CPU seconds (the loopback server's threads and the polls)."""
    times = os.times()
    return times.user + times.system


def _cpu_with_children(pid: int) -> float:
    """CPU seconds of a running process and of its children it has waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / os.sysconf("SC_CLK_TCK")


def _log_counts(log: Path) -> tuple[int, int]:
    """(published, skipped) summed over the daemon's ``pass (...)`` log lines."""
    published = skipped = 0
    for line in log.read_text(errors="replace").splitlines():
        match = PASS_LINE.search(line)
        if not match:
            continue
        for part in match.group(2).split(", "):
            count, _, state = part.partition(" ")
            if state == "published" and count.isdigit():
                published += int(count)
            elif state == "skipped" and count.isdigit():
                skipped += int(count)
    return published, skipped
