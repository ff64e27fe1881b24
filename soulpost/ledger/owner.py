"""Who holds a claim, whether that holder still runs, and how long its lease lasts.

Two independent ways a claim ends without its owner settling it:

* **the owner died**: on the same host its pid is gone (or reused: the kernel's start time
  differs). Another host cannot be checked this way;
* **the lease ran out**: every claim carries an expiry, renewed each time the owner records
  progress. A live owner whose pass failed or hangs stops renewing, so its claims come back
  after :data:`LEASE` even though the process runs on (a daemon between passes). Leases
  work across hosts, which is what the shared (PostgreSQL) ledger relies on: there a
  heartbeat renews them while the ledger is open, and the database's clock judges them.

A publisher is named by its host (``SOULPOST_HOST`` overrides the host name, so tests can
run several "hosts" on one machine) and its pid.

Liveness is judged here, never in the storage code: backends take ``alive`` as a callable.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

HOST_ENV = "SOULPOST_HOST"

LEASE = timedelta(minutes=5)
"""How long a claim stays its owner's without progress. Far longer than any single request
(adapters time out reads after 30 s) or in-pass wait (rate limits under 10 s), so a working
owner never loses a claim; short enough that a stuck one is back within minutes."""


def host_name() -> str:
    """This publisher's host: ``SOULPOST_HOST`` when set (simulated hosts), else the real one."""
    return os.environ.get(HOST_ENV) or socket.gethostname()


def lease_end(now: datetime) -> datetime:
    """The expiry of a claim taken or renewed at *now*."""
    return now + LEASE


def proc_start(pid: int) -> str:
    """The kernel's start time of *pid* (clock ticks since boot), to spot a reused pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            stat = handle.read()
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


@dataclass(frozen=True)
class Owner:
    """Who holds a claim: enough to tell later whether that process is still alive."""

    pid: int
    host: str
    started: str
    token: str

    @classmethod
    def current(cls) -> Owner:
        pid = os.getpid()
        return cls(pid, host_name(), proc_start(pid), uuid.uuid4().hex)

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}"


def owner_alive(pid: int, host: str, started: str) -> bool:
    """Whether the claimant still runs. Another host cannot be checked: assume alive (its
    lease decides)."""
    if host != host_name():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    now_started = proc_start(pid)
    return not (started and now_started and now_started != started)
