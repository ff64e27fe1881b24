"""What the HTTP adapters share: :class:`HttpAdapter` (the one base class: a lazy session,
timeouts and ``base_url`` from ``options``, credentials named by variable, and the one way a
failed answer becomes an error), secrets to redact, per-key notes in the state directory,
and the offline check of a post against the platform's limits.

Media files are in :mod:`._media`; nothing here knows a platform's wire format, which lives
in ``soulpost.publish.wire``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, urlsplit

import requests

from soulpost.platforms import PLATFORMS, Capabilities
from soulpost.publish import http
from soulpost.publish.adapters._media import media_path
from soulpost.publish.base import (
    Adapter,
    AuthError,
    PublishError,
    RateLimited,
    UnknownOutcome,
)
from soulpost.publish.options import AdapterOptions, HttpOptions

if TYPE_CHECKING:
    from datetime import datetime

    from soulpost.posts import Media, Post
    from soulpost.publish.base import AdapterConfig


# ---------------------------------------------------------------------------------------------
# HTTP


class ErrorAnswer(UnknownOutcome):
    """The platform answered, but not with a 2xx: ``error`` is how :func:`http.check`
    classifies it, ``response`` lets the adapter read the platform's own reason.

    An HTTP adapter turns it into the right outcome with :meth:`HttpAdapter.error` before
    it leaves the adapter. It is an :class:`UnknownOutcome` so that one which escaped
    unclassified would still be held in doubt, never re-sent blindly."""

    def __init__(self, response: requests.Response, error: PublishError) -> None:
        self.response = response
        self.error = error
        super().__init__(error.message, platform=error.platform)

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        """The answer's headers (names case-insensitive)."""
        return self.response.headers

    def body(self) -> dict[str, Any]:
        """The JSON object of the answer, or an empty dict."""
        return json_body(self.response)


#: How each outcome is worded unless an adapter's ``error_messages`` says otherwise. Fields:
#: {status} {message} (the platform's words, secrets removed) {what} (the step that failed)
#: {reset} {variable} {role} {base} {title}.
DEFAULT_MESSAGES: dict[str, str] = {
    AuthError.outcome: (
        "{title} rejected the credential in ${variable} (env.{role}): {message}; renew it and "
        "update the variable"
    ),
}


