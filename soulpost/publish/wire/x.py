"""X (Twitter) API v2: the ``POST /2/tweets`` body, replies, errors and OAuth 1.0a signing.

Facts from ``shared/platforms.md`` §3 and the tweepy cassettes: success is **201**
``{"data": {"id", "text"}}``; errors come as RFC 7807 problem objects
(``{title, detail, type, status}``, sometimes with ``errors[]``) or in the legacy shape
``{"errors": [{"code", "message"}]}``, so :func:`parse_error` reads both. A repeated text is
refused with 403 "duplicate content" (legacy code 187): after an uncertain attempt that
means the post is probably live. Rate-limit headers carry epoch seconds.

OAuth 1.0a signing (:func:`oauth1_header`) is pure: the nonce and timestamp are parameters.
A JSON body is not part of the signature base string; form bodies are (pass them as
*params*).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

MAX_MEDIA = 4
ALT_TEXT_MAX = 1000


def tweet_body(
    text: str,
    *,
    reply_to: str | None = None,
    media_ids: Sequence[str] = (),
    quote_tweet_id: str | None = None,
) -> dict[str, Any]:
    """The JSON body of ``POST /2/tweets``; *reply_to* chains a thread part to the last."""
    if not text.strip() and not media_ids:
        raise ValueError("a post on X needs text or media")
    if len(media_ids) > MAX_MEDIA:
        raise ValueError(f"{len(media_ids)} media; X allows {MAX_MEDIA}")
    body: dict[str, Any] = {"text": text}
    if reply_to is not None:
        body["reply"] = {"in_reply_to_tweet_id": str(reply_to)}
    if media_ids:
        body["media"] = {"media_ids": [str(m) for m in media_ids]}
    if quote_tweet_id is not None:
        body["quote_tweet_id"] = str(quote_tweet_id)
    return body


def media_metadata_body(media_id: str, alt_text: str) -> dict[str, Any]:
    """The JSON body of ``POST /2/media/metadata`` that sets an image's alt text."""
    if len(alt_text) > ALT_TEXT_MAX:
        raise ValueError(f"alt text is {len(alt_text)} characters; X allows {ALT_TEXT_MAX}")
    return {"id": str(media_id), "metadata": {"alt_text": {"text": alt_text}}}


@dataclass(frozen=True)
class Tweet:
    """A created post."""

    id: str
    text: str

    def web_url(self, username: str | None = None) -> str:
        """``https://x.com/<username>/status/<id>`` (``i/web`` works without a username)."""
        return f"https://x.com/{username or 'i/web'}/status/{self.id}"


def parse_created(body: Mapping[str, Any]) -> Tweet:
    """Read the 201 reply ``{"data": {"id", "text"}}``."""
    data = body.get("data")
    if not isinstance(data, Mapping) or not data.get("id"):
        raise ValueError(f"not a created post: {dict(body)!r:.200}")
    return Tweet(str(data["id"]), str(data.get("text", "")))


#: Bytes per APPEND of a chunked upload (X takes at most 5 MB per chunk).
VIDEO_CHUNK = 4 * 1024 * 1024


def video_init_body(total_bytes: int, media_type: str) -> dict[str, Any]:
    """The JSON body of ``POST /2/media/upload/initialize`` for a video in a post."""
    return {"media_type": media_type, "total_bytes": total_bytes, "media_category": "tweet_video"}


def processing_state(body: Mapping[str, Any]) -> tuple[str, float, str]:
    """``(state, seconds to wait, error)`` from a FINALIZE or STATUS answer's
    ``processing_info``; ``("succeeded", 0, "")`` when there is none (nothing to wait for)."""
    data = body.get("data")
    info = data.get("processing_info") if isinstance(data, Mapping) else None
    if not isinstance(info, Mapping):
        return "succeeded", 0.0, ""
    error = info.get("error")
    message = (
        str(error.get("message") or error.get("name") or "") if isinstance(error, Mapping) else ""
    )
    wait = info.get("check_after_secs")
    return (
        str(info.get("state") or "succeeded"),
        float(wait) if isinstance(wait, int | float) else 1.0,
        message,
    )


def parse_media_id(body: Mapping[str, Any]) -> str:
    """The media id from ``POST /2/media/upload`` (``data.id``; v1.1 used ``media_id_string``)."""
    data = body.get("data")
    if isinstance(data, Mapping) and data.get("id"):
        return str(data["id"])
    if body.get("media_id_string"):
        return str(body["media_id_string"])
    raise ValueError(f"not a media upload reply: {dict(body)!r:.200}")


#: The fields a lookup asks ``GET /2/users/:id/tweets`` for: X sends them only when asked.
TIMELINE_FIELDS = "created_at,author_id,referenced_tweets"


@dataclass(frozen=True)
class Found:
    """What a timeline says about one lost post: the post (certain), a reason it cannot
    tell (``doubt``), or neither (certainly not among the posts that could be it)."""

    tweet: Tweet | None = None
    doubt: str | None = None


def _instant(value: Any) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None


def _replied_to(item: Mapping[str, Any]) -> str | None:
    for ref in item.get("referenced_tweets") or ():
        if isinstance(ref, Mapping) and ref.get("type") == "replied_to":
            return str(ref.get("id"))
    return None


