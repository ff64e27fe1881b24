"""The adapter interface: one class per delivery target, shared with the real platforms.

An adapter has pure parts that run offline (``capabilities``, ``validate``, ``compose``)
and side-effecting parts (``publish``, ``reply``, ``lookup``). The engine calls them in this
order for one (post, platform)::

    composed = adapter.compose(post)                 # pure: the exact payload(s)
    receipt = adapter.publish(composed.parts[0], key)   # then, for a thread:
    receipt_n = adapter.reply(receipt_n_minus_1, composed.parts[n], key_n)

``key`` is the idempotency key the ledger derived from the claim (post id, platform, content
hash, part); send it where the platform accepts one (Mastodon's ``Idempotency-Key``, a fixed
Bluesky ``rkey``). Every failure must be raised as one of the :class:`PublishError` classes
(defined in :mod:`soulpost.errors`, which draws the whole tree, and re-exported here): the
class decides what the engine does next, so choosing it carefully is the most important
part of an adapter. When in doubt whether the request reached the platform, raise
:class:`UnknownOutcome`, never :class:`NotSent`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

# Re-exported: adapters and plugins import the outcome classes from here.
from soulpost.errors import AuthError as AuthError  # noqa: PLC0414
from soulpost.errors import NotSent as NotSent  # noqa: PLC0414
from soulpost.errors import PublishError as PublishError  # noqa: PLC0414
from soulpost.errors import RateLimited as RateLimited  # noqa: PLC0414
from soulpost.errors import Rejected as Rejected  # noqa: PLC0414
from soulpost.errors import UnknownOutcome as UnknownOutcome  # noqa: PLC0414
from soulpost.platforms import PLATFORMS, Capabilities
from soulpost.publish.options import AdapterOptions, LooseOptions, parse, settings_of

# Re-exported: adapters (and plugins) have always imported Setting from here.
from soulpost.publish.options import Setting as Setting  # noqa: PLC0414

if TYPE_CHECKING:
    from soulpost.clock import Clock
    from soulpost.ledger.base import Ledger
    from soulpost.posts import Post

Payload = Mapping[str, Any]  # JSON-serialisable: exactly what goes over the wire


@dataclass(frozen=True)
class Receipt:
    """Proof of one publication: the platform's id for it, its URL, and when it went out."""

    remote_id: str
    url: str | None
    published_at: datetime


