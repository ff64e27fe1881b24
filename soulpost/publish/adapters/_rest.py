"""What the HTTP platform adapters share: base URL and timeouts from ``options``, one lazy
session, credential errors that name the variable, and media files read from the workspace.

Everything goes through :func:`soulpost.publish.http.send`, so sockets and statuses map onto
the error classes the same way everywhere; adapters only add what their platform says in
the body of an error.
"""

from __future__ import annotations

import dataclasses
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import requests

from soulpost.platforms import PLATFORMS, Capabilities
from soulpost.publish import http
from soulpost.publish.base import Adapter, AdapterConfig, AuthError, Rejected, Setting

COMMON_OPTIONS: dict[str, Setting] = {
    "connect_timeout": Setting("seconds to wait for a connection", default=5.0),
    "read_timeout": Setting("seconds to wait for an answer once sent", default=30.0),
}
MEDIA_OPTIONS: dict[str, Setting] = {
    "max_image_bytes": Setting("refuse images larger than this before uploading"),
}


@dataclass(frozen=True)
class MediaFile:
    """An image read from the workspace, ready to upload."""

    path: str
    alt: str
    data: bytes
    content_type: str


class RestAdapter(Adapter):
    """Base of the adapters that talk to one HTTP API (``options.base_url``)."""

    default_base_url: ClassVar[str] = ""
    #: The env role holding the main credential (named in auth errors).
    credential_role: ClassVar[str] = "token"

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        opts = config.options
        self.base_url = str(opts.get("base_url") or self.default_base_url).rstrip("/")
        connect = float(opts.get("connect_timeout", http.DEFAULT_TIMEOUT[0]))
        read = float(opts.get("read_timeout", http.DEFAULT_TIMEOUT[1]))
        self.timeout = (connect, read)
        self._session: requests.Session | None = None

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
        """Count and size problems of *media* (a post's ``media_for``) against the limits."""
        caps = self.capabilities()
        problems = []
        if len(media) > caps.max_images:
            problems.append(f"{len(media)} images; {caps.title} takes at most {caps.max_images}")
        for item in media:
            path = self.media_path(item.path)
            try:
                size = path.stat().st_size
            except OSError:
                problems.append(f"image {item.path} cannot be read")
                continue
            if caps.max_image_bytes is not None and size > caps.max_image_bytes:
                problems.append(
                    f"image {item.path} has {size} bytes; {caps.title} takes at most "
                    f"{caps.max_image_bytes}"
                )
        return problems

    # --- side effects ------------------------------------------------------------------------

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = http.build_session()
        return self._session

    def token(self) -> str:
        """The main credential (AuthError naming the variable when unset)."""
        return self.config.secret(self.credential_role)

    def secret_values(self) -> list[str]:
        """Every secret to redact, including the parts of secret URLs that error texts
        quote on their own (``requests`` names only the path of a URL that failed)."""
        return secret_values(self.config.secrets())

    def variable(self, role: str | None = None) -> str:
        """The NAME of the environment variable behind *role*, for messages."""
        return self.config.credentials.get(role or self.credential_role, "(not configured)")

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One request; a 2xx response or the PublishError it means (auth errors name the
        variable that holds the rejected credential)."""
        try:
            return http.send(
                self.session,
                method,
                url,
                platform=self.platform,
                secrets=self.secret_values(),
                timeout=self.timeout,
                now=self.config.clock.now(),
                **kwargs,
            )
        except AuthError as exc:
            raise self.auth_error(exc.message, exc.status) from None

    def raw(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One request whose non-2xx answers the caller reads itself (socket failures still
        become NotSent/UnknownOutcome)."""
        try:
            return self.session.request(
                method, url, timeout=self.timeout, allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            # Reuse send()'s classification of socket failures without its status check.
            secrets = self.secret_values()
            text = http.redact(f"{type(exc).__name__}: {exc}", secrets)
            from soulpost.publish.base import NotSent, UnknownOutcome

            if http._never_sent(exc):
                raise NotSent(f"could not connect: {text}", platform=self.platform) from None
            raise UnknownOutcome(
                f"sent, but no answer came back: {text}", platform=self.platform
            ) from None

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

    def media_path(self, relative: str) -> Path:
        """Where a post's media file is: relative to the workspace root."""
        path = Path(relative)
        if path.is_absolute():
            return path
        return (self.config.root or self.config.state_dir.parent) / path

    def read_media(self, item: Mapping[str, Any]) -> MediaFile:
        """Read one ``{"path", "alt"}`` media entry; Rejected when the file is unusable."""
        rel = str(item.get("path") or "")
        path = self.media_path(rel)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Rejected(
                f"cannot read image {rel}: {exc.strerror or exc}", platform=self.platform
            ) from None
        caps = self.capabilities()
        if caps.max_image_bytes is not None and len(data) > caps.max_image_bytes:
            raise Rejected(
                f"image {rel} has {len(data)} bytes; {caps.title} takes at most "
                f"{caps.max_image_bytes}",
                platform=self.platform,
            )
        kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        return MediaFile(rel, str(item.get("alt") or ""), data, kind)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


def secret_values(values: list[str]) -> list[str]:
    """*values* plus, for each one that is a URL, its path (with and without the query) and
    its last path segment, longest first so the whole is replaced before a part."""
    derived: list[str] = []
    for value in values:
        if not value.startswith(("http://", "https://")):
            continue
        parts = urlsplit(value)
        segments = [s for s in parts.path.split("/") if s]
        derived += [parts.path + (f"?{parts.query}" if parts.query else ""), parts.path]
        derived += [quote(parts.path), parts.query, *segments[-1:]]
    # Short parts ("/hook") are not secret and would garble ordinary words if replaced.
    keep = {v for v in derived if len(v) >= 8} | {v for v in values if v}
    return sorted(keep, key=len, reverse=True)


def json_body(response: requests.Response) -> dict[str, Any]:
    """The JSON object of *response*, or an empty dict."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def media_list(post_media: list[Any]) -> list[dict[str, str]]:
    """A post's media as plain ``{"path", "alt"}`` entries for a rendered payload."""
    return [{"path": m.path, "alt": m.alt or ""} for m in post_media]
