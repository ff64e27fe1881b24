"""Pieces the Mastodon, Bluesky and X adapters share: reading media files, per-key notes in
the state directory, and an HTTP call that hands back the platform's own error answer.

Nothing here knows a platform's wire format; that lives in ``soulpost.publish.render``.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import struct
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from soulpost.publish import http
from soulpost.publish.base import AuthError, PublishError, Rejected

if TYPE_CHECKING:
    from soulpost.posts import Post
    from soulpost.publish.base import Adapter, AdapterConfig


# ---------------------------------------------------------------------------------------------
# HTTP


class ErrorAnswer(Exception):
    """The platform answered, but not with a 2xx: ``error`` is how :func:`http.check`
    classifies it, ``response`` lets the adapter read the platform's own reason."""

    def __init__(self, response: requests.Response, error: PublishError) -> None:
        self.response = response
        self.error = error
        super().__init__(error.message)

    def body(self) -> Mapping[str, Any]:
        """The JSON object of the answer, or an empty mapping."""
        try:
            value = self.response.json()
        except ValueError:
            return {}
        return value if isinstance(value, Mapping) else {}


def call(
    session: requests.Session,
    method: str,
    url: str,
    *,
    config: AdapterConfig,
    timeout: tuple[float, float],
    extra_secrets: tuple[str, ...] = (),
    **kwargs: Any,
) -> requests.Response:
    """:func:`http.send` with this adapter's secrets and clock.

    Transport failures raise :class:`NotSent` / :class:`UnknownOutcome` as ``http.send``
    decides; a non-2xx answer raises :class:`ErrorAnswer` so the caller can recognise the
    platform's special cases (expired tokens, duplicates) before choosing the error class.
    """
    answered: list[requests.Response] = []

    def keep(response: requests.Response, *args: Any, **kw: Any) -> None:
        answered.append(response)

    try:
        return http.send(
            session,
            method,
            url,
            platform=config.platform,
            secrets=[*config.secrets(), *extra_secrets],
            timeout=timeout,
            now=config.clock.now(),
            hooks={"response": keep},
            **kwargs,
        )
    except PublishError as exc:
        if answered and not 200 <= answered[-1].status_code < 300:
            raise ErrorAnswer(answered[-1], exc) from None
        raise


def timeouts(options: Mapping[str, Any]) -> tuple[float, float]:
    """``(connect, read)`` seconds from ``options.connect_timeout`` / ``read_timeout``."""
    connect = float(options.get("connect_timeout", http.DEFAULT_TIMEOUT[0]))
    read = float(options.get("read_timeout", http.DEFAULT_TIMEOUT[1]))
    return (connect, read)


def base_url(options: Mapping[str, Any], default: str | None) -> str | None:
    """``options.base_url`` without a trailing slash, else *default*."""
    value = options.get("base_url", default)
    if value is None:
        return None
    return str(value).rstrip("/")


# ---------------------------------------------------------------------------------------------
# Media files


@dataclass(frozen=True)
class MediaFile:
    """One image read from the workspace, ready to upload."""

    path: Path
    data: bytes
    mime: str
    width: int | None
    height: int | None

    @property
    def name(self) -> str:
        return self.path.name


def media_path(config: AdapterConfig, path: str) -> Path:
    """Where a post's ``media.path`` is: absolute, or relative to the workspace root."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute():
        return candidate
    return (config.root or Path.cwd()) / candidate


def read_media(config: AdapterConfig, path: str, *, max_bytes: int | None) -> MediaFile:
    """Read one media file; :class:`Rejected` when it is missing or too big for the platform
    (nothing has been sent yet, and sending again unchanged cannot help)."""
    where = media_path(config, path)
    try:
        data = where.read_bytes()
    except OSError as exc:
        raise Rejected(
            f"cannot read media file {path}: {exc.strerror or exc}", platform=config.platform
        ) from None
    if max_bytes is not None and len(data) > max_bytes:
        raise Rejected(
            f"media file {path} is {len(data)} bytes; {config.platform} accepts at most "
            f"{max_bytes}",
            platform=config.platform,
        )
    width, height = image_size(data)
    return MediaFile(where, data, mime_type(where, data), width, height)


def mime_type(path: Path, data: bytes) -> str:
    """The MIME type from the file's first bytes, else from its name."""
    magic = (
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
    )
    for prefix, mime in magic:
        if data.startswith(prefix):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def image_size(data: bytes) -> tuple[int | None, int | None]:
    """Width and height of a PNG, GIF or JPEG (None, None for anything else)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None, None


def _jpeg_size(data: bytes) -> tuple[int | None, int | None]:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            index += 1
            continue
        marker = data[index + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            index += 2
            continue
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + length
    return None, None


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
        if len(media) > caps.max_images:
            problems.append(
                f"{label} has {len(media)} images; {caps.title} allows {caps.max_images}"
            )
        for item in media:
            if caps.alt_text_max is not None and item.alt and len(item.alt) > caps.alt_text_max:
                problems.append(
                    f"{label}: alt text of {item.path} is {len(item.alt)} characters; "
                    f"{caps.title} allows {caps.alt_text_max}"
                )
            if root is None:
                continue
            where = media_path(adapter.config, item.path)
            try:
                size = where.stat().st_size
            except OSError:
                problems.append(f"{label}: media file {item.path} not found")
                continue
            if caps.max_image_bytes is not None and size > caps.max_image_bytes:
                problems.append(
                    f"{label}: {item.path} is {size} bytes; {caps.title} accepts at most "
                    f"{caps.max_image_bytes}"
                )
    return problems


def media_list(media: Any) -> list[dict[str, str]]:
    """``[{"path", "alt"}]`` of a payload's ``media`` (tolerating a missing key)."""
    out = []
    for item in media or ():
        out.append({"path": str(item["path"]), "alt": str(item.get("alt") or "")})
    return out


def secret(config: AdapterConfig, title: str, role: str) -> str:
    """:meth:`AdapterConfig.secret`, with the platform named in the error."""
    try:
        return config.secret(role)
    except AuthError as exc:
        raise AuthError(f"{title}: {exc.message}", platform=config.platform) from None


def read_all_media(
    config: AdapterConfig, media: Any, *, max_bytes: int | None
) -> list[tuple[MediaFile, str]]:
    """Every image of a payload with its alt text, read before the first upload, so an
    unreadable or oversized file fails before anything has gone out."""
    return [
        (read_media(config, item["path"], max_bytes=max_bytes), item["alt"])
        for item in media_list(media)
    ]
