"""``webhook``: POSTs each publication as JSON to ``options.url``.

Request body: ``{"key", "platform", "reply_to", "payload"}`` with an ``Idempotency-Key``
header. A 2xx JSON answer may carry ``id`` and ``url``. With ``options.lookup_url`` set,
``GET lookup_url?key=KEY`` answering 200 (with ``id``/``url``) or 404 lets the engine settle
an unknown outcome. Credentials: ``env.token`` (optional) is sent as a Bearer token.

It is also the reference for real HTTP adapters: everything goes through
:func:`soulpost.publish.http.send`, which maps sockets and statuses onto the error classes.
"""

from __future__ import annotations

from typing import Any

import requests

from soulpost.errors import ConfigError
from soulpost.publish import http
from soulpost.publish.base import Adapter, Payload, Receipt, UnknownOutcome


class WebhookAdapter(Adapter):
    """A generic JSON webhook."""

    name = "webhook"

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        url = self.config.options.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(
                "the webhook adapter needs options.url (http:// or https://)",
                key=f"platforms.{self.platform}.options.url",
            )
        self.url = url
        self.lookup_url = self.config.options.get("lookup_url")
        self.supports_lookup = bool(self.lookup_url)
        connect = float(self.config.options.get("connect_timeout", http.DEFAULT_TIMEOUT[0]))
        read = float(self.config.options.get("read_timeout", http.DEFAULT_TIMEOUT[1]))
        self.timeout = (connect, read)
        self._session: requests.Session | None = None

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = http.build_session()
        return self._session

    def _headers(self, key: str) -> dict[str, str]:
        headers = {"Idempotency-Key": key}
        if "token" in self.config.credentials:
            headers["Authorization"] = f"Bearer {self.config.secret('token')}"
        return headers

    def _receipt(self, response: requests.Response, key: str) -> Receipt:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        return Receipt(str(body.get("id") or key), body.get("url"), self.config.clock.now())

    def _post(self, payload: Payload, key: str, parent: Receipt | None) -> Receipt:
        body = {
            "key": key,
            "platform": self.platform,
            "reply_to": parent.remote_id if parent else None,
            "payload": dict(payload),
        }
        response = http.send(
            self.session,
            "POST",
            self.url,
            platform=self.platform,
            secrets=self.config.secrets(),
            timeout=self.timeout,
            now=self.config.clock.now(),
            json=body,
            headers=self._headers(key),
        )
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

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
