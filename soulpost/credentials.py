"""Whether a platform has its credentials, checked offline from names alone (issue 11).

``soulpost lint`` and ``publish --dry-run`` warn, and ``soulpost doctor`` reports a problem,
when a targeted platform could not sign in: the roles its adapter needs are not mapped under
``[platforms.NAME].env``, or a variable they name is not set. No network and no adapter
import (which would cost lint its start-up time): the built-in adapters' needs are plain
data here, checked against the adapters' own declarations by the suite
(``tests/test_credentials.py``); a plugin's come from its class, passed in by the caller.

This is the one place credential *presence* is decided, so a token store (``soulpost
login``) plugs in here too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soulpost.config import Settings

#: Per built-in adapter, the sets of ``env`` roles that let it sign in: any one set, whole.
#: An empty set: it needs none (its address or folder is an option).
BUILTIN_NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "x": (
        ("token",),
        ("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
    ),
    "mastodon": (("token",),),
    "bluesky": (("handle", "password"),),
    "linkedin": (("token",),),
    "facebook": (("token",),),
    "pinterest": (("token",),),
    "threads": (("token",),),
    "instagram": (("token",),),
    "discord": (("url",),),
    "slack": (("url",),),
    "webhook": ((),),
    "outbox": ((),),
    "console": ((),),
}


#: ``env`` roles that hold no credential (a token's issue date, read by ``doctor``).
NOT_CREDENTIALS = frozenset({"token_issued"})


@dataclass(frozen=True)
class Missing:
    """A platform that cannot sign in: ``variables`` to set (or roles to map, when none is
    mapped yet), and one line saying what to do."""

    platform: str
    variables: tuple[str, ...]
    message: str


def missing(
    platform: str,
    env: Mapping[str, str],
    needs: tuple[tuple[str, ...], ...],
    environ: Mapping[str, str] | None = None,
    stored: frozenset[str] | set[str] = frozenset(),
) -> Missing | None:
    """What keeps *platform* (roles -> variable names in *env*) from signing in, or None.

    Every mapped variable must be set, unless the token store holds its role (*stored*,
    from ``soulpost login``); and one of the role sets in *needs* must be mapped or stored
    in full. When a set is mapped, its unset variables are named; when none is, the roles
    to map are."""
    environ = os.environ if environ is None else environ
    env = {role: name for role, name in env.items() if role not in NOT_CREDENTIALS}
    unset = tuple(
        dict.fromkeys(v for r, v in env.items() if not environ.get(v) and r not in stored)
    )
    if unset:
        names = ", ".join(f"${v}" for v in unset)
        return Missing(
            platform,
            unset,
            f"{platform}: no credentials: {names} is not set; export "
            f"{'them' if len(unset) > 1 else 'it'} before publishing",
        )
    if not needs or any(all(r in env or r in stored for r in roles) for roles in needs):
        return None
    ways = " or ".join(
        "env = { " + ", ".join(f'{role} = "VARIABLE"' for role in roles) + " }" for roles in needs
    )
    what = "incomplete credentials" if env else "no credentials configured"
    return Missing(
        platform,
        (),
        f"{platform}: {what}: run `soulpost login {platform}`, or set {ways} under "
        f"[platforms.{platform}] in config.toml and export the variables",
    )


#: (platform, account) -> the credential roles the token store holds for it.
StoredRoles = Callable[[str, "str | None"], set[str]]


def missing_in(
    settings: Settings,
    platforms: Iterable[str],
    environ: Mapping[str, str] | None = None,
    needs_of: Mapping[str, tuple[tuple[str, ...], ...]] | None = None,
    stored_roles: StoredRoles | None = None,
) -> list[Missing]:
    """:func:`missing` for each of *platforms* (once each, in order) in a workspace. An
    adapter that is neither built in nor in *needs_of* is checked for its mapped variables
    only. The token store is asked (*stored_roles*, from the commands, which may import
    ``soulpost.accounts``) only for a platform that lacks something in the environment."""
    found = []
    for platform in dict.fromkeys(platforms):
        adapter = settings.adapter_for(platform)
        needs = (needs_of or {}).get(adapter) or BUILTIN_NEEDS.get(adapter, ())
        conf = settings.platforms.get(platform)
        env = dict(conf.env) if conf else {}
        gap = missing(platform, env, needs, environ)
        if gap is not None and stored_roles is not None:
            held = stored_roles(platform, conf.account if conf else None)
            gap = missing(platform, env, needs, environ, held) if held else gap
        if gap is not None:
            found.append(gap)
    return found


def warn_missing(
    settings: Settings,
    platforms: Iterable[str],
    print_line: Callable[[str], None],
    stored_roles: StoredRoles | None = None,
) -> int:
    """Say once per platform (through *print_line*) what keeps it from signing in; how many
    were told. For ``soulpost lint`` and ``publish --dry-run``: warnings, not failures."""
    gaps = missing_in(settings, platforms, stored_roles=stored_roles)
    for gap in gaps:
        print_line(f"soulpost: warning: {gap.message}")
    return len(gaps)


def warn_targets(
    settings: Settings,
    extra: Iterable[str],
    print_line: Callable[[str], None],
    stored_roles: StoredRoles | None = None,
) -> int:
    """:func:`warn_missing` for what ``soulpost lint`` knows a workspace targets without
    reading its posts again: the configured platforms, ``default_platforms`` and *extra*
    (``--platform``). ``soulpost doctor`` also covers platforms only a post names."""
    targets = [*settings.platforms, *settings.default_platforms, *extra]
    return warn_missing(settings, targets, print_line, stored_roles)
