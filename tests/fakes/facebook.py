"""A fake Facebook Graph API for one Page: feed, photos, comments and error codes.

Shapes follow ``shared/platforms.md`` §5: ``{"id": "<page>_<post>"}``; errors
``{"error": {message, type, code, error_subcode, fbtrace_id}}`` with HTTP 400 for 506
(duplicate status message) and 190 (bad token). Throttling (codes 4/17/32/613/80001) is not
automatic: script it with ``fake.fail(400, fake.error(32, ...))`` since its real HTTP status
is unverified. Every answer carries ``X-App-Usage``. Any ``/vNN.0/`` prefix is accepted.

``GET /{page}/feed`` lists the Page's posts, newest first, with the fields asked for
(``created_time`` in Graph's ``+0000`` form, ``from``, ``permalink_url``); ``fake.clock`` (a
callable) stamps new posts and :meth:`FacebookFake.add_post` puts one there as if made
elsewhere (by hand, by a visitor).
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from tests.fakes.server import FakeServer, Request, Response

_V = r"/v\d+\.\d+"


class FacebookFake(FakeServer):
    """``fake.posts`` maps post id -> fields; ``fake.photos`` photo id -> fields."""

    name = "facebook"

    def __init__(self, *, token: str = "page-token", page_id: str = "101234567890") -> None:
        super().__init__()
        self.token = token
        self.page_id = page_id
        self.posts: dict[str, dict[str, Any]] = {}
        self.photos: dict[str, dict[str, Any]] = {}
        self.comments: list[dict[str, Any]] = []
        self._ids = itertools.count(122100000000000001, 7919)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.route("GET", rf"{_V}/(?P<page>\d+)/feed", self._recent)
        self.route("POST", rf"{_V}/(?P<page>\d+)/feed", self._feed)
        self.route("POST", rf"{_V}/(?P<page>\d+)/photos", self._photo)
        self.route("POST", rf"{_V}/(?P<page>\d+)/videos", self._video)
        self.videos: dict[str, dict[str, Any]] = {}
        self.route("POST", rf"{_V}/(?P<post>\d+_\d+)/comments", self._comment)
        self.route("GET", rf"{_V}/(?P<post>\d+_\d+)/comments", self._comments)
        self.route("GET", rf"{_V}/(?P<post>\d+_\d+)", self._get)

    @staticmethod
    def error(
        code: int, message: str, subcode: int | None = None, kind: str = "OAuthException"
    ) -> dict[str, Any]:
        """A Graph API error body."""
        error: dict[str, Any] = {
            "message": message,
            "type": kind,
            "code": code,
            "fbtrace_id": "AZfakeTrace",
        }
        if subcode is not None:
            error["error_subcode"] = subcode
        return {"error": error}

    def _params(self, request: Request) -> dict[str, str]:
        params = {k: v[0] for k, v in request.query.items()}
        params.update(dict(request.form or ()))
        if isinstance(request.json, dict):
            params.update(
                {k: v if isinstance(v, str) else json.dumps(v) for k, v in request.json.items()}
            )
        for part in request.parts or ():
            if part.filename is None:
                params[part.name] = part.text
        return params

    def dispatch(self, request: Request) -> Response:
        token = request.bearer or self._params(request).get("access_token")
        if token is None:
            return Response.json(
                400,
                self.error(
                    2500,
                    "An active access token must be used to query information about the current user.",
                ),
            )
        if token != self.token:
            return Response.json(
                400, self.error(190, "Invalid OAuth access token - Cannot parse access token")
            )
        return super().dispatch(request)

    def decorate(self, request: Request, response: Response) -> Response:
        response.headers.setdefault(
            "X-App-Usage", '{"call_count":1,"total_cputime":1,"total_time":1}'
        )
        if response.status >= 400:
            # Graph API repeats the error in WWW-Authenticate.
            with suppress(ValueError, KeyError, TypeError):
                error = json.loads(response.body)["error"]
                response.headers.setdefault(
                    "WWW-Authenticate",
                    f'OAuth "Facebook Platform" "{error.get("type", "")}" "{error.get("message", "")}"',
                )
        return response

    def not_found(self, request: Request, path_exists: bool) -> Response:
        return Response.json(
            400, self.error(100, "Unsupported post request.", 33, "GraphMethodException")
        )

    def _page(self, match: re.Match[str]) -> Response | None:
        if match["page"] != self.page_id:
            return Response.json(
                400, self.error(100, "Unsupported post request.", 33, "GraphMethodException")
            )
        return None

    def _feed(self, request: Request, match: re.Match[str]) -> Response:
        wrong = self._page(match)
        if wrong:
            return wrong
        params = self._params(request)
        message = params.get("message", "")
        attached = json.loads(params.get("attached_media") or "[]")
        if not message and not params.get("link") and not attached:
            return Response.json(
                400, self.error(100, "(#100) Missing message or attachment", kind="OAuthException")
            )
        if message and any(p.get("message") == message for p in self.posts.values()):
            return Response.json(400, self.error(506, "(#506) Duplicate status message"))
        for item in attached:
            if str(item.get("media_fbid")) not in self.photos:
                return Response.json(400, self.error(100, "(#100) Invalid media_fbid"))
        post_id = self.add_post(message)
        self.posts[post_id] |= {"link": params.get("link"), "attached_media": attached}
        return Response.json(200, {"id": post_id})

    def add_post(
        self, message: str, *, created: datetime | None = None, author: str | None = None
    ) -> str:
        """Put a post on the Page's feed (by the Page unless *author*); its id."""
        post_id = f"{self.page_id}_{next(self._ids)}"
        self.posts[post_id] = {
            "message": message,
            "created": created or self.clock(),
            "from": author or self.page_id,
        }
        return post_id

    def _recent(self, request: Request, match: re.Match[str]) -> Response:
        params = self._params(request)
        fields = set(params.get("fields", "id").split(","))
        limit = int(params.get("limit", "25"))
        data = []
        for post_id, post in list(reversed(self.posts.items()))[:limit]:
            item: dict[str, Any] = {"id": post_id}
            if "message" in fields and post.get("message"):
                item["message"] = post["message"]
            if "created_time" in fields:
                item["created_time"] = (
                    post["created"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
                )
            if "from" in fields:
                item["from"] = {"id": post["from"], "name": "someone"}
            if "permalink_url" in fields:
                item["permalink_url"] = f"https://www.facebook.com/permalink/{post_id}"
            data.append(item)
        return Response.json(200, {"data": data})

    def _photo(self, request: Request, match: re.Match[str]) -> Response:
        wrong = self._page(match)
        if wrong:
            return wrong
        params = self._params(request)
        source = request.file("source")
        if source is None and not params.get("url"):
            return Response.json(
                400, self.error(324, "(#324) Requires upload file", kind="OAuthException")
            )
        photo_id = str(next(self._ids))
        self.photos[photo_id] = {
            "caption": params.get("message") or params.get("caption"),
            "alt_text_custom": params.get("alt_text_custom"),
            "bytes": source.data if source is not None else None,
            "url": params.get("url"),
        }
        if params.get("published", "true") == "false":
            return Response.json(200, {"id": photo_id})
        post_id = f"{self.page_id}_{photo_id}"
        self.posts[post_id] = {
            "message": self.photos[photo_id]["caption"],
            "photo": photo_id,
            "created": self.clock(),
            "from": self.page_id,
        }
        return Response.json(200, {"id": photo_id, "post_id": post_id})

    def _video(self, request: Request, match: re.Match[str]) -> Response:
        """``POST /{page}/videos`` (multipart ``source``, ``description``): ``{"id"}``; the
        video also appears in the Page's feed with its description as the message."""
        wrong = self._page(match)
        if wrong:
            return wrong
        source = request.file("source")
        if source is None or source.data[4:8] != b"ftyp":
            return Response.json(400, self.error(352, "(#352) Video file format is not supported"))
        video_id = str(next(self._ids))
        description = self._params(request).get("description", "")
        self.videos[video_id] = {"bytes": source.data, "description": description}
        self.posts[f"{self.page_id}_{video_id}"] = {"message": description, "video": video_id}
        return Response.json(200, {"id": video_id})

    def _comment(self, request: Request, match: re.Match[str]) -> Response:
        if match["post"] not in self.posts:
            return Response.json(
                400, self.error(100, "Object with ID does not exist", 33, "GraphMethodException")
            )
        comment_id = f"{match['post'].split('_')[1]}_{next(self._ids)}"
        self.comments.append(
            {
                "id": comment_id,
                "post": match["post"],
                "message": self._params(request).get("message"),
                "created_time": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime()),
                "from": {"id": self.page_id, "name": "Soulpost Page"},
            }
        )
        return Response.json(200, {"id": comment_id})

    def _comments(self, request: Request, match: re.Match[str]) -> Response:
        """``GET /{post}/comments``: its comments, oldest first (Graph's default order)."""
        mine = [c for c in self.comments if c["post"] == match["post"]]
        return Response.json(
            200, {"data": [{k: v for k, v in c.items() if k != "post"} for c in mine]}
        )

    def _get(self, request: Request, match: re.Match[str]) -> Response:
        post = self.posts.get(match["post"])
        if post is None:
            return Response.json(
                400, self.error(100, "Object with ID does not exist", 33, "GraphMethodException")
            )
        return Response.json(
            200,
            {
                "id": match["post"],
                "message": post.get("message"),
                "permalink_url": f"https://www.facebook.com/{match['post']}",
            },
        )
