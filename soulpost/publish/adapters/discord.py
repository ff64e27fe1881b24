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
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

from soulpost.publish.adapters._common import TIMEOUT_OPTIONS, json_body
from soulpost.publish.adapters._media import media_list, read_all_media
from soulpost.publish.adapters._rest import MEDIA_OPTIONS, RestAdapter
from soulpost.publish.base import (
    AdapterConfig,
    AuthError,
    Payload,
    RateLimited,
    Receipt,
    Rejected,
    Rendered,
    Setting,
    UnknownOutcome,
)
from soulpost.publish.render import webhook as hook

if TYPE_CHECKING:
    import requests

    from soulpost.posts import Post


class DiscordAdapter(RestAdapter):
    """A Discord incoming webhook."""

    name = "discord"
    summary = "Discord channel via incoming webhook; images with descriptions; follow-ups"
    credential_role = "url"
    env_roles: ClassVar[dict[str, Setting]] = {
        "url": Setting("the webhook URL https://discord.com/api/webhooks/<id>/<token>", True)
    }
    options: ClassVar[dict[str, Setting]] = {
        "username": Setting("name shown on the messages (default: the webhook's)"),
        "thread_id": Setting("post into this thread of the channel"),
        "guild_id": Setting("server id, to build message links for receipts"),
        **MEDIA_OPTIONS,
        **TIMEOUT_OPTIONS,
    }

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        opts = config.options
        self.username = str(opts["username"]) if opts.get("username") else None
        self.thread_id = str(opts["thread_id"]) if opts.get("thread_id") else None
        self.guild_id = str(opts["guild_id"]) if opts.get("guild_id") else None

    # --- pure ------------------------------------------------------------------------------

    def validate(self, post: Post) -> list[str]:
        problems = [p for p in super().validate(post) if "cannot post threads" not in p]
        return problems + self.media_problems(post.media_for(self.platform))

    def render(self, post: Post) -> Rendered:
        """One message per part: the webhook JSON body and the files to attach."""
        parts = [(post.text_for(self.platform).strip(), post.media_for(self.platform))]
        parts += [(p.text.strip(), p.media) for p in post.thread_for(self.platform)]
        out = []
        for text, media in parts:
            body = hook.discord_body(text, username=self.username, with_files=bool(media))
            out.append({"message": body, "media": media_list(media)})
        return Rendered(self.platform, tuple(out))

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
            response = self.raw(
                "POST", target, data={"payload_json": json.dumps(body)}, files=files
            )
        else:
            response = self.raw("POST", target, json=body)
        if response.status_code >= 300:
            raise self._error(response)
        try:
            message_id = hook.parse_discord_message(json_body(response))
        except ValueError as exc:
            raise UnknownOutcome(self.clean(str(exc)), platform=self.platform) from None
        channel = json_body(response).get("channel_id")
        link = None
        if self.guild_id and channel:
            link = f"https://discord.com/channels/{self.guild_id}/{channel}/{message_id}"
        return Receipt(message_id, link, self.config.clock.now())

    def _error(self, response: requests.Response) -> Exception:
        status = response.status_code
        error = hook.parse_discord_error(status, json_body(response), response.headers)
        code = f" (code {error.code})" if error.code is not None else ""
        message = self.clean(f"HTTP {status}{code}: {error.message}")
        if status in (401, 403, 404):
            # A deleted webhook answers 404 "Unknown Webhook": the URL itself is stale.
            return self.auth_error(message, status)
        if status == 429:
            wait = error.retry_after if error.retry_after is not None else 1.0
            reset = self.config.clock.now() + timedelta(seconds=wait)
            scope = " (global)" if error.is_global else ""
            return RateLimited(f"{message}{scope}", reset_at=reset, platform=self.platform)
        if 400 <= status < 500:
            return Rejected(message, status=status, platform=self.platform)
        return UnknownOutcome(message, platform=self.platform)

    def publish(self, payload: Payload, key: str) -> Receipt:
        return self._send(payload)

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        """A follow-up message, after the one before it."""
        return self._send(payload)

    def check(self) -> str:
        url = self.token()
        response = self.raw("GET", url)
        if response.status_code >= 300:
            raise self._error(response)
        body = json_body(response)
        return f"webhook {body.get('name') or '?'} in channel {body.get('channel_id') or '?'}"
