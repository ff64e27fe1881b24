"""``webhook``: POSTs each publication as signed JSON to a URL you run.

The URL comes from ``env.url`` (the NAME of a variable holding it: webhook URLs often embed
a token, so they are secrets) or, when it holds nothing secret, ``options.url``.

Request body (see :func:`soulpost.publish.wire.webhook.generic_body`)::

    {"id": post id, "text", "media": [{"url", "alt"}], "part": n (thread parts),
     "key", "platform", "reply_to": remote id of the part before, "payload": composed}

with an ``Idempotency-Key`` header (the same key on every retry of one part). With
``env.secret`` set, ``X-Soulpost-Timestamp`` and ``X-Soulpost-Signature: sha256=HMAC-SHA256
(secret, "<timestamp>." + body)`` let the receiver check origin and freshness
(:func:`soulpost.publish.wire.webhook.verify` does exactly that). Media URLs are
``options.media_base_url`` + the file's path in the workspace.

A 2xx JSON answer may carry ``id`` and ``url``. With ``options.lookup_url`` set,
``GET lookup_url?key=KEY`` answering 200 (with ``id``/``url``) or 404 lets the engine settle
an unknown outcome. ``env.token`` (optional) is sent as a Bearer token. Thread parts are
posted in order, each naming the one before in ``reply_to``.

It is also the reference for real HTTP adapters: everything goes through
:func:`soulpost.publish.http.send`, which maps sockets and statuses onto the error classes.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar

import requests
from pydantic import Field

from soulpost.errors import ConfigError
from soulpost.publish import http
from soulpost.publish.adapters._common import (
    HttpAdapter,
    json_body,
    secret_values,
)
from soulpost.publish.base import (
    AuthError,
    Composed,
    Payload,
    Receipt,
    Setting,
    UnknownOutcome,
)
from soulpost.publish.options import AdapterOptions, HttpOptions
from soulpost.publish.wire import webhook as hook

if TYPE_CHECKING:
    from soulpost.platforms import Capabilities
    from soulpost.posts import Post


class WebhookOptions(HttpOptions):
    """``[platforms.NAME].options`` of the webhook adapter."""

    url: str | None = Field(
        None, description="the webhook URL when it holds no secret (else env.url)"
    )
    lookup_url: str | None = Field(
        None, description="GET ?key=KEY -> 200 receipt / 404, to settle in-doubt posts"
    )
    media_base_url: str | None = Field(
        None, description="prefix turning a media path into the URL sent"
    )


class WebhookAdapter(HttpAdapter):
    """A generic JSON webhook."""

    name = "webhook"
    summary = "generic JSON POST to your URL: HMAC-SHA256 signed, Idempotency-Key, threads"
    remote_id_form = "the `id` your receiver answered for it, or the request's `key` without one"
    env_roles: ClassVar[dict[str, Setting]] = {
        "url": Setting("the webhook URL (or options.url when it is not secret)"),
        "secret": Setting("shared secret for the X-Soulpost-Signature HMAC-SHA256 header"),
        "token": Setting("sent as Authorization: Bearer"),
    }
    Options = WebhookOptions
    opts: WebhookOptions

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        url = self.opts.url
        if url is None and "url" not in self.config.credentials:
            raise ConfigError(
                "the webhook adapter needs its URL: env.url (the NAME of a variable holding "
                "it) or options.url",
                key=f"platforms.{self.platform}.env.url",
            )
        if url is not None and (
            not isinstance(url, str) or not url.startswith(("http://", "https://"))
        ):
            raise ConfigError(
                "the webhook adapter needs options.url (http:// or https://)",
                key=f"platforms.{self.platform}.options.url",
            )
        self._url = url
        self.media_base = self.opts.media_base_url or ""
        self.lookup_url = self.opts.lookup_url
        self.supports_lookup = bool(self.lookup_url)

    @classmethod
    def capabilities_for(cls, platform: str, options: AdapterOptions | None = None) -> Capabilities:
        """The platform's limits; every part carries an ``Idempotency-Key``."""
        return dataclasses.replace(super().capabilities_for(platform, options), idempotency="key")

    @property
    def url(self) -> str:
        """The URL to POST to (read from the environment at the moment of use)."""
        if self._url is not None:
            return str(self._url)
        value = self.config.secret("url")
        if not value.startswith(("http://", "https://")):
            raise AuthError(
                f"${self.config.credentials['url']} (env.url) does not hold an http(s) URL",
                platform=self.platform,
            )
        return value

    def compose(self, post: Post) -> Composed:
        """Each part: its text and media with the post's id (and part number)."""
        composed = super().compose(post)
        return Composed(
            composed.platform,
            tuple(
                {**part, "id": post.id, **({"part": i} if i else {})}
                for i, part in enumerate(composed.parts)
            ),
        )

    def _headers(self, key: str, body: bytes) -> dict[str, str]:
        if "secret" in self.config.credentials:
            now = int(self.config.clock.now().timestamp())
            headers = hook.signed_headers(self.config.secret("secret"), now, body, key)
        else:
            headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if "token" in self.config.credentials:
            headers["Authorization"] = f"Bearer {self.config.secret('token')}"
        return headers

    def _receipt(self, response: requests.Response, key: str) -> Receipt:
        body = json_body(response)
        return Receipt(str(body.get("id") or key), body.get("url"), self.config.clock.now())

    def _post(self, payload: Payload, key: str, parent: Receipt | None) -> Receipt:
        media = [
            hook.MediaLink(self.media_base + str(m.get("path", "")), str(m.get("alt") or ""))
            for m in payload.get("media") or ()
        ]
        body = {
            **hook.generic_body(
                str(payload.get("id") or key),
                str(payload.get("text") or ""),
                media=media,
                part=int(payload.get("part") or 0),
            ),
            "key": key,
            "platform": self.platform,
            "reply_to": parent.remote_id if parent else None,
            "payload": dict(payload),
        }
        data = hook.encode(body)
        try:
            response = http.send(
                self.session,
                "POST",
                self.url,
                platform=self.platform,
                secrets=http.LazySecrets(lambda: secret_values(self.config.secrets())),
                timeout=self.timeout,
                now=self.config.clock.now(),
                data=data,
                headers=self._headers(key, data),
            )
        except AuthError as exc:
            names = ", ".join(f"${v} (env.{r})" for r, v in self.config.credentials.items())
            raise AuthError(
                f"the webhook refused the request: {exc.message}; check {names or 'its URL'}",
                status=exc.status,
                platform=self.platform,
            ) from None
        return self._receipt(response, key)

    def publish(self, payload: Payload, key: str) -> Receipt:
        return self._post(payload, key, None)

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        return self._post(payload, key, parent)

    def lookup(self, key: str, payload: Payload) -> Receipt | None:
        if not self.lookup_url:
            return super().lookup(key, payload)
        try:
            response = self.session.get(
                str(self.lookup_url), params={"key": key}, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise UnknownOutcome(
                f"lookup failed: {type(exc).__name__}", platform=self.platform
            ) from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise UnknownOutcome(
                f"lookup answered HTTP {response.status_code}", platform=self.platform
            )
        return self._receipt(response, key)
