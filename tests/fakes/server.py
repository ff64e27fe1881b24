"""The shared machinery of every fake platform: a real HTTP server on 127.0.0.1.

A fake is a :class:`FakeServer` subclass with a route table. It records every request it
receives (:attr:`FakeServer.requests`) and can be scripted per test to misbehave for the next
N matching requests: answer with a given status/headers/body, answer late, hang (accept and
never answer) or drop the connection, either before or after doing the work. "After" is the
nasty real-world case: the post exists, but the client never hears so.

Standard library only (``http.server``), so a test runs the same bytes over the same sockets
as production code would, with no patching of ``requests``.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Literal, Self
from urllib.parse import parse_qs, parse_qsl, urlsplit

from requests.structures import CaseInsensitiveDict

Action = Literal["respond", "delay", "hang", "drop"]


@dataclass(frozen=True)
class Part:
    """One part of a ``multipart/form-data`` body."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def text(self) -> str:
        """The part as UTF-8 text."""
        return self.data.decode("utf-8")


@dataclass
class Request:
    """A request exactly as the fake received it, parsed for convenient assertions."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: CaseInsensitiveDict[str]
    body: bytes
    json: Any = None
    form: list[tuple[str, str]] | None = None
    parts: list[Part] | None = None

    def field(self, name: str) -> str | None:
        """The first value of a form field or multipart text part named *name*."""
        for key, value in self.form or ():
            if key == name:
                return value
        for part in self.parts or ():
            if part.name == name and part.filename is None:
                return part.text
        return None

    def fields(self, name: str) -> list[str]:
        """Every value of a repeated form field (e.g. ``media_ids[]``)."""
        return [value for key, value in self.form or () if key == name]

    def file(self, name: str) -> Part | None:
        """The multipart part named *name*."""
        return next((p for p in self.parts or () if p.name == name), None)

    @property
    def bearer(self) -> str | None:
        """The token of an ``Authorization: Bearer`` header."""
        value = self.headers.get("Authorization", "")
        return value[7:] if value.startswith("Bearer ") else None


@dataclass
class Response:
    """What a route answers."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, value: Any, headers: dict[str, str] | None = None) -> Response:
        """A JSON answer (UTF-8, compact, like the real services)."""
        raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return cls(
            status, raw, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        )

    @classmethod
    def text(cls, status: int, value: str, headers: dict[str, str] | None = None) -> Response:
        """A plain-text answer."""
        return cls(
            status,
            value.encode("utf-8"),
            {"Content-Type": "text/plain; charset=utf-8", **(headers or {})},
        )

    @classmethod
    def of(cls, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        """JSON for dicts/lists, text for str, raw for bytes, empty for None."""
        if body is None:
            return cls(status, b"", dict(headers or {}))
        if isinstance(body, bytes):
            return cls(status, body, dict(headers or {}))
        if isinstance(body, str):
            return cls.text(status, body, headers)
        return cls.json(status, body, headers)


@dataclass
class Scripted:
    """One scripted misbehaviour, used for the next ``times`` matching requests."""

    action: Action
    times: int
    method: str | None = None
    path: str | None = None  # a regular expression searched in the path
    response: Response | None = None
    seconds: float = 0.0
    processed: bool = False  # hang/drop after the route did its work
    where: Callable[[Request], bool] | None = None  # and only requests this accepts

    def matches(self, request: Request) -> bool:
        """Whether this entry applies to *request*."""
        if self.method and self.method.upper() != request.method:
            return False
        if self.where is not None and not self.where(request):
            return False
        return not (self.path and not re.search(self.path, request.path))


Handler = Callable[[Request, re.Match[str]], Response]


class FakeServer:
    """Base class: subclasses fill :attr:`routes` in ``__init__`` via :meth:`route`."""

    name: ClassVar[str] = "fake"

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._script: list[Scripted] = []
        self._lock = threading.RLock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        #: Set before :meth:`start` to serve HTTPS (e.g. a self-signed certificate).
        self.tls: ssl.SSLContext | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> Self:
        """Listen on an ephemeral port of 127.0.0.1 in a background thread."""
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                fake._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        # A short poll interval keeps stop() (and so every test's teardown) quick.
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.02,), name=self.name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release hung requests and stop listening."""
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host!s}:{port}"

    # --- scripting ------------------------------------------------------------------------

    def fail(
        self,
        status: int,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        where: Callable[[Request], bool] | None = None,
    ) -> None:
        """Answer the next *times* matching requests (those *where* accepts, if given) with
        this status/body/headers instead of doing the work."""
        answer = Response.of(status, body, headers)
        self._add(Scripted("respond", times, method, path, answer, where=where))

    def delay(
        self, seconds: float, *, times: int = 1, method: str | None = None, path: str | None = None
    ) -> None:
        """Answer the next *times* matching requests normally, but *seconds* late."""
        self._add(Scripted("delay", times, method, path, seconds=seconds))

    def hang(
        self,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        processed: bool = False,
    ) -> None:
        """Accept the next matching requests and never answer (until the fake stops).

        With ``processed=True`` the work is done first (the post exists), then silence.
        """
        self._add(Scripted("hang", times, method, path, processed=processed))

    def drop(
        self,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        processed: bool = False,
    ) -> None:
        """Read the next matching requests, then close the connection without an answer.

        With ``processed=True`` the work is done first (the post exists), then the drop.
        """
        self._add(Scripted("drop", times, method, path, processed=processed))

    def _add(self, entry: Scripted) -> None:
        with self._lock:
            self._script.append(entry)

    def _take(self, request: Request) -> Scripted | None:
        with self._lock:
            for entry in self._script:
                if entry.matches(request):
                    entry.times -= 1
                    if entry.times <= 0:
                        self._script.remove(entry)
                    return entry
        return None

    # --- assertions -----------------------------------------------------------------------

    def received(self, method: str | None = None, path: str | None = None) -> list[Request]:
        """Recorded requests, optionally filtered by method and a path regex."""
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method.upper())
                and (path is None or re.search(path, r.path))
            ]

    # --- routing --------------------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Register *handler* for *method* and a full-match path *pattern*."""
        self._routes.append((method.upper(), re.compile(pattern), handler))

    def dispatch(self, request: Request) -> Response:
        """Run the matching route (404 / 405 when none); a subclass may wrap it."""
        allowed = False
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            allowed = True
            if method == request.method:
                return handler(request, match)
        return self.not_found(request, allowed)

    def not_found(self, request: Request, path_exists: bool) -> Response:
        """The platform's answer to an unknown path (override per platform)."""
        return Response.json(405 if path_exists else 404, {"error": "Not Found"})

    def decorate(self, request: Request, response: Response) -> Response:
        """Add headers every answer carries (rate limits, ...); override per platform."""
        return response

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the fake's state lock (routes run on server threads)."""
        with self._lock:
            yield

    # --- the HTTP side --------------------------------------------------------------------

    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        request = _read(http)
        with self._lock:
            self.requests.append(request)
        scripted = self._take(request)
        if scripted is not None and scripted.action == "delay":
            time.sleep(scripted.seconds)
            scripted = None
        if scripted is not None and scripted.action in ("hang", "drop"):
            if scripted.processed:
                with self._lock:
                    self.dispatch(request)
            if scripted.action == "hang":
                self._release.wait()
            _drop(http)
            return
        if scripted is not None and scripted.response is not None:
            response = scripted.response
        else:
            with self._lock:
                response = self.dispatch(request)
        with self._lock:
            response = self.decorate(request, response)
        _write(http, response)


