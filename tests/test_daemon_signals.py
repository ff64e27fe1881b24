"""The daemon's signal handlers never call into the scheduler from the interrupted thread.

A handler runs in the main thread between two bytecodes; under the BlockingScheduler that
can be the middle of the scheduler's own job processing, holding its reentrant locks.
``SIGTERM`` used to shut the scheduler down right there, changing its job store under
that loop (a full-suite run saw APScheduler fail with an IndexError in ``update_job``).
The handlers now hand the call to a thread of its own, which waits for the loop.

A real APScheduler (the background kind, so the test thread is free to play the part of
the interrupted main thread); events tell which thread did the work.
"""

from __future__ import annotations

import signal
import textwrap
import threading
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.events import EVENT_JOB_ADDED, EVENT_SCHEDULER_SHUTDOWN, SchedulerEvent
from apscheduler.schedulers.background import BackgroundScheduler

from soulpost.clock import ManualClock
from soulpost.daemon import Daemon

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _daemon(root: Path) -> Daemon:
    (root / "config.toml").write_text(
        textwrap.dedent(
            """\
            timezone = "UTC"
            [platforms.hook]
            adapter = "webhook"
            options = { url = "http://127.0.0.1:9/unused" }
            """
        ),
        encoding="utf-8",
    )
    (root / "queue").mkdir()
    return Daemon(root, ManualClock(T0), log=[].append)


def _watch(scheduler: BackgroundScheduler, mask: int) -> tuple[threading.Event, list[str]]:
    done, threads = threading.Event(), []

    def seen(event: SchedulerEvent) -> None:
        threads.append(threading.current_thread().name)
        done.set()

    scheduler.add_listener(seen, mask)
    return done, threads


def test_sigterm_shuts_the_scheduler_down_from_another_thread(tmp_path: Path) -> None:
    daemon = _daemon(tmp_path)
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.start()
    daemon.scheduler = scheduler  # type: ignore[assignment]
    done, threads = _watch(scheduler, EVENT_SCHEDULER_SHUTDOWN)
    try:
        daemon._on_stop(signal.SIGTERM, None)
        assert daemon.stopping.is_set()
        assert done.wait(10), "the scheduler was never shut down"
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
    assert threads == ["soulpost-stop"], threads
    daemon._on_stop(signal.SIGINT, None)  # a second signal: nothing more to do, no error


def test_sighup_adds_the_rescan_from_another_thread(tmp_path: Path) -> None:
    daemon = _daemon(tmp_path)
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.start(paused=True)  # the rescan is added, not run: the test is about who adds
    daemon.scheduler = scheduler  # type: ignore[assignment]
    done, threads = _watch(scheduler, EVENT_JOB_ADDED)
    try:
        daemon._on_hup(signal.SIGHUP, None)
        assert done.wait(10), "the rescan was never added"
        assert scheduler.get_job("hup") is not None
    finally:
        scheduler.shutdown(wait=False)
    assert threads == ["soulpost-hup"], threads


def test_a_signal_after_the_scheduler_stopped_is_quiet(tmp_path: Path) -> None:
    daemon = _daemon(tmp_path)
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.start()
    scheduler.shutdown(wait=False)
    daemon.scheduler = scheduler  # type: ignore[assignment]
    errors: list[BaseException] = []
    before = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)  # type: ignore[assignment,return-value]
    try:
        daemon._on_stop(signal.SIGTERM, None)
        for thread in threading.enumerate():
            if thread.name == "soulpost-stop":
                thread.join(10)
    finally:
        threading.excepthook = before
    assert errors == []
