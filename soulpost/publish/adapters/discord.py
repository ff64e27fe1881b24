"""``discord``: posts to a Discord channel through an incoming webhook.

The webhook URL embeds its token, so it is a secret: ``env.url`` names the variable that
holds it and it never appears in output. Messages go with ``?wait=true`` so Discord answers
with the message (its id is the receipt). Images are uploaded as ``files[n]`` with their alt
text as the attachment ``description``. Thread parts are posted as follow-up messages in
order. 429 waits ``retry_after`` seconds. Facts: ``shared/platforms.md`` §7. Discord cannot
find a message by key, so an in-doubt message is held for a person.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from soulpost.publish import http
from soulpost.publish.adapters import _urls
from soulpost.publish.adapters._common import (
    ErrorAnswer,
    HttpAdapter,
    json_body,
)
from soulpost.publish.adapters._media import media_list, read_all_media
from soulpost.publish.base import (
    AdapterConfig,
    AuthError,
    Composed,
    Payload,
    RateLimited,
    Receipt,
    Setting,
    UnknownOutcome,
)
from soulpost.publish.options import HttpOptions, MediaOptions
from soulpost.publish.wire import webhook as hook

if TYPE_CHECKING:
    from soulpost.posts import Post


class DiscordOptions(HttpOptions, MediaOptions):
    """``[platforms.NAME].options`` of the discord adapter."""

    username: str | None = Field(
        None, description="name shown on the messages (default: the webhook's)"
    )
    thread_id: str | int | None = Field(None, description="post into this thread of the channel")
    guild_id: str | int | None = Field(
        None, description="server id, to build message links for receipts"
    )


class DiscordAdapter(HttpAdapter):
    """A Discord incoming webhook."""

    name = "discord"
    summary = "Discord channel via incoming webhook; images with descriptions; follow-ups"
    remote_id_form = "the message id, the last number of its link (Copy Message Link)"

    credential_role = "url"
    env_roles: ClassVar[dict[str, Setting]] = {
        "url": Setting("the webhook URL https://discord.com/api/webhooks/<id>/<token>", True)
    }
    Options = DiscordOptions
    opts: DiscordOptions

    @classmethod
    def remote_id_from_url(cls, url: str) -> str | None:
        return _urls.discord(url)

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        opts = self.opts
        self.username = str(opts.username) if opts.username else None
        self.thread_id = str(opts.thread_id) if opts.thread_id else None
        self.guild_id = str(opts.guild_id) if opts.guild_id else None

    # --- pure ------------------------------------------------------------------------------

    def validate(self, post: Post) -> list[str]:
        problems = [p for p in super().validate(post) if "cannot post threads" not in p]
        return problems + self.media_problems(post.media_for(self.platform))

    def compose(self, post: Post) -> Composed:
        """One message per part: the webhook JSON body and the files to attach."""
        parts = [(post.text_for(self.platform).strip(), post.media_for(self.platform))]
        parts += [(p.text.strip(), p.media) for p in post.thread_for(self.platform)]
        out = []
        for text, media in parts:
            body = hook.discord_body(text, username=self.username, with_files=bool(media))
            out.append({"message": body, "media": media_list(media)})
        return Composed(self.platform, tuple(out))

    # --- side effects ------------------------------------------------------------------------

    def _send(self, payload: Payload) -> Receipt:
        url = self.token()
        if not url.startswith(("http://", "https://")):
            raise AuthError(
                f"${self.variable()} (env.url) does not hold a webhook URL",
                platform=self.platform,
            )
        body = dict(payload["message"])
        media = read_all_media(self, payload.get("media"))
        target = hook.discord_url(url, thread_id=self.thread_id)
        if media:
            body["attachments"] = [
                {"id": i, "filename": m.name, "description": m.alt} for i, m in enumerate(media)
            ]
            files = {f"files[{i}]": (m.name, m.data, m.mime) for i, m in enumerate(media)}
            response = self.request(
                "POST", target, data={"payload_json": json.dumps(body)}, files=files
            )
        else:
            response = self.request("POST", target, json=body)
        try:
            message_id = hook.parse_discord_message(json_body(response))
        except ValueError as exc:
            raise UnknownOutcome(self.clean(str(exc)), platform=self.platform) from None
        channel = json_body(response).get("channel_id")
        link = None
        if self.guild_id and channel:
            link = f"https://discord.com/channels/{self.guild_id}/{channel}/{message_id}"
        return Receipt(message_id, link, self.config.clock.now())

    error_messages: ClassVar[Mapping[str, str]] = {
        RateLimited.outcome: "{message}{scope}",
    }

    def error_text(self, answer: ErrorAnswer) -> str:
        error = hook.parse_discord_error(answer.status, answer.body())
        code = f" (code {error.code})" if error.code is not None else ""
        return f"HTTP {answer.status}{code}: {error.message}"

    def error_outcome(self, answer: ErrorAnswer) -> str | None:
        """A deleted webhook answers 404 "Unknown Webhook": the URL itself is stale."""
        return AuthError.outcome if answer.status == 404 else None

    def error_fields(self, answer: ErrorAnswer) -> dict[str, str]:
        is_global = hook.parse_discord_error(answer.status, answer.body()).is_global
        return {"scope": " (global)" if is_global else ""}

    def reset_at(self, answer: ErrorAnswer) -> datetime | None:
        """Discord's body says ``retry_after`` (seconds, with fractions); else its headers;
        else a second."""
        wait = hook.parse_discord_error(answer.status, answer.body()).retry_after
        now = self.config.clock.now()
        return http.reset_time(answer.headers, now, wait=wait) or now + http.MIN_WAIT

    def publish(self, payload: Payload, key: str) -> Receipt:
        return self._send(payload)

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        """A follow-up message, after the one before it."""
        return self._send(payload)

    def check(self) -> str:
        url = self.token()
        body = json_body(self.request("GET", url))
        return f"webhook {body.get('name') or '?'} in channel {body.get('channel_id') or '?'}"
