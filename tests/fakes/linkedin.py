r"""A fake LinkedIn Posts API: versioned headers, 201 + x-restli-id, duplicates, images.

Shapes follow ``shared/platforms.md`` §4. Besides answering like LinkedIn, the fake keeps
what LinkedIn would actually *show* for each post: ``fake.posts[urn]["shown"]`` is the
commentary cut at the first unescaped little-format reserved character, which is how
LinkedIn silently truncates text it cannot parse while still answering 201. A test that
checks ``shown == text`` proves the escaping end to end. A bare ``#tag`` (a letter, then
letters and digits, not inside a word) is LinkedIn's HashtagElement and the
``{hashtag|\#|tag}`` template its HashtagTemplate: both render as linked hashtags, listed in
``fake.posts[urn]["hashtags"]`` (an escaped ``\#tag`` is plain text, not a hashtag).
``fake.clock`` stamps each post's ``createdAt`` (epoch milliseconds, as LinkedIn gives it).
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.fakes.server import FakeServer, Request, Response

RESERVED = set("\\|{}@[]()<>#*_~")
_TEMPLATE = re.compile(
    r"\{hashtag\|\\#\|(?P<tag>(?:\\.|[^\\}])*)\}|@\[(?P<name>(?:\\.|[^\\\]])*)\]\((?P<urn>urn:li:[^)]+)\)"
    r"|(?<!\w)#(?P<bare>(?=[^\W_]*[^\W\d_])[^\W_]+)"
)


def hashtags_of(commentary: str) -> list[str]:
    """The hashtags LinkedIn would link in *commentary* (templates and bare elements)."""
    found = []
    i = 0
    while i < len(commentary):
        template = _TEMPLATE.match(commentary, i)
        if template:
            if template["tag"] is not None or template["bare"] is not None:
                found.append(_unescape(template["tag"] or template["bare"]))
            i = template.end()
        else:
            i += 2 if commentary[i] == "\\" else 1
    return found


def shown_text(commentary: str) -> str:
    """What LinkedIn displays: templates rendered, escapes removed, cut at a bare reserved
    character."""
    out: list[str] = []
    i = 0
    while i < len(commentary):
        template = _TEMPLATE.match(commentary, i)
        if template:
            if template["tag"] is not None or template["bare"] is not None:
                out.append("#" + _unescape(template["tag"] or template["bare"]))
            else:
                out.append(_unescape(template["name"]))
            i = template.end()
            continue
        char = commentary[i]
        if char == "\\" and i + 1 < len(commentary):
            out.append(commentary[i + 1])
            i += 2
            continue
        if char in RESERVED:
            break
        out.append(char)
        i += 1
    return "".join(out)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


class LinkedInFake(FakeServer):
    """``fake.versions`` are the active ``LinkedIn-Version`` values."""

    name = "linkedin"

    def __init__(
        self,
        *,
        token: str = "test-token",
        versions: tuple[str, ...] = ("202601", "202511"),
        member: str = "8675309",
    ) -> None:
        super().__init__()
        self.token = token
        self.versions = set(versions)
        self.member = member
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.posts: dict[str, dict[str, Any]] = {}
        self.images: dict[str, dict[str, Any]] = {}
        self.comments: list[dict[str, Any]] = []
        self._ids = itertools.count(7295588489876647936, 7919)
        self.route("POST", r"/rest/posts", self._post)
        self.route("GET", r"/rest/posts/(?P<urn>[^/]+)", self._get)
        self.route("POST", r"/rest/images", self._initialize)
        self.route("POST", r"/rest/videos", self._video_action)
        self.route("PUT", r"/video-upload/(?P<video>[^/]+)/(?P<part>\d+)", self._video_part)
        self.route("GET", r"/rest/videos/(?P<urn>[^/]+)", self._video_get)
        self.videos: dict[str, dict[str, Any]] = {}
        self.route("PUT", r"/upload/(?P<image>[^/]+)", self._upload)
        self.route("POST", r"/rest/socialActions/(?P<urn>[^/]+)/comments", self._comment)
        self.route("GET", r"/rest/socialActions/(?P<urn>[^/]+)/comments", self._comments)
        self.route("GET", r"/v2/userinfo", self._userinfo)

    def dispatch(self, request: Request) -> Response:
        if request.bearer != self.token:
            return Response.json(
                401,
                {
                    "status": 401,
                    "serviceErrorCode": 65600,
                    "code": "INVALID_ACCESS_TOKEN",
                    "message": "Invalid access token",
                },
            )
        if request.path.startswith("/rest/"):
            version = request.headers.get("LinkedIn-Version")
            if version is None:
                return Response.json(
                    400,
                    {
                        "status": 400,
                        "code": "VERSION_MISSING",
                        "message": "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
                    },
                )
            if version not in self.versions:
                return Response.json(
                    426,
                    {
                        "status": 426,
                        "code": "NONEXISTENT_VERSION",
                        "message": f"Requested version {version} is not active",
                    },
                )
            if (
                request.headers.get("X-Restli-Protocol-Version") != "2.0.0"
                and request.method == "POST"
            ):
                return Response.json(
                    400, {"status": 400, "message": "X-Restli-Protocol-Version 2.0.0 is required"}
                )
        return super().dispatch(request)

    def not_found(self, request: Request, path_exists: bool) -> Response:
        return Response.json(
            404, {"status": 404, "message": f"No virtual resource found: {request.path}"}
        )

    def _bad(self, message: str) -> Response:
        return Response.json(422, {"status": 422, "message": message})

    def _post(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            return Response.json(400, {"status": 400, "message": "Request body must be JSON"})
        for key in ("author", "commentary", "visibility", "distribution", "lifecycleState"):
            if key not in body:
                return self._bad(
                    f"/{key} :: field is required but not found and has no default value"
                )
        author = str(body["author"])
        if not re.fullmatch(r"urn:li:(person|organization):\w+", author):
            return self._bad(f"/author :: {author} is not a valid person or organization urn")
        media = (body.get("content") or {}).get("media")
        video = self.videos.get(str((media or {}).get("id")))
        if video is not None and video["status"] != "AVAILABLE":
            return self._bad(f"/content/media/id :: {media['id']} is not available yet")
        if media is not None and video is None:
            image = self.images.get(str(media.get("id")))
            if image is None or not image["uploaded"]:
                return self._bad(
                    f"/content/media/id :: {media.get('id')} is not an available image"
                )
        article = (body.get("content") or {}).get("article")
        if article is not None:
            if not str(article.get("source", "")).startswith(("http://", "https://")):
                return self._bad("/content/article/source :: must be an http(s) URL")
            if not article.get("title"):
                return self._bad("/content/article/title :: field is required but not found")
            thumb = article.get("thumbnail")
            if thumb is not None and not (self.images.get(str(thumb)) or {}).get("uploaded"):
                return self._bad(f"/content/article/thumbnail :: {thumb} is not an available image")
        for urn, post in self.posts.items():
            if post["author"] == author and post["commentary"] == body["commentary"]:
                return Response.json(
                    422,
                    {
                        "errorDetailType": "com.linkedin.common.error.BadRequest",
                        "message": f"ERROR :: /commentary :: Content is a duplicate of {urn}",
                        "errorDetails": {
                            "inputErrors": [
                                {
                                    "description": "Duplicate post is detected",
                                    "input": {},
                                    "code": "DUPLICATE_POST",
                                }
                            ]
                        },
                        "status": 422,
                    },
                )
        urn = f"urn:li:share:{next(self._ids)}"
        commentary = str(body["commentary"])
        self.posts[urn] = {
            **body,
            "createdAt": int(self.clock().timestamp() * 1000),
            "shown": shown_text(commentary),
            "hashtags": hashtags_of(commentary),
        }
        return Response(201, b"", {"x-restli-id": urn, "x-linkedin-id": urn})

    def _get(self, request: Request, match: re.Match[str]) -> Response:
        from urllib.parse import unquote

        post = self.posts.get(unquote(match["urn"]))
        if post is None:
            return self.not_found(request, True)
        hidden = ("shown", "hashtags")
        return Response.json(200, {k: v for k, v in post.items() if k not in hidden})

    def _initialize(self, request: Request, _: re.Match[str]) -> Response:
        if request.query.get("action") != ["initializeUpload"]:
            return Response.json(
                400, {"status": 400, "message": "action=initializeUpload is required"}
            )
        owner = ((request.json or {}).get("initializeUploadRequest") or {}).get("owner")
        if not owner:
            return self._bad("/initializeUploadRequest/owner :: field is required")
        key = f"C4E10AQ{next(self._ids)}"
        urn = f"urn:li:image:{key}"
        self.images[urn] = {"owner": owner, "uploaded": False, "data": b"", "key": key}
        return Response.json(
            200,
            {
                "value": {
                    "uploadUrlExpiresAt": 1796083200000,
                    "uploadUrl": f"{self.url}/upload/{key}",
                    "image": urn,
                }
            },
        )

    # --- videos: initializeUpload (parts of 4 MB), PUT each part, finalizeUpload, then the
    # video is PROCESSING for ``video_polls`` reads before AVAILABLE -----------------------

    video_part = 4 * 1024 * 1024
    video_polls = 1

    def _video_action(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json if isinstance(request.json, dict) else {}
        action = (request.query.get("action") or [""])[0]
        if action == "initializeUpload":
            ask = body.get("initializeUploadRequest") or {}
            size = int(ask.get("fileSizeBytes") or 0)
            if not ask.get("owner") or size <= 0:
                return self._bad("/initializeUploadRequest :: owner and fileSizeBytes are required")
            key = f"D5610AQ{next(self._ids)}"
            urn = f"urn:li:video:{key}"
            parts = [
                (a, min(a + self.video_part, size) - 1) for a in range(0, size, self.video_part)
            ]
            self.videos[urn] = {
                "size": size,
                "parts": {},
                "status": "WAITING_UPLOAD",
                "polls": self.video_polls,
            }
            instructions = [
                {"uploadUrl": f"{self.url}/video-upload/{key}/{i}", "firstByte": a, "lastByte": b}
                for i, (a, b) in enumerate(parts)
            ]
            value = {"video": urn, "uploadInstructions": instructions, "uploadToken": ""}
            return Response.json(200, {"value": value})
        if action == "finalizeUpload":
            ask = body.get("finalizeUploadRequest") or {}
            video = self.videos.get(str(ask.get("video")))
            if video is None:
                return self._bad("/finalizeUploadRequest/video :: unknown video")
            tags = [f'"part-{i}"' for i in sorted(video["parts"])]
            data = b"".join(video["parts"][i] for i in sorted(video["parts"]))
            if ask.get("uploadedPartIds") != tags or len(data) != video["size"]:
                return self._bad("/finalizeUploadRequest/uploadedPartIds :: parts missing")
            video.update(data=data, status="PROCESSING")
            return Response(200)
        return Response.json(400, {"status": 400, "message": "unknown action"})

    def _video_part(self, request: Request, match: re.Match[str]) -> Response:
        video = self.videos.get(f"urn:li:video:{match['video']}")
        if video is None:
            return self.not_found(request, True)
        video["parts"][int(match["part"])] = request.body
        return Response(200, b"", {"ETag": f'"part-{match["part"]}"'})

    def _video_get(self, request: Request, match: re.Match[str]) -> Response:
        from urllib.parse import unquote

        urn = unquote(match["urn"])
        video = self.videos.get(urn)
        if video is None:
            return self.not_found(request, True)
        if video["status"] == "PROCESSING":
            video["polls"] -= 1
            if video["polls"] < 0:
                video["status"] = "AVAILABLE"
        return Response.json(200, {"id": urn, "status": video["status"]})

    def _upload(self, request: Request, match: re.Match[str]) -> Response:
        image = self.images.get(f"urn:li:image:{match['image']}")
        if image is None:
            return self.not_found(request, True)
        image.update(uploaded=True, data=request.body)
        return Response(201)

    def _comment(self, request: Request, match: re.Match[str]) -> Response:
        from urllib.parse import unquote

        urn = unquote(match["urn"])
        if urn not in self.posts:
            return self.not_found(request, True)
        comment = dict(request.json or {})
        comment_urn = f"urn:li:comment:({urn},{next(self._ids)})"
        comment.update({"$URN": comment_urn, "created": {"time": int(time.time() * 1000)}})
        self.comments.append(comment)
        return Response.json(201, {**comment, "id": comment_urn}, {"x-restli-id": comment_urn})

    def _comments(self, request: Request, match: re.Match[str]) -> Response:
        """``GET /rest/socialActions/{urn}/comments``: the post's comments, newest first."""
        from urllib.parse import unquote

        urn = unquote(match["urn"])
        if urn not in self.posts:
            return self.not_found(request, True)
        elements = [c for c in reversed(self.comments) if c.get("object") == urn]
        return Response.json(200, {"elements": elements, "paging": {"count": len(elements)}})

    def _userinfo(self, request: Request, _: re.Match[str]) -> Response:
        return Response.json(200, {"sub": self.member, "name": "Soul Post", "email_verified": True})
