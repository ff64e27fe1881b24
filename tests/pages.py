"""A web server on 127.0.0.1 with the pages link-card tests need, friendly and hostile.

``/article`` has Open Graph tags and a picture (``/card.png``); ``/titled`` only a
``<title>``; ``/redirect/N`` redirects N times to ``/article``; ``/to-file`` redirects to
``file:///etc/passwd``; ``/huge`` is an endless HTML page (its ``<head>`` first); ``/slow``
sends a byte every half second; ``/json`` is not HTML. ``hits`` counts requests per path.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.images import png

ARTICLE = b"""<!doctype html><html><head>
<title>Fallback title</title>
<meta property="og:title" content="Forty onboarding interviews, in one chart">
<meta property="og:description" content="What new customers do in their first week, and
what we changed because of it.">
<meta property="og:image" content="/card.png">
</head><body><p>Hello</p></body></html>"""
PICTURE = png(12, 8)


class Pages:
    """``with Pages() as pages: pages.url("/article")``."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        pages = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                pages.hits[self.path] += 1
                pages.answer(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._stop = threading.Event()

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> Pages:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        if path == "/article":
            self._send(h, 200, "text/html; charset=utf-8", ARTICLE)
        elif path == "/titled":
            self._send(
                h, 200, "text/html", b"<html><head><title> Just  a title </title></head></html>"
            )
        elif path == "/card.png":
            self._send(h, 200, "image/png", PICTURE)
        elif path.startswith("/redirect/"):
            left = int(path.rsplit("/", 1)[1])
            target = "/article" if left <= 0 else f"/redirect/{left - 1}"
            self._send(h, 302, "text/plain", b"", {"Location": target})
        elif path == "/to-file":
            self._send(h, 302, "text/plain", b"", {"Location": "file:///etc/passwd"})
        elif path == "/json":
            self._send(h, 200, "application/json", b'{"title": "not a page"}')
        elif path == "/huge":
            self._stream(
                h, ARTICLE.replace(b"</body></html>", b""), b"<p>" + b"x" * 65536 + b"</p>"
            )
        elif path == "/slow":
            self._stream(h, b"<html><head>", b"<", pause=0.5)
        else:
            self._send(h, 404, "text/plain", b"no")

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler,
        status: int,
        kind: str,
        body: bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    def _stream(
        self, h: BaseHTTPRequestHandler, head: bytes, chunk: bytes, pause: float = 0.0
    ) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for piece in itertools.chain([head], itertools.repeat(chunk)):
                if self._stop.is_set():
                    return
                h.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                h.wfile.flush()
                if pause:
                    time.sleep(pause)
        except OSError:
            return
