"""One fault trial on the PostgreSQL ledger: three publishers on three "hosts" share one
database and one queue of due posts; one is SIGKILLed mid-run, another stopped by SIGTERM.

Each host is its own checkout of the queue (a copy of the same files) running ``soulpost
daemon`` with ``SOULPOST_HOST`` naming it, as a real two- or three-host deployment does.
The platform is one local HTTP server on 127.0.0.1 that counts every request by its
idempotency key. When the survivor has settled everything (claims of the killed host come
back when their lease runs out, by the database's clock), every post must have arrived
exactly once, or be shown in doubt (a request was in flight when its publisher died); none
may be lost. Used by tests/test_ledger_pg_fault.py (once) and bench/pg_fault_trials.py.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.localserver import LocalServer, Reply

HOSTS = ("host-a", "host-b", "host-c")  # a: SIGKILL, b: SIGTERM, c: runs to the end
EXE = str(Path(sys.executable).with_name("soulpost"))


@dataclass
class Trial:
    """What one trial found (counts per post, and the details of anything wrong)."""

    posts: int
    published: int = 0
    in_doubt: int = 0
    duplicates: int = 0  # posts the platform received more than once
    lost: int = 0  # posts neither received nor shown in doubt (or left pending/claimed)
    unfinished: int = 0  # posts still pending or unclaimed when the trial ran out of time
    unflagged: int = 0  # received, but the ledger neither records it nor flags it
    killed_at: int = 0  # requests received when host-a was SIGKILLed
    termed_at: int = 0  # ... when host-b got SIGTERM
    by_host: dict[str, int] = field(default_factory=dict)  # rows each host published
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    status: dict[str, Any] = field(default_factory=dict)

    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return not (self.duplicates or self.lost or self.unflagged or self.problems)


def _workspace(root: Path, server: LocalServer, posts: int, at: datetime) -> None:
    root.mkdir(parents=True)
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.hook]
            adapter = "webhook"
            options = {{ url = "{server.url}", read_timeout = 10 }}
            [publish]
            lint_gate = false
            ledger = "postgres"
            ledger_url_env = "TRIAL_LEDGER_URL"
            lease = "2s"
            heartbeat = "0.5s"
            """
        ),
        encoding="utf-8",
    )
    queue = root / "queue"
    queue.mkdir()
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    for i in range(posts):
        (queue / f"p{i:05d}.toml").write_text(
            f'text = "Post number {i}, what do you think?"\nplatforms = ["hook"]\nat = {stamp}\n',
            encoding="utf-8",
        )


