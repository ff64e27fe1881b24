"""``soulpost daemon``: APScheduler decides *when* a pass runs; the pass decides *what*.

Three triggers drive the one pass (:func:`soulpost.run.run_pass`), on one worker thread so
passes never overlap:

* ``due``: a one-off job at the plan's next wake-up (the next post time or retry time);
  a wake-up already at hand when a pass ends (posts a moment apart) runs the next pass
  at once in the same job instead;
* ``poll``: every ``[publish] rescan`` (1 s): stat every draft; if one was added, edited,
  renamed or deleted, run a pass now (only changed files are parsed again). Above
  :attr:`Daemon.full_scan_limit` drafts (20,000) it stats the queue's folders instead (a
  queue of 100,000 drafts is one folder to stat, not 100,000 files) and every draft only
  when one changed (a draft added, removed, renamed or saved by replacing it);
* ``heartbeat``: every ``[publish] heartbeat`` (30 s): stat every draft (in a large queue
  this is when a draft edited in place, which leaves its folder's time alone, is seen),
  run a pass and write
  ``.soulpost/heartbeat.json``, which ``soulpost status`` and monitoring read.

Between passes the daemon keeps the queue index in memory (:class:`LiveQueue`): a pass
plans from the summaries and loads in full only the posts it acts on.

The daemon holds the workspace lock for its whole life, so cron passes step aside.
SIGTERM/SIGINT: no new publication starts; the one in flight gets ``shutdown_grace``
seconds (default 20, well inside systemd's 90 s) to finish. If it has not by then (a
hanging server), its claim is recorded as in doubt (the request may have arrived) and the
daemon exits 0 at once; nothing else was sent. SIGHUP: rescan and run a pass now. A
config.toml that does not load (after SIGHUP or an edit) is reported once and the last good
settings stay in use. One line per event goes to stderr.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from soulpost.clock import Clock
from soulpost.config import Settings
from soulpost.lock import PassLock
from soulpost.run import LintCache, PassOptions, PassReport, run_pass

HEARTBEAT_FILE = "heartbeat.json"
SHUTDOWN_GRACE = 20.0
"""Seconds the publication in flight gets after SIGTERM (systemd's default stop timeout
is 90 s; one read can take 30 s)."""
MAX_SHUTDOWN_GRACE = 80.0
MAX_PASSES_PER_WAKE = 10_000
PER_DUE_POST = 0.001
"""Seconds of lead per post due at a wake-up: the ``due`` pass loads, plans and gates each
one before it can send (0.4-0.6 ms at 100,000 queued on an idle machine), on top of the
plan over the whole queue that every pass makes. A burst of 1,000 posts due at one
instant after a pass that noticed only the last few of them would otherwise start too
late and send its first post most of a second after its time."""
"""Passes one wake-up may run back to back (posts due a microsecond apart each end one);
past this the scheduler takes over, so its other jobs (poll, heartbeat) get a turn."""


def _mtime(folder: str) -> int:
    try:
        return Path(folder).stat().st_mtime_ns
    except OSError:
        return -1


def _log(line: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{stamp} soulpost[{os.getpid()}]: {line}", file=sys.stderr, flush=True)


class Daemon:
    """The long-running driver of :func:`run_pass` for one workspace."""

    # Up to this many drafts, every poll stats every draft (about 50 ms for 20,000), so an
    # edit written in place is seen within a second; above it, polls stat the folders.
    full_scan_limit = 20_000

    def __init__(
        self, root: Path, clock: Clock, *, log: Any = _log, shutdown_grace: float = SHUTDOWN_GRACE
    ) -> None:
        from soulpost.ledger import Owner
        from soulpost.run.indexed import LiveQueue
        from soulpost.workspace import PostCache, load_settings

        self.root = root
        self.shutdown_grace = shutdown_grace
        # One claimant for the daemon's life, so a stop can settle what its pass holds.
        self.owner = Owner.current()
        self.clock = clock
        self.log = log
        self.cache = PostCache()  # for a pass that must load the whole queue
        self.lint_cache = LintCache(cache=self.cache)
        self.settings, self.config_path = load_settings(root)
        self.config_problem: str | None = None  # the broken config last reported
        self.state_dir = root / self.settings.publish.state_dir
        self.live = LiveQueue()
        self.folders: dict[str, int] = {}  # the queue's folders and their mtimes
        self.lock = PassLock(self.state_dir)
        self.stopping = threading.Event()
        self.busy = threading.Lock()
        self.started_at = clock.now()
        self.last_report: PassReport | None = None
        self.scheduler: Any = None
        self.pass_seconds = 0.5

    # -- the work -------------------------------------------------------------------------

    def tick(self, why: str, not_before: datetime | None = None) -> None:
        """Run passes (never two at once) until the next wake-up is not already at hand,
        then schedule it.

        The ``due`` job starts a little before the due time (by about as long as a pass
        takes to load and plan) and passes ``not_before``: the pass plans for that instant
        and waits for it before sending, so a post goes out at its time, not a pass later.
        When a pass ends with its next wake-up inside that lead (posts due a microsecond
        after the ones it sent, or due while it was sending), the next pass runs at once
        in this same job: scheduling it would cost a scheduler round trip per pass, and a
        ``due`` job scheduled from inside the running ``due`` job can be skipped by
        APScheduler (one instance at a time), leaving the post to the next heartbeat.
        """
        if self.stopping.is_set():
            return
        with self.busy:
            report = self._one_pass(why, not_before)
            passes = 1
            while report is not None and passes < MAX_PASSES_PER_WAKE:
                wake = self._wake_at_hand(report, not_before)
                if wake is None:
                    break
                not_before, passes = wake, passes + 1
                report = self._one_pass("due", wake)
            if report is not None:
                self.schedule_due(report.next_wake, _due_at(report, report.next_wake))

    def _wake_at_hand(self, report: PassReport, planned: datetime | None) -> datetime | None:
        """The next wake-up when the next pass should run now rather than be scheduled:
        it is due within the lead a scheduled pass would take anyway, and either this pass
        did something or the wake-up moved on (a plan that stays due without acting, such
        as a post it could not load, waits for the scheduler instead of spinning)."""
        wake = report.next_wake
        if wake is None or self.stopping.is_set():
            return None
        if (wake - self.clock.now()).total_seconds() > self.lead(_due_at(report, wake)):
            return None
        if not report.results and planned is not None and wake <= planned:
            return None
        return wake

    def lead(self, due: int = 0) -> float:
        """How early a ``due`` pass starts: about as long as a pass takes to plan, and to
        load and gate the *due* posts waiting at its wake-up (:data:`PER_DUE_POST`)."""
        return min(5.0, max(0.25, 1.5 * self.pass_seconds + PER_DUE_POST * due))

    def _one_pass(self, why: str, not_before: datetime | None) -> PassReport | None:
        """One pass, logged; None when it failed (the next change or heartbeat retries)."""
        started = time.monotonic()
        if why in ("start", "heartbeat", "SIGHUP") or not self.folders:
            self.rescan()  # every draft's stamp: edits in place show only here
        try:
            report = run_pass(
                self.root,
                clock=self.clock,
                options=PassOptions(
                    kind="daemon",
                    lock_held=True,
                    stop=self.stopping.is_set,
                    lint_cache=self.lint_cache,
                    not_before=not_before,
                    owner=self.owner,
                    settings=self.current_settings(),
                    live=self.live,
                ),
                cache=self.cache,
                log=self.log,
            )
        except Exception as exc:  # e.g. a locked ledger: the next pass tries again
            self.log(f"pass failed ({why}): {type(exc).__name__}: {exc}")
            self.write_heartbeat("error", error=str(exc))
            return None  # retry at the next change or heartbeat only
        self.last_report = report
        self.pass_seconds = time.monotonic() - started
        if report.results:
            counts = ", ".join(f"{n} {s}" for s, n in sorted(report.counts().items()))
            self.log(f"pass ({why}): {counts}")
        for note in report.notes:
            self.log(f"note: {note}")
        self.write_heartbeat("running")  # after every pass: a long burst stays visibly alive
        return report

    def current_settings(self) -> tuple[Settings, Path]:
        """The settings as config.toml says now, or the last good ones while it does not
        load (reported once per broken version, not once a pass)."""
        from soulpost.errors import SoulpostError
        from soulpost.workspace import load_settings

        try:
            self.settings, self.config_path = load_settings(self.root)
        except SoulpostError as exc:
            problem = str(exc)
            if problem != self.config_problem:
                self.log(f"{problem}; keeping the previous settings until it is fixed")
                self.config_problem = problem
            return self.settings, self.config_path
        if self.config_problem is not None:
            self.log("config.toml loads again; using it")
            self.config_problem = None
        return self.settings, self.config_path

    def rescan(self) -> bool:
        """Stat every draft and remember the queue's folders; True when a draft was added,
        edited, renamed or deleted since the last scan (logged)."""
        from soulpost.queueindex import scan_stamps
        from soulpost.workspace import QUEUE_DIR

        queue = self.root / QUEUE_DIR
        folders: list[str] = []
        before = {f: _mtime(f) for f in [str(queue), *self.folders]}
        current = scan_stamps(queue, folders)
        # The times from before the scan: a change during it shows at the next poll.
        self.folders = {f: before.get(f, _mtime(f)) for f in [str(queue), *folders]}
        old = self.live.stamps
        self.live.stamps = current
        if current == old:
            return False
        added = len(current.keys() - old.keys())
        gone = len(old.keys() - current.keys())
        edited = len(current.items() - old.items()) - added  # set operations run in C
        if old or not self.last_report:
            self.log(f"queue changed: {added} added, {edited} edited, {gone} removed")
        return True

    def poll(self) -> None:
        """A cheap check of the queue's folders; a full scan and a pass only when one
        changed (see the module docstring)."""
        if self.stopping.is_set() or self.busy.locked():
            return
        small = len(self.live.stamps) <= self.full_scan_limit
        if not small and all(_mtime(f) == m for f, m in self.folders.items()):
            return
        if self.rescan():
            self.tick("rescan")

    def schedule_due(self, wake: datetime | None, due: int = 0) -> None:
        """The ``due`` pass for *wake*, started its lead early (*due*: posts due then)."""
        if self.scheduler is None:
            return
        if wake is None:
            job = self.scheduler.get_job("due")
            if job is not None:
                job.remove()
            return
        lead = timedelta(seconds=self.lead(due))
        real = datetime.now(UTC) + (wake - self.clock.now()) - lead
        self.scheduler.add_job(
            self.tick,
            "date",
            run_date=real,
            args=["due", wake],
            id="due",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            # Scheduled from inside the running ``due`` job: with one instance allowed, a
            # wake-up that fires before that job returns would be dropped, not queued.
            max_instances=2,
        )

    def write_heartbeat(self, state: str, **extra: Any) -> None:
        report = self.last_report
        data = {
            "pid": os.getpid(),
            "state": state,
            "at": self.clock.now().isoformat(),
            "started_at": self.started_at.isoformat(),
            "interval": self.settings.publish.heartbeat.total_seconds(),
            "next_wake": report.next_wake.isoformat() if report and report.next_wake else None,
            "last_pass": report.counts() if report else None,
            **extra,
        }
        path = self.state_dir / HEARTBEAT_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        tmp.replace(path)

    # -- life cycle -----------------------------------------------------------------------

    # A signal handler runs in the main thread between two bytecodes, which for the
    # BlockingScheduler can be the middle of its own job processing, holding its (reentrant)
    # locks: calling the scheduler there changed its job store under that loop (APScheduler
    # then failed with an IndexError in update_job). The handlers only hand the call to a
    # short-lived thread, which waits for the loop to let go of its locks.

    def _on_stop(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.stopping.is_set():
            return
        self.log(f"{name}: finishing the publication in flight, then stopping")
        self.stopping.set()
        scheduler = self.scheduler
        if scheduler is not None:
            _off_the_handler(lambda: scheduler.shutdown(wait=False), "soulpost-stop")

    def _on_hup(self, signum: int, frame: FrameType | None) -> None:
        self.log("SIGHUP: rescanning the queue")
        scheduler = self.scheduler
        if scheduler is not None:
            _off_the_handler(
                lambda: scheduler.add_job(
                    self.tick, args=["SIGHUP"], id="hup", replace_existing=True
                ),
                "soulpost-hup",
            )

    def run(self, *, wait_for_lock: float = 60.0) -> int:
        """Run until SIGTERM/SIGINT; return the exit code."""
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.blocking import BlockingScheduler

        # A poll skipped while a pass runs is expected; APScheduler would warn about each.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        waited = 0.0
        while not self.lock.acquire():
            if waited >= wait_for_lock:
                self.log(f"another pass or daemon (pid {self.lock.holder()}) holds the workspace")
                return 2
            self.clock.sleep(0.5)
            waited += 0.5
        try:
            self.scheduler = BlockingScheduler(
                executors={"default": ThreadPoolExecutor(1)},
                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
                timezone=UTC,
            )
            publish = self.settings.publish
            self.scheduler.add_job(
                self.poll, "interval", seconds=publish.rescan.total_seconds(), id="poll"
            )
            self.scheduler.add_job(
                self.tick,
                "interval",
                seconds=publish.heartbeat.total_seconds(),
                args=["heartbeat"],
                id="heartbeat",
            )
            self.scheduler.add_job(self.tick, args=["start"], id="start")
            signal.signal(signal.SIGTERM, self._on_stop)
            signal.signal(signal.SIGINT, self._on_stop)
            signal.signal(signal.SIGHUP, self._on_hup)
            beat, rescan = publish.heartbeat.total_seconds(), publish.rescan.total_seconds()
            self.log(f"daemon started for {self.root} (heartbeat {beat:g}s, rescan {rescan:g}s)")
            self.scheduler.start()
            if not self.busy.acquire(timeout=self.shutdown_grace):
                self._abandon_pass()  # does not return
            self.busy.release()
            self.write_heartbeat("stopped")
            self.log("stopped")
        finally:
            self.lock.release()
        return 0

    def _abandon_pass(self) -> None:
        """The publication in flight outlived the grace: record what this daemon holds
        (in doubt if a request was out, else pending) and exit now. The worker thread is
        stuck in a read; exiting the process is the only way to bound the stop."""
        from soulpost.ledger import open_ledger

        self.log(
            f"the publication in flight did not finish within the {self.shutdown_grace:g} s "
            "shutdown grace; recording it as in doubt and stopping"
        )
        try:
            ledger = open_ledger(self.state_dir, settings=self.settings.publish, owner=self.owner)
            try:
                why = f"the daemon ({self.owner.describe()}) was stopped"
                for pub in ledger.release_held(self.clock.now(), why):
                    self.log(f"released {pub.post_id} on {pub.platform}: {pub.state}")
            finally:
                ledger.close()
        except Exception as exc:  # the lease brings the claim back later
            self.log(f"could not record the claim in flight ({exc}); its lease returns it")
        self.write_heartbeat("stopped")
        self.log("stopped")
        self.lock.release()
        sys.stderr.flush()
        os._exit(0)


def _due_at(report: PassReport, wake: datetime | None) -> int:
    """How many of the report's planned publications fall due within a second of *wake*
    (what the pass at *wake* will load, gate and send first)."""
    plan = report.plan
    if plan is None or wake is None:
        return 0
    end = wake + timedelta(seconds=1)
    return sum(1 for item in plan.items if item.at is not None and wake <= item.at <= end)


def _off_the_handler(call: Callable[[], object], name: str) -> None:
    """Run *call* on its own thread, so a signal handler never re-enters the scheduler."""
    import contextlib

    from apscheduler.schedulers import SchedulerNotRunningError

    def run() -> None:
        with contextlib.suppress(SchedulerNotRunningError):  # stopped meanwhile: nothing to do
            call()

    threading.Thread(target=run, name=name, daemon=True).start()
