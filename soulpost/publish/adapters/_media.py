"""Media files as every adapter reads them: where a post's ``media.path`` is, the bytes with
their MIME type and pixel size, refused before anything is sent when a file is missing or
too big for the platform.

A rendered payload carries media as ``[{"path", "alt"}]`` (:func:`media_list`); publishing
turns each entry into a :class:`MediaFile` (:func:`read_all_media`).
"""

from __future__ import annotations

import mimetypes
import os
import stat
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.filesafe import media_location
from soulpost.publish.base import Rejected

if TYPE_CHECKING:
    from soulpost.posts import Media
    from soulpost.publish.base import Adapter, AdapterConfig


@dataclass(frozen=True)
class MediaFile:
    """One image read from the workspace, ready to upload, with its alt text."""

    path: Path
    alt: str
    data: bytes
    mime: str
    width: int | None
    height: int | None

    @property
    def name(self) -> str:
        """The file name, for multipart uploads and messages."""
        return self.path.name


def media_list(media: Iterable[Media]) -> list[dict[str, str]]:
    """A post's media as the plain ``{"path", "alt"}`` entries of a rendered payload."""
    return [{"path": m.path, "alt": m.alt or ""} for m in media]


def media_path(config: AdapterConfig, path: str) -> Path:
    """Where a post's ``media.path`` is: absolute, or relative to the workspace root (the
    working directory when the adapter was given no root)."""
    return media_location(config.root or Path.cwd(), path)


# Never follow a link in the last step (the path opened is already resolved, so a link
# there was swapped in since), never block on a FIFO, never take a terminal.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class _NotAllowed(Exception):
    """The media file may not be read; the message says why."""


def read_contained(root: Path, path: str, limit: int | None) -> tuple[Path, bytes, int]:
    """The resolved path, bytes (at most *limit* + 1 of them) and size of media file *path*,
    read only if it is a regular file inside the workspace *root* when it is opened.

    Loading already refused paths leading out of the workspace; this checks again when the
    bytes are read, because a link can be swapped in between. The path is resolved and
    checked, then opened without following a link in its last step, and the descriptor's
    own path (``/proc/self/fd`` where there is one) is checked once more, so no byte of a
    file outside the workspace is ever read, let alone sent.
    """
    base = root.resolve()
    try:
        real = media_location(root, path).resolve()
    except RuntimeError as exc:  # a link loop
        raise _NotAllowed(f"cannot be resolved ({exc})") from None
    if not real.is_relative_to(base):
        raise _NotAllowed("leads outside the workspace")
    fd = os.open(real, _OPEN_FLAGS)
    try:
        opened = _opened_path(fd)
        if opened is not None and not opened.is_relative_to(base):
            raise _NotAllowed("leads outside the workspace")
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotAllowed("is not a regular file")
        want = info.st_size if limit is None else min(info.st_size, limit) + 1
        chunks: list[bytes] = []
        while want > 0 and (chunk := os.read(fd, min(want, 1 << 20))):
            chunks.append(chunk)
            want -= len(chunk)
        return real, b"".join(chunks), max(info.st_size, sum(map(len, chunks)))
    finally:
        os.close(fd)


def _opened_path(fd: int) -> Path | None:
    """The path the kernel opened for *fd* (Linux), or None where that cannot be asked."""
    try:
        return Path(f"/proc/self/fd/{fd}").readlink()
    except OSError:
        return None


def read_media(
    adapter: Adapter, item: Mapping[str, Any], *, max_bytes: int | None = None
) -> MediaFile:
    """Read one ``{"path", "alt"}`` entry; :class:`Rejected` when the file is missing,
    outside the workspace, not a regular file or bigger than *max_bytes* (default: the
    adapter's ``max_image_bytes``): nothing has been sent yet, and sending again unchanged
    cannot help."""
    from soulpost.mediafacts import is_video
    from soulpost.publish import images

    caps = adapter.capabilities()
    limit = caps.max_image_bytes if max_bytes is None else max_bytes
    path = str(item.get("path") or "")
    if is_video(path):
        return _read_video(adapter, item, path)
    # With Pillow an image over the limit can be shrunk: read it whole (within reason).
    guessed = mimetypes.guess_type(path)[0] or ""
    read_limit = images.MAX_SOURCE_BYTES if images.can_shrink(guessed) else limit
    where, data, size = _read_or_refuse(adapter, path, read_limit)
    mime = mime_type(where, data)
    if read_limit is None or len(data) <= read_limit:
        data = images.prepare(data, mime, limit).data  # no location; shrunk to fit
    if limit is not None and len(data) > limit:
        hint = "" if images.available() else " (install soulpost[images] to shrink it)"
        raise Rejected(
            f"media file {path} is {size} bytes; {caps.title} accepts at most {limit}{hint}",
            platform=adapter.platform,
        )
    width, height = image_size(data)
    alt = str(item.get("alt") or "")
    return MediaFile(where, alt, data, mime, width, height)


def _read_or_refuse(adapter: Adapter, path: str, limit: int | None) -> tuple[Path, bytes, int]:
    """:func:`read_contained` from the adapter's workspace, its refusals as Rejected."""
    try:
        return read_contained(adapter.config.root or Path.cwd(), path, limit)
    except _NotAllowed as exc:
        raise Rejected(
            f"media file {path} {exc}: not read, nothing sent (media must be a file inside "
            "the workspace)",
            platform=adapter.platform,
        ) from None
    except OSError as exc:
        raise Rejected(
            f"cannot read media file {path}: {exc.strerror or exc}", platform=adapter.platform
        ) from None


def _read_video(adapter: Adapter, item: Mapping[str, Any], path: str) -> MediaFile:
    """A video, read whole within the platform's video size limit (Rejected without one)."""
    from soulpost.mediafacts import video_type

    caps = adapter.capabilities()
    if caps.video is None:
        raise Rejected(
            f"{caps.title} takes no video from soulpost ({path})", platform=adapter.platform
        )
    limit = caps.video.max_bytes
    where, data, size = _read_or_refuse(adapter, path, limit)
    if len(data) > limit:
        raise Rejected(
            f"video {path} is {size} bytes; {caps.title} takes at most {limit}",
            platform=adapter.platform,
        )
    mime = video_type(path) or "video/mp4"
    width = height = None
    try:  # the picture's shape, for players that size the frame before loading
        from soulpost.mediafacts import FactsUnavailable, video_facts

        facts = video_facts(where)
        width, height = facts.width, facts.height
    except (FactsUnavailable, OSError):
        pass
    return MediaFile(where, str(item.get("alt") or ""), data, mime, width, height)


def read_all_media(
    adapter: Adapter, media: Iterable[Mapping[str, Any]] | None, *, max_bytes: int | None = None
) -> list[MediaFile]:
    """Every image of a payload, read before the first upload, so an unreadable or
    oversized file fails before anything has gone out."""
    return [read_media(adapter, item, max_bytes=max_bytes) for item in media or ()]


def mime_type(path: Path, data: bytes = b"") -> str:
    """The MIME type from the file's first bytes, else (or without them) from its name."""
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
