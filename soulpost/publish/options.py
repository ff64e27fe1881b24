"""Typed ``options`` of an adapter: one pydantic model per adapter, checked when the
workspace's adapters are built (so ``soulpost doctor`` and every pass refuse a bad value
before anything is sent), listed by ``soulpost adapters`` and documented in
``docs/adapters.md`` from the same fields.

A model forbids unknown keys: a misspelt option is an error that names the platform, the
key and what the adapter takes, instead of a setting silently ignored. Plugin adapters that
declare no model get :class:`LooseOptions` and read ``config.options`` themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from soulpost.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    """One documented setting of an adapter: an ``env`` role or an ``options`` key.

    ``soulpost adapters`` lists them and ``soulpost doctor`` checks that every required
    ``env`` role names a variable that is set.
    """

    doc: str
    required: bool = False
    default: Any = None


class AdapterOptions(BaseModel):
    """Base of every adapter's options model: unknown keys are errors, values are frozen.

    Built on first use (``defer_build``): the bases below are never validated themselves,
    and a pass validates only the adapters its workspace names, so building each model's
    validator when its class is made cost every process that imports an adapter.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class LooseOptions(AdapterOptions):
    """For an adapter that declares no model (a plugin): any keys, read by hand."""

    model_config = ConfigDict(extra="allow", frozen=True)


#: ``json_schema_extra`` marking an option a workspace must set although the model has no
#: default for it to check against (the adapter says why, e.g. Mastodon's instance).
NEEDED: dict[str, Any] = {"needed": True}


class HttpOptions(AdapterOptions):
    """Every HTTP adapter: how long to wait (bounded, so a typo cannot hang a pass)."""

    connect_timeout: float = Field(
        5.0, gt=0, le=120, description="seconds to wait for a connection"
    )
    read_timeout: float = Field(
        30.0, gt=0, le=600, description="seconds to wait for an answer once sent"
    )
    trust_env: bool = Field(
        True,
        description="use the environment's HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE and "
        "SSL_CERT_FILE (false: direct connections and certifi's CAs only)",
    )


class ApiOptions(HttpOptions):
    """An adapter that talks to one API root (tests point it at a local fake)."""

    base_url: str | None = Field(None, description="API root")


class MediaOptions(AdapterOptions):
    """Adapters that upload images."""

    max_image_bytes: int | None = Field(
        None, gt=0, description="refuse images larger than this before uploading"
    )


class TokenOptions(AdapterOptions):
    """Adapters whose tokens expire: ``soulpost doctor`` warns before they do."""

    token_issued: date | datetime | str | None = Field(
        None, description="date the token was issued (doctor warns before it expires)"
    )


def settings_of(model: type[AdapterOptions]) -> dict[str, Setting]:
    """The model's fields as the :class:`Setting` rows ``soulpost adapters`` lists."""
    out = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        required = info.is_required() or bool(extra.get("needed"))
        default = None if info.is_required() else info.default
        out[name] = Setting(info.description or "", required, default)
    return out


def parse(
    model: type[AdapterOptions], options: Mapping[str, Any], *, adapter: str, platform: str
) -> AdapterOptions:
    """*options* checked against *model*; ConfigError naming the platform and the key."""
    try:
        return model.model_validate(dict(options))
    except ValidationError as exc:
        raise _error(model, exc, adapter=adapter, platform=platform) from None


def _error(
    model: type[AdapterOptions], exc: ValidationError, *, adapter: str, platform: str
) -> ConfigError:
    """One ConfigError for every problem: values are never quoted (they may be long or odd),
    only the key, what is wrong and what the adapter takes."""
    known = ", ".join(sorted(model.model_fields)) or "no options"
    problems = []
    keys = []
    for error in exc.errors(include_input=False, include_url=False):
        key = str(error["loc"][0]) if error["loc"] else "options"
        keys.append(key)
        if error["type"] == "extra_forbidden":
            problems.append(f"{key!r} is not an option of the {adapter} adapter")
        else:
            problems.append(f"{key}: {error['msg']}")
    return ConfigError(
        "; ".join(problems),
        key=f"platforms.{platform}.options.{keys[0]}" if keys else f"platforms.{platform}",
        hint=f"the {adapter} adapter takes: {known}; see `soulpost adapters {adapter}`",
    )


class CardOptions(AdapterOptions):
    """Link cards: fetched at publish time for a post's first link (``publish.cards``)."""

    cards: bool = Field(True, description="show a post's first link as a card (post: card = false)")
    cards_allow_private: bool = Field(
        False, description="fetch cards from loopback and private addresses too (tests, intranets)"
    )
    cards_timeout: float = Field(
        5.0, gt=0, le=60, description="seconds a card's page (and picture) may take in all"
    )
    cards_max_bytes: int = Field(
        1_000_000, ge=1024, le=10_000_000, description="bytes of a page read for its card"
    )
