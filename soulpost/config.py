"""Workspace settings: ``config.toml`` (or ``[tool.soulpost]`` in pyproject.toml) -> Settings.

Settings hold *names* of environment variables for credentials, never the secrets. Every
section rejects unknown keys so a typo is an error rather than a silently ignored setting.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from soulpost.configlimits import DURATION_RANGES, NUMERIC_OPTIONS, check_option
from soulpost.factories import new_dict, new_list
from soulpost.ondemand import WhenGiven, factory_of
from soulpost.platforms import known_platforms
from soulpost.text.lazyre import lazy
from soulpost.timeutil import check_range, load_zone, parse_clock, parse_duration

PLATFORM_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_env_name = lazy(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Strict(BaseModel):
    """Base for settings sections: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class _Rare(Strict):
    """Base for the sections few workspaces have (``[alerts]``, ``[evergreen]``,
    ``[[feeds]]``, a platform's ``[login]``): their fields are :class:`WhenGiven`, so these
    models are built when a config has the section, not by every command that loads one."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class LoginSettings(_Rare):
    """``[platforms.NAME.login]``: how ``soulpost login NAME`` reaches the platform.

    Holds the app's public client id and the *name* of the variable with its secret, never
    a secret; the URLs default to the platform's own (soulpost/accounts/providers.py).
    """

    client_id: str | None = None
    client_secret_env: str | None = None
    authorize_url: str | None = None
    token_url: str | None = None
    scopes: list[str] | None = None
    redirect_port: int = Field(default=0, ge=0, le=65535)
    instance: str | None = None
    redirect_uri: str | None = None
    exchange_url: str | None = None
    refresh_url: str | None = None

    @field_validator("client_secret_env")
    @classmethod
    def _secret_name(cls, value: str | None) -> str | None:
        if value is not None and not _env_name().match(value):
            raise ValueError(
                "client_secret_env must be the NAME of an environment variable "
                "(letters, digits, _), not the secret"
            )
        return value


class SlotRule(Strict):
    """Posting slots: on these weekdays, at these local times."""

    days: list[str] = Field(default_factory=lambda: list(_DAY_NAMES))
    times: list[time]

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        out: list[str] = []
        for item in value:
            token = str(item).strip().lower()
            if token in ("daily", "all", "every day"):
                out.extend(_DAY_NAMES)
                continue
            if token in ("weekdays",):
                out.extend(_DAY_NAMES[:5])
                continue
            if token in ("weekends", "weekend"):
                out.extend(_DAY_NAMES[5:])
                continue
            if "-" in token:
                start, end = (t.strip()[:3] for t in token.split("-", 1))
                if start not in _DAY_NAMES or end not in _DAY_NAMES:
                    raise ValueError(f"unknown weekday range {item!r} (use e.g. 'mon-fri')")
                i, j = _DAY_NAMES.index(start), _DAY_NAMES.index(end)
                out.extend(
                    _DAY_NAMES[i : j + 1] if i <= j else _DAY_NAMES[i:] + _DAY_NAMES[: j + 1]
                )
                continue
            if token[:3] not in _DAY_NAMES:
                raise ValueError(f"unknown weekday {item!r} (use mon, tue, ... or 'mon-fri')")
            out.append(token[:3])
        return list(dict.fromkeys(out))

    @field_validator("times", mode="before")
    @classmethod
    def _times(cls, value: Any) -> Any:
        if isinstance(value, str | time):
            value = [value]
        return [parse_clock(v) if isinstance(v, str) else v for v in value]

    def weekday_numbers(self) -> set[int]:
        """Monday is 0, as in :meth:`datetime.weekday`."""
        return {_DAY_NAMES.index(d) for d in self.days}


class PlatformSettings(Strict):
    """One platform/account the workspace publishes to.

    ``adapter`` names the adapter that delivers it (defaults to the platform's own name; the
    example workspace uses ``outbox``). ``env`` maps credential roles to *environment variable
    names*, e.g. ``{token = "SOULPOST_MASTODON_TOKEN"}``.
    """

    adapter: str | None = None
    account: str | None = None
    env: dict[str, str] = Field(default_factory=new_dict)
    options: dict[str, Any] = Field(default_factory=new_dict)
    slots: list[SlotRule] | None = None
    login: Annotated[LoginSettings | None, WhenGiven()] = None

    @field_validator("options")
    @classmethod
    def _options(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key, item in value.items():
            if key in NUMERIC_OPTIONS:
                check_option(key, item)
        return value

    @field_validator("env")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        for role, name in value.items():
            if not _env_name().match(name):
                raise ValueError(
                    f"env.{role} must be the NAME of an environment variable "
                    f"(letters, digits, _), not its value"
                )
        return value


class LintSettings(Strict):
    """``[lint]``: which rules run, how severe they are, and their options."""

    select: list[str] = Field(default_factory=lambda: ["ALL"])
    ignore: list[str] = Field(default_factory=new_list)
    severity: dict[str, Literal["error", "warning", "info"]] = Field(default_factory=new_dict)
    options: dict[str, dict[str, Any]] = Field(default_factory=new_dict)
    allow: list[str] = Field(default_factory=new_list)  # words never flagged as shouting etc.
    packs: list[str] = Field(default_factory=new_list)  # extra pack files beyond rules/*.toml
    # The languages posts are written in (ISO 639-1, e.g. ["de"]): one pins every post to
    # it; several limit language detection to them; none: detect among the packs' languages.
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]] = Field(
        default_factory=new_list
    )
    fail_on: Literal["error", "warning", "info"] = "error"
    # Keep each draft's lint results between runs, outside the workspace (soulpost.lint.cache).
    cache: bool = True


class PublishSettings(Strict):
    """``[publish]``: policy for the publishing engine."""

    require_approval: bool = False
    max_lateness: timedelta = timedelta(hours=2)
    lint_gate: bool = True
    heartbeat: timedelta = timedelta(seconds=30)
    ledger: Literal["sqlite", "postgres"] = "sqlite"
    # The NAME of the environment variable holding the PostgreSQL URL (never the URL: it
    # can hold a password, and config.toml is committed).
    ledger_url_env: str = Field(default="SOULPOST_LEDGER_URL", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    lease: timedelta = timedelta(minutes=5)  # a shared ledger's claim expiry (heartbeat: 1/3)
    state_dir: str = ".soulpost"
    rescan: timedelta = timedelta(seconds=1)  # how often the daemon stats queue/ for edits
    max_attempts: int = Field(default=5, ge=1, le=100)  # passes a "not sent" one may take
    retry_delay: timedelta = timedelta(minutes=1)  # first backoff; doubles, with jitter

    @field_validator("max_lateness", "heartbeat", "rescan", "retry_delay", "lease", mode="before")
    @classmethod
    def _duration(cls, value: Any, info: ValidationInfo) -> Any:
        key = str(info.field_name)
        low, high, low_open = DURATION_RANGES[key]
        return check_range(parse_duration(value, signed=True), key, low, high, low_open=low_open)


class ArchiveSettings(Strict):
    """``[archive]``: moving published posts out of ``queue/`` so passes stay fast."""

    # Archive a post this long after its last platform published it, at the end of each
    # publishing pass; None: only when `soulpost archive` is run.
    after: timedelta | None = None
    dir: str = "archive"  # where archived posts go, relative to the workspace

    @field_validator("after", mode="before")
    @classmethod
    def _after(cls, value: Any) -> Any:
        if value is None:
            return None
        return check_range(parse_duration(value), "after", timedelta(0), timedelta(days=3660))

    @field_validator("dir")
    @classmethod
    def _dir(cls, value: str) -> str:
        parts = Path(value).parts
        if not value or Path(value).is_absolute() or ".." in parts or parts[0] == "queue":
            raise ValueError(
                f"archive dir {value!r} must be a folder inside the workspace, outside queue/"
            )
        return value


class EvergreenSettings(_Rare):
    """``[evergreen]``: when the pool of ``evergreen = true`` posts is re-shared.

    Evergreen shares go into their own slots (``slots``, e.g. Friday afternoons), from
    ``start`` for ``weeks`` weeks: a slot a post with a time already takes on a platform is
    left alone. The schedule depends only on the files, so every host computes the same.
    """

    start: date
    weeks: int = Field(default=8, ge=1, le=52)
    slots: list[SlotRule] = Field(min_length=1)
    min_gap: timedelta = timedelta(days=14)
    platform_gap: timedelta = timedelta(hours=12)

    @field_validator("min_gap", "platform_gap", mode="before")
    @classmethod
    def _duration(cls, value: Any, info: ValidationInfo) -> Any:
        key = str(info.field_name)
        low, high, low_open = DURATION_RANGES[key]
        return check_range(parse_duration(value, signed=True), key, low, high, low_open=low_open)


# The fields a feed's template may use (``{title} {link}``); anything else is a config error,
# so a typo is found when config.toml loads rather than at the first new item.
FEED_FIELDS = ("title", "link", "summary", "author", "feed", "published")
_feed_name = lazy(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def check_template(value: str, fields: tuple[str, ...]) -> str:
    """*value* if it is a ``str.format`` template using only plain *fields*, else ValueError.

    Attribute and index lookups (``{title.__class__}``) are refused: a template names a
    field and nothing more.
    """
    import string

    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise ValueError(f"not a valid template ({exc}); write fields as {{title}}") from None
    for _, name, spec, conv in parsed:
        if name is None:
            continue
        if name not in fields or spec or conv:
            raise ValueError(
                f"unknown field {{{name}}}; a template may use "
                + ", ".join(f"{{{f}}}" for f in fields)
            )
    return value


class FeedSettings(_Rare):
    """One ``[[feeds]]`` entry: an RSS/Atom feed whose new items become drafts."""

    name: str
    url: str
    template: str = "{title} {link}"
    platforms: list[str] = Field(default_factory=new_list)
    tags: list[str] = Field(default_factory=new_list)
    schedule: Literal["slot", "next-slot"] = "slot"
    max_new: int = Field(default=5, ge=1, le=100)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _feed_name().match(value):
            raise ValueError('a feed name is lower-case letters, digits, - or _ (e.g. "blog")')
        return value

    @field_validator("template")
    @classmethod
    def _template(cls, value: str) -> str:
        return check_template(value, FEED_FIELDS)


class EmailAlerts(_Rare):
    """``[alerts.email]``: alerts by SMTP. Credentials are environment variable NAMES."""

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str
    to: list[str] = Field(min_length=1)
    username_env: str | None = None
    password_env: str | None = None
    cafile: str | None = None
    timeout: float = Field(default=10.0, gt=0, le=120)

    @field_validator("username_env", "password_env")
    @classmethod
    def _env(cls, value: str | None) -> str | None:
        if value is not None and not _env_name().match(value):
            raise ValueError("must be the NAME of an environment variable, not its value")
        return value


AlertKind = Literal["failed", "missed", "in_doubt", "stalled"]
ALERT_KINDS: tuple[AlertKind, ...] = ("failed", "missed", "in_doubt", "stalled")


class AlertSettings(_Rare):
    """``[alerts]``: who hears about failed, missed and in-doubt publications and a stalled
    daemon, once per incident."""

    platforms: list[str] = Field(default_factory=new_list)
    email: EmailAlerts | None = None
    on: list[AlertKind] = Field(default_factory=lambda: list(ALERT_KINDS))
    stale_after: timedelta | None = None
    history_link: str | None = None
    timeout: float = Field(default=5.0, gt=0, le=60)

    @field_validator("stale_after", mode="before")
    @classmethod
    def _stale(cls, value: Any) -> Any:
        if value is None:
            return None
        low, high = timedelta(seconds=1), timedelta(days=7)
        return check_range(parse_duration(value, signed=True), "stale_after", low, high)

    @field_validator("history_link")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        if value is not None:
            check_template(value, ("id",))
            if not value.startswith(("http://", "https://")):
                raise ValueError("must be an http(s) URL, e.g. https://ci.example.org/history/{id}")
        return value


class Settings(Strict):
    """Everything ``config.toml`` may say."""

    timezone: str | None = None
    default_platforms: list[str] = Field(default_factory=new_list)
    platforms: dict[str, PlatformSettings] = Field(default_factory=new_dict)
    slots: list[SlotRule] = Field(default_factory=new_list)
    lint: LintSettings = Field(default_factory=factory_of(LintSettings))
    publish: PublishSettings = Field(default_factory=factory_of(PublishSettings))
    archive: ArchiveSettings = Field(default_factory=factory_of(ArchiveSettings))
    feeds: Annotated[list[FeedSettings], WhenGiven()] = Field(default_factory=new_list)
    alerts: Annotated[AlertSettings | None, WhenGiven()] = None
    evergreen: Annotated[EvergreenSettings | None, WhenGiven()] = None

    # The workspace folder the settings were loaded from (None when built in code): media
    # paths of its posts must stay inside it.
    _root: Path | None = PrivateAttr(default=None)

    @property
    def root(self) -> Path | None:
        return self._root

    @root.setter
    def root(self, value: Path | None) -> None:
        self._root = value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            load_zone(value)
        return value

    @field_validator("platforms")
    @classmethod
    def _platform_names(cls, value: dict[str, PlatformSettings]) -> dict[str, PlatformSettings]:
        for name in value:
            if not PLATFORM_NAME.match(name):
                raise ValueError(
                    f"platform name {name!r} must be lower-case letters, digits, - or _"
                )
        return value

    @model_validator(mode="after")
    def _defaults_known(self) -> Settings:
        unknown = [p for p in self.default_platforms if p not in self.platform_names()]
        if unknown:
            raise ValueError(
                f"default_platforms names unknown platform(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(self.platform_names()))}"
            )
        self._check_feeds_and_alerts()
        return self

    def _check_feeds_and_alerts(self) -> None:
        """Feed names are unique and name known platforms; alert platforms are configured."""
        names = [feed.name for feed in self.feeds]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"feeds: the name {twice[0]!r} is used twice; names must be unique")
        known = self.platform_names()
        for feed in self.feeds:
            unknown = [p for p in feed.platforms if p not in known]
            if unknown:
                raise ValueError(
                    f"feeds ({feed.name}): unknown platform(s) {', '.join(unknown)}; "
                    f"known: {', '.join(sorted(known))}"
                )
        if self.alerts is not None:
            missing = [p for p in self.alerts.platforms if p not in self.platforms]
            if missing:
                raise ValueError(
                    f"alerts.platforms names {', '.join(missing)}, which has no "
                    '[platforms.NAME] section; configure it (e.g. adapter = "slack") first'
                )

    def zone(self) -> ZoneInfo | None:
        """The workspace time zone, or None when not configured."""
        return load_zone(self.timezone) if self.timezone else None

    def platform_names(self) -> set[str]:
        """Networks a post may name: the built-in ones plus any configured here."""
        return set(known_platforms()) | set(self.platforms)

    def adapter_for(self, platform: str) -> str:
        """Which adapter delivers *platform* (the platform's own name unless configured)."""
        conf = self.platforms.get(platform)
        return (conf.adapter if conf and conf.adapter else None) or platform

    def slots_for(self, platform: str) -> list[SlotRule]:
        """Posting slots for *platform*: its own when configured, else the global ones."""
        conf = self.platforms.get(platform)
        if conf is not None and conf.slots is not None:
            return conf.slots
        return self.slots
