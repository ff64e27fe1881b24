"""Fake Threads and Instagram APIs: media containers, publishing, listings and errors.

Both follow Meta's two-step flow. ``POST /{user}/threads`` (Threads) or ``/{user}/media``
(Instagram) makes a container; images are *fetched* by the fake from their ``image_url``
like the real services do (so a test serves the workspace's files on 127.0.0.1) and the
container stays ``IN_PROGRESS`` for ``media_polls`` status reads before ``FINISHED``.
``POST /{user}/threads_publish`` / ``media_publish`` with ``creation_id`` turns a finished
container into a post (``fake.posts``) and the container into ``PUBLISHED``; publishing a
container twice, or one not finished, is a Graph error. ``GET /{id}`` reads a container
(``status`` / ``status_code``) or a post (with ``permalink``); ``GET /{user}/threads``,
``/{user}/replies`` and ``/{user}/media`` list posts newest first.

Errors are Graph API errors (``{"error": {message, type, code, error_subcode}}``, HTTP 400),
as in :mod:`tests.fakes.facebook`. Instagram's daily publishing limit is ``publish_limit``
(code 9, subcode 2207042 when reached).
"""

from __future__ import annotations

import itertools
import re
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import regex

from tests.fakes.facebook import FacebookFake
from tests.fakes.server import FakeServer, Request, Response

_V = r"/v\d+\.\d+"
_PICTO = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")


def threads_count(text: str) -> int:
    """Threads' length: graphemes, an emoji counted as its UTF-8 bytes."""
    return sum(len(g.encode()) if _PICTO.search(g) else 1 for g in regex.findall(r"\X", text))


