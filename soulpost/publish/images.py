"""Images made fit to send: location metadata removed, and shrunk under a platform's limit.

Photos from phones carry the place they were taken in their EXIF data (the GPS block). A
scheduler that uploads the file as it is publishes that place with it, which a social media
manager rarely means to do. And a photo straight from a camera is often larger than a
network accepts (Bluesky takes 2,000,000 bytes).

With Pillow installed (``pip install soulpost[images]``) soulpost works on a copy in memory,
never on the workspace's file: the GPS block is dropped (JPEG keeps its own quantisation,
``quality="keep"``, so nothing else changes visibly), and an image over the limit is scaled
down step by step until it fits. Without Pillow the bytes go out as they are, and an image
over the limit is refused before anything is sent, with the hint to install the extra.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

#: The EXIF tag of the GPS block.
GPS_IFD = 0x8825
#: Formats re-encoded here (what the networks take); others go out untouched.
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
#: Never read more than this many bytes of an image into memory to shrink it.
MAX_SOURCE_BYTES = 50 * 1024 * 1024
#: Each step scales both sides by this much at most (and by what the size ratio suggests).
STEP = 0.85
MAX_STEPS = 12


@dataclass(frozen=True)
class Prepared:
    """What goes out, and what was done to it (for the publication's history)."""

    data: bytes
    stripped_location: bool = False
    shrunk_from: int | None = None  # the original size in bytes, when it was shrunk


def available() -> bool:
    """Whether Pillow is installed (the ``images`` extra)."""
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True


def can_shrink(mime: str) -> bool:
    """Whether an image of *mime* over a limit can be made to fit here."""
    return mime in FORMATS and available()


def readable(head: bytes) -> bool:
    """Whether *head* (a file's first bytes) starts an image Pillow can re-encode here."""
    if not available():
        return False
    from PIL import Image

    try:
        with Image.open(io.BytesIO(head)) as image:
            return Image.MIME.get(image.format or "") in FORMATS
    except Exception:
        return False


def prepare(data: bytes, mime: str, limit: int | None) -> Prepared:
    """*data* without location, and under *limit* bytes where that is possible; the input
    unchanged when Pillow is missing, the format is not one handled here, or nothing needs
    doing. A file Pillow cannot read goes out unchanged (the platform decides)."""
    if mime not in FORMATS or not available():
        return Prepared(data)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            exif = image.getexif()
            located = GPS_IFD in exif
            too_big = limit is not None and len(data) > limit
            if not located and not too_big:
                return Prepared(data)
            if located:
                del exif[GPS_IFD]
            out = _encode(image, FORMATS[mime], exif, keep=True)
            if limit is not None and len(out) > limit:
                out = _shrink(image, FORMATS[mime], exif, limit, len(out))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return Prepared(data)
    return Prepared(out, located, len(data) if too_big else None)


def _encode(image: Any, fmt: str, exif: Any, *, keep: bool = False, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    options: dict[str, Any] = {"exif": exif.tobytes()} if len(exif) else {}
    if fmt == "JPEG":
        # "keep" reuses the file's own tables: stripping GPS changes nothing else.
        can_keep = keep and getattr(image, "format", None) == "JPEG"
        options["quality"] = "keep" if can_keep else quality
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
    elif fmt == "PNG":
        options["optimize"] = True
    else:
        options["quality"] = quality
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _shrink(image: Any, fmt: str, exif: Any, limit: int, size: int) -> bytes:
    """Scale down until the encoded image fits *limit* (the last try when nothing does)."""
    from PIL import Image

    current = image
    out = b""
    for _ in range(MAX_STEPS):
        factor = min(STEP, (limit / size) ** 0.5 * 0.95)
        width = max(1, int(current.width * factor))
        height = max(1, int(current.height * factor))
        current = current.resize((width, height), Image.Resampling.LANCZOS)
        out = _encode(current, fmt, exif)
        size = len(out)
        if size <= limit or (width == 1 and height == 1):
            break
    return out