def _daemon(root: Path, host: str, url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SOULPOST_HOST": host, "TRIAL_LEDGER_URL": url}
    env.pop("SOULPOST_NOW", None)  # real time: leases are judged by the database's clock
    with log.open("wb") as out:
        return subprocess.Popen(
            [EXE, "-C", str(root), "daemon", "--shutdown-grace", "20"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=out,
        )


def _wait_for(host: str, rows: int, url: str, server: LocalServer, deadline: float) -> int:
    """Poll (10 ms) until *host* has taken *rows* publications (so a signal lands while it
    works), or the platform has every post; the platform's count then."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        while time.monotonic() < deadline and server.count() < server_posts(server):
            row = db.execute(
                "SELECT COUNT(*) FROM publications WHERE owner_host = %s", (host,)
            ).fetchone()
            if row is not None and row[0] >= rows:
                break
            time.sleep(0.01)
    return server.count()


def server_posts(server: LocalServer) -> int:
    return int(getattr(server, "expected", 0))


def _settled(url: str, posts: int) -> bool:
    """Every post has a row and none is pending or claimed."""
    import psycopg

    with psycopg.connect(url) as db:
        row = db.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE state IN ('pending', 'claimed')) "
            "FROM publications"
        ).fetchone()
    return row is not None and row[0] >= posts and row[1] == 0


def run_trial(
    url: str,
    work: Path,
    *,
    posts: int,
    seed: int,
    timeout: float = 120,
    plant: Callable[[str, LocalServer], None] | None = None,
) -> Trial:
    """One trial in *work* (a fresh directory) against the empty ledger at *url*. *plant*
    (for a self-test) gets to plant a fault before the comparison."""
    from soulpost.ledger.postgres import PostgresLedger

    PostgresLedger(url).close()  # the schema, so the watcher can count before any pass
    rng = random.Random(seed)
    trial = Trial(posts)
    started = time.monotonic()
    deadline = started + timeout
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
    with LocalServer(default=Reply(200, delay=0.002)) as server:
        server.expected = posts  # type: ignore[attr-defined]
        assert server._server is not None  # a killed client's broken pipe is expected
        server._server.handle_error = lambda *a: None  # type: ignore[method-assign]
        roots = {host: work / host for host in HOSTS}
        _workspace(roots[HOSTS[0]], server, posts, at)
        for host in HOSTS[1:]:
            shutil.copytree(roots[HOSTS[0]], roots[host])
        procs = {h: _daemon(roots[h], h, url, work / f"{h}.log") for h in HOSTS}
        try:
            trial.killed_at = _wait_for("host-a", rng.randint(5, 80), url, server, deadline)
            procs["host-a"].send_signal(signal.SIGKILL)
            trial.termed_at = _wait_for("host-b", rng.randint(5, 80), url, server, deadline)
            procs["host-b"].send_signal(signal.SIGTERM)
            procs["host-b"].wait(timeout=max(1.0, deadline - time.monotonic()))
            while time.monotonic() < deadline and not _settled(url, posts):
                if procs["host-c"].poll() is not None:
                    trial.problems.append("host-c stopped before the queue was settled")
                    break
                time.sleep(0.1)
            else:
                if time.monotonic() >= deadline:
                    trial.timed_out = True
                    trial.problems.append(f"not settled within {timeout:g} s")
            trial.status = _status(roots["host-c"], url)
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs.values():
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if plant is not None:
            plant(url, server)
        _compare(trial, url, server)
    trial.seconds = time.monotonic() - started
    return trial


def _status(root: Path, url: str) -> dict[str, Any]:
    env = {**os.environ, "TRIAL_LEDGER_URL": url, "SOULPOST_HOST": "host-c"}
    done = subprocess.run(
        [EXE, "-C", str(root), "status", "--json"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    data: dict[str, Any] = json.loads(done.stdout) if done.stdout.strip() else {}
    data["_exit"], data["_stderr"] = done.returncode, done.stderr
    data["_stdout"] = done.stdout
    return data


def _keys(server: LocalServer, post_id: str) -> set[str]:
    """The idempotency keys the platform saw for *post_id* (when the ledger has no row)."""
    with server.lock:
        return {k for k in server.keys if k.startswith(f"sp-{post_id}-")}


def _compare(trial: Trial, url: str, server: LocalServer) -> None:
    """What the ledger believes against what the platform received."""
    from soulpost.ledger.postgres import PostgresLedger

    ledger = PostgresLedger(url, read_only=True)
    try:
        rows = {p.post_id: p for p in ledger.publications()}
    finally:
        ledger.close()
    for i in range(trial.posts):
        post_id = f"p{i:05d}"
        row = rows.get(post_id)
        if row is None:
            got = sum(server.count(k) for k in _keys(server, post_id))
            if got:
                trial.unflagged += 1
            elif trial.timed_out:
                trial.unfinished += 1  # not lost: its time ran out before a pass reached it
            else:
                trial.lost += 1
            trial.problems.append(f"{post_id}: no row in the ledger, received {got}")
            continue
        got = server.count(row.key.idempotency_key(0))
        if got > 1:
            trial.duplicates += 1
            trial.problems.append(f"{post_id}: received {got} times")
        if row.state == "published":
            trial.published += 1
            trial.by_host[row.owner_host or "?"] = trial.by_host.get(row.owner_host or "?", 0) + 1
            if got == 0:
                trial.unflagged += 1
                trial.problems.append(f"{post_id}: published in the ledger, never received")
        elif row.state == "in_doubt":
            trial.in_doubt += 1
        elif trial.timed_out and row.state in ("pending", "claimed"):
            trial.unfinished += 1  # still in the works when the trial stopped
        else:
            if got:
                trial.unflagged += 1
            else:
                trial.lost += 1
            trial.problems.append(f"{post_id}: left {row.state} ({row.reason}), received {got}")
