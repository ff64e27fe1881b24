"""Crash trials: SIGKILL ``soulpost publish --due`` or ``soulpost daemon`` mid-pass, then
check what the ledger believes against what the platforms actually received.

    .venv/bin/python bench/crash_trials.py --trials 30 --mode both
    .venv/bin/python bench/crash_trials.py --trials 100 --mode both --seed 7 --json
    .venv/bin/python bench/crash_trials.py --self-test

Each trial is an isolated workspace in a temporary directory with two slow local platforms
on 127.0.0.1, both with every request delayed at random (``--delay``, default 50-150 ms) so
that a kill lands before, during or after a request:

* ``mastodon``: the Mastodon fake of ``tests/fakes`` (threads via ``in_reply_to_id``,
  ``Idempotency-Key`` replay, so the adapter can look an unknown outcome up);
* ``hook``: the generic webhook adapter against ``tests/localserver.py``, which has no
  idempotency and no lookup: every POST it gets counts, and a doubt needs a person.

The queue has two threads of 3-5 parts and a single post (sizes drawn per trial). A trial:

1. start the command and SIGKILL it at a time drawn uniformly over ``[0, 1.15 * T]``, where
   ``T`` is how long an unkilled run takes (measured per mode before every ``BATCH`` trials,
   as the machine's load drifts), so kills fall before, during and after requests (a run
   that ends before its kill time is counted as such);
2. passes (``publish --due``, no kill) until nothing is pending or claimed; after each,
   ``soulpost status`` must exit 1 if any publication is in doubt, failed, missed or still
   claimed by a dead process;
3. a person settles what is in doubt the way someone checking the network would: asks the
   platform whether the part in flight arrived, then ``soulpost resolve ID --platform P
   --published URL`` (with the URL the platform gave it, and for the webhook, whose URLs do
   not tell ids, ``--remote-id`` with the id its receiver recorded) or ``--not-published``
   followed by ``soulpost retry``; then back to 2 (at most ``ROUNDS`` times).

Then every part of every post is compared with what the servers stored:

* **duplicates**: extra copies of one part that a server stored (a replay that Mastodon
  answers from its Idempotency-Key record is not a copy);
* **lost**: a part no server has, although the ledger does not ask a person about its
  publication (published, pending, or no row);
* **unflagged**: a part the ledger records as sent that the server does not have, a part the
  server has that the ledger does not record while nothing asks a person about it, or a
  publication in doubt/failed/missed/stale-claimed while ``soulpost status`` exits 0.

Results are printed per mode (and written to bench/out/crash_trials.json with ``--json``),
with each failing trial's details. To replay trial K of a run (same delays, same kill time):
``--mode M --seed S --span PASS_SECONDS --first K --trials 1 --keep --verbose``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
EXE = str(Path(sys.executable).with_name("soulpost"))
TOKEN = "crash-trials-token"
BATCH = 25  # trials between two calibrations
ROUNDS = 4  # pass + person rounds after the kill
ATTENTION = ("in_doubt", "failed", "missed")

from soulpost.ledger import SqliteLedger  # noqa: E402
from tests.fakes.mastodon import MastodonFake  # noqa: E402
from tests.localserver import LocalServer, Reply  # noqa: E402

MARK = re.compile(r"\[(\w+)#(\d+)\]")


@dataclass(frozen=True)
class Copy:
    """One stored copy of a part on a platform."""

    id: str
    url: str
    reply_to: str | None


# --- the slow platforms -------------------------------------------------------------------


class SlowMastodon(MastodonFake):
    """The Mastodon fake with a random delay before each request is read and acted on, and
    a count of requests in flight (so a person only checks once the server is done)."""

    def __init__(self, rng: random.Random, delay: tuple[float, float]) -> None:
        super().__init__(token=TOKEN)
        self.rng, self.delay_range, self.inflight = rng, delay, 0

    def start(self) -> SlowMastodon:
        super().start()
        assert self._server is not None
        self._server.handle_error = lambda *a: None  # type: ignore[method-assign]
        return self

    def _handle(self, http: Any) -> None:
        with self._lock:
            self.inflight += 1
            pause = self.rng.uniform(*self.delay_range)
        try:
            time.sleep(pause)
            super()._handle(http)
        finally:
            with self._lock:
                self.inflight -= 1

    def copies(self) -> dict[str, list[Copy]]:
        """Marker -> the statuses carrying it."""
        out: dict[str, list[Copy]] = {}
        with self._lock:
            for status in self.statuses.values():
                for pid, idx in MARK.findall(status["content"]):
                    copy = Copy(status["id"], status["url"], status["in_reply_to_id"])
                    out.setdefault(f"{pid}#{idx}", []).append(copy)
        return out


def slow_hook(rng: random.Random, delay: tuple[float, float]) -> LocalServer:
    """A webhook receiver without idempotency: each request waits a random part of its delay
    before it is acted on (stored and counted) and the rest before the answer. Like a proxy
    in front of an application, it abandons a request whose client hung up while it waited,
    so a kill can also leave a part in doubt that never arrived."""
    server = LocalServer(default=Reply(200)).start()
    assert server._server is not None
    server._server.handle_error = lambda *a: None  # type: ignore[method-assign]
    base: Any = server._server.RequestHandlerClass
    lock = threading.Lock()

    def do_post(handler: Any) -> None:
        with lock:
            total, share = rng.uniform(*delay), rng.random()
        time.sleep(total * share)
        if _client_gone(handler.connection):
            handler.close_connection = True
            return
        server.push(Reply(200, delay=total * (1 - share)))
        base.do_POST(handler)

    server._server.RequestHandlerClass = type("SlowHook", (base,), {"do_POST": do_post})
    return server


def _client_gone(sock: Any) -> bool:
    """True when the peer has closed its end (TCP CLOSE_WAIT: its process was killed)."""
    import socket
    import struct

    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    except OSError:
        return False
    return bool(struct.unpack("B", info[:1])[0] == 8)  # TCP_CLOSE_WAIT


def hook_copies(server: LocalServer) -> dict[str, list[Copy]]:
    """Marker -> the deliveries carrying it (ids and URLs as LocalServer's receipts)."""
    out: dict[str, list[Copy]] = {}
    with server.lock:
        for number, got in enumerate(server.received, 1):
            body = got.body if isinstance(got.body, dict) else {"text": str(got.body)}
            for pid, idx in MARK.findall(str(body.get("text", ""))):
                copy = Copy(
                    f"remote-{number}", f"{server.url[:-5]}/p/{number}", body.get("reply_to")
                )
                out.setdefault(f"{pid}#{idx}", []).append(copy)
    return out


# --- one workspace ------------------------------------------------------------------------


@dataclass
class Trial:
    number: int
    mode: str
    root: Path
    masto: SlowMastodon
    hook: LocalServer
    posts: dict[str, tuple[int, tuple[str, ...]]]  # id -> (parts, platforms)
    span: float = 0.0
    phase: str = ""
    kill_at: float = 0.0
    killed: bool = False
    in_flight: bool = False
    events: list[str] = field(default_factory=list)
    duplicates: int = 0
    lost: int = 0
    unflagged: int = 0
    quiet_passes: int = 0
    misthreaded: int = 0
    bench_errors: int = 0
    resolves: int = 0
    flagged_end: int = 0
    problems: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "SOULPOST_NOW"}
        return {**env, "SP_MASTODON_TOKEN": TOKEN}

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EXE, "-C", str(self.root), *args],
            check=False,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )

    def copies(self, platform_name: str) -> dict[str, list[Copy]]:
        return self.masto.copies() if platform_name == "mastodon" else hook_copies(self.hook)

    def ledger(self) -> dict[tuple[str, str], Any]:
        path = self.root / ".soulpost" / "ledger.sqlite3"
        if not path.exists():
            return {}
        try:
            led = SqliteLedger(path, read_only=True)
            try:
                return {(p.post_id, p.platform): p for p in led.publications()}
            finally:
                led.close()
        except sqlite3.Error as exc:
            # Killed while creating it: the next pass must cope; nothing is recorded yet.
            self.events.append(f"ledger unreadable ({exc})")
            return {}

    def wait_idle(self, limit: float = 10.0) -> None:
        end = time.monotonic() + limit
        while self.masto.inflight and time.monotonic() < end:
            time.sleep(0.01)


