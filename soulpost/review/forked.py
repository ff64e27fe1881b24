"""Forked workers in two phases: each starts on its share of the work at once, waits for
what this process learns meanwhile, then finishes its share.

The site's page writers compose every card (the adapters' payloads, lengths, rich text)
before the linter has said anything, and need the findings only to decide each card's
state and to render the page. Started before the lint, they keep the machine's second
core busy while this process runs the linter's serial parts (building the rule set, the
queue rules, sorting the findings), which left it idle before.

Each worker gets a fixed range of indexes (the work it started on cannot move to another
worker). Messages are pickles with a length in front, over pipes; one selector loop sends
each worker its message and reads its answer, so no worker waits on another. A worker that
fails, dies or cannot be reached answers None: the caller does that range itself. Only
what the caller passes in crosses the pipes; the workers inherit everything else.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import selectors
import signal
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_LENGTH = struct.Struct("<Q")

Bounds = tuple[int, int]


@dataclass
class _Worker:
    pid: int
    bounds: Bounds
    to_child: int  # this process writes the message here
    from_child: int  # and reads the answer here
    answer: bytearray = field(default_factory=bytearray)
    exited: bool = False


def split(count: int, workers: int) -> list[Bounds]:
    """*count* indexes cut into *workers* contiguous ranges of nearly equal size."""
    edges = [count * k // workers for k in range(workers + 1)]
    return [(edges[k], edges[k + 1]) for k in range(workers) if edges[k] < edges[k + 1]]


class TwoPhase:
    """Workers forked now, each running ``first(bounds)`` at once; :meth:`finish` sends
    each its message and returns each ``second(bounds, message)`` (None where it failed)."""

    def __init__(self, workers: list[_Worker]) -> None:
        self.workers = workers

    @classmethod
    def start(
        cls,
        count: int,
        workers: int,
        first: Callable[[Bounds], Any],
        second: Callable[[Bounds, Any, Any], Any],
    ) -> TwoPhase | None:
        """Fork *workers* processes sharing *count* indexes; None unless every one of
        them started (then the caller does all the work itself). *second* gets the
        bounds, what *first* returned and the message."""
        started: list[_Worker] = []
        for bounds in split(count, workers):
            pipes = _pipes()
            if pipes is None:
                cls(started).stop()
                return None
            down, up = pipes
            try:
                pid = os.fork()
            except OSError:  # out of processes: every range is done here
                for fd in (*down, *up):
                    os.close(fd)
                cls(started).stop()  # all or nothing: a range nobody took is never written
                return None
            if pid == 0:  # the worker: never returns
                os.close(down[1])
                os.close(up[0])
                for other in started:  # never hold another worker's pipes open
                    os.close(other.to_child)
                    os.close(other.from_child)
                _work(bounds, down[0], up[1], first, second)
            os.close(down[0])
            os.close(up[1])
            started.append(_Worker(pid, bounds, down[1], up[0]))
        return cls(started) if started else None

    def finish(self, messages: list[Any]) -> list[Any | None]:
        """Send each worker its message (in the order of :attr:`workers`) and wait for
        every answer; None for a worker that failed."""
        selector = selectors.DefaultSelector()
        outgoing: dict[int, memoryview] = {}
        for worker, message in zip(self.workers, messages, strict=True):
            data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
            outgoing[worker.to_child] = memoryview(_LENGTH.pack(len(data)) + data)
            os.set_blocking(worker.to_child, False)
            selector.register(worker.to_child, selectors.EVENT_WRITE, worker)
            selector.register(worker.from_child, selectors.EVENT_READ, worker)
        try:
            while selector.get_map():
                for key, _events in selector.select():
                    _step(selector, key.fd, key.data, outgoing)
        finally:
            selector.close()
        return [self._answer(worker) for worker in self.workers]

    def _answer(self, worker: _Worker) -> Any | None:
        _, status = os.waitpid(worker.pid, 0)
        worker.exited = True
        data = bytes(worker.answer)
        if status != 0 or len(data) < _LENGTH.size:
            return None
        (size,) = _LENGTH.unpack_from(data)
        if len(data) != _LENGTH.size + size:
            return None
        ok, value = pickle.loads(data[_LENGTH.size :])
        return value if ok else None

    def stop(self) -> None:
        """End every worker still running (after an error or Ctrl-C here) and close the
        pipes; nothing is left behind."""
        for worker in self.workers:
            for fd in (worker.to_child, worker.from_child):
                if fd >= 0:
                    os.close(fd)
            worker.to_child = worker.from_child = -1
            if not worker.exited:
                with contextlib.suppress(OSError):  # gone already
                    os.kill(worker.pid, signal.SIGKILL)
                os.waitpid(worker.pid, 0)
                worker.exited = True


def _pipes() -> tuple[tuple[int, int], tuple[int, int]] | None:
    """A pipe to a worker and one back, or None (and nothing left open)."""
    try:
        down = os.pipe()
    except OSError:
        return None
    try:
        return down, os.pipe()
    except OSError:
        os.close(down[0])
        os.close(down[1])
        return None


def _step(
    selector: selectors.BaseSelector, fd: int, worker: _Worker, outgoing: dict[int, memoryview]
) -> None:
    """One ready pipe: send more of a message, or read more of an answer."""
    if fd == worker.to_child:
        pending = outgoing[fd]
        try:
            sent = os.write(fd, pending)
        except BlockingIOError:
            return
        except OSError:  # the worker is gone; its answer says so
            sent = len(pending)
        outgoing[fd] = pending = pending[sent:]
        if not pending:
            selector.unregister(fd)
        return
    chunk = os.read(fd, 1 << 20)
    if chunk:
        worker.answer += chunk
    else:
        selector.unregister(fd)


def _work(
    bounds: Bounds,
    down: int,
    up: int,
    first: Callable[[Bounds], Any],
    second: Callable[[Bounds, Any, Any], Any],
) -> None:
    """A worker's whole life; it ends the process, whatever happens."""
    code = 0
    try:
        try:
            done = first(bounds)
            message = pickle.loads(_read_message(down))
            answer: tuple[bool, Any] = (True, second(bounds, done, message))
        except BaseException as exc:  # the parent redoes this range
            answer = (False, f"{type(exc).__name__}: {exc}")
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(_LENGTH.pack(len(data)) + data)
        while view:
            view = view[os.write(up, view) :]
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _read_message(fd: int) -> bytes:
    head = _read_exactly(fd, _LENGTH.size)
    (size,) = _LENGTH.unpack(head)
    return _read_exactly(fd, size)


def _read_exactly(fd: int, size: int) -> bytes:
    out = bytearray()
    while len(out) < size:
        chunk = os.read(fd, min(size - len(out), 1 << 20))
        if not chunk:
            raise EOFError("the site's main process went away")
        out += chunk
    return bytes(out)
