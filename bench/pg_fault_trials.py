"""PostgreSQL fault trials: three publishers on three simulated hosts, one queue, one
shared ledger; one SIGKILLed mid-run, another stopped by SIGTERM. Repeats the trial of
tests/pgfault.py and prints what the platform received against what the ledger believes.

    .venv/bin/python bench/pg_fault_trials.py --trials 50
    .venv/bin/python bench/pg_fault_trials.py --trials 5 --posts 500 --seed 7 --json
    .venv/bin/python bench/pg_fault_trials.py --self-test

Each trial: a fresh schema on a throwaway PostgreSQL server (tests/pg.py, started once for
the run and stopped at its end), three checkouts of a queue of ``--posts`` due posts, a
webhook "platform" on 127.0.0.1 (2 ms a request) counting requests by idempotency key,
and three ``soulpost daemon`` processes (``SOULPOST_HOST`` = host-a, host-b, host-c; lease
2 s, heartbeat 0.5 s). host-a is SIGKILLed once it has taken 5-80 publications, host-b gets
SIGTERM once it has taken 5-80 (drawn per trial), host-c runs until every post is published
or in doubt (host-a's claims come back when their lease runs out by the database's clock).

Counters, per post:

* **published / in doubt**: what the ledger says at the end (in doubt: a request was in
  flight when its publisher died; a person checks the platform);
* **duplicates**: the platform received it more than once;
* **lost**: no request arrived and nothing flags it (no row, or left pending/claimed);
* **unflagged**: the ledger says published but nothing arrived, or it arrived and the
  ledger neither records nor flags it;
* **unfinished**: a trial that ran past ``--timeout`` (a loaded machine) is stopped; posts
  still pending, claimed or not yet taken then are counted here, not as lost, and the
  trial is reported as timed out.

``--max-minutes`` stops starting new trials after that long (the summary says how many
ran); SIGTERM or Ctrl-C stops the publishers and the server before exiting.

Exit 1 if any trial has a duplicate, a loss or an unflagged post.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"

from tests.localserver import LocalServer  # noqa: E402
from tests.pg import PgServer, binaries  # noqa: E402
from tests.pgfault import Trial, run_trial  # noqa: E402

COUNTERS = ("published", "in_doubt", "duplicates", "lost", "unflagged", "unfinished")


def _line(number: int, t: Trial) -> str:
    hosts = ", ".join(f"{h} {n}" for h, n in sorted(t.by_host.items()))
    verdict = "ok " if t.ok else "TIMED OUT" if t.timed_out else "BAD"
    return (
        f"trial {number:>3}: {verdict} published {t.published}, in doubt {t.in_doubt}, "
        f"duplicates {t.duplicates}, lost {t.lost}, unflagged {t.unflagged}, unfinished "
        f"{t.unfinished}; "
        f"kill at {t.killed_at}, term at {t.termed_at} received; by host: {hosts}; "
        f"{t.seconds:.1f} s"
    )


def run(args: argparse.Namespace, server: PgServer) -> list[Trial]:
    trials: list[Trial] = []
    stop_at = time.monotonic() + args.max_minutes * 60 if args.max_minutes else None
    for number in range(1, args.trials + 1):
        if stop_at is not None and time.monotonic() > stop_at:
            print(f"--max-minutes {args.max_minutes:g} reached: {len(trials)} trial(s) ran")
            break
        with tempfile.TemporaryDirectory(prefix="soulpost-pgfault-") as work:
            trial = run_trial(
                server.fresh_url("trial"), Path(work), posts=args.posts,
                seed=args.seed + number, timeout=args.timeout,
            )  # fmt: skip
        trials.append(trial)
        print(_line(number, trial), flush=True)
        for problem in trial.problems[:10]:
            print(f"    {problem}")
    return trials


def summary(trials: list[Trial]) -> dict[str, Any]:
    total = {c: sum(getattr(t, c) for t in trials) for c in COUNTERS}
    seconds = sorted(t.seconds for t in trials)
    return {
        "trials": len(trials),
        "posts_per_trial": trials[0].posts if trials else 0,
        **total,
        "trials_with_doubt": sum(1 for t in trials if t.in_doubt),
        "trials_timed_out": sum(1 for t in trials if t.timed_out),
        "trials_with_problems": sum(1 for t in trials if not t.ok and not t.timed_out),
        "median_trial_seconds": round(seconds[len(seconds) // 2], 1) if seconds else 0,
    }


# --- self-test: the counters must see a planted fault --------------------------------------


def _plant_duplicate(url: str, server: LocalServer) -> None:
    import psycopg

    with psycopg.connect(url) as db:
        row = db.execute("SELECT idem_key FROM publications LIMIT 1").fetchone()
    assert row is not None
    with server.lock:
        server.keys[row[0]] += 1


def _plant_forgetting(url: str, server: LocalServer) -> None:
    import psycopg

    with psycopg.connect(url) as db:
        db.execute("DELETE FROM publications WHERE post_id = 'p00003'")


def _plant_loss(url: str, server: LocalServer) -> None:
    _plant_forgetting(url, server)
    with server.lock:
        for key in [k for k in server.keys if k.startswith("sp-p00003-")]:
            server.keys[key] = 0


def _plant_silent_loss(url: str, server: LocalServer) -> None:
    import psycopg

    with psycopg.connect(url) as db:
        row = db.execute("SELECT idem_key FROM publications WHERE post_id = 'p00004'").fetchone()
        db.execute("UPDATE publications SET state = 'published' WHERE post_id = 'p00004'")
    assert row is not None
    with server.lock:
        server.keys[row[0]] = 0


def self_test(args: argparse.Namespace, server: PgServer) -> int:
    cases = {
        "duplicate": (_plant_duplicate, {"duplicates": 1, "lost": 0, "unflagged": 0}),
        "ledger forgets": (_plant_forgetting, {"duplicates": 0, "lost": 0, "unflagged": 1}),
        "lost": (_plant_loss, {"duplicates": 0, "lost": 1, "unflagged": 0}),
        "never arrived": (_plant_silent_loss, {"duplicates": 0, "lost": 0, "unflagged": 1}),
        "none": (None, {"duplicates": 0, "lost": 0, "unflagged": 0}),
    }
    bad = 0
    for name, (plant, want) in cases.items():
        with tempfile.TemporaryDirectory(prefix="soulpost-pgfault-") as work:
            trial = run_trial(
                server.fresh_url("self"), Path(work), posts=200, seed=args.seed, plant=plant
            )
        got = {k: getattr(trial, k) for k in want}
        ok = got == want
        bad += not ok
        print(f"self-test {name:>15}: {'ok' if ok else 'FAILED'} (want {want}, got {got})")
    return 1 if bad else 0


# --- cron publishers -------------------------------------------------------------------------

CRON_LOOP = """
import sys, time
from soulpost.cli import main
while True:
    main(["-C", sys.argv[1], "publish", "--due", "-q"])
    time.sleep(0.1)
