"""Media files as every adapter reads them: where a post's ``media.path`` is, the bytes with
their MIME type and pixel size, refused before anything is sent when a file is missing or
too big for the platform.

A rendered payload carries media as ``[{"path", "alt"}]`` (:func:`media_list`); publishing
turns each entry into a :class:`MediaFile` (:func:`read_all_media`).
"""

from __future__ import annotations

import mimetypes
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    candidate = Path(path).expanduser()
    if candidate.is_absolute():
        return candidate
    return (config.root or Path.cwd()) / candidate


def read_media(
    adapter: Adapter, item: Mapping[str, Any], *, max_bytes: int | None = None
) -> MediaFile:
    """Read one ``{"path", "alt"}`` entry; :class:`Rejected` when the file is missing or
    bigger than *max_bytes* (default: the adapter's ``max_image_bytes``): nothing has been
    sent yet, and sending again unchanged cannot help."""
    caps = adapter.capabilities()
    limit = caps.max_image_bytes if max_bytes is None else max_bytes
    path = str(item.get("path") or "")
    where = media_path(adapter.config, path)
    try:
        data = where.read_bytes()
    except OSError as exc:
        raise Rejected(
            f"cannot read media file {path}: {exc.strerror or exc}", platform=adapter.platform
        ) from None
    if limit is not None and len(data) > limit:
        raise Rejected(
            f"media file {path} is {len(data)} bytes; {caps.title} accepts at most {limit}",
            platform=adapter.platform,
        )
    width, height = image_size(data)
    alt = str(item.get("alt") or "")
    return MediaFile(where, alt, data, mime_type(where, data), width, height)


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
