"""``x``: posts, threads and images with alt text on X (API v2).

Configuration, with OAuth 1.0a user context (tokens do not expire)::

    [platforms.x]
    env = { consumer_key = "X_API_KEY", consumer_secret = "X_API_SECRET",
            access_token = "X_ACCESS_TOKEN", access_token_secret = "X_ACCESS_SECRET" }

or with an OAuth 2.0 user token (scopes tweet.read tweet.write users.read media.write;
it lasts two hours, so it suits runs where something else keeps it fresh)::

    env = { token = "X_USER_TOKEN" }

Options: ``base_url`` (default ``https://api.x.com``), ``username`` (saves a ``/2/users/me``
call), ``lookup_count`` (recent posts searched when in doubt, 5-100, default 20),
``connect_timeout``/``read_timeout``.

How it publishes (facts: ``shared/platforms.md`` §3): each image through
``POST /2/media/upload`` (multipart, ``media_category=tweet_image``) and its alt text through
``POST /2/media/metadata``; then ``POST /2/tweets`` with ``media.media_ids`` and, for thread
parts, ``reply.in_reply_to_tweet_id``. The receipt's URL is
``https://x.com/<username>/status/<id>``, the username from ``GET /2/users/me``.

X has no idempotency key, so an unknown outcome is never retried blindly. :meth:`lookup`
searches the account's recent posts (``GET /2/users/:id/tweets``) for the attempt: the same
text, the same reply parent, the same author, made since the attempt was first recorded;
anything it cannot tell (a second candidate, missing fields, a page too short to reach back
to the attempt) leaves the publication in doubt, never a guess. X also
refuses a repeated text with 403 "duplicate content": when that answers a key this adapter
sent before, the earlier attempt evidently landed, so it looks the post up and returns its
receipt (or reports it as held for a person if it cannot be found); for a key never sent
before it is a :class:`Rejected` saying the text duplicates an existing post. Other errors:
401 → :class:`AuthError` naming the variables, 429 → :class:`RateLimited` until
``x-rate-limit-reset`` (epoch seconds; the 24-hour user limit when that is used up), other 4xx
→ :class:`Rejected` with X's message, 5xx and timeouts → :class:`UnknownOutcome`.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import requests
from pydantic import Field

from soulpost.publish.adapters import _urls
from soulpost.publish.adapters._common import (
    ErrorAnswer,
    HttpAdapter,
    KeyNotes,
    check_post,
    secret,
)
from soulpost.publish.adapters._media import MediaFile, media_list, read_all_media
from soulpost.publish.base import (
    AuthError,
    Composed,
    NotSent,
    Payload,
    PublishError,
    RateLimited,
    Receipt,
    Rejected,
    Setting,
    UnknownOutcome,
)
from soulpost.publish.options import ApiOptions, TokenOptions
from soulpost.publish.wire import x as wire

if TYPE_CHECKING:
    from soulpost.posts import Post
    from soulpost.publish.base import AdapterConfig

DEFAULT_BASE_URL = "https://api.x.com"
OAUTH1_ROLES = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
_URL = re.compile(r"https?://\S+")


def comparable(text: str) -> str:
    """Text as X shows it back, reduced for comparison: X rewrites every link to a t.co
    link and HTML-escapes ``&<>``, so links and whitespace runs are normalised away."""
    return " ".join(_URL.sub("<link>", html.unescape(text)).split())


class XOptions(ApiOptions, TokenOptions):
    """``[platforms.NAME].options`` of the x adapter."""

    base_url: str | None = Field(DEFAULT_BASE_URL, description="API root")
    username: str | None = Field(
        None, description="the account's username, for post URLs (else GET /2/users/me)"
    )
    lookup_count: int = Field(
        20, ge=5, le=100, description="recent posts searched to settle doubt (5-100)"
    )
    video_wait: float = Field(
        120.0, ge=0, le=1800, description="seconds to wait for X to process a video"
    )


class XAdapter(HttpAdapter):
    """One X account (user context)."""

    name = "x"
    default_base_url = DEFAULT_BASE_URL
    supports_lookup = True
    summary = "X (API v2): posts, threads, images with alt text; OAuth 1.0a or OAuth 2.0 user"
    remote_id_form = "the post id, the number after /status/ in its URL, e.g. 1460323737035677698"

    env_roles: ClassVar[Mapping[str, Setting]] = {
        "token": Setting("an OAuth 2.0 user access token (or use the four OAuth 1.0a roles)"),
        "consumer_key": Setting("OAuth 1.0a API key (consumer key)"),
        "consumer_secret": Setting("OAuth 1.0a API key secret"),
        "access_token": Setting("OAuth 1.0a user access token"),
        "access_token_secret": Setting("OAuth 1.0a user access token secret"),
    }
    #: Either way of signing in, whole (``soulpost.credentials`` checks presence offline).
    credential_sets: ClassVar[tuple[tuple[str, ...], ...]] = (("token",), OAUTH1_ROLES)
    Options = XOptions
    opts: XOptions

    @classmethod
    def remote_id_from_url(cls, url: str) -> str | None:
        return _urls.x(url)

    @classmethod
    def token_lifetime_for(cls, credentials: Mapping[str, str]) -> timedelta | None:
        """OAuth 2.0 user tokens last two hours (platforms.md, X section); OAuth 1.0a user
        tokens do not expire."""
        if "token" in credentials and "access_token" not in credentials:
            return timedelta(hours=2)
        return None

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        self.lookup_count = self.opts.lookup_count
        self.notes = KeyNotes(config.state_dir, self.platform)
        self._me: tuple[str, str] | None = None  # (user id, username)

    # --- pure -----------------------------------------------------------------------------

    def validate(self, post: Post) -> list[str]:
        return check_post(self, post)

    def compose(self, post: Post) -> Composed:
        """Per part: the ``POST /2/tweets`` body (without ids known only when sending) and
        the images with alt text to upload first."""
        texts = [(post.text_for(self.platform), post.media_for(self.platform))]
        texts += [(part.text, part.media) for part in post.thread_for(self.platform)]
        parts = []
        for raw, media in texts:
            body: dict[str, Any] = {"text": raw.strip()}
            if media:
                body["media"] = media_list(media)
            parts.append(body)
        return Composed(self.platform, tuple(parts))

    # --- HTTP and auth --------------------------------------------------------------------

    def _variables(self) -> str:
        roles = ("token",) if "token" in self.config.credentials else OAUTH1_ROLES
        return ", ".join(f"${self.config.credentials.get(r, r)}" for r in roles)

    def _authorization(self, method: str, url: str, params: dict[str, str]) -> str:
        if "token" in self.config.credentials:
            return f"Bearer {secret(self.config, 'X', 'token')}"
        if not any(role in self.config.credentials for role in OAUTH1_ROLES):
            raise AuthError(
                "no X credentials configured: under [platforms."
                f'{self.platform}] set env = {{ token = "VAR" }} (OAuth 2.0 user token) or '
                "env.consumer_key, consumer_secret, access_token, access_token_secret "
                "(OAuth 1.0a)",
                platform=self.platform,
            )
        return wire.oauth1_header(
            method,
            url,
            consumer_key=secret(self.config, "X", "consumer_key"),
            consumer_secret=secret(self.config, "X", "consumer_secret"),
            token=secret(self.config, "X", "access_token"),
            token_secret=secret(self.config, "X", "access_token_secret"),
            nonce=secrets.token_hex(16),
            timestamp=int(self.config.clock.now().timestamp()),
            params=list(params.items()),
        )

    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> requests.Response:
        url = self.base + path
        params = {str(k): str(v) for k, v in (kwargs.get("params") or {}).items()}
        headers = {"Authorization": self._authorization(method, url, params)}
        return self.request(method, url, what=what, headers=headers, **kwargs)

    error_messages: ClassVar[Mapping[str, str]] = {
        RateLimited.outcome: "X rate limit reached while {what} ({message}); it resets {reset}",
        AuthError.outcome: (
            "X refused the credentials in {variables} while {what} (HTTP {status}: {message}); "
            "check the tokens and the app's write permission"
        ),
        Rejected.outcome: "X refused it while {what} (HTTP {status}: {message})",
        UnknownOutcome.outcome: (
            "X answered HTTP {status} while {what} ({message}); the post may or may not exist"
        ),
    }

    def error_text(self, answer: ErrorAnswer) -> str:
        return wire.parse_error(answer.status, answer.body()).message

    def error_outcome(self, answer: ErrorAnswer) -> str:
        """X's body decides: a usage cap is a rate limit whatever the status, and a 403 is
        an auth problem only when X says the action is not permitted."""
        error = wire.parse_error(answer.status, answer.body())
        if error.rate_limited:
            return RateLimited.outcome
        if error.auth or answer.status == 401:
            return AuthError.outcome
        if 400 <= answer.status < 500:
            return Rejected.outcome
        return UnknownOutcome.outcome

    def special_error(self, answer: ErrorAnswer, what: str) -> PublishError | None:
        """403 "duplicate content": the account already has a post with this text."""
        error = wire.parse_error(answer.status, answer.body())
        if error.duplicate and not error.rate_limited:
            return _Duplicate(
                f"X refused it as duplicate content (HTTP 403: {self.clean(error.message)}): "
                "the account already has a post with this text",
                status=answer.status,
                platform=self.platform,
            )
        return None

    def error_fields(self, answer: ErrorAnswer) -> dict[str, str]:
        return {"variables": self._variables()}

    def _before_post(self, error: UnknownOutcome) -> NotSent:
        return NotSent(f"{error.message} (before posting)", platform=self.platform)

    def me(self) -> tuple[str, str]:
        """(user id, username) of the account, from ``GET /2/users/me`` (once)."""
        if self._me is None:
            data = self._call("GET", "/2/users/me", "reading the account").json().get("data")
            if not isinstance(data, dict) or not data.get("id"):
                raise UnknownOutcome("GET /2/users/me gave no user", platform=self.platform)
            self._me = (str(data["id"]), str(data.get("username") or ""))
        return self._me

    def _username(self) -> str | None:
        configured = self.opts.username
        if configured:
            return str(configured).lstrip("@")
        return self.me()[1] or None

    # --- publishing -----------------------------------------------------------------------

    def _upload_video(self, media: MediaFile) -> str:
        """A video by chunked upload: initialize, append 4 MB chunks, finalize, then wait
        (at most ``options.video_wait`` seconds) until X has processed it."""
        what = f"uploading {media.name}"
        init = self._call(
            "POST",
            "/2/media/upload/initialize",
            what,
            json=wire.video_init_body(len(media.data), media.mime),
        )
        media_id = wire.parse_media_id(init.json())
        for index, start in enumerate(range(0, len(media.data), wire.VIDEO_CHUNK)):
            chunk = media.data[start : start + wire.VIDEO_CHUNK]
            self._call(
                "POST",
                f"/2/media/upload/{media_id}/append",
                what,
                files={"media": ("chunk", chunk, "application/octet-stream")},
                data={"segment_index": str(index)},
            )
        answer = self._call("POST", f"/2/media/upload/{media_id}/finalize", what)
        waited = 0.0
        state, wait, error = wire.processing_state(answer.json())
        while state in ("pending", "in_progress"):
            if waited + wait > self.opts.video_wait:
                raise NotSent(
                    f"X was still processing {media.name} after {waited:g} s; the next pass "
                    "tries again",
                    platform=self.platform,
                )
            self.config.clock.sleep(wait)
            waited += wait
            status = self._call(
                "GET", "/2/media/upload", what, params={"command": "STATUS", "media_id": media_id}
            )
            state, wait, error = wire.processing_state(status.json())
        if state != "succeeded":
            raise Rejected(
                f"X could not process {media.name}: {error or state}", platform=self.platform
            )
        self._alt_text(media, media_id)
        return media_id

    def _alt_text(self, media: MediaFile, media_id: str) -> None:
        if media.alt:
            try:
                body = wire.media_metadata_body(media_id, media.alt)
            except ValueError as exc:
                raise Rejected(str(exc), platform=self.platform) from None
            self._call("POST", "/2/media/metadata", f"adding alt text to {media.name}", json=body)

    def _upload(self, media: MediaFile) -> str:
        if media.mime.startswith("video/"):
            return self._upload_video(media)
        path = media.name
        answer = self._call(
            "POST",
            "/2/media/upload",
            f"uploading {path}",
            files={"media": (media.name, media.data, media.mime)},
            data={"media_category": "tweet_image"},
        )
        media_id = wire.parse_media_id(answer.json())
        self._alt_text(media, media_id)
        return media_id

    def _send(self, payload: Payload, key: str, parent: Receipt | None) -> Receipt:
        files = read_all_media(self, payload.get("media"))
        try:
            username = self._username()
            media_ids = [self._upload(media) for media in files]
        except UnknownOutcome as exc:
            raise self._before_post(exc) from None
        try:
            body = wire.tweet_body(
                str(payload.get("text", "")),
                reply_to=parent.remote_id if parent else None,
                media_ids=media_ids,
            )
        except ValueError as exc:
            raise Rejected(f"X would refuse it: {exc}", platform=self.platform) from None
        note = self.notes.get(key)
        # The first attempt's time and the parent are what a later lookup matches on.
        self.notes.put(
            key,
            {
                "sent_at": (note or {}).get("sent_at") or self.config.clock.now().isoformat(),
                "reply_to": parent.remote_id if parent else None,
            },
        )
        try:
            answer = self._call("POST", "/2/tweets", "posting", json=body)
        except _Duplicate:
            if note is None:
                raise
            found = self._find(payload, self.notes.get(key) or {})
            if found is None:
                self.notes.put(key, {**(self.notes.get(key) or {}), "duplicate": True})
                raise UnknownOutcome(
                    "X says this text is already posted and an earlier attempt of this "
                    "publication was in doubt, but no post with this text, parent and author "
                    f"since that attempt is among the last {self.lookup_count}; a person "
                    "must check the account (soulpost resolve)",
                    platform=self.platform,
                ) from None
            return found
        tweet = wire.parse_created(answer.json())
        return Receipt(tweet.id, tweet.web_url(username), self.config.clock.now())

    def publish(self, payload: Payload, key: str) -> Receipt:
        return self._send(payload, key, None)

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        return self._send(payload, key, parent)

    def _find(self, payload: Payload, note: Mapping[str, Any]) -> Receipt | None:
        """The account's post that is this attempt: same text, same parent, same author,
        made since the attempt was recorded (:func:`wire.find_own_post`); None when none
        is; UnknownOutcome when the recent posts cannot tell."""
        user_id, username = self.me()
        answer = self._call(
            "GET",
            f"/2/users/{user_id}/tweets",
            "reading recent posts",
            params={"max_results": str(self.lookup_count), "tweet.fields": wire.TIMELINE_FIELDS},
        )
        items = answer.json().get("data") or []
        since = _note_time(note)
        wanted = comparable(str(payload.get("text", "")))
        found = wire.find_own_post(
            items if isinstance(items, list) else [],
            same_text=lambda text: comparable(text) == wanted,
            author_id=user_id,
            reply_to=note.get("reply_to"),
            parent_known="reply_to" in note and since is not None,
            since=since or self.config.clock.now(),
            full_page=isinstance(items, list) and len(items) >= self.lookup_count,
        )
        if found.doubt is not None:
            raise UnknownOutcome(
                f"X cannot tell whether this attempt landed: {found.doubt}; a person must "
                "check the account (soulpost resolve)",
                platform=self.platform,
            )
        if found.tweet is None:
            return None
        name = self.opts.username or username
        return Receipt(found.tweet.id, found.tweet.web_url(name or None), self.config.clock.now())

    def lookup(self, key: str, payload: Payload) -> Receipt | None:
        """Search the recent posts for this attempt. None (safe to send again) only when it
        is certainly not there: a retry of a post that did land after all is then caught by
        X's duplicate check, which :meth:`publish` turns into this post's receipt. After X
        refused a retry as a duplicate that cannot be found, it stays in doubt."""
        note = self.notes.get(key)
        if note is None:
            return None  # the note is written before POST /2/tweets: nothing was posted
        if not str(payload.get("text", "")).strip():
            raise UnknownOutcome(
                "a post without text cannot be found again on X; a person must check",
                platform=self.platform,
            )
        found = self._find(payload, note)
        if found is None and note.get("duplicate"):
            raise UnknownOutcome(
                "X refuses this text as a duplicate, yet no post of this attempt (same text, "
                "parent and author, since it was first sent) is among the recent posts; a "
                "person must check the account (soulpost resolve)",
                platform=self.platform,
            )
        return found

    def check(self) -> str:
        """``GET /2/users/me``: proves the credentials work."""
        user_id, username = self.me()
        return f"@{username} (id {user_id}) on {self.base}"


def _note_time(note: Mapping[str, Any]) -> datetime | None:
    """When the attempt in *note* was first recorded (None for an unreadable note)."""
    try:
        stamp = datetime.fromisoformat(str(note.get("sent_at")))
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None


class _Duplicate(Rejected):
    """X's 403 "duplicate content": the same text is already on the account."""