"""
"""A host whose cron runs ``publish --due`` back to back (in one process, so the signals the
trial sends land in a pass, as they would on a cron job's): the cron path's claims, lazily
parsed due posts (soulpost/run/deferred.py) and hand-over of the ledger face the kills."""


def _cron_publisher(root: Path, host: str, url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SOULPOST_HOST": host, "TRIAL_LEDGER_URL": url}
    env.pop("SOULPOST_NOW", None)  # real time: leases are judged by the database's clock
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-c", CRON_LOOP, str(root)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=out,
        )


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261213)
    parser.add_argument("--timeout", type=float, default=600, help="seconds a trial may take")
    parser.add_argument("--max-minutes", type=float, help="start no trial after this long")
    parser.add_argument("--json", action="store_true", help="also write bench/out/pg_fault.json")
    parser.add_argument("--self-test", action="store_true", help="check the counters see faults")
    parser.add_argument(
        "--cron", action="store_true", help="publishers are cron passes in a loop, not daemons"
    )
    args = parser.parse_args()
    if args.cron:
        import tests.pgfault

        tests.pgfault._daemon = _cron_publisher  # type: ignore[assignment]
    bin_dir = binaries()
    if bin_dir is None:
        print("PostgreSQL is not installed (apt-get install -y postgresql)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-ups below
    server = PgServer(bin_dir).start()
    begin = time.monotonic()
    try:
        if args.self_test:
            return self_test(args, server)
        trials = run(args, server)
    finally:
        server.stop()
    result = summary(trials)
    result["seconds"] = round(time.monotonic() - begin, 1)
    print(" | ".join(result))
    print(" | ".join(str(v) for v in result.values()))
    if args.json:
        OUT.mkdir(parents=True, exist_ok=True)
        meta = {
            "seed": args.seed,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "commit": _commit(),
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (OUT / "pg_fault.json").write_text(json.dumps({**meta, **result}, indent=2) + "\n")
    return 1 if result["duplicates"] or result["lost"] or result["unflagged"] else 0


def _commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        check=False,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