def make_trial(number: int, mode: str, rng: random.Random, delay: tuple[float, float]) -> Trial:
    root = Path(tempfile.mkdtemp(prefix=f"soulpost-crash-{mode}-{number}-"))
    masto = SlowMastodon(random.Random(rng.random()), delay).start()
    hook = slow_hook(random.Random(rng.random()), delay)
    posts = {
        "ta": (rng.randint(3, 5), ("mastodon", "hook")),
        "tb": (rng.randint(3, 5), ("hook",)),
        "sc": (1, ("mastodon", "hook")),
    }
    (root / "config.toml").write_text(
        f"""timezone = "UTC"
[platforms.mastodon]
env = {{ token = "SP_MASTODON_TOKEN" }}
options = {{ base_url = "{masto.url}", read_timeout = 10 }}
[platforms.hook]
adapter = "webhook"
options = {{ url = "{hook.url}", read_timeout = 10 }}
[publish]
lint_gate = false
max_lateness = "1h"
""",
        encoding="utf-8",
    )
    (root / "queue").mkdir()
    start = datetime.now(UTC) - timedelta(seconds=60)
    for n, (pid, (parts, platforms)) in enumerate(posts.items()):
        texts = [
            f"Trial {number} post {pid} part {i + 1} of {parts} [{pid}#{i}]" for i in range(parts)
        ]
        thread = f"thread = {json.dumps(texts[1:])}\n" if parts > 1 else ""
        at = (start + timedelta(seconds=n)).isoformat()
        (root / "queue" / f"{pid}.toml").write_text(
            f'id = "{pid}"\ntext = "{texts[0]}"\nplatforms = {json.dumps(list(platforms))}\n'
            f"at = {at}\n{thread}",
            encoding="utf-8",
        )
    return Trial(number, mode, root, masto, hook, posts)


