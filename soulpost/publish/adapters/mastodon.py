"""``mastodon``: statuses, threads and images with alt text on any Mastodon instance.

Configuration::

    [platforms.mastodon]
    options = { base_url = "https://mastodon.social", visibility = "public" }
    env = { token = "SOULPOST_MASTODON_TOKEN" }   # a user token with write:statuses, write:media

``base_url`` has no default (there is no "the" Mastodon). Optional options: ``visibility``
(public|unlisted|private|direct), ``language`` (ISO 639-1), ``media_poll_interval`` (s, 1),
``media_poll_timeout`` (s, 60), ``connect_timeout``/``read_timeout``.

A post sets its own, for every part it sends here, under ``[variants.mastodon.options]``
(:class:`MastodonPostOptions`): ``spoiler_text`` (a content warning, counted with the text
towards the 500 as Mastodon does), ``sensitive`` (media hidden behind a warning),
``language`` and ``visibility``; they win over the platform's ``options``.

How it publishes (facts: ``shared/platforms.md`` §1): each image goes to ``POST /api/v2/media``
with its alt text as ``description``; a 202 (still processing) is polled on
``GET /api/v1/media/:id`` until it has a URL. Then ``POST /api/v1/statuses`` (JSON) with the
ledger's key as ``Idempotency-Key``: Mastodon answers a repeat of the key, for an hour, with
the original status instead of a new one. That makes a retry safe, so an unknown outcome of the
status request is retried once at once with the same key; and :meth:`lookup` replays the exact
request recorded before the first attempt, while that hour lasts. After it, doubt goes to a
person. Errors: 401/403 → :class:`AuthError` naming the variable, 429 → :class:`RateLimited`
until ``X-RateLimit-Reset`` (an ISO timestamp), other 4xx → :class:`Rejected` with Mastodon's
text, 5xx and timeouts → :class:`UnknownOutcome`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

import requests
from pydantic import Field

from soulpost.errors import ConfigError
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
from soulpost.publish.options import NEEDED, AdapterOptions, ApiOptions
from soulpost.publish.wire import mastodon as wire

if TYPE_CHECKING:
    from soulpost.posts import Post
    from soulpost.publish.base import AdapterConfig

#: Mastodon keeps an Idempotency-Key for 3600 s; stay well inside that window.
REPLAY_WINDOW = timedelta(minutes=50)


class MastodonOptions(ApiOptions):
    """``[platforms.NAME].options`` of the mastodon adapter."""

    base_url: str | None = Field(
        None,
        description="the instance, e.g. https://mastodon.social (no default)",
        json_schema_extra=NEEDED,
    )
    visibility: Literal["public", "unlisted", "private", "direct"] | None = Field(
        None, description="public, unlisted, private or direct (instance default)"
    )
    language: str | None = Field(None, description="ISO 639-1 language of the posts")
    media_poll_interval: float = Field(
        1.0, gt=0, le=60, description="seconds between media processing checks"
    )
    media_poll_timeout: float = Field(
        60.0, gt=0, le=3600, description="seconds to wait for media processing"
    )


class MastodonPostOptions(AdapterOptions):
    """``[variants.mastodon.options]`` of one post: what Mastodon lets a status carry beyond
    its text (issue 11)."""

    spoiler_text: str | None = Field(
        None, min_length=1, description="a content warning shown before the text"
    )
    sensitive: bool | None = Field(None, description="hide the media behind a warning")
    language: str | None = Field(
        None, pattern=r"^[a-z]{2,3}$", description="ISO 639 language of this post"
    )
    visibility: Literal["public", "unlisted", "private", "direct"] | None = Field(
        None, description="public, unlisted, private or direct for this post"
    )


class MastodonAdapter(HttpAdapter):
    """One Mastodon account on one instance."""

    name = "mastodon"
    #: Replaying the recorded request with its Idempotency-Key settles doubt for an hour.
    supports_lookup = True
    summary = "Mastodon: statuses, threads, images with alt text; Idempotency-Key retries"
    remote_id_form = (
        "the status id, the number at the end of the post's URL on your instance, "
        "e.g. 109876543210987654"
    )

    env_roles: ClassVar[Mapping[str, Setting]] = {
        "token": Setting("a user access token with write:statuses and write:media", True),
    }
    Options = MastodonOptions
    opts: MastodonOptions
    #: What a post may set for itself under ``[variants.NAME.options]``.
    PostOptions: ClassVar[type[MastodonPostOptions]] = MastodonPostOptions

    @classmethod
    def remote_id_from_url(cls, url: str) -> str | None:
        return _urls.mastodon(url)

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        url = self.base
        if not url or not url.startswith(("http://", "https://")):
            raise ConfigError(
                "Mastodon has no default instance: set options.base_url to your instance, "
                'e.g. base_url = "https://mastodon.social"',
                key=f"platforms.{self.platform}.options.base_url",
            )
        self.poll_interval = self.opts.media_poll_interval
        self.poll_timeout = self.opts.media_poll_timeout
        self.notes = KeyNotes(config.state_dir, self.platform)

    # --- pure -----------------------------------------------------------------------------

    def validate(self, post: Post) -> list[str]:
        """The platform's limits, the post's own options, and the length Mastodon counts:
        the content warning's graphemes plus the text's (``StatusLengthValidator``)."""
        problems = check_post(self, post)
        options, wrong = self._post_options(post)
        problems += wrong
        warning = options.spoiler_text if options else None
        caps = self.capabilities()
        if warning and caps.max_length is not None:
            from soulpost.text import graphemes, mastodon_length

            parts = [post.text_for(self.platform)]
            parts += [part.text for part in post.thread_for(self.platform)]
            for number, raw in enumerate(parts, 1):
                count = graphemes(warning) + mastodon_length(raw.strip(), caps.url_length or 23)
                if count > caps.max_length and count - graphemes(warning) <= caps.max_length:
                    label = "the post" if len(parts) == 1 else f"part {number}"
                    problems.append(
                        f"{label} with its content warning is {count} characters; "
                        f"{caps.title} allows {caps.max_length} for both together"
                    )
        return problems

    def _post_options(self, post: Post) -> tuple[MastodonPostOptions | None, list[str]]:
        """The post's ``[variants.NAME.options]`` checked, or the problems naming each key."""
        from pydantic import ValidationError

        raw = post.options_for(self.platform)
        try:
            return self.PostOptions.model_validate(raw), []
        except ValidationError as exc:
            known = ", ".join(MastodonPostOptions.model_fields)
            problems = []
            for error in exc.errors(include_input=False, include_url=False):
                key = ".".join(str(part) for part in error["loc"]) or "options"
                what = (
                    "is not a post option of the mastodon adapter"
                    if error["type"] == "extra_forbidden"
                    else error["msg"]
                )
                problems.append(
                    f"variants.{self.platform}.options.{key}: {what} (it takes: {known})"
                )
            return None, problems

    def compose(self, post: Post) -> Composed:
        """One ``POST /api/v1/statuses`` body per part, plus the images to upload first;
        the post's own options (content warning, sensitive media, language, visibility)
        go with every part."""
        options, wrong = self._post_options(post)
        if options is None:
            raise ValueError("; ".join(wrong))
        texts = [(post.text_for(self.platform), post.media_for(self.platform))]
        texts += [(part.text, part.media) for part in post.thread_for(self.platform)]
        parts = []
        for text, media in texts:
            request = wire.StatusRequest(
                status=text.strip(),
                media_ids=tuple(m.path for m in media),  # placeholders: only checks non-empty
                visibility=options.visibility or self.opts.visibility,
                language=options.language or self.opts.language,
                spoiler_text=options.spoiler_text,
                sensitive=options.sensitive,
            )
            body = request.json()
            body.pop("media_ids", None)
            body["media"] = media_list(media)
            parts.append(body)
        return Composed(self.platform, tuple(parts))

    # --- side effects ---------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret(self.config, 'Mastodon', 'token')}"}

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self._headers(), **kwargs.pop("headers", {})}
        return self.request(method, self.base + path, headers=headers, **kwargs)

    error_messages: ClassVar[Mapping[str, str]] = {
        RateLimited.outcome: "Mastodon rate limit reached ({message}); it resets {reset}",
        AuthError.outcome: (
            "Mastodon at {base} refused the access token in ${variable} (HTTP {status}: "
            "{message}); create a token with write:statuses and write:media and put it in "
            "{variable}"
        ),
        NotSent.outcome: (
            "Mastodon has not finished processing an image ({message}); the post was not "
            "created, so it is safe to try again"
        ),
        Rejected.outcome: "Mastodon refused it (HTTP {status}): {message}",
        UnknownOutcome.outcome: (
            "Mastodon answered HTTP {status} ({message}); the post may or may not exist"
        ),
    }

    def error_text(self, answer: ErrorAnswer) -> str:
        return wire.parse_error(answer.status, answer.body()).message

    def error_outcome(self, answer: ErrorAnswer) -> str | None:
        """A 422 for an attachment still processing: the status was not created."""
        if wire.parse_error(answer.status, answer.body()).media_not_ready:
            return NotSent.outcome
        return None

    def _upload(self, media: MediaFile) -> str:
        """Upload one image and wait until Mastodon can attach it; its media id."""
        path = media.name
        response = self._call(
            "POST",
            "/api/v2/media",
            files={"file": (media.name, media.data, media.mime)},
            data=wire.media_form(media.alt or None),
        )
        uploaded = wire.parse_media(response.json())
        waited = 0.0
        while not uploaded.ready:
            if waited >= self.poll_timeout:
                raise NotSent(
                    f"Mastodon was still processing {path} after {waited:g} s; the post was "
                    "not sent",
                    platform=self.platform,
                )
            self.config.clock.sleep(self.poll_interval)
            waited += self.poll_interval
            polled = self._call("GET", f"/api/v1/media/{uploaded.id}")
            uploaded = wire.parse_media(polled.json())  # 206 (processing) has no url yet
        return uploaded.id

    def _status_body(self, payload: Payload, parent: Receipt | None) -> dict[str, Any]:
        """Upload the payload's images, then build the statuses body."""
        try:
            files = read_all_media(self, payload.get("media"))
            media_ids = [self._upload(media) for media in files]
        except UnknownOutcome as exc:
            # An upload in doubt leaves at most an unattached file; the status was not sent.
            raise NotSent(
                f"image upload unanswered: {exc.message}", platform=self.platform
            ) from None
        body = {k: v for k, v in payload.items() if k != "media"}
        if media_ids:
            body["media_ids"] = media_ids
        if parent is not None:
            body["in_reply_to_id"] = parent.remote_id
        return body

    def _post_status(self, body: dict[str, Any], key: str) -> Receipt:
        def once() -> Receipt:
            response = self._call(
                "POST", "/api/v1/statuses", json=body, headers={"Idempotency-Key": key}
            )
            status = wire.parse_status(response.json())
            return Receipt(status.id, status.url or status.uri, self.config.clock.now())

        try:
            return once()
        except UnknownOutcome:
            # Same key within seconds: Mastodon returns the status if the first one landed.
            return once()

    def _send(self, payload: Payload, key: str, parent: Receipt | None) -> Receipt:
        body = self._status_body(payload, parent)
        self.notes.put(key, {"first_sent": self.config.clock.now().isoformat(), "body": body})
        return self._post_status(body, key)

    def publish(self, payload: Payload, key: str) -> Receipt:
        return self._send(payload, key, None)

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        return self._send(payload, key, parent)

    def lookup(self, key: str, payload: Payload) -> Receipt | None:
        """Replay the recorded request with the same Idempotency-Key while Mastodon still
        remembers it: the answer is the original status (or, if the first never landed, the
        status now created from the identical request)."""
        note = self.notes.get(key)
        if note is None:
            return None  # the note is written before any request: nothing was sent
        first = datetime.fromisoformat(str(note["first_sent"]))
        if self.config.clock.now() - first > REPLAY_WINDOW:
            raise UnknownOutcome(
                f"Mastodon only remembers an Idempotency-Key for an hour and this one was "
                f"first used at {first.isoformat()}; check the account and settle it with "
                "`soulpost resolve`",
                platform=self.platform,
            )
        return self._post_status(cast("dict[str, Any]", note["body"]), key)

    def check(self) -> str:
        """``verify_credentials`` proves the token works; ``/api/v2/instance`` tells whether
        the instance's own limits differ from the ones soulpost checks drafts against."""
        account = self._call("GET", "/api/v1/accounts/verify_credentials").json()
        line = f"@{account.get('acct') or account.get('username')} on {self.base}"
        try:
            config = self._call("GET", "/api/v2/instance").json().get("configuration") or {}
        except PublishError:
            return line
        caps = self.capabilities()
        statuses = config.get("statuses") or {}
        limits = {
            "characters": (statuses.get("max_characters"), caps.max_length),
            "images": (statuses.get("max_media_attachments"), caps.max_images),
        }
        notes = [
            f"the instance allows {theirs} {unit}, soulpost checks {ours}"
            for unit, (theirs, ours) in limits.items()
            if isinstance(theirs, int) and theirs != ours
        ]
        return "; ".join([line, *notes])
