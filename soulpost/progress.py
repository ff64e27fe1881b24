"""Progress on long work (lint of many files, a publishing pass, site generation).

Progress goes to a person at a terminal and nowhere else: not into CI logs (``CI`` set), not
into a pipe or a file, not to ``TERM=dumb``. It is drawn on one line of standard error and
wiped when the work ends, so the output that follows is what it would be without it.
Colours follow ``--color`` (:func:`set_color`), then ``NO_COLOR`` and ``FORCE_COLOR``.

Use it as a context manager; :meth:`Progress.advance` (or calling the object, as a
``callback(done, total)``) moves it on. Without a total it shows what is being done and for
how long. A job that ends within ``delay`` seconds shows nothing at all: no flicker for the
quick case. It starts no thread (see :class:`Progress`). This module imports only the
standard library, so any layer may use it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Literal, Protocol

ColorMode = Literal["auto", "always", "never"]
_choice: dict[str, ColorMode] = {"mode": "auto"}  # set once by the CLI's --color
DELAY_ENV = "SOULPOST_PROGRESS_DELAY"  # seconds before the first frame (tests set 0)


class Stream(Protocol):
    def write(self, text: str, /) -> int: ...
    def flush(self) -> None: ...
    def isatty(self) -> bool: ...
    def fileno(self) -> int: ...


def set_color(mode: ColorMode) -> None:
    """The global ``--color`` choice: ``always``/``never`` win over the environment."""
    _choice["mode"] = mode


def _tty(stream: Stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def color_enabled(stream: Stream, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what goes to *stream*: ``--color``, else ``NO_COLOR`` (off),
    ``FORCE_COLOR`` (on, even into a pipe), else only on a terminal that is not dumb."""
    mode = _choice["mode"]
    if mode != "auto":
        return mode == "always"
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    force = env.get("FORCE_COLOR")
    if force and force != "0":
        return True
    return _tty(stream) and env.get("TERM") != "dumb"


def progress_enabled(stream: Stream, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to draw progress on *stream*: a real terminal, outside CI, never forced."""
    env = os.environ if environ is None else environ
    if env.get("CI") and env.get("CI") != "0":
        return False
    return _tty(stream) and env.get("TERM") != "dumb"


class Progress:
    """One line of progress for *label*, kept up to date while work goes on.

    *total* (when known) gives ``done/total`` and a bar; without it the line says what runs
    and for how long. Calls (``advance``, or the object as ``callback(done, total)``) draw
    at most once per *interval*. Between calls a timer signal (``SIGALRM``) redraws it:
    a timer rather than a thread, because a thread would change what the work does (the
    linter forks workers and pauses the garbage collector only in a process without
    threads). The timer runs only in the main thread and only with a real file descriptor.
    *clock* and *delay* are injectable so tests need no sleeping; ``delay`` defaults to
    ``$SOULPOST_PROGRESS_DELAY`` or 0.3 s.
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        stream: Stream | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        delay: float | None = None,
        interval: float = 0.1,
        ticker: bool = True,
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream: Stream = stream if stream is not None else sys.stderr
        self.enabled = progress_enabled(self.stream, environ)
        self.color = self.enabled and color_enabled(self.stream, environ)
        self.clock = clock
        env = os.environ if environ is None else environ
        self.delay = delay if delay is not None else float(env.get(DELAY_ENV, "0.3") or 0.3)
        self.interval = interval
        self._use_ticker = ticker
        self._started = 0.0
        self._last: float | None = None  # when the last frame was drawn
        self._busy = False  # a frame is being written (the timer must not re-enter)
        self._fd: int | None = None
        self._previous: Any = None  # the SIGALRM handler and timer to restore

    def __enter__(self) -> Progress:
        self._started = self.clock()
        if self.enabled and self._use_ticker:
            self._start_timer()
        if self.delay <= 0:
            self.draw()  # no grace period: show the work at once
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop_timer()
        if self._last is not None:
            self._write("\r\x1b[2K")  # wipe the line: what follows is unchanged output
            self._last = None
        self.enabled = False

    def _start_timer(self) -> None:
        # Imported here: only a terminal gets the timer, and a one-draft lint in CI (or
        # an editor's) need not import signal for it. (threading comes with pydantic.)
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return
        if not hasattr(signal, "setitimer"):
            return  # no interval timers here (Windows): frames come with the calls only
        try:
            self.stream.flush()
            self._fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            return
        handler = signal.signal(signal.SIGALRM, self._on_timer)
        timer = signal.setitimer(signal.ITIMER_REAL, self.interval, self.interval)
        self._previous = (handler, timer)

    def _stop_timer(self) -> None:
        if self._previous is None:
            return
        import signal

        handler, (delay, interval) = self._previous
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, handler)
        if delay:
            signal.setitimer(signal.ITIMER_REAL, delay, interval)
        self._previous = None

    def _on_timer(self, signum: int, frame: object) -> None:
        self.draw()

    def __call__(self, done: int, total: int | None = None) -> None:
        """The callback form: *done* of *total* so far."""
        self.done = done
        if total is not None:
            self.total = total
        now = self.clock()
        if self._last is None or now - self._last >= self.interval:
            self.draw()

    def note(self, text: str, stream: Stream | None = None) -> None:
        """Print *text* as a line of its own (to *stream*, default standard error) above the
        progress line, which is redrawn under it: log lines and progress do not mix."""
        out = stream if stream is not None else sys.stderr
        drawn = self._last is not None
        if drawn:
            self._write("\r\x1b[2K")
        out.write(text if text.endswith("\n") else text + "\n")
        out.flush()
        if drawn:
            self._last = None
            self.draw()

    def advance(self, count: int = 1) -> None:
        """*count* more items are done."""
        self(self.done + count)

    def line(self) -> str:
        """The text of the current frame."""
        elapsed = max(0.0, self.clock() - self._started)
        if self.total:
            width = 24
            filled = min(width, width * self.done // self.total)
            bar = "#" * filled + "." * (width - filled)
            if self.color:
                bar = f"\x1b[32m{'#' * filled}\x1b[2m{'.' * (width - filled)}\x1b[0m"
            return f"{self.label} [{bar}] {self.done}/{self.total} {elapsed:.1f}s"
        return f"{self.label}… {elapsed:.1f}s"

    def draw(self) -> None:
        """Draw the current frame, once *delay* has passed since the work began."""
        if not self.enabled or self._busy:
            return
        now = self.clock()
        if now - self._started < self.delay:
            return
        self._busy = True
        try:
            self._write("\r\x1b[2K" + self.line())
            self._last = now
        finally:
            self._busy = False

    def _write(self, text: str) -> None:
        try:
            if self._fd is not None:
                # Straight to the descriptor: the timer may fire while the stream's own
                # buffer is in use, and a buffered write there would be re-entered.
                os.write(self._fd, text.encode("utf-8", "replace"))
            else:
                self.stream.write(text)
                self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: progress is not worth a crash
            self.enabled = False
