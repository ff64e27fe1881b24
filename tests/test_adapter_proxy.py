"""Adapters honour the environment's proxy and trust settings (issue 11 item 6): a team behind
a corporate proxy sets ``HTTPS_PROXY`` (and ``NO_PROXY`` for what stays inside) and its own
CA in ``REQUESTS_CA_BUNDLE`` or ``SSL_CERT_FILE``, as for curl, pip and requests.

Real parts only: a fake Mastodon serving HTTPS on 127.0.0.1 with a self-signed certificate
made here by ``openssl``, and an HTTP CONNECT proxy on 127.0.0.1 written below that tunnels
the bytes and records every tunnel it opened.
"""

from __future__ import annotations

import select
import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.posts import Post
from soulpost.publish.adapters.mastodon import MastodonAdapter
from soulpost.publish.base import AdapterConfig, NotSent
from tests.fakes.mastodon import MastodonFake

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
TRUST_VARS = ("NO_PROXY", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


class ConnectProxy:
    """A minimal HTTP CONNECT proxy: ``tunnels`` lists each ``host:port`` it connected."""

    def __init__(self) -> None:
        self.tunnels: list[str] = []
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,))
        self._thread.daemon = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> ConnectProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _serve(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        method, target = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2]
        if method != "CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        host, port = target.rsplit(":", 1)
        self.tunnels.append(target)
        with socket.create_connection((host, int(port)), timeout=5) as upstream:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _pipe(client, upstream)


def _pipe(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    while True:
        readable, _, _ = select.select([a, b], [], [], 5)
        if not readable:
            return
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (b if source is a else a).sendall(data)


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, from the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_fake(certificate: tuple[Path, Path]) -> Iterator[MastodonFake]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    fake = MastodonFake()
    fake.tls = context
    with fake:
        yield fake


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARS + TRUST_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def adapter(tmp_path: Path, fake: MastodonFake, **options: Any) -> MastodonAdapter:
    return MastodonAdapter(
        AdapterConfig(
            platform="mastodon",
            state_dir=tmp_path / ".soulpost",
            clock=ManualClock(T0),
            options={"base_url": fake.url, "read_timeout": 5.0, **options},
            credentials={"token": "SP_MASTODON_TOKEN"},
            environ={"SP_MASTODON_TOKEN": "test-token"},
            root=tmp_path,
        )
    )


def send(ad: MastodonAdapter, text: str) -> str:
    post = Post.model_validate({"id": "p1", "platforms": ["mastodon"], "text": text})
    try:
        return ad.publish(ad.compose(post).parts[0], f"k-{text}").remote_id
    finally:
        ad.close()


def test_https_proxy_carries_the_traffic_and_the_ca_bundle_is_trusted(
    tmp_path: Path, tls_fake: MastodonFake, certificate: tuple[Path, Path], clean_env: Any
) -> None:
    port = tls_fake.url.rsplit(":", 1)[1]
    with ConnectProxy() as proxy:
        clean_env.setenv("HTTPS_PROXY", proxy.url)
        clean_env.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
        remote_id = send(adapter(tmp_path, tls_fake), "Through the proxy?")
    assert remote_id in tls_fake.statuses
    assert proxy.tunnels == [f"127.0.0.1:{port}"]


def test_no_proxy_bypasses_it(
    tmp_path: Path, tls_fake: MastodonFake, certificate: tuple[Path, Path], clean_env: Any
) -> None:
    with ConnectProxy() as proxy:
        clean_env.setenv("HTTPS_PROXY", proxy.url)
        clean_env.setenv("NO_PROXY", "127.0.0.1")
        clean_env.setenv("SSL_CERT_FILE", str(certificate[0]))  # trusted this way too
        remote_id = send(adapter(tmp_path, tls_fake), "Straight there?")
    assert remote_id in tls_fake.statuses
    assert proxy.tunnels == []


def test_trust_env_false_ignores_the_environment(
    tmp_path: Path, tls_fake: MastodonFake, certificate: tuple[Path, Path], clean_env: Any
) -> None:
    """``options.trust_env = false``: neither the proxy nor the environment's CA is used,
    so the self-signed certificate is refused before anything is sent."""
    with ConnectProxy() as proxy:
        clean_env.setenv("HTTPS_PROXY", proxy.url)
        clean_env.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
        with pytest.raises(NotSent):
            send(adapter(tmp_path, tls_fake, trust_env=False), "Ignoring the proxy?")
    assert proxy.tunnels == []
    assert tls_fake.statuses == {}