def close_trial(trial: Trial, keep: bool) -> None:
    trial.masto.stop()
    trial.hook.stop()
    if not keep:
        shutil.rmtree(trial.root, ignore_errors=True)


# --- the steps ----------------------------------------------------------------------------


def expected_parts(trial: Trial) -> int:
    return sum(parts * len(platforms) for parts, platforms in trial.posts.values())


def received_parts(trial: Trial) -> int:
    return sum(len(v) for name in ("mastodon", "hook") for v in trial.copies(name).values())


def start_command(trial: Trial) -> subprocess.Popen[bytes]:
    args = ["publish", "--due", "-q"] if trial.mode == "publish" else ["daemon"]
    return subprocess.Popen(
        [EXE, "-C", str(trial.root), *args],
        env=trial.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def timed_run(trial: Trial) -> float:
    """An unkilled run: until it exits (publish) or every part has arrived (daemon)."""
    begin = time.monotonic()
    proc = start_command(trial)
    if trial.mode == "publish":
        proc.wait(timeout=120)
    else:
        while received_parts(trial) < expected_parts(trial) and time.monotonic() - begin < 120:
            time.sleep(0.01)
    took = time.monotonic() - begin
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    return took


def killed_run(trial: Trial) -> None:
    proc = start_command(trial)
    try:
        proc.wait(timeout=trial.kill_at)
        trial.phase = "ended before its kill"
        trial.events.append(f"{trial.mode} finished before the kill at {trial.kill_at:.2f}s")
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        trial.killed = True
        claimed = [r for r in trial.ledger().values() if r.state == "claimed"]
        sending = [r for r in claimed if any(p.state == "sending" for p in r.parts)]
        trial.in_flight = bool(sending)
        out = received_parts(trial)
        where = (
            "a request in flight"
            if sending
            else "between requests"
            if claimed
            else "before the first request"
            if out == 0
            else f"no claim held, {out} of {expected_parts(trial)} parts out"
        )
        trial.phase = "no claim held" if where.startswith("no claim") else where
        trial.events.append(f"SIGKILL at {trial.kill_at:.2f}s ({where})")
    trial.wait_idle()


def checkpoint(trial: Trial, when: str) -> dict[tuple[str, str], Any]:
    """After a pass: whatever needs a person must make ``status`` exit 1."""
    rows = trial.ledger()
    needs = [r for r in rows.values() if r.state in (*ATTENTION, "claimed")]
    if needs:
        status = trial.cli("status")
        if status.returncode != 1:
            trial.unflagged += len(needs)
            for r in needs:
                trial.problems.append(
                    f"unflagged {when}: {r.post_id} on {r.platform} is {r.state} "
                    f"({r.reason}) but `status` exited {status.returncode}"
                )
    return rows


def person(trial: Trial, rows: dict[tuple[str, str], Any]) -> None:
    """Settle each in-doubt publication with the truth the platform tells."""
    trial.wait_idle()
    for (pid, plat), row in sorted(rows.items()):
        if row.state != "in_doubt":
            continue
        sending = [p.index for p in row.parts if p.state == "sending"]
        index = sending[0] if sending else 0
        found = trial.copies(plat).get(f"{pid}#{index}", [])
        if found:
            # Mastodon's URL tells the status id; a webhook's does not, so the person gives
            # the id the receiver recorded (resolve refuses a thread part without it).
            given = ["--remote-id", found[0].id] if plat == "hook" else []
            done = trial.cli(
                "resolve", pid, "--platform", plat, "--published", found[0].url, *given
            )
            trial.events.append(
                f"resolve {pid} {plat} part {index + 1} --published -> {done.returncode}"
            )
        else:
            done = trial.cli("resolve", pid, "--platform", plat, "--not-published")
            again = trial.cli("retry", pid, "--platform", plat)
            trial.events.append(
                f"resolve {pid} {plat} part {index + 1} --not-published -> {done.returncode}, "
                f"retry -> {again.returncode}"
            )
        trial.resolves += 1
        if done.returncode != 0:
            trial.problems.append(f"resolve {pid} {plat} failed: {done.stderr.strip()[:200]}")


def settle(trial: Trial) -> None:
    """Passes without kills, with a person between them, until nothing moves."""
    for round_no in range(ROUNDS):
        done = trial.cli("publish", "--due", "-q")
        trial.wait_idle()
        rows = checkpoint(trial, f"after pass {round_no + 1}")
        doubt = [r for r in rows.values() if r.state == "in_doubt"]
        if doubt and done.returncode == 0:
            trial.quiet_passes += 1
            trial.events.append(f"pass {round_no + 1} exited 0 with {len(doubt)} in doubt")
        if doubt:
            person(trial, rows)
            continue
        if not any(r.state in ("pending", "claimed") for r in rows.values()):
            return


def evaluate(trial: Trial) -> None:
    """Compare every part with what the servers stored."""
    rows = checkpoint(trial, "at the end")
    for pid, (parts, platforms) in trial.posts.items():
        for plat in platforms:
            row = rows.get((pid, plat))
            state = row.state if row else "no row"
            sent = {p.index for p in row.parts if p.state == "sent"} if row else set()
            copies = trial.copies(plat)
            for i in range(parts):
                got = len(copies.get(f"{pid}#{i}", []))
                if i and got and not threaded(copies, pid, i):
                    trial.misthreaded += 1
                    trial.problems.append(
                        f"misthreaded: {pid} part {i + 1} on {plat} does not "
                        f"reply to part {i}: {copies[f'{pid}#{i}']}"
                    )
                where = f"{pid} part {i + 1}/{parts} on {plat} (ledger: {state}"
                where += f", part {'sent' if i in sent else 'not sent'}; server copies: {got})"
                if got > 1:
                    trial.duplicates += got - 1
                    trial.problems.append(f"duplicate: {where}")
                if got == 0 and state not in ATTENTION:
                    trial.lost += 1
                    trial.problems.append(f"lost: {where}")
                if got == 0 and i in sent:
                    trial.unflagged += 1
                    trial.problems.append(f"unflagged (ledger says sent): {where}")
                if got and i not in sent and state not in ATTENTION:
                    trial.unflagged += 1
                    trial.problems.append(f"unflagged (ledger does not know): {where}")
            if row is not None and state in ATTENTION:
                trial.flagged_end += 1
                trial.events.append(f"left for a person: {pid} on {plat}: {state} ({row.reason})")


def threaded(copies: dict[str, list[Copy]], pid: str, i: int) -> bool:
    """Whether every copy of part *i* replies to a copy of part *i - 1* by its id (a reply to
    the URL a person gave `resolve` is misthreaded: platforms refuse or mislink it)."""
    before = copies.get(f"{pid}#{i - 1}", [])
    targets = {c.id for c in before}
    return all(c.reply_to in targets for c in copies[f"{pid}#{i}"])


def run_trial(trial: Trial, corrupt: Callable[[Trial], None] | None = None) -> Trial:
    killed_run(trial)
    settle(trial)
    trial.wait_idle()
    if corrupt is not None:
        corrupt(trial)
    evaluate(trial)
    return trial


# --- the driver ---------------------------------------------------------------------------


def calibrate(mode: str, delay: tuple[float, float], seed: str, jobs: int, first: bool) -> float:
    """The median duration of unkilled runs, run *jobs* at a time like the trials (the
    machine's load drifts, so this is repeated before every batch)."""

    def once(n: int) -> float:
        trial = make_trial(-n, mode, random.Random(f"{seed}-calibrate-{n}"), delay)
        try:
            return timed_run(trial)
        finally:
            close_trial(trial, keep=False)

    if first:
        once(0)  # warm-up: byte-compiling and disk caches make a first run slower
    runs = max(3, jobs * 2) if first else max(2, jobs)
    with ThreadPoolExecutor(jobs) as pool:
        return statistics.median(pool.map(once, range(1, 1 + runs)))


def one_trial(args: argparse.Namespace, mode: str, number: int, span: float) -> Trial:
    trial_rng = random.Random(f"{args.seed}-{mode}-{number}")
    trial = make_trial(number, mode, trial_rng, args.delay)
    trial.span = span
    trial.kill_at = trial_rng.uniform(0.0, 1.15 * span)
    try:
        run_trial(trial)
    except Exception as exc:  # a trial that breaks the bench is reported, not fatal
        trial.problems.append(f"bench error: {type(exc).__name__}: {exc}")
        trial.bench_errors += 1
    finally:
        close_trial(trial, keep=args.keep)
    return trial


COUNTERS = ("killed", "in_flight", "duplicates", "lost", "unflagged", "misthreaded")
INFO = ("quiet_passes", "resolves", "flagged_end", "bench_errors")


def run_mode(args: argparse.Namespace, mode: str) -> dict[str, Any]:
    begin = time.monotonic()
    numbers = list(range(args.first, args.first + args.trials))
    trials: list[Trial] = []
    spans: list[float] = []
    for start in range(0, len(numbers), BATCH):
        seed = f"{args.seed}-{mode}-{start}"
        span = args.span or calibrate(mode, args.delay, seed, args.jobs, first=not spans)
        spans.append(round(span, 3))
        with ThreadPoolExecutor(args.jobs) as pool:
            batch = numbers[start : start + BATCH]
            trials += pool.map(partial(one_trial, args, mode, span=span), batch)
    totals = {name: sum(int(getattr(t, name)) for t in trials) for name in (*COUNTERS, *INFO)}
    failing = []
    for trial in trials:
        if not (trial.problems or args.verbose):
            continue
        failing.append(
            {
                "trial": trial.number,
                "kill_at": round(trial.kill_at, 3),
                "span": trial.span,
                "events": trial.events,
                "problems": trial.problems,
                "root": str(trial.root) if args.keep else None,
            }
        )
        mark = "!" if trial.problems else " "
        print(f"{mode} #{trial.number}{mark} {'; '.join(trial.events)}", file=sys.stderr)
        for line in trial.problems:
            print(f"    {line}", file=sys.stderr)
    return {
        "mode": mode,
        "trials": len(trials),
        **totals,
        "pass_seconds": round(statistics.median(spans), 3),
        "pass_seconds_per_batch": spans,
        "kills": dict(Counter(t.phase for t in trials).most_common()),
        "seconds": round(time.monotonic() - begin, 1),
        "trials_with_problems": failing,
    }


# --- self-test: the counters must see a planted fault ---------------------------------------


def _plant_duplicate(trial: Trial) -> None:
    with trial.hook.lock:
        copy = next(r for r in trial.hook.received if "[sc#0]" in str(r.body))
        trial.hook.received.append(copy)


def _plant_loss(trial: Trial) -> None:
    with trial.masto.locked():
        sid = next(k for k, s in trial.masto.statuses.items() if "[ta#1]" in s["content"])
        del trial.masto.statuses[sid]


def _plant_forgetting(trial: Trial) -> None:
    with sqlite3.connect(trial.root / ".soulpost" / "ledger.sqlite3") as db:
        db.execute("DELETE FROM parts WHERE post_id = 'sc' AND platform = 'hook'")
        db.execute("DELETE FROM publications WHERE post_id = 'sc' AND platform = 'hook'")


def _plant_misthread(trial: Trial) -> None:
    with trial.masto.locked():
        status = next(s for s in trial.masto.statuses.values() if "[ta#2]" in s["content"])
        status["in_reply_to_id"] = "1"


def self_test(args: argparse.Namespace) -> int:
    cases = {
        "duplicate": (_plant_duplicate, {"duplicates": 1, "lost": 0, "unflagged": 0}),
        "lost": (_plant_loss, {"duplicates": 0, "lost": 1, "unflagged": 1}),
        "ledger forgets": (_plant_forgetting, {"duplicates": 0, "lost": 0, "unflagged": 1}),
        "misthreaded": (_plant_misthread, {"misthreaded": 1, "lost": 0, "unflagged": 0}),
        "none": (None, {"duplicates": 0, "lost": 0, "unflagged": 0}),
    }
    bad = 0
    for name, (plant, want) in cases.items():
        trial = make_trial(0, "publish", random.Random(args.seed), args.delay)
        trial.kill_at = 120.0  # no kill: a clean run, then the planted fault
        try:
            run_trial(trial, plant)
        finally:
            close_trial(trial, keep=False)
        got = {k: getattr(trial, k) for k in want}
        ok = got == want
        bad += not ok
        print(f"self-test {name:>15}: {'ok' if ok else 'FAILED'} (want {want}, got {got})")
        for line in trial.problems:
            print(f"    {line}")
    return 1 if bad else 0


# --- main ---------------------------------------------------------------------------------


def parse_delay(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    return float(low) / 1000, float(high or low) / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--mode", choices=("publish", "daemon", "both"), default="both")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--first", type=int, default=1, help="number of the first trial")
    parser.add_argument(
        "--delay",
        type=parse_delay,
        default=(0.05, 0.15),
        metavar="MS,MS",
        help="server delay range per request in ms (default 50,150)",
    )
    parser.add_argument(
        "--span", type=float, help="skip calibration: the pass length kills are drawn over (s)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="trials run at a time (default 2)")
    parser.add_argument(
        "--json", action="store_true", help="also write bench/out/crash_trials.json"
    )
    parser.add_argument("--keep", action="store_true", help="keep each trial's workspace")
    parser.add_argument("--verbose", action="store_true", help="print every trial's events")
    parser.add_argument("--self-test", action="store_true", help="check the counters see faults")
    args = parser.parse_args()
    if args.self_test:
        return self_test(args)
    modes = ("publish", "daemon") if args.mode == "both" else (args.mode,)
    results = [run_mode(args, mode) for mode in modes]
    head = ("mode", "trials", *COUNTERS, *INFO, "pass_seconds", "seconds")
    print(" | ".join(head))
    for r in results:
        print(" | ".join(str(r[h]) for h in head))
    for r in results:
        print(f"{r['mode']} kills: " + ", ".join(f"{n} {k}" for k, n in r["kills"].items()))
    if args.json:
        OUT.mkdir(parents=True, exist_ok=True)
        meta = {
            "seed": args.seed,
            "delay_ms": [d * 1000 for d in args.delay],
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "commit": _commit(),
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (OUT / "crash_trials.json").write_text(
            json.dumps({**meta, "modes": results}, indent=2) + "\n"
        )
    return 1 if any(r["duplicates"] or r["lost"] or r["unflagged"] for r in results) else 0


def _commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        check=False,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


if __name__ == "__main__":
    threading.current_thread().name = "crash-trials"
    sys.exit(main())