def find_own_post(
    items: Iterable[Any],
    *,
    same_text: Callable[[str], bool],
    author_id: str,
    reply_to: str | None,
    parent_known: bool,
    since: datetime,
    full_page: bool,
) -> Found:
    """The one post of a timeline page that is the lost attempt, or why it cannot be told.

    A post is ours only with the same text, by *author_id*, replying to *reply_to* (none
    for a top-level post) and created at or after *since*, the moment the attempt was
    recorded (X's times have millisecond precision). A same-text post without its time or
    author, a second candidate, an unknown parent (*parent_known* false), or a full page
    whose oldest post is still newer than *since* (ours may be just beyond it) is doubt:
    a guess could put a thread's next part into another thread (issue 11)."""
    floor = since.replace(microsecond=since.microsecond // 1000 * 1000)
    page = [item for item in items if isinstance(item, Mapping) and item.get("id")]
    candidates: list[Mapping[str, Any]] = []
    for item in page:
        if not same_text(str(item.get("text", ""))):
            continue
        created, author = _instant(item.get("created_at")), item.get("author_id")
        if created is None or not author:
            return Found(doubt="X listed a post with this text without its time or author")
        if str(author) != author_id or created < floor:
            continue
        if not parent_known:
            return Found(doubt="a post with this text exists and the attempt's parent is unknown")
        if _replied_to(item) == reply_to:
            candidates.append(item)
    if len(candidates) > 1:
        return Found(doubt=f"{len(candidates)} posts with this text match the attempt")
    if candidates:
        item = candidates[0]
        return Found(Tweet(str(item["id"]), str(item.get("text", ""))))
    times = [_instant(item.get("created_at")) for item in page]
    if full_page and all(t is not None and t >= floor for t in times):
        return Found(doubt=f"all {len(page)} recent posts read are newer than the attempt")
    return Found()


@dataclass(frozen=True)
class XError:
    """An error reply in either shape, reduced to what an adapter decides on."""

    status: int
    title: str
    detail: str
    type: str
    codes: tuple[int, ...] = ()
    messages: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """One line for a person."""
        parts = [p for p in (self.title, self.detail, *self.messages) if p]
        unique = list(dict.fromkeys(parts))
        return ": ".join(unique) if unique else f"HTTP {self.status}"

    @property
    def duplicate(self) -> bool:
        """The same text was already posted (403 duplicate content, legacy code 187)."""
        text = " ".join((self.detail, *self.messages)).lower()
        return 187 in self.codes or (self.status == 403 and "duplicate" in text)

    @property
    def rate_limited(self) -> bool:
        """Too many requests, or a usage cap (code 88, ``UsageCapExceeded``)."""
        return self.status == 429 or 88 in self.codes or "usage-capped" in self.type

    @property
    def auth(self) -> bool:
        """The token is invalid, expired or lacks permission (not a duplicate)."""
        return self.status == 401 or (
            self.status == 403
            and not self.duplicate
            and ("not permitted" in self.message.lower() or 89 in self.codes)
        )


def parse_error(status: int, body: Mapping[str, Any] | None) -> XError:
    """Read a problem object and/or a legacy ``errors[]`` list."""
    body = body or {}
    codes: list[int] = []
    messages: list[str] = []
    for item in body.get("errors") or ():
        if not isinstance(item, Mapping):
            continue
        code = item.get("code")
        if isinstance(code, int):
            codes.append(code)
        message = item.get("message") or item.get("detail")
        if message:
            messages.append(str(message))
    return XError(
        status=int(body.get("status") or status),
        title=str(body.get("title") or ""),
        detail=str(body.get("detail") or ""),
        type=str(body.get("type") or ""),
        codes=tuple(codes),
        messages=tuple(messages),
    )


# ---------------------------------------------------------------------------------------------
# OAuth 1.0a (RFC 5849), HMAC-SHA1


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of everything but unreserved characters (RFC 5849 §3.6)."""
    return quote(value.encode("utf-8"), safe="-._~")


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is not None and not (
        (scheme == "http" and port == 80) or (scheme == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", "", ""))


def signature_base_string(method: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    """``METHOD&base-url&normalised-params``; query parameters of *url* are included."""
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    pairs = sorted((percent_encode(k), percent_encode(v)) for k, v in [*query, *params])
    normalised = "&".join(f"{k}={v}" for k, v in pairs)
    return "&".join((method.upper(), percent_encode(_base_url(url)), percent_encode(normalised)))


def oauth1_header(
    method: str,
    url: str,
    *,
    consumer_key: str,
    consumer_secret: str,
    token: str,
    token_secret: str,
    nonce: str,
    timestamp: int,
    params: Sequence[tuple[str, str]] = (),
) -> str:
    """The ``Authorization: OAuth ...`` value for one request (HMAC-SHA1).

    *params* are form-encoded body parameters, if any; a JSON body is not signed.
    """
    oauth = {
        "oauth_consumer_key": consumer_key,
        "oauth_nonce": nonce,
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(timestamp),
        "oauth_token": token,
        "oauth_version": "1.0",
    }
    base = signature_base_string(method, url, [*oauth.items(), *params])
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode("ascii"), base.encode("ascii"), hashlib.sha1).digest()
    oauth["oauth_signature"] = base64.b64encode(digest).decode("ascii")
    return "OAuth " + ", ".join(
        f'{percent_encode(k)}="{percent_encode(v)}"' for k, v in sorted(oauth.items())
    )
