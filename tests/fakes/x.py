"""A fake X API v2: posts, the duplicate-content 403, rate limits, v2 media upload.

Shapes follow ``shared/platforms.md`` §3 and the tweepy cassettes: 201
``{"data": {"id", "text"}}`` with a ``location`` header, ``x-rate-limit-limit/remaining/
reset`` (epoch seconds) and ``x-user-limit-24hour-*`` on posting, 403 problem object for a
repeated text, 429 problem object when the allowance is used up, 401 problem for a bad token.
Accepts ``Authorization: Bearer <token>`` or an OAuth 1.0a header (checked for shape only:
the signature itself is tested against published vectors in the renderer tests).

``GET /2/users/:id/tweets`` is the account's timeline, newest first, with links shown as
t.co links and ``&<>`` HTML-escaped as X does; like X it gives ``created_at``, ``author_id``
and ``referenced_tweets`` only when ``tweet.fields`` asks for them. ``fake.clock`` (a
callable) stamps ``created_at``; tests point it at their clock.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.fakes.server import FakeServer, Request, Response

DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
TOO_MANY = {
    "title": "Too Many Requests",
    "detail": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
}
UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
USER_ID = "1072250532645998596"
_URL = re.compile(r"https?://\S+")
OAUTH_FIELDS = (
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_signature",
    "oauth_timestamp",
    "oauth_token",
)


class XFake(FakeServer):
    """``fake.tweets`` maps id -> body; ``fake.reset_epoch`` is the advertised reset."""

    name = "x"

    def __init__(
        self,
        *,
        token: str = "test-token",
        rate_limit: int = 200,
        daily_limit: int = 17,
        reset_epoch: int = 1796083200,
        username: str = "soulpost_test",
    ) -> None:
        super().__init__()
        self.token = token
        self.rate_limit = rate_limit
        self.remaining = rate_limit
        self.daily_limit = daily_limit
        self.daily_remaining = daily_limit
        self.reset_epoch = reset_epoch
        self.username = username
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        #: Show other authors' posts on a user's timeline too (to test an author check).
        self.others_in_timeline = False
        self.tweets: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1456012973835788293, 104729)
        self.route("POST", r"/2/tweets", self._post)
        self.route("GET", r"/2/tweets/(?P<id>\d+)", self._get)
        self.route("DELETE", r"/2/tweets/(?P<id>\d+)", self._delete)
        self.route("POST", r"/2/media/upload/initialize", self._init)
        self.route("POST", r"/2/media/upload/(?P<id>\d+)/append", self._append)
        self.route("POST", r"/2/media/upload/(?P<id>\d+)/finalize", self._finalize)
        self.route("GET", r"/2/media/upload", self._status)
        self.route("POST", r"/2/media/upload", self._upload)
        self.route("POST", r"/2/media/metadata", self._metadata)
        self.route("GET", r"/2/users/me", self._me)
        self.route("GET", r"/2/users/(?P<id>\d+)/tweets", self._timeline)

    def add_tweet(
        self,
        text: str,
        *,
        in_reply_to: str | None = None,
        created_at: datetime | None = None,
        author_id: str = USER_ID,
    ) -> str:
        """Put a post on the timeline as if made elsewhere (another app, earlier); its id."""
        tweet_id = str(next(self._ids))
        self.tweets[tweet_id] = {
            "id": tweet_id,
            "text": text,
            "in_reply_to": in_reply_to,
            "media_ids": [],
            "created_at": created_at or self.clock(),
            "author_id": author_id,
        }
        return tweet_id

    def authorised(self, request: Request) -> bool:
        """Bearer with the right token, or an OAuth 1.0a header with every field."""
        header = request.headers.get("Authorization", "")
        if header.startswith("OAuth "):
            return all(f'{name}="' in header for name in OAUTH_FIELDS)
        return request.bearer == self.token

    def dispatch(self, request: Request) -> Response:
        if not self.authorised(request):
            return Response.json(401, UNAUTHORIZED)
        if self.remaining <= 0:
            return Response.json(429, TOO_MANY)
        self.remaining -= 1
        return super().dispatch(request)

    def decorate(self, request: Request, response: Response) -> Response:
        response.headers.setdefault("x-rate-limit-limit", str(self.rate_limit))
        response.headers.setdefault("x-rate-limit-remaining", str(max(self.remaining, 0)))
        response.headers.setdefault("x-rate-limit-reset", str(self.reset_epoch))
        if request.path == "/2/tweets" and request.method == "POST":
            response.headers.setdefault("x-user-limit-24hour-limit", str(self.daily_limit))
            response.headers.setdefault("x-user-limit-24hour-remaining", str(self.daily_remaining))
            response.headers.setdefault("x-user-limit-24hour-reset", str(self.reset_epoch + 86_400))
        return response

    def not_found(self, request: Request, path_exists: bool) -> Response:
        return Response.json(
            404,
            {
                "title": "Not Found Error",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
                "detail": request.path,
            },
        )

    def _invalid(self, message: str, parameter: str, value: Any) -> Response:
        return Response.json(
            400,
            {
                "errors": [{"parameters": {parameter: [value]}, "message": message}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
        )

    def _post(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            return self._invalid("Body must be JSON", "body", "")
        text = str(body.get("text") or "")
        media_ids = [str(m) for m in (body.get("media") or {}).get("media_ids") or []]
        if not text and not media_ids:
            return self._invalid("text or media is required", "text", text)
        if len(text) > 280:
            return self._invalid(
                "Your Tweet text is too long. For more information on how Twitter determines "
                "text length see https://github.com/twitter/twitter-text.",
                "text",
                text,
            )
        for media_id in media_ids:
            if self.media.get(media_id, {}).get("state", "succeeded") != "succeeded":
                return self._invalid(
                    f"Your media IDs are invalid: {media_id} is not processed",
                    "media.media_ids",
                    media_id,
                )
            if media_id not in self.media:
                return self._invalid(
                    f"Your media IDs are invalid: {media_id}", "media.media_ids", media_id
                )
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if reply_to is not None and str(reply_to) not in self.tweets:
            return self._invalid(
                "The Tweet you are replying to does not exist",
                "reply.in_reply_to_tweet_id",
                reply_to,
            )
        if text and any(t["text"] == text for t in self.tweets.values()):
            return Response.json(403, DUPLICATE)
        if self.daily_remaining <= 0:
            return Response.json(429, TOO_MANY)
        self.daily_remaining -= 1
        tweet_id = self.add_tweet(text, in_reply_to=str(reply_to) if reply_to else None)
        self.tweets[tweet_id]["media_ids"] = media_ids
        return Response.json(
            201,
            {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}},
            {"location": f"{self.url}/2/tweets/{tweet_id}"},
        )

    def _get(self, request: Request, match: re.Match[str]) -> Response:
        tweet = self.tweets.get(match["id"])
        if tweet is None:
            return Response.json(
                200,
                {
                    "errors": [
                        {
                            "value": match["id"],
                            "detail": f"Could not find tweet with id: [{match['id']}].",
                            "title": "Not Found Error",
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                },
            )
        return Response.json(200, {"data": {"id": tweet["id"], "text": tweet["text"]}})

    def _delete(self, request: Request, match: re.Match[str]) -> Response:
        deleted = self.tweets.pop(match["id"], None) is not None
        return Response.json(200, {"data": {"deleted": deleted}})

    def _upload(self, request: Request, _: re.Match[str]) -> Response:
        part = request.file("media")
        data = part.data if part is not None else None
        if data is None and isinstance(request.json, dict) and request.json.get("media"):
            import base64

            data = base64.b64decode(str(request.json["media"]))
        if not data:
            return self._invalid("media is required", "media", "")
        media_id = str(next(self._ids))
        self.media[media_id] = {"size": len(data), "alt_text": None}
        return Response.json(
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(data),
                    "expires_after_secs": 86400,
                    "image": {"image_type": "image/png", "w": 1, "h": 1},
                }
            },
        )

    # --- chunked (video) upload: initialize, append, finalize, then STATUS polls -------------

    video_polls = 2  # STATUS answers "in_progress" this many times before "succeeded"

    def _init(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json if isinstance(request.json, dict) else {}
        if not body.get("total_bytes") or not str(body.get("media_type", "")).startswith("video/"):
            return self._invalid("media_type and total_bytes are required", "total_bytes", "")
        media_id = str(next(self._ids))
        self.media[media_id] = {
            "size": int(body["total_bytes"]),
            "alt_text": None,
            "chunks": {},
            "state": "uploading",
            "polls": self.video_polls,
        }
        return Response.json(
            200,
            {"data": {"id": media_id, "media_key": f"13_{media_id}", "expires_after_secs": 86400}},
        )

    def _append(self, request: Request, match: re.Match[str]) -> Response:
        media = self.media.get(match["id"])
        part = request.file("media")
        index = request.field("segment_index")
        if media is None or part is None or index is None:
            return self._invalid("media id, media and segment_index are required", "media", "")
        media["chunks"][int(index)] = part.data
        return Response(204)

    def _finalize(self, request: Request, match: re.Match[str]) -> Response:
        media = self.media.get(match["id"])
        if media is None:
            return self._invalid("media id not found", "id", match["id"])
        data = b"".join(media["chunks"][i] for i in sorted(media["chunks"]))
        if len(data) != media["size"]:
            return self._invalid("the chunks do not add up to total_bytes", "total_bytes", "")
        media.update(data=data, state="in_progress" if data[4:8] == b"ftyp" else "failed")
        info = {"state": "pending", "check_after_secs": 1}
        return Response.json(
            200, {"data": {"id": match["id"], "size": len(data), "processing_info": info}}
        )

    def _status(self, request: Request, _: re.Match[str]) -> Response:
        media_id = (request.query.get("media_id") or [""])[0]
        media = self.media.get(media_id)
        if media is None or (request.query.get("command") or [""])[0] != "STATUS":
            return self._invalid("media id not found", "media_id", media_id)
        if media["state"] == "in_progress":
            media["polls"] -= 1
            if media["polls"] < 0:
                media["state"] = "succeeded"
        info: dict[str, Any] = {"state": media["state"], "check_after_secs": 1}
        if media["state"] == "failed":
            info["error"] = {
                "code": 1,
                "name": "InvalidMedia",
                "message": "Unsupported video format",
            }
        return Response.json(200, {"data": {"id": media_id, "processing_info": info}})

    def _metadata(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json if isinstance(request.json, dict) else {}
        media_id = str(body.get("id") or "")
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        if media_id not in self.media:
            return self._invalid("media id not found", "id", media_id)
        if alt is None or len(alt) > 1000:
            return self._invalid(
                "alt_text.text must be 1 to 1000 characters", "metadata.alt_text.text", alt
            )
        self.media[media_id]["alt_text"] = alt
        return Response.json(
            200, {"data": {"id": media_id, "associated_metadata": body["metadata"]}}
        )

    def _timeline(self, request: Request, match: re.Match[str]) -> Response:
        limit = int((request.query.get("max_results") or ["10"])[0])
        fields = set(",".join(request.query.get("tweet.fields") or []).split(","))
        mine = [
            t
            for t in self.tweets.values()
            if self.others_in_timeline or t["author_id"] == match["id"]
        ]
        newest = sorted(mine, key=lambda t: int(t["id"]), reverse=True)[:limit]
        data = [self._shown(t, fields) for t in newest]
        meta: dict[str, Any] = {"result_count": len(data)}
        if data:
            meta |= {"newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}
        return Response.json(200, {"data": data, "meta": meta} if data else {"meta": meta})

    @staticmethod
    def _shown(tweet: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        """One timeline entry as X shows it: t.co links, escaped text, asked-for fields."""
        text = _URL.sub("https://t.co/AbC123xyz", tweet["text"])
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        item: dict[str, Any] = {
            "id": tweet["id"],
            "text": text,
            "edit_history_tweet_ids": [tweet["id"]],
        }
        if "created_at" in fields:
            stamp = tweet["created_at"].astimezone(UTC)
            item["created_at"] = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp:%f}"[:3] + "Z"
        if "author_id" in fields:
            item["author_id"] = tweet["author_id"]
        if "referenced_tweets" in fields and tweet["in_reply_to"]:
            item["referenced_tweets"] = [{"type": "replied_to", "id": tweet["in_reply_to"]}]
        return item

    def _me(self, request: Request, _: re.Match[str]) -> Response:
        return Response.json(
            200,
            {
                "data": {
                    "id": USER_ID,
                    "name": "soulpost test",
                    "username": self.username,
                }
            },
        )
