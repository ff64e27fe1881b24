"""A real PostgreSQL server for the tests, started in a temporary directory.

Debian's server binaries (``/usr/lib/postgresql/N/bin``; ``.ci/run`` installs the package
when missing) run as the ``postgres`` user when the tests run as root (PostgreSQL refuses
root). The server listens on 127.0.0.1 on a free port and on a Unix socket in its
directory; connections over TCP need the password (SCRAM), so a URL with a password is
exercised for real, and the tests can check it never shows. Each test gets its own schema
(``search_path`` in the URL), so tests do not see each other's ledgers.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

USER = "soulpost"
PASSWORD = "s3cret-Pw-7f2a9"  # distinctive, so a leak is easy to spot in any output


def binaries() -> Path | None:
    """The newest installed server's bin directory, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parent)
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One throwaway server; :meth:`stop` removes it and its files."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="soulpost-pg-"))
        self.port = _free_port()
        self.data = self.dir / "data"
        self._schemas = itertools.count(1)
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [*args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> PgServer:
        pwfile = self.dir / "pw"
        pwfile.write_text(PASSWORD + "\n", encoding="ascii")
        if self._as_postgres:
            shutil.chown(self.dir, "postgres")
            shutil.chown(pwfile, "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, f"--pwfile={pwfile}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200 -c shared_buffers=32MB"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.dir / "log"), "-w", "-t", "60", "start",
        )  # fmt: skip
        return self

    def url(self, schema: str | None = None, password: str | None = PASSWORD) -> str:
        auth = f"{USER}:{quote(password, safe='')}" if password is not None else USER
        url = f"postgresql://{auth}@127.0.0.1:{self.port}/postgres"
        return url + (f"?options=-csearch_path%3D{schema}" if schema else "")

    def fresh_url(self, prefix: str = "t") -> str:
        """A URL whose ledger is a new, empty schema."""
        import psycopg

        name = f"{prefix}{os.getpid()}_{next(self._schemas)}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f"CREATE SCHEMA {name}".encode())
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
