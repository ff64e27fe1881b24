"""``slack``: posts to a Slack channel through an incoming webhook.

The webhook URL is a secret (``env.url`` names the variable holding it). Slack answers 200
``ok`` in plain text and no message id, so the receipt's id is the idempotency key and
there is no URL. Incoming webhooks cannot upload files: an image goes in as a Block Kit
image block by URL (``options.media_base_url`` + its path), with its alt text. Thread parts
are posted as follow-up messages in order. Facts: ``shared/platforms.md`` §7 (mostly
unverified there). An in-doubt message is held for a person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from soulpost.publish.adapters._common import ErrorAnswer, HttpAdapter
from soulpost.publish.base import (
    AdapterConfig,
    AuthError,
    Composed,
    Payload,
    Receipt,
    Rejected,
    Setting,
)
from soulpost.publish.options import HttpOptions
from soulpost.publish.wire import webhook as hook

if TYPE_CHECKING:
    from soulpost.posts import Post

#: Slack's plain-text error codes that mean the URL (and so its token) is no good.
_AUTH_CODES = frozenset({"invalid_token", "no_service", "no_service_id", "no_team"})


class SlackOptions(HttpOptions):
    """``[platforms.NAME].options`` of the slack adapter."""

    media_base_url: str | None = Field(
        None, description="public URL prefix of the workspace's media files"
    )


class SlackAdapter(HttpAdapter):
    """A Slack incoming webhook."""

    name = "slack"
    summary = "Slack channel via incoming webhook; images by URL with alt text; follow-ups"
    remote_id_form = "any text: Slack follow-ups do not name the message before them"
    credential_role = "url"
    env_roles: ClassVar[dict[str, Setting]] = {
        "url": Setting("the webhook URL https://hooks.slack.com/services/T../B../..", True)
    }
    Options = SlackOptions
    opts: SlackOptions

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        self.media_base = self.opts.media_base_url or ""

    # --- pure ------------------------------------------------------------------------------

    def validate(self, post: Post) -> list[str]:
        problems = [p for p in super().validate(post) if "cannot post threads" not in p]
        media = post.media_for(self.platform)
        if media and not self.media_base:
            problems.append(
                "Slack webhooks take images only by URL: set options.media_base_url "
                f"under [platforms.{self.platform}], or give slack a variant without media"
            )
        if len(media) > self.capabilities().max_images:
            problems.append(f"{len(media)} images; a Slack message here takes one")
        return problems

    def compose(self, post: Post) -> Composed:
        """One ``{"text", "blocks"?}`` body per part."""
        parts = [(post.text_for(self.platform).strip(), post.media_for(self.platform))]
        parts += [(p.text.strip(), p.media) for p in post.thread_for(self.platform)]
        out: list[dict[str, Any]] = []
        for text, media in parts:
            if media:
                image = media[0]
                out.append(
                    hook.slack_body(
                        text, image_url=self.media_base + image.path, alt=image.alt or ""
                    )
                )
            else:
                out.append(hook.slack_body(text))
        return Composed(self.platform, tuple(out))

    # --- side effects ------------------------------------------------------------------------

    def _send(self, payload: Payload, key: str) -> Receipt:
        url = self.token()
        if not url.startswith(("http://", "https://")):
            raise AuthError(
                f"${self.variable()} (env.url) does not hold a webhook URL",
                platform=self.platform,
            )
        self.request("POST", url, json=dict(payload))
        return Receipt(key, None, self.config.clock.now())

    def error_text(self, answer: ErrorAnswer) -> str:
        problem = hook.slack_result(answer.status, answer.response.text) or ""
        return f"HTTP {answer.status}: {problem[:200]}"

    def error_outcome(self, answer: ErrorAnswer) -> str | None:
        """Slack answers in plain text: some codes mean the URL's token is no good, and a
        404 is a deleted webhook; a 3xx (redirects are never followed) is a refusal."""
        problem = hook.slack_result(answer.status, answer.response.text)
        if answer.status == 404 or problem in _AUTH_CODES:
            return AuthError.outcome
        if 300 <= answer.status < 400:
            return Rejected.outcome
        return None

    def publish(self, payload: Payload, key: str) -> Receipt:
        return self._send(payload, key)

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        """A follow-up message, after the one before it."""
        return self._send(payload, key)