@dataclass(frozen=True)
class Composed:
    """Everything one platform receives for one post: part 0, then thread replies in order."""

    platform: str
    parts: tuple[Payload, ...]

    def content_hash(self) -> str:
        """A stable hash of the payloads: an edit that changes what is sent changes it."""
        blob = json.dumps(
            {"platform": self.platform, "parts": list(self.parts)},
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AdapterConfig:
    """What an adapter is given: which platform/account it delivers, and how to reach it.

    ``credentials`` maps roles to *environment variable names* (from config ``env``); read
    the values with :meth:`secret` at the moment of use and never log them.
    """

    platform: str
    state_dir: Path
    clock: Clock
    account: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    credentials: Mapping[str, str] = field(default_factory=dict)
    environ: Mapping[str, str] | None = None
    #: The workspace root: relative media paths in posts are read from here.
    root: Path | None = None
    #: The pass's ledger, where adapters note what a retry must reuse (link cards); None
    #: for an adapter built outside a pass (notes then live in ``state_dir``).
    ledger: Ledger | None = None

    def secret(self, role: str) -> str:
        """The credential for *role*: the environment variable named in config when it is
        set (CI wins), else the account's token store (``soulpost login``), refreshed when
        near expiry; AuthError naming the variable and the login when neither has it."""
        import os

        from soulpost.accounts import credential
        from soulpost.accounts.providers import provider_for

        name = self.credentials.get(role)
        value = (self.environ if self.environ is not None else os.environ).get(name or "")
        if value:
            return value
        stored = credential(self.platform, self.account, role, now=self.clock.now().timestamp())
        if stored:
            return stored
        login = f"`soulpost login {self.platform}`" if provider_for(self.platform) else None
        if not name:
            raise AuthError(
                f'no credential {role!r} configured: add env.{role} = "VARIABLE_NAME" under '
                f"[platforms.{self.platform}] in config.toml"
                + (f", or run {login}" if login else ""),
                platform=self.platform,
            )
        raise AuthError(
            f"environment variable {name} (credential {role!r}) is not set"
            + (f", and no account is stored (run {login})" if login else ""),
            platform=self.platform,
        )

    def secrets(self) -> list[str]:
        """Every configured secret value that is set, and every stored one, for redaction."""
        import os

        from soulpost.accounts import stored_secrets

        env = self.environ if self.environ is not None else os.environ
        found = [env[n] for n in self.credentials.values() if env.get(n)]
        return found + stored_secrets(self.platform, self.account)


class Adapter:
    """Base class of every adapter. Subclasses set ``name`` and override the methods.

    Construction must not touch the network. ``publish``/``reply`` must either return a
    :class:`Receipt` or raise a :class:`PublishError` subclass; any other exception is treated
    by the engine as :class:`UnknownOutcome` (a bug must never cause a double post).
    """

    name: ClassVar[str] = ""
    #: True when :meth:`lookup` can tell whether a key was published (may be set per instance).
    supports_lookup: bool = False
    #: One line for ``soulpost adapters``.
    summary: ClassVar[str] = ""
    #: Credential roles read from ``env`` (role -> what the variable must hold).
    env_roles: ClassVar[Mapping[str, Setting]] = {}
    #: The model ``config.options`` must fit (unknown keys are errors); built-ins declare
    #: one, and ``options`` below is derived from it.
    Options: ClassVar[type[AdapterOptions]] = LooseOptions
    #: Keys of ``options`` this adapter reads (key -> meaning and default): from ``Options``
    #: when the adapter declares a model, else written by hand (plugins).
    options: ClassVar[Mapping[str, Setting]] = {}
    #: How long a freshly issued token works, when the platform says (None: no known end).
    #: ``soulpost doctor`` warns when it ends before the last queued post; the issue date
    #: comes from ``options.token_issued`` (YYYY-MM-DD or an ISO instant).
    token_lifetime: ClassVar[timedelta | None] = None

    #: What this platform's id for a post looks like, for a person asked to give one
    #: (``soulpost resolve --remote-id``); empty when nothing can be said.
    remote_id_form: ClassVar[str] = ""

    @classmethod
    def remote_id_from_url(cls, url: str) -> str | None:
        """The platform's id for the post a person sees at *url* (the id a thread's next part
        replies to), or None when the URL does not carry it. Pure: no network, no
        credentials, no instance (``soulpost resolve`` calls it on the class)."""
        return None

    @classmethod
    def token_lifetime_for(cls, credentials: Mapping[str, str]) -> timedelta | None:
        """The token lifetime that applies with these configured credential roles (an adapter
        with several ways to sign in overrides this); ``token_lifetime`` by default."""
        return cls.token_lifetime

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "Options" in cls.__dict__:
            cls.options = settings_of(cls.Options)

    def __init__(self, config: AdapterConfig) -> None:
        self.config = config
        #: ``config.options`` checked against ``Options`` (ConfigError naming the key).
        self.opts = parse(self.Options, config.options, adapter=self.name, platform=self.platform)

    @property
    def platform(self) -> str:
        return self.config.platform

    @classmethod
    def capabilities_for(cls, platform: str, options: AdapterOptions | None = None) -> Capabilities:
        """Limits of what this adapter delivers to *platform*, readable without an instance
        (``soulpost adapters``); *options* may tighten them. The platform's own by default."""
        known = PLATFORMS.get(platform)
        return known or Capabilities(platform, platform, None, threads=True)

    def capabilities(self) -> Capabilities:
        """:meth:`capabilities_for` this adapter's platform and options (a plugin whose
        ``__init__`` skips ours has no ``opts``: its platform's limits then)."""
        return self.capabilities_for(self.platform, getattr(self, "opts", None))

    def validate(self, post: Post) -> list[str]:
        """Problems that would make the platform refuse *post* (pure; empty when fine)."""
        caps = self.capabilities()
        problems = []
        parts = [post.text_for(self.platform)] + [p.text for p in post.thread_for(self.platform)]
        if post.thread_for(self.platform) and not caps.threads:
            problems.append(f"{caps.title} cannot post threads")
        if caps.max_length is not None:
            for i, text in enumerate(parts):
                if len(text.strip()) > caps.max_length:
                    problems.append(
                        f"part {i + 1} has {len(text.strip())} characters; "
                        f"{caps.title} allows {caps.max_length}"
                    )
        return problems

    def compose(self, post: Post) -> Composed:
        """The exact payloads for *post*: a generic text/media form unless overridden."""
        parts: list[Payload] = [
            {
                "text": post.text_for(self.platform).strip(),
                "media": [m.model_dump() for m in post.media_for(self.platform)],
            }
        ]
        parts.extend(
            {"text": part.text.strip(), "media": [m.model_dump() for m in part.media]}
            for part in post.thread_for(self.platform)
        )
        return Composed(self.platform, tuple(parts))

    def publish(self, payload: Payload, key: str) -> Receipt:
        """Send a new top-level post."""
        raise NotImplementedError

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        """Send *payload* as a reply to *parent* (the next part of a thread)."""
        raise Rejected(f"{self.name} cannot post replies", platform=self.platform)

    def lookup(self, key: str, payload: Payload) -> Receipt | None:
        """Whether *key* was published: its receipt, or None if it certainly was not.

        Raise :class:`UnknownOutcome` when the platform cannot tell right now. Only called
        when ``supports_lookup`` is True.
        """
        raise UnknownOutcome(f"{self.name} cannot look publications up", platform=self.platform)

    def check(self) -> str:
        """One cheap authenticated call that proves the credentials work (``doctor
        --online``): a short description of the account on success, a PublishError
        otherwise. The default makes no call."""
        return "no online check"

    def close(self) -> None:
        """Release sessions or files (called once at the end of a pass)."""
