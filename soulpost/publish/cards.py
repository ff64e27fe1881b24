"""Link cards: the title, description and picture a page declares for itself (Open Graph
and Twitter-card ``<meta>`` tags), fetched at publish time for a post's first link.

A page is untrusted input fetched from the network by an unattended publisher, so every
fetch is bounded and fenced:

* only ``http``/``https``, following at most :data:`MAX_REDIRECTS` redirects by hand, each
  checked again (a redirect to ``file:``, ``ftp:`` or ``gopher:`` is refused);
* the host's every address must be public: loopback, private, link-local, multicast,
  reserved and unspecified addresses are refused unless the adapter's options allow private
  hosts (tests do, for their servers on 127.0.0.1);
* at most ``max_bytes`` of the body are read, and the whole fetch (redirects included) must
  end within ``timeout`` seconds, so a page that drips one byte a second is cut off;
* a page must say it is HTML, a picture that it is an image.

Parsing uses BeautifulSoup (with Python's own HTML parser), never a regular expression. A
card that cannot be had raises :class:`CardUnavailable`; the post then goes out as plain
text with its link, never fails because of a card.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from soulpost.errors import SoulpostError

MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_BYTES = 1_000_000
TITLE_MAX = 300
DESCRIPTION_MAX = 1000
HTML_TYPES = ("text/html", "application/xhtml+xml")

Resolver = Callable[[str, int], list[str]]


class CardUnavailable(SoulpostError):
    """No card for this link; the message says why (for history and logs)."""


@dataclass(frozen=True)
class Card:
    """What a page says about itself; ``url`` is where it was finally found."""

    url: str
    title: str
    description: str = ""
    image_url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Card:
        return cls(
            str(data.get("url") or ""),
            str(data.get("title") or ""),
            str(data.get("description") or ""),
            str(data["image_url"]) if data.get("image_url") else None,
        )


@dataclass(frozen=True)
class Fence:
    """The bounds every fetch of one publication obeys."""

    allow_private: bool = False
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES


def system_resolver(host: str, port: int) -> list[str]:
    """Every address *host* resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise CardUnavailable(f"cannot resolve {host}: {exc}") from None
    return [str(info[4][0]) for info in infos]


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str, fence: Fence, resolve: Resolver = system_resolver) -> None:
    """Refuse *url* unless it is http(s) to a host whose every address is allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise CardUnavailable(f"refused a {parts.scheme or 'relative'}: URL ({url[:80]})")
    host = parts.hostname
    if not host:
        raise CardUnavailable(f"no host in {url[:80]}")
    if fence.allow_private:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not addresses:
        raise CardUnavailable(f"{host} has no address")
    for address in addresses:
        if not _is_public(address):
            raise CardUnavailable(f"refused {host}: {address} is not a public address")


def get(
    session: Any,
    url: str,
    fence: Fence,
    accept: tuple[str, ...],
    resolve: Resolver = system_resolver,
) -> tuple[str, str, bytes]:
    """``(final URL, content type, body)`` of *url* within *fence*; CardUnavailable else."""
    import requests

    deadline = time.monotonic() + fence.timeout
    for _ in range(MAX_REDIRECTS + 1):
        check_url(url, fence, resolve)
        left = deadline - time.monotonic()
        if left <= 0:
            raise CardUnavailable(f"no answer from {url[:80]} within {fence.timeout:g} s")
        try:
            response = session.get(url, allow_redirects=False, stream=True, timeout=(left, left))
        except requests.RequestException as exc:
            raise CardUnavailable(f"could not fetch {url[:80]}: {type(exc).__name__}") from None
        with response:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            if response.status_code != 200:
                raise CardUnavailable(f"{url[:80]} answered HTTP {response.status_code}")
            kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if not kind.startswith(accept):
                raise CardUnavailable(f"{url[:80]} is {kind or 'of no type'}, not {accept[0]}")
            return url, kind, _read(response, fence, deadline)
    raise CardUnavailable(f"more than {MAX_REDIRECTS} redirects from the link")


def _read(response: Any, fence: Fence, deadline: float) -> bytes:
    import requests

    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(16384):
            chunks.append(chunk)
            size += len(chunk)
            if size >= fence.max_bytes:
                break  # enough: the <head> with the card is at the top
            if time.monotonic() > deadline:
                raise CardUnavailable(f"the page took longer than {fence.timeout:g} s")
    except requests.RequestException as exc:
        raise CardUnavailable(f"the page broke off: {type(exc).__name__}") from None
    return b"".join(chunks)[: fence.max_bytes]


def parse(html: bytes, url: str) -> Card:
    """The card an HTML page declares (Open Graph first, then Twitter card, then <title>)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")

    def meta(*names: str) -> str:
        for name in names:
            for attribute in ("property", "name"):
                tag = soup.find("meta", attrs={attribute: name})
                content = tag.get("content") if tag is not None else None
                if isinstance(content, str) and content.strip():
                    return " ".join(content.split())
        return ""

    title = meta("og:title", "twitter:title")
    if not title and soup.title is not None and soup.title.string:
        title = " ".join(soup.title.string.split())
    if not title:
        raise CardUnavailable(f"{url[:80]} declares no title")
    description = meta("og:description", "twitter:description", "description")
    image = meta("og:image:secure_url", "og:image", "twitter:image", "twitter:image:src")
    return Card(
        url,
        title[:TITLE_MAX],
        description[:DESCRIPTION_MAX],
        urljoin(url, image) if image else None,
    )


def fetch(session: Any, url: str, fence: Fence, resolve: Resolver = system_resolver) -> Card:
    """The card of the page at *url*."""
    final, _, body = get(session, url, fence, HTML_TYPES, resolve)
    card = parse(body, final)
    return Card(url, card.title, card.description, card.image_url)


def fetch_image(
    session: Any, url: str, fence: Fence, limit: int, resolve: Resolver = system_resolver
) -> tuple[bytes, str]:
    """The card's picture (at most *limit* bytes) and its MIME type."""
    image_fence = Fence(fence.allow_private, fence.timeout, limit + 1)
    _, kind, body = get(session, url, image_fence, ("image/",), resolve)
    if len(body) > limit:
        raise CardUnavailable(f"the card's picture is over {limit} bytes")
    return body, kind