class HttpAdapter(Adapter):
    """The base of every adapter that talks HTTP.

    It holds one lazy session, ``(connect, read)`` timeouts and ``base_url`` from
    ``options``, the platform's limits (``options.max_image_bytes`` may tighten them),
    credential errors that name the variable, and the one way a failed answer becomes an
    error: :func:`http.outcome_for` decides from the status, and an adapter overrides only
    what its platform really does differently, through :meth:`error_outcome` (the body says
    otherwise), :meth:`special_error` (an error class of its own), :meth:`reset_at` and the
    wording table ``error_messages``.
    """

    default_base_url: ClassVar[str] = ""
    #: The env role holding the main credential (named in auth errors).
    credential_role: ClassVar[str] = "token"
    #: Outcome -> wording (see DEFAULT_MESSAGES); missing outcomes say ``{message}``.
    error_messages: ClassVar[Mapping[str, str]] = {}

    Options = HttpOptions

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        opts = self.opts
        connect = getattr(opts, "connect_timeout", http.DEFAULT_TIMEOUT[0])
        self.timeout = (
            float(connect),
            float(getattr(opts, "read_timeout", http.DEFAULT_TIMEOUT[1])),
        )
        #: ``options.base_url`` (adapters that take one) without a trailing slash, else the
        #: adapter's default (also for an empty value).
        self.base = str(getattr(opts, "base_url", None) or self.default_base_url).rstrip("/")
        self._session: requests.Session | None = None

    # --- pure ------------------------------------------------------------------------------

    @classmethod
    def capabilities_for(cls, platform: str, options: AdapterOptions | None = None) -> Capabilities:
        """The platform's limits, also when configured under another name; an
        ``options.max_image_bytes`` tightens the image size limit."""
        caps = PLATFORMS.get(platform) or PLATFORMS.get(cls.name)
        caps = caps or super().capabilities_for(platform, options)
        limit = getattr(options, "max_image_bytes", None)
        if isinstance(limit, int) and limit > 0:
            caps = dataclasses.replace(caps, max_image_bytes=limit)
        return caps

    @property
    def title(self) -> str:
        return self.capabilities().title

    def media_problems(self, media: list[Any]) -> list[str]:
        """Count, alt text and file problems of *media* (a post's ``media_for``)."""
        return media_problems(self, media)

    # --- credentials -------------------------------------------------------------------------

    def token(self) -> str:
        """The main credential (AuthError naming the platform and variable when unset)."""
        return secret(self.config, self.title, self.credential_role)

    def session_secrets(self) -> tuple[str, ...]:
        """Secrets obtained at run time (session tokens), redacted like configured ones."""
        return ()

    def secret_values(self) -> list[str]:
        """Every secret to redact, including the parts of secret URLs that error texts
        quote on their own (``requests`` names only the path of a URL that failed)."""
        return secret_values([*self.config.secrets(), *self.session_secrets()])

    def variable(self, role: str | None = None) -> str:
        """The NAME of the environment variable behind *role*, for messages."""
        return self.config.credentials.get(role or self.credential_role, "(not configured)")

    def clean(self, text: str) -> str:
        """*text* with every configured secret removed."""
        return http.redact(text, self.secret_values())

    # --- HTTP --------------------------------------------------------------------------------

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            trust_env = bool(getattr(self.opts, "trust_env", True))
            self._session = http.build_session(trust_env=trust_env)
        return self._session

    def call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """:func:`http.send` with this adapter's session, timeouts, clock and secrets.

        Transport failures raise :class:`NotSent` / :class:`UnknownOutcome` as ``http.send``
        decides; a non-2xx answer raises :class:`ErrorAnswer` so the caller can look at it
        (an expired session, a missing record) before :meth:`error` classifies it.
        """
        answered: list[requests.Response] = []

        def keep(response: requests.Response, *args: Any, **kw: Any) -> None:
            answered.append(response)

        config = self.config
        try:
            return http.send(
                self.session,
                method,
                url,
                platform=config.platform,
                secrets=http.LazySecrets(self.secret_values),
                timeout=self.timeout,
                now=config.clock.now(),
                hooks={"response": keep},
                **kwargs,
            )
        except PublishError as exc:
            if answered and not 200 <= answered[-1].status_code < 300:
                raise ErrorAnswer(answered[-1], exc) from None
            raise

    def request(self, method: str, url: str, *, what: str = "", **kwargs: Any) -> requests.Response:
        """:meth:`call`, with a failed answer raised as the error :meth:`error` picks."""
        try:
            return self.call(method, url, **kwargs)
        except ErrorAnswer as answer:
            raise self.error(answer, what) from None

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    # --- what a failed answer means ------------------------------------------------------------

    def error_text(self, answer: ErrorAnswer) -> str:
        """The platform's own words for *answer* (``{message}``); secrets are removed later."""
        return f"HTTP {answer.status}: {http.answer_text(answer.response)}"

    def error_outcome(self, answer: ErrorAnswer) -> str | None:
        """The outcome when the platform's body says more than its status (None: the status
        decides, by :func:`http.outcome_for`)."""
        return None

    def special_error(self, answer: ErrorAnswer, what: str) -> PublishError | None:
        """An error of the adapter's own class for a case its platform names (a duplicate),
        or None."""
        return None

    def error_fields(self, answer: ErrorAnswer) -> dict[str, str]:
        """More fields for this adapter's ``error_messages``."""
        return {}

    def reset_at(self, answer: ErrorAnswer) -> datetime | None:
        """When a rate limit lifts: :func:`http.reset_time` of the answer's headers."""
        return http.reset_time(answer.headers, self.config.clock.now())

    def error(self, answer: ErrorAnswer, what: str = "") -> PublishError:
        """The PublishError a non-2xx *answer* means, worded by ``error_messages``."""
        special = self.special_error(answer, what)
        if special is not None:
            return special
        outcome = self.error_outcome(answer) or http.outcome_for(answer.status)
        reset = self.reset_at(answer) if outcome == RateLimited.outcome else None
        fields = {
            "status": answer.status,
            "message": self.clean(self.error_text(answer)),
            "what": what,
            "reset": reset.isoformat() if reset else "at an unknown time",
            "variable": self.variable(),
            "role": self.credential_role,
            "base": self.base,
            "title": self.title,
            **self.error_fields(answer),
        }
        wording = self.error_messages.get(outcome) or DEFAULT_MESSAGES.get(outcome, "{message}")
        return http.error(
            outcome,
            wording.format(**fields),
            platform=self.platform,
            status=answer.status,
            reset_at=reset,
        )


