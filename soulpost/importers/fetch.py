"""Read what an importer is given: a local file or an http(s) URL, bounded in size and time.

A feed is someone else's server: it may be slow, endless or huge. A fetch takes at most
:data:`MAX_BYTES` and :data:`DEADLINE` seconds in all (not per read), follows redirects only
to http(s), and fails with an :class:`~soulpost.errors.InputError` naming the URL.
"""

from __future__ import annotations

import time
from pathlib import Path

from soulpost.errors import InputError

MAX_BYTES = 5 << 20  # 5 MiB: feeds are rarely above a few hundred KiB
DEADLINE = 30.0  # seconds for the whole download
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0


def is_url(source: str) -> bool:
    """Whether *source* names a URL (any scheme) rather than a file."""
    return "://" in source


def read_source(
    source: str, root: Path, *, max_bytes: int | None = None, deadline: float | None = None
) -> bytes:
    """The bytes of *source*: an http(s) URL, or a file (relative to *root*); the limits
    default to :data:`MAX_BYTES` and :data:`DEADLINE` as they are when called."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    deadline = DEADLINE if deadline is None else deadline
    if is_url(source):
        return fetch_url(source, max_bytes=max_bytes, deadline=deadline)
    path = Path(source) if Path(source).is_absolute() else root / source
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if len(data) > max_bytes:
        raise InputError(f"larger than {max_bytes >> 20} MiB; not read", path=path)
    return data


def fetch_url(url: str, *, max_bytes: int = MAX_BYTES, deadline: float = DEADLINE) -> bytes:
    """GET *url* (http or https only) within the size and time bounds."""
    import requests

    from soulpost import __version__

    if not url.lower().startswith(("http://", "https://")):
        raise InputError(
            "only http:// and https:// URLs can be fetched", key=url, hint="or give a file path"
        )
    started = time.monotonic()
    try:
        with requests.Session() as session:
            session.max_redirects = 5
            response = session.get(
                url,
                stream=True,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                headers={"User-Agent": f"soulpost/{__version__} (feed import)"},
            )
            with response:
                if not response.url.lower().startswith(("http://", "https://")):
                    raise InputError("redirected away from http(s); not followed", key=url)
                if response.status_code != 200:
                    raise InputError(
                        f"the server answered HTTP {response.status_code} {response.reason}",
                        key=url,
                    )
                return _body(response, url, max_bytes, started, deadline)
    except requests.RequestException as exc:
        raise InputError(f"cannot fetch: {type(exc).__name__}: {exc}", key=url) from None


def _body(response: object, url: str, max_bytes: int, started: float, deadline: float) -> bytes:
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_content(64 << 10):  # type: ignore[attr-defined]
        total += len(chunk)
        if total > max_bytes:
            raise InputError(f"the answer is larger than {max_bytes} bytes; not read", key=url)
        if time.monotonic() - started > deadline:
            raise InputError(f"the download took longer than {deadline:g}s; stopped", key=url)
        chunks.append(chunk)
    return b"".join(chunks)


def read_text(path: Path, root: Path) -> str:
    """A text file (``-``: standard input) as UTF-8, a leading byte order mark dropped."""
    import sys

    max_bytes = MAX_BYTES
    if str(path) == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError(f"standard input is larger than {max_bytes >> 20} MiB; not read")
    else:
        data = read_source(str(path), root, max_bytes=max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start})",
            path=path,
            hint="save the spreadsheet as CSV UTF-8",
        ) from None
