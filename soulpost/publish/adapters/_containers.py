"""Meta's two-step publishing (Threads, Instagram): create a container, then publish it.

A container is private until published, so creating one has no visible effect; only the
publish call does. That splits the exactly-once problem in two:

* before the publish call is sent, any failure (even one where the answer was lost) is
  *not sent*: nothing anyone can see exists, and a stray container expires on its own;
* the container's id is noted per idempotency key before the publish call, so a retry,
  a restart after SIGKILL, or a lookup asks the *container* whether it was published
  (``PUBLISHED``) instead of guessing from similar-looking posts.

When the container says ``PUBLISHED`` the post is found in the account's own recent posts
by its text, created after the container was, and (for a reply) under the same parent;
when none matches the outcome stays in doubt rather than a guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, ClassVar, Literal
from urllib.parse import quote

from pydantic import Field

from soulpost.publish.adapters._common import HttpAdapter, KeyNotes, json_body
from soulpost.publish.adapters._graph import GraphErrors, graph_time
from soulpost.publish.adapters._media import media_path, mime_type
from soulpost.publish.base import (
    AdapterConfig,
    NotSent,
    Payload,
    PublishError,
    Receipt,
    Rejected,
    UnknownOutcome,
)
from soulpost.publish.options import ApiOptions, MediaOptions, TokenOptions
from soulpost.publish.wire import threads as th

#: Containers created this long before a post's timestamp still count as its own: the
#: platform's clock and ours may disagree by this much.
CLOCK_SKEW = timedelta(minutes=5)
LOOKUP_LIMIT = 25


class ContainerOptions(ApiOptions, MediaOptions, TokenOptions):
    """Options shared by the container adapters."""

    media_base_url: str | None = Field(
        None,
        description="public URL the workspace's files are served from; a media path "
        "`media/a.jpg` is fetched by the platform from MEDIA_BASE_URL/media/a.jpg",
    )
    token_in: Literal["header", "param"] = Field(
        "header", description='"header" (Authorization: Bearer) or "param" (access_token=)'
    )
    max_polls: int = Field(
        10, ge=1, le=120, description="container status checks before giving up for this pass"
    )
    poll_interval: float = Field(
        2.0, ge=0, le=60, description="seconds between container status checks"
    )


class ContainerAdapter(GraphErrors, HttpAdapter):
    """The shared flow; subclasses say which edges and fields their platform uses."""

    supports_lookup = True
    default_version: ClassVar[str] = ""
    #: Edges under the user: containers, publishing, and the account's own posts.
    create_edge: ClassVar[str] = ""
    publish_edge: ClassVar[str] = ""
    posts_edge: ClassVar[str] = ""
    #: The container field holding its state.
    state_field: ClassVar[str] = "status"
    #: The payload key holding a part's text.
    payload_text: ClassVar[str] = "text"
    post_fields: ClassVar[str] = ""

    Options = ContainerOptions
    opts: ContainerOptions

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        self.notes = KeyNotes(config.state_dir, self.platform)
        self.version = str(getattr(self.opts, "version", "") or self.default_version).strip("/")

    # --- pure --------------------------------------------------------------------------------

    def media_url(self, path: str) -> str | None:
        """The public URL the platform fetches *path* from, or None without
        ``media_base_url``. Built from the path relative to the workspace root."""
        base = (self.opts.media_base_url or "").rstrip("/")
        if not base:
            return None
        root = (self.config.root or media_path(self.config, ".")).resolve()
        try:
            relative = media_path(self.config, path).resolve().relative_to(root).as_posix()
        except ValueError:
            relative = path.lstrip("/")
        return f"{base}/{quote(relative)}"

    def payload_media(self, media: Sequence[Any]) -> list[dict[str, Any]]:
        """A part's media as ``{"path", "alt", "url"}``: the URL is what is sent."""
        from soulpost.mediafacts import is_video

        out: list[dict[str, Any]] = []
        for m in media:
            entry = {"path": m.path, "alt": m.alt or "", "url": self.media_url(m.path)}
            if is_video(m.path):
                entry["video"] = True
            out.append(entry)
        return out

    def url_problems(self, media: Sequence[Any], label: str) -> list[str]:
        """Media this platform cannot fetch (no public URL) or will not take (file type)."""
        caps = self.capabilities()
        problems = []
        if media and not self.opts.media_base_url:
            problems.append(
                f"{label} has media, but {caps.title} fetches images from a public URL: set "
                f"options.media_base_url under [platforms.{self.platform}]"
            )
        from soulpost.mediafacts import is_video

        for item in media:
            if is_video(item.path):
                continue  # judged by the video limits (media_problems)
            if caps.image_types and self.config.root is not None:
                mime = mime_type(media_path(self.config, item.path))
                if mime not in caps.image_types:
                    accepted = ", ".join(t.split("/")[1].upper() for t in caps.image_types)
                    problems.append(
                        f"{label}: {item.path} is {mime}; {caps.title} takes {accepted}"
                    )
        return problems

    # --- HTTP --------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return (
            f"{self.base}/{self.version}/{path.lstrip('/')}"
            if self.version
            else (f"{self.base}/{path.lstrip('/')}")
        )

    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        token = self.token()
        if self.opts.token_in == "param":
            key = "params" if method == "GET" else "data"
            kwargs[key] = {**(kwargs.get(key) or {}), "access_token": token}
        else:
            kwargs["headers"] = {**kwargs.get("headers", {}), "Authorization": f"Bearer {token}"}
        return json_body(self.request(method, self._url(path), what=what, **kwargs))

    # --- the flow ----------------------------------------------------------------------------

    def user(self) -> str:
        """The account whose edges are used (``me`` where the platform allows it)."""
        raise NotImplementedError

    def create(self, part: Payload, parent: Receipt | None) -> str:
        """Create the post's container (and its carousel items); return its id."""
        raise NotImplementedError

    def container_state(self, container: str) -> tuple[th.State, str]:
        body = self._call(
            "GET", container, "read the container", params={"fields": self.state_field + ",id"}
        )
        return th.parse_state(body, self.state_field)

    def _before_publish(self, step: Any) -> Any:
        """Run *step* (a container call); an unclear failure there is *not sent*: nothing
        visible can exist before the publish call."""
        try:
            return step()
        except UnknownOutcome as exc:
            raise NotSent(
                f"{self.title}: {exc.message} (before publishing: nothing was posted)",
                platform=self.platform,
            ) from None

    def wait_ready(self, container: str) -> None:
        """Poll the container until it is FINISHED, within ``max_polls``."""
        for attempt in range(self.opts.max_polls):
            state, message = self._before_publish(lambda: self.container_state(container))
            if state == "FINISHED":
                return
            if state == "ERROR":
                raise Rejected(
                    f"{self.title} could not process the media: {message}", platform=self.platform
                )
            if state in ("EXPIRED", "PUBLISHED"):
                raise NotSent(
                    f"{self.title} container {container} is {state.lower()}", platform=self.platform
                )
            if attempt + 1 < self.opts.max_polls:
                self.config.clock.sleep(self.opts.poll_interval)
        raise NotSent(
            f"{self.title} was still processing the media after {self.opts.max_polls} checks; "
            "the next pass tries again",
            platform=self.platform,
        )

    def _send(self, part: Payload, key: str, parent: Receipt | None) -> Receipt:
        note = self.notes.get(key) or {}
        container = note.get("container")
        if container:
            state, _ = self._before_publish(lambda: self.container_state(container))
            if state == "PUBLISHED":
                found = self._find(part, note)
                if found is None:
                    raise UnknownOutcome(
                        f"{self.title} says container {container} was published, but the post "
                        "is not among the account's recent posts yet",
                        platform=self.platform,
                    )
                return found
            if state not in ("FINISHED", "IN_PROGRESS"):
                container = None
        if not container:
            container = self._before_publish(lambda: self.create(part, parent))
            note = {
                "container": container,
                "created_at": self.config.clock.now().isoformat(),
                "parent": parent.remote_id if parent else None,
            }
            self.notes.put(key, note)
        self.wait_ready(container)
        self.notes.put(key, {**note, "publishing_at": self.config.clock.now().isoformat()})
        body = self._call(
            "POST", f"{self.user()}/{self.publish_edge}", "publish", data=th.publish_body(container)
        )
        try:
            media_id = th.parse_id(body)
        except ValueError as exc:
            raise UnknownOutcome(f"{self.title}: {exc}", platform=self.platform) from None
        return Receipt(media_id, self._permalink(media_id), self.config.clock.now())

    def _permalink(self, media_id: str) -> str | None:
        """The post's public link (one more read; a failure only loses the link)."""
        try:
            body = self._call("GET", media_id, "read the permalink", params={"fields": "permalink"})
        except PublishError:
            return None
        link = body.get("permalink")
        return str(link) if link else None

    def publish(self, payload: Payload, key: str) -> Receipt:
        return self._send(payload, key, None)

    def lookup(self, key: str, payload: Payload) -> Receipt | None:
        """Ask the noted container: not published (or never reached the publish call) is a
        certain "absent"; published means find the post, or stay in doubt."""
        note = self.notes.get(key)
        if not note or not note.get("publishing_at") or not note.get("container"):
            return None
        state, _ = self.container_state(str(note["container"]))
        if state != "PUBLISHED":
            return None
        found = self._find(payload, note)
        if found is None:
            raise UnknownOutcome(
                f"{self.title} published container {note['container']}, but the post is not "
                "among the account's recent posts yet",
                platform=self.platform,
            )
        return found

    def recent_posts(self, note: Mapping[str, Any]) -> list[th.ThreadsPost]:
        """The account's own recent posts (or replies) to match against."""
        body = self._call(
            "GET",
            f"{self.user()}/{self.posts_edge}",
            "list recent posts",
            params={"fields": self.post_fields, "limit": LOOKUP_LIMIT},
        )
        return th.parse_posts(body)

    def _find(self, part: Payload, note: Mapping[str, Any]) -> Receipt | None:
        """The account's post with this text, made after the container, under the same
        parent; None when no post matches exactly."""
        text = str(part.get(self.payload_text) or "").strip()
        created = graph_time(note.get("created_at"))
        parent = note.get("parent")
        for post in self.recent_posts(note):
            when = graph_time(post.timestamp)
            if post.text.strip() != text or when is None or created is None:
                continue
            if when < created - CLOCK_SKEW:
                continue
            if parent is not None and post.replied_to != parent:
                continue
            return Receipt(post.id, post.permalink, when)
        return None
