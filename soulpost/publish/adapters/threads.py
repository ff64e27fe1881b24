"""``threads``: posts, carousels and reply chains on Meta's Threads.

Each part is a media container made then published (see :mod:`._containers` for why that
makes a lost answer safe to settle). A thread is a chain of replies, each reply's container
naming the previous part in ``reply_to_id``. Threads fetches images itself, so the workspace
says where its files are served from (``options.media_base_url``). Text counts 500
characters, each emoji as its UTF-8 bytes. Tokens are long-lived (60 days): one stored by
``soulpost login threads`` renews itself (``th_refresh_token``, soulpost/accounts); for one
in an environment variable ``doctor`` warns before it ends. Facts: ``docs/adapters.md``,
"Threads".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from soulpost.publish.adapters._common import check_post
from soulpost.publish.adapters._containers import ContainerAdapter, ContainerOptions
from soulpost.publish.base import Composed, Payload, Receipt, Setting
from soulpost.publish.wire import threads as th

if TYPE_CHECKING:
    from soulpost.posts import Post


class ThreadsOptions(ContainerOptions):
    """``[platforms.NAME].options`` of the threads adapter."""

    user_id: str = Field("me", description="the Threads user id (`me`: the token's own)")
    version: str = Field("v1.0", description="Threads API version")
    base_url: str | None = Field("https://graph.threads.net", description="API root")


class ThreadsAdapter(ContainerAdapter):
    """Threads (``POST /{user}/threads`` then ``/{user}/threads_publish``)."""

    name = "threads"
    summary = "Threads posts, image carousels and reply-chain threads (Threads API)"
    remote_id_form = "the Threads media id, e.g. 17890455123456789"
    default_base_url = "https://graph.threads.net"
    default_version = "v1.0"
    env_roles: ClassVar[dict[str, Setting]] = {
        "token": Setting("Threads user access token (threads_basic, threads_content_publish)", True)
    }
    token_lifetime = timedelta(days=60)
    create_edge = "threads"
    publish_edge = "threads_publish"
    posts_edge = "threads"
    state_field = "status"
    post_fields = th.POST_FIELDS
    Options = ThreadsOptions
    opts: ThreadsOptions

    def user(self) -> str:
        return str(self.opts.user_id or "me")

    # --- pure --------------------------------------------------------------------------------

    def validate(self, post: Post) -> list[str]:
        problems = check_post(self, post)
        parts = [post.media_for(self.platform)] + [p.media for p in post.thread_for(self.platform)]
        for number, media in enumerate(parts, 1):
            label = "the post" if len(parts) == 1 else f"part {number}"
            problems += self.url_problems(media, label)
        return problems

    def compose(self, post: Post) -> Composed:
        """Each part's text and images (with the URL Threads will fetch), in order."""
        name = self.platform
        parts: list[Payload] = [
            {"text": post.text_for(name).strip(), "media": self.payload_media(post.media_for(name))}
        ]
        parts += [
            {"text": part.text.strip(), "media": self.payload_media(part.media)}
            for part in post.thread_for(name)
        ]
        return Composed(name, tuple(parts))

    # --- side effects ------------------------------------------------------------------------

    def _images(self, part: Payload) -> list[th.Image]:
        images = []
        for item in part.get("media") or ():
            url = item.get("url")
            if not url:
                raise _no_url(self, str(item.get("path")))
            images.append(th.Image(str(url), str(item.get("alt") or ""), bool(item.get("video"))))
        return images

    def create(self, part: Payload, parent: Receipt | None) -> str:
        text = str(part.get("text") or "")
        images = self._images(part)
        children: list[str] = []
        if len(images) > 1:
            for image in images:
                item = self._call(
                    "POST",
                    f"{self.user()}/threads",
                    "create a carousel item",
                    data=th.item_body(image),
                )
                children.append(th.parse_id(item))
            for child in children:
                self.wait_ready(child)
        body = th.container_body(
            text,
            images if len(images) == 1 else (),
            reply_to=parent.remote_id if parent else None,
            children=children,
        )
        return th.parse_id(
            self._call("POST", f"{self.user()}/threads", "create the container", data=body)
        )

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        return self._send(payload, key, parent)

    def recent_posts(self, note: Mapping[str, Any]) -> list[th.ThreadsPost]:
        """Replies are listed apart from top-level posts (``/{user}/replies``)."""
        edge = "replies" if note.get("parent") else "threads"
        body = self._call(
            "GET",
            f"{self.user()}/{edge}",
            "list recent posts",
            params={"fields": self.post_fields, "limit": 25},
        )
        return th.parse_posts(body)

    def check(self) -> str:
        body = self._call("GET", "me", "check the token", params={"fields": "id,username"})
        return f"token works for @{body.get('username') or '?'} ({body.get('id')})"


def _no_url(adapter: ContainerAdapter, path: str) -> Exception:
    from soulpost.publish.base import Rejected

    return Rejected(
        f"{adapter.title} fetches {path} from a public URL, and options.media_base_url is not "
        f"set under [platforms.{adapter.platform}]",
        platform=adapter.platform,
    )