def _read(http: BaseHTTPRequestHandler) -> Request:
    split = urlsplit(http.path)
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(dict(http.headers.items()))
    length = int(headers.get("Content-Length") or 0)
    body = http.rfile.read(length) if length else b""
    request = Request(
        method=http.command,
        path=split.path,
        query=parse_qs(split.query, keep_blank_values=True),
        headers=headers,
        body=body,
    )
    content_type = headers.get("Content-Type", "")
    if "json" in content_type and body:
        try:
            request.json = json.loads(body)
        except ValueError:
            request.json = None
    elif content_type.startswith("application/x-www-form-urlencoded"):
        request.form = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    elif content_type.startswith("multipart/form-data"):
        request.parts = _multipart(content_type, body)
    return request


def _multipart(content_type: str, body: bytes) -> list[Part]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parts = []
    for part in message.iter_parts():
        disposition = part.get("Content-Disposition", "")
        params = dict(part.get_params(header="content-disposition") or [])
        payload = part.get_payload(decode=True)
        parts.append(
            Part(
                name=str(params.get("name", "")),
                filename=params.get("filename") if "filename" in disposition else None,
                content_type=part.get("Content-Type"),
                data=payload if isinstance(payload, bytes) else b"",
            )
        )
    return parts


def _write(http: BaseHTTPRequestHandler, response: Response) -> None:
    http.send_response(response.status)
    for name, value in response.headers.items():
        http.send_header(name, value)
    http.send_header("Content-Length", str(len(response.body)))
    http.end_headers()
    if response.body and http.command != "HEAD":
        http.wfile.write(response.body)


def _drop(http: BaseHTTPRequestHandler) -> None:
    http.close_connection = True
    with suppress(OSError):
        http.connection.shutdown(socket.SHUT_RDWR)
