"""What a video file is: its size, length, picture size and container, read from the file.

The length of a video is in its container's headers, which only a real media parser reads
correctly across MP4, QuickTime and WebM. soulpost asks, in order, ``pymediainfo`` (the
``video`` extra; its Linux wheels bundle the MediaInfo library) and ``ffprobe`` from ffmpeg
when it is on the PATH; when neither is there, :class:`FactsUnavailable` says so and what to
install, and the caller checks what it can without the length (the size).

A video is recognised by its file name: ``.mp4``, ``.m4v``, ``.mov`` and ``.webm``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from soulpost.errors import SoulpostError

VIDEO_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
}
HOW_TO_GET = "install soulpost[video] (pymediainfo) or ffmpeg's ffprobe"


class FactsUnavailable(SoulpostError):
    """The video's length cannot be read here; the message says why and what to install."""


@dataclass(frozen=True)
class VideoFacts:
    """One video file, as its container describes it."""

    size: int
    seconds: float | None
    width: int | None
    height: int | None
    mime: str


def video_type(path: str) -> str | None:
    """The video MIME type of *path* by its name, or None when it is not a video."""
    return VIDEO_TYPES.get(Path(path).suffix.lower())


def is_video(path: str) -> bool:
    return video_type(path) is not None


def video_facts(path: Path) -> VideoFacts:
    """Size, length and picture size of the video at *path* (OSError if it cannot be read;
    FactsUnavailable when no parser is installed or none understands it)."""
    size = path.stat().st_size
    mime = video_type(path.name) or "application/octet-stream"
    for probe in (_mediainfo, _ffprobe):
        found = probe(path)
        if found is not None:
            seconds, width, height = found
            return VideoFacts(size, seconds, width, height, mime)
    raise FactsUnavailable(f"cannot read the length of {path.name}: {HOW_TO_GET}")


def _mediainfo(path: Path) -> tuple[float | None, int | None, int | None] | None:
    try:
        from pymediainfo import MediaInfo
    except ImportError:
        return None
    if not MediaInfo.can_parse():
        return None
    try:
        info = MediaInfo.parse(str(path))
    except (OSError, RuntimeError, ValueError):
        return None
    general = next((t for t in info.tracks if t.track_type == "General"), None)
    video = next((t for t in info.tracks if t.track_type == "Video"), None)
    if general is None or video is None:
        return None
    millis = general.duration or video.duration
    seconds = float(millis) / 1000 if millis is not None else None
    return seconds, _int(video.width), _int(video.height)


def _ffprobe(path: Path) -> tuple[float | None, int | None, int | None] | None:
    exe = shutil.which("ffprobe")
    if exe is None:
        return None
    try:
        done = subprocess.run(
            [
                exe,
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                str(path),
            ],
            capture_output=True,
            timeout=30,
            check=False,
        )
        data = json.loads(done.stdout or b"{}")
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    streams = [s for s in data.get("streams") or () if s.get("codec_type") == "video"]
    if not streams:
        return None
    duration = (data.get("format") or {}).get("duration") or streams[0].get("duration")
    seconds = float(duration) if duration not in (None, "N/A") else None
    return seconds, _int(streams[0].get("width")), _int(streams[0].get("height"))


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
