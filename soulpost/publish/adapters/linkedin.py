"""``linkedin``: posts to a member or organisation feed through the versioned Posts API.

Text goes out in LinkedIn's "little" format by
:func:`soulpost.publish.wire.linkedin.little_text`: hashtags stay hashtags LinkedIn links,
every other reserved character is escaped (an unescaped bracket would make LinkedIn silently
cut the post). Images go through ``initializeUpload`` + ``PUT`` and are
attached with their alt text. Facts: ``shared/platforms.md`` §4.

Errors: 401/403 name the token variable; 422 ``DUPLICATE_POST`` is reported as a duplicate
of the URN LinkedIn names, and :meth:`LinkedInAdapter.lookup` turns that answer into a
receipt when settling an in-doubt post, once ``GET /rest/posts/{urn}`` shows it is this
attempt's (same author, made since the attempt), never an older post with the same words;
426 ``NONEXISTENT_VERSION`` says to set ``options.version`` to a newer version;
429 waits until the next midnight UTC (when LinkedIn's daily quotas reset; it sends no reset
header); 5xx and lost answers are unknown outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from soulpost.publish import http
from soulpost.publish.adapters import _urls
from soulpost.publish.adapters._cards import cached_card, card_link, picture, text_links
from soulpost.publish.adapters._comments import (
    Comments,
    SeenComment,
    comment_parts,
    comment_problems,
    is_comment,
)
from soulpost.publish.adapters._common import (
    ErrorAnswer,
    HttpAdapter,
    KeyNotes,
    json_body,
)
from soulpost.publish.adapters._media import MediaFile, media_list, read_all_media
from soulpost.publish.base import (
    AdapterConfig,
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
from soulpost.publish.options import ApiOptions, CardOptions, MediaOptions, TokenOptions
from soulpost.publish.wire import linkedin as li

if TYPE_CHECKING:
    import requests

    from soulpost.posts import Post

DEFAULT_VERSION = "202601"
#: Stands for "the member the token belongs to" until /v2/userinfo says who that is.
TOKEN_MEMBER = "urn:li:person:(token)"


class LinkedInOptions(ApiOptions, MediaOptions, TokenOptions, CardOptions):
    """``[platforms.NAME].options`` of the linkedin adapter."""

    author: str | None = Field(
        None,
        description="urn:li:person:<id> or urn:li:organization:<id>; default: the token's "
        "member (from /v2/userinfo); `account` is used when it is such a URN",
    )
    version: str = Field(DEFAULT_VERSION, description="LinkedIn-Version header, YYYYMM")
    visibility: Literal["PUBLIC", "CONNECTIONS", "LOGGED_IN"] = Field(
        "PUBLIC", description="PUBLIC, CONNECTIONS or LOGGED_IN"
    )
    base_url: str | None = Field("https://api.linkedin.com", description="API root")
    video_wait: float = Field(
        120.0, ge=0, le=1800, description="seconds to wait for LinkedIn to process a video"
    )


class LinkedInAdapter(HttpAdapter):
    """LinkedIn Posts API (``POST /rest/posts``)."""

    name = "linkedin"
    summary = "LinkedIn member or organisation posts (Posts API), images with alt text"
    remote_id_form = "the post's URN, e.g. urn:li:share:7123456789012345678"

    default_base_url = "https://api.linkedin.com"
    supports_lookup = True  # a re-sent duplicate names the existing post
    token_lifetime = timedelta(days=60)
    env_roles: ClassVar[dict[str, Setting]] = {
        "token": Setting("OAuth 2.0 access token (w_member_social or w_organization_social)", True)
    }
    Options = LinkedInOptions
    opts: LinkedInOptions

    @classmethod
    def remote_id_from_url(cls, url: str) -> str | None:
        return _urls.linkedin(url)

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        self.version = self.opts.version or DEFAULT_VERSION
        li.headers(self.version)  # a malformed version is a config error now, not at 09:00
        self.visibility = self.opts.visibility
        configured = self.opts.author or config.account
        self.author = str(configured) if configured else None
        if self.author and not self.author.startswith("urn:li:"):
            self.author = f"urn:li:person:{self.author}"
        self._member: str | None = None
        self.notes = KeyNotes(config.state_dir, self.platform)

    # --- pure ------------------------------------------------------------------------------

    def validate(self, post: Post) -> list[str]:
        problems = super().validate(post)
        escaped = li.little_text(post.text_for(self.platform).strip())
        if len(escaped) > li.MAX_LENGTH:
            problems.append(
                f"escaped for LinkedIn the text has {len(escaped)} characters; "
                f"LinkedIn allows {li.MAX_LENGTH}"
            )
        media = self.media_problems(post.media_for(self.platform))
        return problems + media + comment_problems(self, post)

    def compose(self, post: Post) -> Composed:
        """The ``POST /rest/posts`` body (images are attached after upload) and the images."""
        text = post.text_for(self.platform).strip()
        body = li.post_body(
            self.author or TOKEN_MEMBER,
            text,
            visibility=self.visibility,
        )
        media = post.media_for(self.platform)
        main: dict[str, Any] = {"post": body, "media": media_list(media)}
        if card := card_link(self, post, text_links(text), bool(media)):
            main["card"] = card  # an article card, read from the page when sent
        # A first comment goes out in LinkedIn's "little" format, escaped like the post.
        comments = [
            {"comment": li.escape_little(str(part["comment"]))}
            for part in comment_parts(post, self.platform)
        ]
        return Composed(self.platform, (main, *comments))

    # --- side effects ------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {**li.headers(self.version), "Authorization": f"Bearer {self.token()}"}

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A REST call; LinkedIn's own error body decides the error class."""
        url = path if path.startswith("http") else f"{self.base}{path}"
        headers = {**self._headers(), **kwargs.pop("headers", {})}
        return self.request(method, url, headers=headers, **kwargs)

    error_messages: ClassVar[Mapping[str, str]] = {
        RateLimited.outcome: "{message} (daily quotas reset at midnight UTC)",
    }

    def error_text(self, answer: ErrorAnswer) -> str:
        error = li.parse_error(answer.status, answer.body())
        code = f" {error.code}" if error.code else ""
        return f"HTTP {answer.status}{code}: {error.message}"

    def special_error(self, answer: ErrorAnswer, what: str) -> PublishError | None:
        """A duplicate names the post that exists; a retired version says what to set."""
        error = li.parse_error(answer.status, answer.body())
        if http.outcome_for(answer.status) == AuthError.outcome:
            return None  # 401/403: the credential, whatever else the body says
        message = self.clean(self.error_text(answer))
        if error.duplicate:
            urn = error.duplicate_of
            where = f" of {urn} ({li.post_url(urn)})" if urn else ""
            return Duplicate(
                f"LinkedIn says this post is a duplicate{where} - probably already published: "
                f"{message}",
                urn=error.duplicate_of,
                platform=self.platform,
            )
        if error.version_retired:
            newer = li.newer_version(self.version, self.config.clock.now().date())
            return Rejected(
                f"LinkedIn-Version {self.version} is not active: set options.version to a "
                f'newer one (e.g. version = "{newer}") under [platforms.{self.platform}]: '
                f"{message}",
                status=answer.status,
                platform=self.platform,
            )
        return None

    def reset_at(self, answer: ErrorAnswer) -> datetime | None:
        """LinkedIn sends no reset header; its daily quotas reset at midnight UTC."""
        return next_midnight_utc(self.config.clock.now())

    def member(self) -> str:
        """The author URN: configured, or the token's member from ``/v2/userinfo``."""
        if self.author:
            return self.author
        if self._member is None:
            body = json_body(self._call("GET", "/v2/userinfo"))
            if not body.get("sub"):
                raise Rejected(
                    "LinkedIn /v2/userinfo did not say who the token belongs to; set "
                    f"options.author under [platforms.{self.platform}]",
                    platform=self.platform,
                )
            self._member = f"urn:li:person:{body['sub']}"
        return self._member

    def _upload(self, owner: str, media: MediaFile) -> li.ImageRef:
        reply = self._call(
            "POST",
            "/rest/images?action=initializeUpload",
            json=li.initialize_upload_body(owner),
        )
        try:
            upload = li.parse_initialize_upload(json_body(reply))
        except ValueError as exc:
            raise UnknownOutcome(str(exc), platform=self.platform) from None
        self._call(
            "PUT",
            upload.upload_url,
            data=media.data,
            headers={"Content-Type": "application/octet-stream"},
        )
        return li.ImageRef(upload.image, media.alt)

    def _content(
        self, payload: Payload, author: str, key: str, files: list[MediaFile]
    ) -> dict[str, Any] | None:
        """The post's ``content``: a video, images (one or several), or an article card."""
        if files and files[0].mime.startswith("video/"):
            return {"media": {"id": self._video(author, files[0]), "title": files[0].alt[:200]}}
        images = [self._upload(author, media) for media in files]
        if len(images) == 1:
            return {"media": {"id": images[0].urn, "altText": images[0].alt}}
        if images:
            return {"multiImage": {"images": [{"id": i.urn, "altText": i.alt} for i in images]}}
        article = self._article(payload, author, key)
        return {"article": article} if article is not None else None

    def _video(self, owner: str, media: MediaFile) -> str:
        """Upload a video in the parts LinkedIn asks for, finalize it with their ETags, and
        wait (at most ``options.video_wait`` s) until it is AVAILABLE; its URN."""
        answer = self._call(
            "POST",
            "/rest/videos?action=initializeUpload",
            json={
                "initializeUploadRequest": {
                    "owner": owner,
                    "fileSizeBytes": len(media.data),
                    "uploadCaptions": False,
                    "uploadThumbnail": False,
                }
            },
        )
        value = json_body(answer).get("value") or {}
        urn = str(value.get("video") or "")
        if not urn:
            raise UnknownOutcome("LinkedIn did not name the video", platform=self.platform)
        tags = []
        for step in value.get("uploadInstructions") or ():
            first, last = int(step["firstByte"]), int(step["lastByte"])
            put = self._call(
                "PUT",
                str(step["uploadUrl"]),
                data=media.data[first : last + 1],
                headers={"Content-Type": "application/octet-stream"},
            )
            tags.append(put.headers.get("ETag", ""))
        self._call(
            "POST",
            "/rest/videos?action=finalizeUpload",
            json={
                "finalizeUploadRequest": {
                    "video": urn,
                    "uploadToken": str(value.get("uploadToken") or ""),
                    "uploadedPartIds": tags,
                }
            },
        )
        self._video_ready(urn, media.name)
        return urn

    def _video_ready(self, urn: str, name: str) -> None:
        from urllib.parse import quote

        waited = 0.0
        while True:
            status = str(
                json_body(self._call("GET", f"/rest/videos/{quote(urn, safe='')}")).get("status")
            )
            if status == "AVAILABLE":
                return
            if status == "PROCESSING_FAILED":
                raise Rejected(f"LinkedIn could not process {name}", platform=self.platform)
            if waited + 1.0 > self.opts.video_wait:
                raise NotSent(
                    f"LinkedIn was still processing {name} after {waited:g} s; the next pass "
                    "tries again",
                    platform=self.platform,
                )
            self.config.clock.sleep(1.0)
            waited += 1.0

    def _article(self, payload: Payload, author: str, key: str) -> dict[str, Any] | None:
        """The article card LinkedIn shows for the post's link (title, description, and the
        page's picture uploaded as a thumbnail), noted per link; None without a card."""
        link = payload.get("card")
        if not isinstance(link, Mapping) or not link.get("url"):
            return None

        def build(card: Any, session: Any) -> dict[str, Any]:
            article = {"source": card.url, "title": card.title}
            if card.description:
                article["description"] = card.description
            found = picture(self, session, card, li.MAX_THUMBNAIL_BYTES)
            if found is not None:
                thumb = MediaFile(Path("card"), "", found[0], found[1], None, None)
                article["thumbnail"] = self._upload(author, thumb).urn
            return article

        return cached_card(self, key, str(link["url"]), build)

    def _create(self, payload: Payload, key: str) -> Receipt:
        body = dict(payload["post"])
        files = read_all_media(self, payload.get("media"))  # fail early
        author = self.member()
        body["author"] = author
        content = self._content(payload, author, key, files)
        if content is not None:
            body["content"] = content
        response = self._call("POST", "/rest/posts", json=body)
        try:
            urn = li.parse_created(response.headers)
        except ValueError as exc:
            raise UnknownOutcome(str(exc), platform=self.platform) from None
        return Receipt(urn, li.post_url(urn), self.config.clock.now())

    def publish(self, payload: Payload, key: str) -> Receipt:
        if self.notes.get(key) is None:  # the first attempt's time bounds a later lookup
            self.notes.put(key, {"sent_at": self.config.clock.now().isoformat()})
        return self._create(payload, key)

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        """The first comment, posted by the author under the post."""
        if not is_comment(payload):
            return super().reply(parent, payload, key)

        def post(parent_id: str, text: str) -> tuple[str, str | None]:
            body = {"actor": self.member(), "object": parent_id, "message": {"text": text}}
            response = self._call("POST", li.comments_path(parent_id), json=body)
            urn = response.headers.get("x-restli-id") or json_body(response).get("id")
            if not urn:
                raise UnknownOutcome("LinkedIn did not name the comment", platform=self.platform)
            return str(urn), None

        return Comments(self).send(parent, payload, key, post)

    def _comments(self, parent_id: str) -> list[SeenComment]:
        body = json_body(self._call("GET", li.comments_path(parent_id)))
        actor = self.member()
        out = []
        for item in body.get("elements") or ():
            if not isinstance(item, dict):
                continue
            message = item.get("message")
            text = str(message.get("text") or "") if isinstance(message, dict) else ""
            created = item.get("created")
            when = None
            if isinstance(created, dict) and isinstance(created.get("time"), int):
                when = datetime.fromtimestamp(created["time"] / 1000, UTC)
            ident = str(item.get("$URN") or item.get("id") or "")
            if ident:
                out.append(SeenComment(ident, text, item.get("actor") == actor, when))
        return out

    def lookup(self, key: str, payload: Payload) -> Receipt | None:
        """Send the post again: LinkedIn refuses a duplicate and names the post that exists,
        which is the receipt when it is this attempt's (by this author, made since the
        attempt was first recorded: an older post with the same words is not); if it was not
        there, this sends it (once), which is also a receipt. Anything else leaves the doubt
        for a person. A first comment is looked for among the post's comments instead
        (sending it again would duplicate it)."""
        if is_comment(payload):
            return Comments(self).find(key, payload, self._comments)
        note = self.notes.get(key) or {}
        try:
            return self._create(payload, key)
        except Duplicate as exc:
            if exc.urn is None:
                raise UnknownOutcome(exc.message, platform=self.platform) from None
            return self._own_duplicate(exc.urn, note.get("sent_at"))
        except UnknownOutcome:
            raise
        except Exception as exc:
            message = getattr(exc, "message", type(exc).__name__)
            raise UnknownOutcome(
                f"LinkedIn could not settle it: {message}", platform=self.platform
            ) from None

    def _own_duplicate(self, urn: str, sent_at: object) -> Receipt:
        """The receipt of *urn* when ``GET /rest/posts/{urn}`` shows it is this attempt's;
        UnknownOutcome naming it otherwise."""
        from urllib.parse import quote

        body = json_body(self._call("GET", f"/rest/posts/{quote(urn, safe='')}"))
        created = body.get("createdAt")
        try:
            since = datetime.fromisoformat(str(sent_at))
        except ValueError:
            since = None
        if (
            since is not None
            and isinstance(created, int)
            and created >= int(since.timestamp() * 1000)
            and body.get("author") == self.member()
        ):
            return Receipt(urn, li.post_url(urn), self.config.clock.now())
        raise UnknownOutcome(
            f"LinkedIn refuses this post as a duplicate of {urn} ({li.post_url(urn)}), which "
            "is not shown to be this attempt's (made by this author since it was first "
            "sent); a person must check (soulpost resolve)",
            platform=self.platform,
        )

    def check(self) -> str:
        body = json_body(self._call("GET", "/v2/userinfo"))
        who = body.get("name") or body.get("sub") or "?"
        return f"token works for {who} (urn:li:person:{body.get('sub')})"


class Duplicate(Rejected):
    """LinkedIn's 422 DUPLICATE_POST; ``urn`` is the post that already exists."""

    def __init__(self, message: str, *, urn: str | None, platform: str | None = None) -> None:
        self.urn = urn
        super().__init__(message, status=422, platform=platform)


def next_midnight_utc(now: datetime) -> datetime:
    """The next 00:00 UTC after *now*."""

    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=UTC)