def json_body(response: requests.Response) -> dict[str, Any]:
    """The JSON object of *response*, or an empty dict."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def secret_values(values: Iterable[str]) -> list[str]:
    """*values* plus, for each one that is a URL, its path (with and without the query) and
    its last path segment, longest first so the whole is replaced before a part."""
    values = list(values)
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


# ---------------------------------------------------------------------------------------------
# Options and credentials


def secret(config: AdapterConfig, title: str, role: str) -> str:
    """:meth:`AdapterConfig.secret`, with the platform named in the error."""
    try:
        return config.secret(role)
    except AuthError as exc:
        raise AuthError(f"{title}: {exc.message}", platform=config.platform) from None


# ---------------------------------------------------------------------------------------------
# Notes per idempotency key


class KeyNotes:
    """Small JSON notes per idempotency key under ``<state_dir>/adapters/<platform>/``.

    An adapter writes what it decided *before* the first request for a key (a Bluesky record
    key, the moment a Mastodon Idempotency-Key was first used, the exact request), so a retry
    or a later lookup repeats the same request instead of a new one. Notes never hold
    credentials. Each note is written atomically (temporary file, then rename).
    """

    def __init__(self, state_dir: Path, platform: str) -> None:
        self.folder = state_dir / "adapters" / platform

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
        return self.folder / f"{digest}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The note for *key*, or None."""
        try:
            value = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) and value.get("key") == key else None

    def put(self, key: str, note: Mapping[str, Any]) -> None:
        """Store *note* for *key* (replacing an older one) durably."""
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({**note, "key": key}, ensure_ascii=False, sort_keys=True)
        fd, name = tempfile.mkstemp(prefix=".note.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            Path(name).replace(self._path(key))
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise


# ---------------------------------------------------------------------------------------------
# Validation


def media_problems(
    adapter: Adapter, media: Sequence[Media], label: str = "the post", *, files: bool = True
) -> list[str]:
    """What the platform would refuse in one part's *media*: too many images, alt text too
    long, and (with *files*) a file missing or too large. Offline: reads file sizes only."""
    from soulpost.mediafacts import is_video

    caps = adapter.capabilities()
    problems = []
    videos = [m for m in media if is_video(m.path)]
    if videos:
        return _video_problems(adapter, media, videos, label, files=files)
    if len(media) > caps.max_images:
        problems.append(f"{label} has {len(media)} images; {caps.title} allows {caps.max_images}")
    for item in media:
        if caps.alt_text_max is not None and item.alt and len(item.alt) > caps.alt_text_max:
            problems.append(
                f"{label}: alt text of {item.path} is {len(item.alt)} characters; "
                f"{caps.title} allows {caps.alt_text_max}"
            )
        if not files:
            continue
        try:
            size = media_path(adapter.config, item.path).stat().st_size
        except OSError:
            problems.append(f"{label}: media file {item.path} not found")
            continue
        if (
            caps.max_image_bytes is not None
            and size > caps.max_image_bytes
            and not (not caps.media_by_url and _shrinkable(adapter, item.path))
        ):
            problems.append(
                f"{label}: {item.path} is {size} bytes; {caps.title} accepts at most "
                f"{caps.max_image_bytes}"
            )
    return problems


def _video_problems(
    adapter: Adapter, media: Sequence[Media], videos: Sequence[Media], label: str, *, files: bool
) -> list[str]:
    """What the platform would refuse in a part with a video: none taken, more than it
    alone, a type or size over its limits (the length is lint's job: it reads the file)."""
    from soulpost.mediafacts import video_type

    caps = adapter.capabilities()
    limits = caps.video
    if limits is None:
        return [f"{label}: {caps.title} takes no video from soulpost"]
    if len(media) > 1:
        return [f"{label}: {caps.title} takes one video per post, with nothing beside it"]
    (item,) = videos
    if video_type(item.path) not in limits.types:
        return [f"{label}: {caps.title} does not take {video_type(item.path)} video"]
    if not files:
        return []
    try:
        size = media_path(adapter.config, item.path).stat().st_size
    except OSError:
        return [f"{label}: media file {item.path} not found"]
    if size > limits.max_bytes:
        return [
            f"{label}: {item.path} is {size} bytes; {caps.title} takes at most {limits.max_bytes}"
        ]
    return []


def _shrinkable(adapter: Adapter, path: str) -> bool:
    """Whether an image over the limit will be shrunk before upload: Pillow is installed
    and reads the file's header as an image of a format it re-encodes."""
    from soulpost.publish import images
    from soulpost.publish.adapters._media import read_contained

    try:
        _, head, _ = read_contained(adapter.config.root or Path.cwd(), path, 1 << 16)
    except Exception:
        return False
    return images.readable(head)


def check_post(adapter: Adapter, post: Post) -> list[str]:
    """What the platform would refuse in *post*: length per part (counted the platform's
    way), empty parts, media count, alt text length, and (when the workspace root is known)
    missing or oversized media files. Offline: reads file sizes, never the network."""
    from soulpost.text import platform_length

    caps = adapter.capabilities()
    name = adapter.platform
    parts = [(post.text_for(name), post.media_for(name))]
    parts += [(part.text, part.media) for part in post.thread_for(name)]
    if len(parts) > 1 and not caps.threads:
        return [f"{caps.title} cannot post threads"]
    root = adapter.config.root
    problems: list[str] = []
    if post.options_for(name) and getattr(adapter, "PostOptions", None) is None:
        keys = ", ".join(post.options_for(name))
        problems.append(
            f"variants.{name}.options ({keys}): the {adapter.name} adapter takes no post "
            "options; remove them"
        )
    for number, (raw, media) in enumerate(parts, 1):
        label = "the post" if len(parts) == 1 else f"part {number}"
        text = raw.strip()
        if not text and not media:
            problems.append(f"{label} has no text and no media")
        for unit, count, limit in platform_length(text, caps):
            if count > limit:
                problems.append(f"{label} is {count} {unit}; {caps.title} allows {limit}")
        problems += media_problems(adapter, media, label, files=root is not None)
    return problems
