"""What the HTTP adapters share: :class:`HttpAdapter` (one lazy session, timeouts from
``options``, and a call that hands back the platform's own error answer), secrets to redact,
``options.base_url``, credentials named by platform, per-key notes in the state directory,
and the offline check of a post against the platform's limits.

Media files are in :mod:`._media`; nothing here knows a platform's wire format, which lives
in ``soulpost.publish.render``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import requests

from soulpost.publish import http
from soulpost.publish.adapters._media import media_path
from soulpost.publish.base import Adapter, AuthError, PublishError, Setting

if TYPE_CHECKING:
    from soulpost.posts import Media, Post
    from soulpost.publish.base import AdapterConfig


# ---------------------------------------------------------------------------------------------
# HTTP


class ErrorAnswer(Exception):
    """The platform answered, but not with a 2xx: ``error`` is how :func:`http.check`
    classifies it, ``response`` lets the adapter read the platform's own reason."""

    def __init__(self, response: requests.Response, error: PublishError) -> None:
        self.response = response
        self.error = error
        super().__init__(error.message)

    def body(self) -> dict[str, Any]:
        """The JSON object of the answer, or an empty dict."""
        return json_body(self.response)


class HttpAdapter(Adapter):
    """Base of the adapters that talk HTTP: ``(connect, read)`` timeouts from ``options``
    and one session, opened at the first request and closed by :meth:`close`."""

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        self.timeout = timeouts(config.options)
        self._session: requests.Session | None = None

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = http.build_session()
        return self._session

    def call(
        self, method: str, url: str, *, extra_secrets: tuple[str, ...] = (), **kwargs: Any
    ) -> requests.Response:
        """:func:`http.send` with this adapter's session, timeouts, clock and secrets (see
        :func:`secret_values`; *extra_secrets* adds tokens obtained at run time).

        Transport failures raise :class:`NotSent` / :class:`UnknownOutcome` as ``http.send``
        decides; a non-2xx answer raises :class:`ErrorAnswer` so the caller can recognise the
        platform's special cases (expired tokens, duplicates) before choosing the error class.
        """
        answered: list[requests.Response] = []

        def keep(response: requests.Response, *args: Any, **kw: Any) -> None:
            answered.append(response)

        config = self.config
        try:
            return http.send(
                self.session,
                method,
                url,
                platform=config.platform,
                secrets=secret_values([*config.secrets(), *extra_secrets]),
                timeout=self.timeout,
                now=config.clock.now(),
                hooks={"response": keep},
                **kwargs,
            )
        except PublishError as exc:
            if answered and not 200 <= answered[-1].status_code < 300:
                raise ErrorAnswer(answered[-1], exc) from None
            raise

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