class MetaFake(FakeServer):
    """Shared by both fakes; subclasses set the edges and fields."""

    create_edge = ""
    publish_edge = ""
    state_field = "status"
    text_field = "text"
    max_length = 500
    image_types: tuple[bytes, ...] = (b"\xff\xd8\xff", b"\x89PNG")

    def __init__(
        self,
        *,
        token: str = "meta-token",
        user_id: str = "17841400000000001",
        media_polls: int = 1,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.token = token
        self.user_id = user_id
        self.media_polls = media_polls
        self.now = now or (lambda: datetime.now(UTC))
        self.containers: dict[str, dict[str, Any]] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        self.fetched: list[tuple[str, bytes]] = []  # (url, bytes) of every image fetched
        self._ids = itertools.count(17890000000000001, 7919)
        user = rf"{_V}/(?P<user>me|\d+)"
        self.route("POST", rf"{user}/{self.create_edge}$", self._create)
        self.route("POST", rf"{user}/{self.publish_edge}$", self._publish)
        self.route("GET", rf"{user}/(?P<edge>threads|replies|media)$", self._list)
        self.route("GET", rf"{_V}/(?P<id>me|\d+)$", self._get)
        self.route("POST", rf"{_V}/(?P<media>\d+)/comments$", self._comment)
        self.route("GET", rf"{_V}/(?P<media>\d+)/comments$", self._comments)
        self.comments: list[dict[str, Any]] = []

    error = staticmethod(FacebookFake.error)

    def _params(self, request: Request) -> dict[str, str]:
        params = {k: v[0] for k, v in request.query.items()}
        params.update(dict(request.form or ()))
        return params

    def dispatch(self, request: Request) -> Response:
        token = request.bearer or self._params(request).get("access_token")
        if token != self.token:
            return Response.json(400, self.error(190, "Invalid OAuth access token."))
        return super().dispatch(request)

    def not_found(self, request: Request, path_exists: bool) -> Response:
        return Response.json(
            400, self.error(100, "Unsupported request.", 33, "GraphMethodException")
        )

    def _bad(self, message: str, code: int = 100, subcode: int | None = None) -> Response:
        return Response.json(400, self.error(code, message, subcode, "OAuthException"))

    def _user(self, match: re.Match[str]) -> Response | None:
        if match["user"] not in ("me", self.user_id):
            return self._bad("Unsupported request.", 100, 33)
        return None

    def _fetch(self, url: str) -> bytes | None:
        """Fetch an image the way the platform would (loopback only in tests)."""
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                data: bytes = answer.read()
        except OSError:
            return None
        self.fetched.append((url, data))
        return data

    def check_image(self, data: bytes | None) -> Response | None:
        """A Graph error when the image could not be fetched or has the wrong type."""
        if data is None:
            return self._bad(
                "Media download has failed: the media URI doesn't work.", 9004, 2207052
            )
        if not data.startswith(self.image_types):
            return self._bad("The image format is not supported.", 9004, 2207083)
        return None

    def check_container(self, params: dict[str, str]) -> Response | None:
        """Platform-specific checks of a new container (text, reply target...)."""
        return None

    def _create(self, request: Request, match: re.Match[str]) -> Response:
        wrong = self._user(match)
        if wrong:
            return wrong
        params = self._params(request)
        wrong = self.check_container(params)
        if wrong:
            return wrong
        kind = params.get("media_type") or ("IMAGE" if params.get("image_url") else "")
        pending = 0
        if params.get("image_url"):
            wrong = self.check_image(self._fetch(params["image_url"]))
            if wrong:
                return wrong
            pending = self.media_polls
        if params.get("video_url"):
            data = self._fetch(params["video_url"])
            if data is None or data[4:8] != b"ftyp":  # an MP4/QuickTime file starts so
                return self._bad("The video could not be fetched or is not a video.", 9004, 2207052)
            pending = self.media_polls + 1  # video takes longer
        children = [c for c in params.get("children", "").split(",") if c]
        for child in children:
            item = self.containers.get(child)
            if item is None or not item.get("is_carousel_item"):
                return self._bad(f"Invalid carousel child {child}", 100)
        container_id = str(next(self._ids))
        self.containers[container_id] = {
            "kind": kind,
            "params": params,
            "state": "IN_PROGRESS" if pending else "FINISHED",
            "pending": pending,
            "children": children,
            "is_carousel_item": params.get("is_carousel_item") == "true",
        }
        return Response.json(200, {"id": container_id})

    def publish_refusal(self) -> Response | None:
        """An error every publish call gets right now (a daily limit), or None."""
        return None

    def _publish(self, request: Request, match: re.Match[str]) -> Response:
        wrong = self._user(match) or self.publish_refusal()
        if wrong:
            return wrong
        container_id = self._params(request).get("creation_id", "")
        container = self.containers.get(container_id)
        if container is None:
            return self._bad("Media ID is not available", 9007, 2207027)
        if container["state"] == "PUBLISHED":
            return self._bad("The media has already been published", 9007, 2207026)
        if container["state"] != "FINISHED" or container["is_carousel_item"]:
            return self._bad("Media ID is not available: not finished processing", 9007, 2207027)
        container["state"] = "PUBLISHED"
        post_id = str(next(self._ids))
        params = container["params"]
        self.posts[post_id] = {
            "id": post_id,
            "text": params.get(self.text_field, ""),
            "timestamp": self.now().strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "permalink": f"https://www.example.test/p/{post_id}",
            "media_type": container["kind"],
            "container": container_id,
            "reply_to": params.get("reply_to_id"),
            "images": [
                (
                    self.containers[c]["params"].get("image_url"),
                    self.containers[c]["params"].get("alt_text"),
                )
                for c in container["children"]
            ]
            or (
                [(params.get("image_url") or params["video_url"], params.get("alt_text"))]
                if params.get("image_url") or params.get("video_url")
                else []
            ),
        }
        return Response.json(200, {"id": post_id})

    def _comment(self, request: Request, match: re.Match[str]) -> Response:
        if match["media"] not in self.posts:
            return self._bad("Object with ID does not exist", 100, 33)
        text = self._params(request).get("message", "")
        if not text:
            return self._bad("The parameter message is required.", 100)
        comment = {
            "id": str(next(self._ids)),
            "media": match["media"],
            "text": text,
            "timestamp": self.now().strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "from": {"id": self.user_id, "username": "soulpost_test"},
        }
        self.comments.append(comment)
        return Response.json(200, {"id": comment["id"]})

    def _comments(self, request: Request, match: re.Match[str]) -> Response:
        found = [
            {k: v for k, v in c.items() if k != "media"}
            for c in self.comments
            if c["media"] == match["media"]
        ]
        return Response.json(200, {"data": found})

    def shown(self, post: dict[str, Any]) -> dict[str, Any]:
        out = {k: post[k] for k in ("id", "timestamp", "permalink", "media_type")}
        out[self.text_field] = post["text"]
        if post.get("reply_to"):
            out["replied_to"] = {"id": post["reply_to"]}
        return out

    def _list(self, request: Request, match: re.Match[str]) -> Response:
        wrong = self._user(match)
        if wrong:
            return wrong
        replies = match["edge"] == "replies"
        found = [
            self.shown(p)
            for p in reversed(self.posts.values())
            if bool(p.get("reply_to")) == replies
        ]
        limit = int(self._params(request).get("limit", "25"))
        return Response.json(200, {"data": found[:limit]})

    def _get(self, request: Request, match: re.Match[str]) -> Response:
        ident = match["id"]
        if ident in ("me", self.user_id):
            return Response.json(200, {"id": self.user_id, "username": "soulpost_test"})
        container = self.containers.get(ident)
        if container is not None:
            if container["state"] == "IN_PROGRESS":
                container["pending"] -= 1
                if container["pending"] <= 0:
                    container["state"] = "FINISHED"
                return Response.json(200, {"id": ident, self.state_field: "IN_PROGRESS"})
            return Response.json(200, {"id": ident, self.state_field: container["state"]})
        post = self.posts.get(ident)
        if post is None:
            return self._bad("Object with ID does not exist", 100, 33)
        return Response.json(200, self.shown(post))


class ThreadsFake(MetaFake):
    """``fake.posts`` maps post id -> fields (``reply_to`` for replies)."""

    name = "threads"
    create_edge = "threads"
    publish_edge = "threads_publish"

    def check_container(self, params: dict[str, str]) -> Response | None:
        text = params.get("text", "")
        if params.get("media_type") == "TEXT" and not text:
            return self._bad("The parameter text is required for text posts.", 100)
        if threads_count(text) > self.max_length:
            return self._bad("Param text must be at most 500 characters long.", 100)
        parent = params.get("reply_to_id")
        if parent is not None and parent not in self.posts:
            return self._bad("The reply target does not exist", 100, 33)
        return None


class InstagramFake(MetaFake):
    """Instagram: JPEG only, captions, carousels, and a daily publishing limit."""

    name = "instagram"
    create_edge = "media"
    publish_edge = "media_publish"
    state_field = "status_code"
    text_field = "caption"
    image_types = (b"\xff\xd8\xff",)

    def __init__(self, *, publish_limit: int = 100, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.publish_limit = publish_limit

    def check_container(self, params: dict[str, str]) -> Response | None:
        if len(params.get("caption", "")) > 2200:
            return self._bad("The caption is too long (2200 characters at most).", 100)
        if params.get("media_type") == "REELS" and params.get("video_url"):
            return None
        if not params.get("image_url") and params.get("media_type") not in ("CAROUSEL", "VIDEO"):
            return self._bad("The parameter image_url is required.", 100)
        return None

    def publish_refusal(self) -> Response | None:
        if len(self.posts) >= self.publish_limit:
            return self._bad("Application request limit reached", 9, 2207042)
        return None


class MediaHost:
    """The workspace's files served on 127.0.0.1, as a CDN would serve them to Meta."""

    def __init__(self, root: Any) -> None:
        import functools
        import threading
        from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

        handler = functools.partial(Quiet, directory=str(root))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    def __enter__(self) -> MediaHost:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def jpeg(width: int = 4, height: int = 3) -> bytes:
    """A real JPEG (Pillow), for Instagram, which takes JPEG only."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 90, 30)).save(out, "JPEG")
    return out.getvalue()


def mp4(path: Any, seconds: float = 2.0, size: str = "160x120") -> bytes:
    """A real H.264 MP4 of *seconds*, made by the ffmpeg that imageio-ffmpeg bundles."""
    import subprocess
    from pathlib import Path

    import imageio_ffmpeg

    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi",
            "-i", f"testsrc=duration={seconds}:size={size}:rate=10",
            "-pix_fmt", "yuv420p", "-y", str(path),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return Path(path).read_bytes()
