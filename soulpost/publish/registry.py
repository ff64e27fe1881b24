"""Find adapters by name: built-ins first, then the ``soulpost.adapters`` entry points.

Nothing is imported until a workspace names an adapter. Loading goes find -> load ->
validate, and each step fails loudly with the name and the distribution involved.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from soulpost.errors import ConfigError
from soulpost.publish.base import Adapter, AdapterConfig

if TYPE_CHECKING:
    from soulpost.clock import Clock
    from soulpost.ledger.base import Ledger
    from soulpost.workspace import Workspace

ENTRY_POINT_GROUP = "soulpost.adapters"

BUILTIN: dict[str, str] = {
    "outbox": "soulpost.publish.adapters.outbox:OutboxAdapter",
    "console": "soulpost.publish.adapters.console:ConsoleAdapter",
    "webhook": "soulpost.publish.adapters.webhook:WebhookAdapter",
    "linkedin": "soulpost.publish.adapters.linkedin:LinkedInAdapter",
    "facebook": "soulpost.publish.adapters.facebook:FacebookAdapter",
    "pinterest": "soulpost.publish.adapters.pinterest:PinterestAdapter",
    "discord": "soulpost.publish.adapters.discord:DiscordAdapter",
    "slack": "soulpost.publish.adapters.slack:SlackAdapter",
    "mastodon": "soulpost.publish.adapters.mastodon:MastodonAdapter",
    "bluesky": "soulpost.publish.adapters.bluesky:BlueskyAdapter",
    "x": "soulpost.publish.adapters.x:XAdapter",
    "threads": "soulpost.publish.adapters.threads:ThreadsAdapter",
    "instagram": "soulpost.publish.adapters.instagram:InstagramAdapter",
}

_loaded: dict[str, type[Adapter]] = {}


def available() -> list[str]:
    """Every adapter name that could be loaded (built-in and installed plugins)."""
    names = set(BUILTIN)
    names.update(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
    return sorted(names)


def load(name: str) -> type[Adapter]:
    """The adapter class called *name*; ConfigError when it is unknown or broken."""
    if name in _loaded:
        return _loaded[name]
    target = BUILTIN.get(name)
    origin = "soulpost"
    if target is None:
        matches = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if not matches:
            raise ConfigError(
                f"unknown adapter {name!r}",
                key="adapter",
                hint=f"available: {', '.join(available())}; plugins register in the "
                f"{ENTRY_POINT_GROUP!r} entry-point group",
            )
        target = matches[0].value
        dist = getattr(matches[0], "dist", None)
        origin = dist.name if dist is not None else target
    module_name, _, attr = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except Exception as exc:
        raise ConfigError(
            f"adapter {name!r} from {origin} failed to load: {type(exc).__name__}: {exc}",
            key="adapter",
        ) from None
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise ConfigError(
            f"adapter {name!r} from {origin} is not a soulpost.publish.base.Adapter subclass",
            key="adapter",
        )
    _loaded[name] = cls
    return cls


def build(ws: Workspace, platform: str, clock: Clock, ledger: Ledger | None = None) -> Adapter:
    """The adapter that delivers *platform* in *ws*, built from its ``[platforms.NAME]``
    settings: the one place a pass, a preview or a check makes an adapter. A pass gives
    its *ledger*, where the adapter notes what a retry must reuse."""
    from soulpost.accounts import with_stored_roles

    settings = ws.settings
    conf = settings.platforms.get(platform)
    cls = load(settings.adapter_for(platform))
    env = dict(conf.env) if conf else {}
    return cls(
        AdapterConfig(
            platform=platform,
            state_dir=ws.state_dir,
            clock=clock,
            account=conf.account if conf else None,
            options=dict(conf.options) if conf else {},
            credentials=with_stored_roles(platform, conf.account if conf else None, env),
            root=ws.root,
            ledger=ledger,
        )
    )
