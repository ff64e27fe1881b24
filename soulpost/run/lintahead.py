"""The lint gate a step ahead of the sends: a forked child lints the due posts chunk by
chunk while this process sends the chunks already judged.

A cron pass that lints its due posts a chunk at a time (only post rules can block, see
:mod:`soulpost.run.gate`) spent about a quarter of a millisecond per publication linting
the post before sending it, on the one core the publisher uses. Here the first chunk is
linted in this process, so the first request does not wait for a fork, and a child linting
the others runs on another core meanwhile; before each chunk is sent this process reads that
chunk's blocks from the child. The findings are the same: the same function judges the same
posts with the same rules, clock and plan times, fixed for the pass; whether a draft
changed on disk is still checked just before its request.

Nothing is ever sent unchecked: when the child cannot be started, dies, or sends something
unreadable, the chunks it has not answered are linted here, as before. The child forks
only from a process without threads (forking a threaded one, such as the daemon or a
PostgreSQL publisher with its heartbeat, is unsafe), closes every inherited descriptor
except its pipe (the pass lock, the ledger's files and the HTTP connections stay the
parent's alone), and ends with ``os._exit``, running nothing of the parent's.
"""

from __future__ import annotations

import os
import pickle
import struct
from collections.abc import Callable, Sequence
from typing import Generic, NoReturn, TypeVar

from soulpost.run.childproc import can_fork, detach, fork_piped, stop
from soulpost.run.gate import Blocks

T = TypeVar("T")

_SIZE = struct.Struct("<Q")


class LintAhead(Generic[T]):
    """Blocks for each of *chunks*, in order, linted by *lint* (here or in the child)."""

    def __init__(self, chunks: Sequence[list[T]], lint: Callable[[list[T]], Blocks]) -> None:
        self.chunks = chunks
        self.lint = lint
        self.pid: int | None = None
        self._read: int | None = None
        self._next = 1  # the chunk whose answer the child sends next

    def start(self) -> LintAhead[T]:
        """Fork the child for chunks 1.. when it can help (two or more chunks, two or
        more cores, fork, no other thread); else everything is linted here."""
        if len(self.chunks) < 2 or not can_fork():
            return self
        forked = fork_piped(lambda write: _child(self.chunks, self.lint, write))
        if forked is not None:
            self.pid, self._read = forked
        return self

    def blocks(self, index: int, chunk: list[T]) -> Blocks:
        """The blocks of *chunk*: chunk *index* as given, or the part of it still to send
        (blocks are keyed by post, so the whole chunk's answer serves any part of it).
        Chunks are asked for in order."""
        if index == 0 or self._read is None or index < self._next:
            return self.lint(chunk)
        answer: Blocks | None = None
        while self._next <= index:
            answer = self._receive()
            if answer is None:  # the child stopped: this chunk and the rest are linted here
                self.close()
                return self.lint(chunk)
            self._next += 1
        return answer if answer is not None else self.lint(chunk)

    def _receive(self) -> Blocks | None:
        assert self._read is not None
        head = _read_exactly(self._read, _SIZE.size)
        if head is None:
            return None
        body = _read_exactly(self._read, _SIZE.unpack(head)[0])
        if body is None:
            return None
        try:
            answer = pickle.loads(body)  # our own child's, through our own pipe
        except Exception:
            return None
        return answer if isinstance(answer, dict) else None

    def close(self) -> None:
        """Stop and reap the child (a pass that ends early does not wait for it)."""
        stop(self._read, self.pid)
        self._read = self.pid = None


def _read_exactly(fd: int, size: int) -> bytes | None:
    """*size* bytes from *fd*, or None at the end of the stream (or an error)."""
    data = bytearray()
    while len(data) < size:
        try:
            got = os.read(fd, size - len(data))
        except OSError:
            return None
        if not got:
            return None
        data += got
    return bytes(data)


def _child(chunks: Sequence[list[T]], lint: Callable[[list[T]], Blocks], write: int) -> NoReturn:
    """Lint chunks 1.. and send each one's blocks; exit without running anything else."""
    code = 0
    try:
        detach(write)
        for chunk in chunks[1:]:
            body = pickle.dumps(lint(chunk), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(_SIZE.pack(len(body)) + body)
            while view:
                view = view[os.write(write, view) :]
    except BaseException:  # the parent lints what it did not get
        code = 1
    finally:
        os._exit(code)
