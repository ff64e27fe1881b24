"""A real HTTP server on 127.0.0.1 standing in for a platform, with scripted replies.

Each POST takes the next scripted :class:`Reply` (or the default one): a status, headers,
a delay, a dropped connection, or hanging forever. Every request that arrives is counted,
so tests can assert how many times a post really reached the "platform"::

    with LocalServer() as server:
        server.push(Reply(429, headers={"Retry-After": "2"}), Reply(200))
        ...
        assert server.count("sp-post-webhook-...") == 1

``GET /lookup?key=K`` answers 200 with the receipt when a POST with that key was stored
(replies with ``store=True``, the default for 2xx and for ``hang``), else 404.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    """How the server answers one POST."""

    status: int = 200
    body: Any = None  # dict -> JSON; str -> text; None -> a receipt for 2xx, else an error
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    hang: bool = False  # read the request, never answer (until the server stops)
    drop: bool = False  # read the request, close the connection without answering
    store: bool | None = None  # record as published (default: 2xx or hang)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class LocalServer:
    """The server; use as a context manager or call start()/stop()."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply()
        self.script: deque[Reply] = deque()
        self.received: list[Received] = []
        self.keys: Counter[str] = Counter()
        self.stored: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control --------------------------------------------------------------------------

    def push(self, *replies: Reply) -> None:
        with self.lock:
            self.script.extend(replies)

    def count(self, key: str | None = None) -> int:
        """POSTs received (with idempotency key *key*, or all)."""
        with self.lock:
            return self.keys[key] if key is not None else sum(self.keys.values())

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/post"

    @property
    def lookup_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/lookup"

    def start(self) -> LocalServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers and body wait on delayed ACKs

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
                data = (json.dumps(body) if not isinstance(body, str) else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                key = parse_qs(parts.query).get("key", [""])[0]
                with server.lock:
                    found = server.stored.get(key)
                if parts.path == "/lookup" and found is not None:
                    self._send(200, found, {})
                else:
                    self._send(404, {"error": "not found"}, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode(errors="replace")
                key = self.headers.get("Idempotency-Key") or ""
                with server.lock:
                    reply = server.script.popleft() if server.script else server.default
                    server.received.append(
                        Received("POST", self.path, dict(self.headers.items()), body)
                    )
                    server.keys[key] += 1
                    number = len(server.received)
                    receipt = {
                        "id": f"remote-{number}",
                        "url": f"http://127.0.0.1:{server.port}/p/{number}",
                    }
                    store = reply.store
                    if store is None:
                        store = reply.hang or 200 <= reply.status < 300
                    if store and key:
                        server.stored[key] = receipt
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.hang:
                    server.release.wait()
                    self.close_connection = True
                    return
                if reply.drop:
                    self.close_connection = True
                    return
                body_out = reply.body
                if body_out is None:
                    body_out = (
                        receipt if 200 <= reply.status < 300 else {"error": f"HTTP {reply.status}"}
                    )
                self._send(reply.status, body_out, reply.headers)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def free_port() -> int:
    """A port with nothing listening on it (for "connection refused")."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