def json_body(response: requests.Response) -> dict[str, Any]:
    """The JSON object of *response*, or an empty dict."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def secret_values(values: Iterable[str]) -> list[str]:
    """*values* plus, for each one that is a URL, its path (with and without the query) and
    its last path segment, longest first so the whole is replaced before a part."""
    values = list(values)
    derived: list[str] = []
    for value in values:
        if not value.startswith(("http://", "https://")):
            continue
        parts = urlsplit(value)
        segments = [s for s in parts.path.split("/") if s]
        derived += [parts.path + (f"?{parts.query}" if parts.query else ""), parts.path]
        derived += [quote(parts.path), parts.query, *segments[-1:]]
    # Short parts ("/hook") are not secret and would garble ordinary words if replaced.
    keep = {v for v in derived if len(v) >= 8} | {v for v in values if v}
    return sorted(keep, key=len, reverse=True)


# ---------------------------------------------------------------------------------------------
# Options and credentials

TIMEOUT_OPTIONS: dict[str, Setting] = {
    "connect_timeout": Setting("seconds to wait for a connection", default=5.0),
    "read_timeout": Setting("seconds to wait for an answer once sent", default=30.0),
}


def timeouts(options: Mapping[str, Any]) -> tuple[float, float]:
    """``(connect, read)`` seconds from ``options.connect_timeout`` / ``read_timeout``."""
    connect = float(options.get("connect_timeout", http.DEFAULT_TIMEOUT[0]))
    read = float(options.get("read_timeout", http.DEFAULT_TIMEOUT[1]))
    return (connect, read)


def base_url(options: Mapping[str, Any], default: str = "") -> str:
    """``options.base_url`` without a trailing slash, else *default* (also for an empty
    value)."""
    return str(options.get("base_url") or default).rstrip("/")


def secret(config: AdapterConfig, title: str, role: str) -> str:
    """:meth:`AdapterConfig.secret`, with the platform named in the error."""
    try:
        return config.secret(role)
    except AuthError as exc:
        raise AuthError(f"{title}: {exc.message}", platform=config.platform) from None


# ---------------------------------------------------------------------------------------------
# Notes per idempotency key


class KeyNotes:
    """Small JSON notes per idempotency key under ``<state_dir>/adapters/<platform>/``.

    An adapter writes what it decided *before* the first request for a key (a Bluesky record
    key, the moment a Mastodon Idempotency-Key was first used, the exact request), so a retry
    or a later lookup repeats the same request instead of a new one. Notes never hold
    credentials. Each note is written atomically (temporary file, then rename).
    """

    def __init__(self, state_dir: Path, platform: str) -> None:
        self.folder = state_dir / "adapters" / platform

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
        return self.folder / f"{digest}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The note for *key*, or None."""
        try:
            value = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) and value.get("key") == key else None

    def put(self, key: str, note: Mapping[str, Any]) -> None:
        """Store *note* for *key* (replacing an older one) durably."""
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({**note, "key": key}, ensure_ascii=False, sort_keys=True)
        fd, name = tempfile.mkstemp(prefix=".note.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            Path(name).replace(self._path(key))
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise


# ---------------------------------------------------------------------------------------------
# Validation


def media_problems(
    adapter: Adapter, media: Sequence[Media], label: str = "the post", *, files: bool = True
) -> list[str]:
    """What the platform would refuse in one part's *media*: too many images, alt text too
    long, and (with *files*) a file missing or too large. Offline: reads file sizes only."""
    caps = adapter.capabilities()
    problems = []
    if len(media) > caps.max_images:
        problems.append(f"{label} has {len(media)} images; {caps.title} allows {caps.max_images}")
    for item in media:
        if caps.alt_text_max is not None and item.alt and len(item.alt) > caps.alt_text_max:
            problems.append(
                f"{label}: alt text of {item.path} is {len(item.alt)} characters; "
                f"{caps.title} allows {caps.alt_text_max}"
            )
        if not files:
            continue
        try:
            size = media_path(adapter.config, item.path).stat().st_size
        except OSError:
            problems.append(f"{label}: media file {item.path} not found")
            continue
        if caps.max_image_bytes is not None and size > caps.max_image_bytes:
            problems.append(
                f"{label}: {item.path} is {size} bytes; {caps.title} accepts at most "
                f"{caps.max_image_bytes}"
            )
    return problems


def check_post(adapter: Adapter, post: Post) -> list[str]:
    """What the platform would refuse in *post*: length per part (counted the platform's
    way), empty parts, media count, alt text length, and (when the workspace root is known)
    missing or oversized media files. Offline: reads file sizes, never the network."""
    from soulpost.text import platform_length

    caps = adapter.capabilities()
    name = adapter.platform
    parts = [(post.text_for(name), post.media_for(name))]
    parts += [(part.text, part.media) for part in post.thread_for(name)]
    if len(parts) > 1 and not caps.threads:
        return [f"{caps.title} cannot post threads"]
    root = adapter.config.root
    problems: list[str] = []
    for number, (raw, media) in enumerate(parts, 1):
        label = "the post" if len(parts) == 1 else f"part {number}"
        text = raw.strip()
        if not text and not media:
            problems.append(f"{label} has no text and no media")
        for unit, count, limit in platform_length(text, caps):
            if count > limit:
                problems.append(f"{label} is {count} {unit}; {caps.title} allows {limit}")
        problems += media_problems(adapter, media, label, files=root is not None)
    return problems
