"""``instagram``: image posts and carousels on an Instagram professional account.

Instagram's content publishing API makes a container from images it fetches from a public
URL, then publishes it (see :mod:`._containers`). There are no text-only posts and no
threads; images must be JPEG; a caption holds at most 2,200 characters and 30 hashtags. The
account may publish only so many posts a day through the API: over that Graph answers code
9 / subcode 2207042, which soulpost treats as a rate limit (the post waits) rather than a
refusal. Facts: ``docs/adapters.md``, "Instagram".
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from soulpost.publish.adapters._comments import (
    Comments,
    SeenComment,
    comment_parts,
    comment_problems,
    is_comment,
)
from soulpost.publish.adapters._common import ErrorAnswer, check_post
from soulpost.publish.adapters._containers import ContainerAdapter, ContainerOptions
from soulpost.publish.adapters._graph import graph_time
from soulpost.publish.base import AdapterConfig, Composed, Payload, RateLimited, Receipt, Setting
from soulpost.publish.options import NEEDED
from soulpost.publish.wire import facebook as fb
from soulpost.publish.wire import instagram as ig
from soulpost.publish.wire import threads as th

if TYPE_CHECKING:
    from soulpost.errors import ConfigError
    from soulpost.posts import Post


class InstagramOptions(ContainerOptions):
    """``[platforms.NAME].options`` of the instagram adapter."""

    user_id: str | int | None = Field(
        None,
        description="the Instagram professional account's numeric id (or set `account`)",
        json_schema_extra=NEEDED,
    )
    version: str = Field("v23.0", description="Graph API version")
    base_url: str | None = Field(
        "https://graph.facebook.com",
        description="API root: graph.facebook.com (Facebook Login) or graph.instagram.com "
        "(Instagram Login)",
    )


class InstagramAdapter(ContainerAdapter):
    """Instagram (``POST /{ig-user}/media`` then ``/{ig-user}/media_publish``)."""

    name = "instagram"
    summary = "Instagram image posts and carousels with alt text (Graph API content publishing)"
    remote_id_form = "the Instagram media id, e.g. 17895695668004550"
    default_base_url = "https://graph.facebook.com"
    default_version = "v23.0"
    env_roles: ClassVar[dict[str, Setting]] = {
        "token": Setting("access token with instagram_content_publish", True)
    }
    token_lifetime = timedelta(days=60)
    create_edge = "media"
    publish_edge = "media_publish"
    posts_edge = "media"
    state_field = "status_code"
    payload_text = "caption"
    post_fields = ig.POST_FIELDS
    Options = InstagramOptions
    opts: InstagramOptions

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        login = self._instagram_login(config)
        user = self.opts.user_id or login.get("user_id") or config.account
        if not user or not str(user).isdigit():
            raise _config_error(self.platform)
        self.user_id = str(user)
        if login and "base_url" not in config.options:
            # An Instagram Login token works on graph.instagram.com only.
            self.opts = self.opts.model_copy(update={"base_url": "https://graph.instagram.com"})

    @staticmethod
    def _instagram_login(config: AdapterConfig) -> dict[str, str]:
        """The stored roles of a ``soulpost login instagram`` token this adapter will use
        (none when an environment variable gives the token: it wins over the store)."""
        import os

        from soulpost.accounts import stored_entry

        env = config.environ if config.environ is not None else os.environ
        if env.get(config.credentials.get("token") or ""):
            return {}
        entry = stored_entry(config.platform, config.account) or {}
        if entry.get("refresh_grant") != "ig_refresh_token":
            return {}
        roles = entry.get("roles")
        return {str(k): str(v) for k, v in roles.items()} if isinstance(roles, dict) else {}

    def user(self) -> str:
        return self.user_id

    # --- pure --------------------------------------------------------------------------------

    def validate(self, post: Post) -> list[str]:
        media = post.media_for(self.platform)
        problems = check_post(self, post)
        if not media:
            problems.append("Instagram posts need at least one image")
        problems += self.url_problems(media, "the post") + comment_problems(self, post)
        tags = post.text_for(self.platform).count("#")
        if tags > ig.MAX_HASHTAGS:
            from soulpost.text import find_hashtags

            found = len(find_hashtags(post.text_for(self.platform)))
            if found > ig.MAX_HASHTAGS:
                problems.append(
                    f"the caption has {found} hashtags; Instagram allows {ig.MAX_HASHTAGS}"
                )
        return problems

    def compose(self, post: Post) -> Composed:
        """The caption and the images (with the URLs Instagram will fetch), then the first
        comment."""
        name = self.platform
        main = {
            "caption": post.text_for(name).strip(),
            "media": self.payload_media(post.media_for(name)),
        }
        return Composed(name, (main, *comment_parts(post, name)))

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        """The first comment, posted by the account under its post."""
        if not is_comment(payload):
            return super().reply(parent, payload, key)

        def post(parent_id: str, text: str) -> tuple[str, str | None]:
            body = self._call("POST", f"{parent_id}/comments", "comment", data={"message": text})
            return th.parse_id(body), None

        return Comments(self).send(parent, payload, key, post)

    def _comments(self, parent_id: str) -> list[SeenComment]:
        body = self._call(
            "GET",
            f"{parent_id}/comments",
            "list comments",
            params={"fields": "id,text,timestamp,from", "limit": 50},
        )
        out = []
        for item in body.get("data") or ():
            if isinstance(item, dict) and item.get("id"):
                author = item.get("from")
                mine = isinstance(author, dict) and str(author.get("id") or "") == self.user_id
                when = graph_time(item.get("timestamp"))
                out.append(SeenComment(str(item["id"]), str(item.get("text") or ""), mine, when))
        return out

    def lookup(self, key: str, payload: Payload) -> Receipt | None:
        if is_comment(payload):
            return Comments(self).find(key, payload, self._comments)
        return super().lookup(key, payload)

    # --- side effects ------------------------------------------------------------------------

    def error_outcome(self, answer: ErrorAnswer) -> str:
        """The daily publishing limit (code 9 / 2207042) is a wait, not a refusal."""
        error = fb.parse_error(answer.status, answer.body())
        if (error.code, error.subcode) in ig.PUBLISH_LIMIT:
            return RateLimited.outcome
        return super().error_outcome(answer)

    def create(self, part: Payload, parent: Receipt | None) -> str:
        images = [
            th.Image(str(m.get("url") or ""), str(m.get("alt") or ""), bool(m.get("video")))
            for m in part.get("media") or ()
        ]
        missing = [str(m.get("path")) for m in part.get("media") or () if not m.get("url")]
        if missing or not images:
            from soulpost.publish.base import Rejected

            why = (
                f"{missing[0]} has no public URL: set options.media_base_url under "
                f"[platforms.{self.platform}]"
                if missing
                else "an Instagram post needs an image"
            )
            raise Rejected(f"Instagram: {why}", platform=self.platform)
        caption = str(part.get("caption") or "")
        children: list[str] = []
        if len(images) > 1:
            for image in images:
                item = self._call(
                    "POST",
                    f"{self.user_id}/media",
                    "create a carousel item",
                    data=ig.item_body(image),
                )
                children.append(th.parse_id(item))
            for child in children:
                self.wait_ready(child)
        body = ig.container_body(caption, images if len(images) == 1 else (), children=children)
        return th.parse_id(
            self._call("POST", f"{self.user_id}/media", "create the container", data=body)
        )

    def check(self) -> str:
        body = self._call("GET", self.user_id, "check the token", params={"fields": "id,username"})
        return f"token works for @{body.get('username') or '?'} ({body.get('id')})"


def _config_error(platform: str) -> ConfigError:
    from soulpost.errors import ConfigError

    return ConfigError(
        "the instagram adapter needs the Instagram professional account's numeric id",
        key=f"platforms.{platform}.options.user_id",
        hint=f"see `soulpost adapters instagram`; {json.dumps('user_id')} under options",
    )
