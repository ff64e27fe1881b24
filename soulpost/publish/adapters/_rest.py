"""The base of the adapters that talk to one HTTP API and read its error bodies themselves
(LinkedIn, Facebook, Pinterest, Discord, Slack): base URL and timeouts from ``options``, one
lazy session, the platform's limits (``options.max_image_bytes`` may tighten them), and
credential errors that name the variable.

Requests go through :func:`._common.call`, so sockets map onto the error classes the same way
everywhere; adapters only add what their platform says in the body of an error. Media files
are read with :mod:`._media`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import requests

from soulpost.platforms import PLATFORMS, Capabilities
from soulpost.publish import http
from soulpost.publish.adapters._common import (
    ErrorAnswer,
    HttpAdapter,
    base_url,
    media_problems,
    secret,
    secret_values,
)
from soulpost.publish.base import AdapterConfig, AuthError, Setting

MEDIA_OPTIONS: dict[str, Setting] = {
    "max_image_bytes": Setting("refuse images larger than this before uploading"),
}


class RestAdapter(HttpAdapter):
    """Base of the adapters that talk to one HTTP API (``options.base_url``)."""

    default_base_url: ClassVar[str] = ""
    #: The env role holding the main credential (named in auth errors).
    credential_role: ClassVar[str] = "token"

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        self.base_url = base_url(config.options, self.default_base_url)

    # --- pure ------------------------------------------------------------------------------

    def capabilities(self) -> Capabilities:
        """The platform's limits, also when configured under another name; an
        ``options.max_image_bytes`` tightens the image size limit."""
        caps = PLATFORMS.get(self.platform) or PLATFORMS.get(self.name) or super().capabilities()
        limit = self.config.options.get("max_image_bytes")
        if isinstance(limit, int) and limit > 0:
            caps = dataclasses.replace(caps, max_image_bytes=limit)
        return caps

    @property
    def title(self) -> str:
        return self.capabilities().title

    def media_problems(self, media: list[Any]) -> list[str]:
        """Count, alt text and file problems of *media* (a post's ``media_for``)."""
        return media_problems(self, media)

    # --- side effects ------------------------------------------------------------------------

    def token(self) -> str:
        """The main credential (AuthError naming the platform and variable when unset)."""
        return secret(self.config, self.title, self.credential_role)

    def secret_values(self) -> list[str]:
        """Every secret to redact, including the parts of secret URLs that error texts
        quote on their own (``requests`` names only the path of a URL that failed)."""
        return secret_values(self.config.secrets())

    def variable(self, role: str | None = None) -> str:
        """The NAME of the environment variable behind *role*, for messages."""
        return self.config.credentials.get(role or self.credential_role, "(not configured)")

    def raw(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One request whose non-2xx answers the caller reads itself (socket failures still
        become NotSent/UnknownOutcome)."""
        try:
            return self.call(method, url, **kwargs)
        except ErrorAnswer as answer:
            return answer.response

    def auth_error(self, message: str, status: int | None = None) -> AuthError:
        """An AuthError that says which variable to fix (never its value)."""
        clean = http.redact(message, self.secret_values())
        return AuthError(
            f"{self.title} rejected the credential in ${self.variable()} "
            f"(env.{self.credential_role}): {clean}; renew it and update the variable",
            status=status,
            platform=self.platform,
        )

    def clean(self, text: str) -> str:
        """*text* with every configured secret removed."""
        return http.redact(text, self.secret_values())
