"""``facebook``: posts to a Facebook Page through the Graph API.

Text posts go to ``/{page}/feed``; one photo goes to ``/{page}/photos`` with its caption and
``alt_text_custom``; several photos are uploaded unpublished and attached with
``attached_media``. Facts: ``shared/platforms.md`` §5.

The error *code* in the body decides, not the HTTP status: 190 (and permission codes) is an
auth problem naming the token variable; 4/17/32/613/80001 are throttling (waiting as
``X-Business-Use-Case-Usage`` says, when it does); 506 is a duplicate status message,
reported as probably already published. An in-doubt post is settled by reading the Page's
recent posts for the attempt: the same message, posted by the Page itself (not a visitor),
created since the attempt was first recorded (a note written before the first request).
Several candidates, missing fields or a page of recent posts that does not reach back to the
attempt leave it in doubt for a person, never a guess (issue 11).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from soulpost.publish.adapters import _urls
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
from soulpost.publish.adapters._graph import GraphErrors, graph_time
from soulpost.publish.adapters._media import MediaFile, media_list, read_all_media
from soulpost.publish.base import (
    AdapterConfig,
    Composed,
    Payload,
    PublishError,
    Receipt,
    Rejected,
    Setting,
    UnknownOutcome,
)
from soulpost.publish.options import NEEDED, ApiOptions, MediaOptions, TokenOptions
from soulpost.publish.wire import facebook as fb

if TYPE_CHECKING:
    from soulpost.errors import ConfigError
    from soulpost.posts import Post

DEFAULT_VERSION = "v23.0"
LOOKUP_LIMIT = 25  # recent posts read when settling an in-doubt publication


class FacebookOptions(ApiOptions, MediaOptions, TokenOptions):
    """``[platforms.NAME].options`` of the facebook adapter."""

    page_id: str | int | None = Field(
        None, description="the Page's numeric id (or set `account`)", json_schema_extra=NEEDED
    )
    version: str = Field(DEFAULT_VERSION, description="Graph API version")
    token_in: Literal["header", "param"] = Field(
        "header", description='"header" (Authorization: Bearer) or "param" (access_token=)'
    )
    base_url: str | None = Field("https://graph.facebook.com", description="API root")


class FacebookAdapter(GraphErrors, HttpAdapter):
    """A Facebook Page (``POST /{page-id}/feed`` and ``/photos``)."""

    name = "facebook"
    summary = "Facebook Page posts (Graph API), photos with alt text"
    remote_id_form = "the Graph id <page id>_<post id>, e.g. 101234567890_987654321"

    default_base_url = "https://graph.facebook.com"
    supports_lookup = True
    env_roles: ClassVar[dict[str, Setting]] = {
        "token": Setting("Page access token (pages_manage_posts, pages_read_engagement)", True)
    }
    Options = FacebookOptions
    opts: FacebookOptions

    @classmethod
    def remote_id_from_url(cls, url: str) -> str | None:
        return _urls.facebook(url)

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        page = self.opts.page_id or config.account
        if not page or not str(page).isdigit():
            raise _config_error(
                self.platform, "the facebook adapter needs the Page's numeric id", "page_id"
            )
        self.page_id = str(page)
        self.version = (self.opts.version or DEFAULT_VERSION).strip("/")
        self.token_in = self.opts.token_in
        self.notes = KeyNotes(config.state_dir, self.platform)

    # --- pure ------------------------------------------------------------------------------

    def validate(self, post: Post) -> list[str]:
        media = self.media_problems(post.media_for(self.platform))
        return super().validate(post) + media + comment_problems(self, post)

    def compose(self, post: Post) -> Composed:
        """The post's message and photos (uploaded at publish time), then its first comment."""
        message = post.text_for(self.platform).strip()
        main = {"message": message, "photos": media_list(post.media_for(self.platform))}
        return Composed(self.platform, (main, *comment_parts(post, self.platform)))

    # --- side effects ------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.base}/{self.version}/{path.lstrip('/')}"

    def _auth(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        token = self.token()
        if self.token_in == "param":
            params = dict(kwargs.pop("params", None) or {})
            params["access_token"] = token
            kwargs["params"] = params
        else:
            kwargs["headers"] = {**kwargs.get("headers", {}), "Authorization": f"Bearer {token}"}
        return kwargs

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return json_body(self.request(method, self._url(path), **self._auth(kwargs)))

    def special_error(self, answer: ErrorAnswer, what: str) -> PublishError | None:
        """Code 506, a duplicate status message: probably already published."""
        error = fb.parse_error(answer.status, answer.body())
        if error.kind != "duplicate" or (answer.status >= 500 and error.code is None):
            return None
        return Rejected(
            f"Facebook refused a duplicate status message - probably already published on "
            f"Page {self.page_id}: {self.clean(self.error_text(answer))}",
            status=answer.status,
            platform=self.platform,
        )

    def _photo(self, media: MediaFile, *, caption: str, published: bool) -> dict[str, Any]:
        fields = fb.photo_body(caption=caption, alt_text=media.alt or None, published=published)
        files = {"source": (media.name, media.data, media.mime)}
        return self._call("POST", f"{self.page_id}/photos", data=fields, files=files)

    def _receipt(self, body: dict[str, Any]) -> Receipt:
        try:
            post = fb.parse_post(body)
        except ValueError as exc:
            raise UnknownOutcome(str(exc), platform=self.platform) from None
        url = body.get("permalink_url") or post.web_url
        return Receipt(post.id, str(url), self.config.clock.now())

    def _video(self, media: MediaFile, message: str) -> Receipt:
        """A video post: ``POST /{page}/videos`` with the file and the message as its
        description (Facebook processes it after answering)."""
        fields = {"description": message} if message else {}
        files = {"source": (media.name, media.data, media.mime)}
        body = self._call("POST", f"{self.page_id}/videos", data=fields, files=files)
        video_id = str(body.get("id") or "")
        if not video_id:
            raise UnknownOutcome("Facebook did not return the video's id", platform=self.platform)
        url = f"https://www.facebook.com/{self.page_id}/videos/{video_id}"
        return Receipt(video_id, url, self.config.clock.now())

    def publish(self, payload: Payload, key: str) -> Receipt:
        message = str(payload.get("message") or "")
        photos = read_all_media(self, payload.get("photos"))  # fail early
        if self.notes.get(key) is None:  # the first attempt's time bounds a later lookup
            self.notes.put(key, {"sent_at": self.config.clock.now().isoformat()})
        if len(photos) == 1 and photos[0].mime.startswith("video/"):
            return self._video(photos[0], message)
        if len(photos) == 1:
            return self._receipt(self._photo(photos[0], caption=message, published=True))
        if photos:
            ids = [str(self._photo(p, caption="", published=False).get("id") or "") for p in photos]
            if not all(ids):
                raise UnknownOutcome(
                    "Facebook did not return an id for an uploaded photo", platform=self.platform
                )
            data = fb.multi_photo_body(message, ids)
        else:
            data = fb.feed_body(message)
        data["fields"] = "id,permalink_url"
        return self._receipt(self._call("POST", f"{self.page_id}/feed", data=data))

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        """The first comment, posted by the Page under its post."""
        if not is_comment(payload):
            return super().reply(parent, payload, key)

        def post(parent_id: str, text: str) -> tuple[str, str | None]:
            body = self._call("POST", f"{parent_id}/comments", data=fb.comment_body(text))
            if not body.get("id"):
                raise UnknownOutcome(
                    "Facebook did not return the comment's id", platform=self.platform
                )
            return str(body["id"]), None

        return Comments(self).send(parent, payload, key, post)

    def _comments(self, parent_id: str) -> list[SeenComment]:
        body = self._call(
            "GET",
            f"{parent_id}/comments",
            params={"fields": "id,message,created_time,from", "limit": LOOKUP_LIMIT},
        )
        out = []
        for item in body.get("data") or ():
            if isinstance(item, dict) and item.get("id"):
                author = item.get("from")
                mine = isinstance(author, dict) and str(author.get("id") or "") == self.page_id
                when = graph_time(item.get("created_time"))
                out.append(SeenComment(str(item["id"]), str(item.get("message") or ""), mine, when))
        return out

    def lookup(self, key: str, payload: Payload) -> Receipt | None:
        """Read the Page's recent posts for this attempt (see the module docstring); a first
        comment: the post's comments for the Page's own."""
        if is_comment(payload):
            return Comments(self).find(key, payload, self._comments)
        note = self.notes.get(key)
        if note is None:
            return None  # the note is written before any request: nothing was sent
        message = str(payload.get("message") or "").strip()
        if not message:
            raise UnknownOutcome("a post without text cannot be looked up", platform=self.platform)
        since = graph_time(note.get("sent_at"))
        body = self._call(
            "GET",
            f"{self.page_id}/feed",
            params={
                "fields": "id,message,created_time,from,permalink_url",
                "limit": LOOKUP_LIMIT,
            },
        )
        items = [i for i in body.get("data") or () if isinstance(i, dict) and i.get("id")]
        found, doubt = _own_post(items, message, self.page_id, since)
        if doubt is None and found is None and since is not None and len(items) >= LOOKUP_LIMIT:
            times = [graph_time(i.get("created_time")) for i in items]
            if all(t is not None and t >= since.replace(microsecond=0) for t in times):
                doubt = f"all {len(items)} recent posts read are newer than the attempt"
        if doubt is not None:
            raise UnknownOutcome(
                f"Facebook cannot tell whether this attempt landed: {doubt}; a person must "
                "check the Page (soulpost resolve)",
                platform=self.platform,
            )
        if found is None:
            return None
        created = graph_time(found.get("created_time")) or self.config.clock.now()
        url = found.get("permalink_url") or fb.PagePost(str(found["id"])).web_url
        return Receipt(str(found["id"]), str(url), created)

    def check(self) -> str:
        body = self._call("GET", "me", params={"fields": "id,name"})
        who = body.get("name") or "?"
        note = "" if str(body.get("id")) == self.page_id else f" (not page {self.page_id}!)"
        return f"token works for {who} ({body.get('id')}){note}"


def _own_post(
    items: list[dict[str, Any]], message: str, page_id: str, since: datetime | None
) -> tuple[Mapping[str, Any] | None, str | None]:
    """(the one post that is the attempt, None) or (None, why it cannot be told): same
    message, by the Page, created at or after *since* (Graph times are whole seconds)."""
    if since is None:
        return None, "the attempt's time is unreadable"
    floor = since.replace(microsecond=0)
    candidates = []
    for item in items:
        if str(item.get("message") or "").strip() != message:
            continue
        created, author = graph_time(item.get("created_time")), item.get("from")
        if created is None or not isinstance(author, dict) or not author.get("id"):
            return None, "Facebook listed a post with this text without its time or author"
        if str(author["id"]) == page_id and created >= floor:
            candidates.append(item)
    if len(candidates) > 1:
        return None, f"{len(candidates)} posts with this text match the attempt"
    return (candidates[0] if candidates else None), None


def _config_error(platform: str, problem: str, option: str) -> ConfigError:
    from soulpost.errors import ConfigError

    return ConfigError(
        problem,
        key=f"platforms.{platform}.options.{option}",
        hint=f"see `soulpost adapters facebook`; {json.dumps(option)} under options",
    )
