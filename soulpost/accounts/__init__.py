"""Accounts: login flows, the token store outside the workspace, and refresh.

This is the only room that touches secrets at rest. Adapters ask :func:`credential` for a
current credential by role and never see where it lives; environment variables named in
config win over the store (CI sets them), and the store refreshes a token that is near
expiry before handing it out.

It imports nothing from publishing, running or the commands: adapters import it.
"""

from __future__ import annotations

import time

from soulpost.errors import AuthError

DEFAULT_ACCOUNT = "default"


def account_name(account: str | None) -> str:
    """The store's name of an account: as given, else ``default``."""
    return account or DEFAULT_ACCOUNT


def credential(
    platform: str, account: str | None, role: str, *, now: float | None = None
) -> str | None:
    """The stored credential for *role* of (*platform*, *account*), refreshed when its
    access token is near expiry; None when nothing is stored for it.

    Raises AuthError (never a bare store error: a publication must fail as ``auth``, not
    go in doubt) when the store is unusable or a refresh is refused, and NotSent when the
    token URL cannot be reached.
    """
    from soulpost.accounts.refresh import current
    from soulpost.accounts.store import Store, StoreError

    store = Store()
    try:
        record = store.load(platform, account_name(account))
        if record is None or record.role(role) is None:
            return None
        if role in ("token", "access_token"):
            record = current(store, record, time.time() if now is None else now)
    except StoreError as exc:
        raise AuthError(f"{platform}: {exc}", platform=platform) from None
    return record.role(role)


def stored_roles(platform: str, account: str | None) -> set[str]:
    """The credential roles the store can give for (*platform*, *account*), without reading
    any secret (from the index)."""
    from soulpost.accounts.store import Store, StoreError

    try:
        entry = Store().index().get(f"{platform}:{account_name(account)}")
    except StoreError:
        return set()
    if entry is None:
        return set()
    roles = set(entry.get("roles") or {})
    if entry.get("provider") == "bluesky":
        roles.add("password")
    else:
        roles.add("token")
    return roles


def stored_entry(platform: str, account: str | None) -> dict[str, object] | None:
    """The public index entry of (*platform*, *account*) (no secret, no refresh), or None."""
    from soulpost.accounts.store import Store, StoreError

    try:
        return Store().index().get(f"{platform}:{account_name(account)}")
    except StoreError:
        return None


def stored_secrets(platform: str, account: str | None) -> list[str]:
    """Every stored secret of (*platform*, *account*), for redaction; never refreshes."""
    from soulpost.accounts.store import Store, StoreError

    try:
        record = Store().load(platform, account_name(account))
    except StoreError:
        return []
    return record.secrets() if record is not None else []


def default_variable(platform: str, role: str) -> str:
    """The environment variable that overrides a stored credential when config names none:
    ``SOULPOST_<PLATFORM>_<ROLE>`` (``SOULPOST_X_TOKEN``)."""
    return f"SOULPOST_{platform}_{role}".upper().replace("-", "_")


def with_stored_roles(platform: str, account: str | None, env: dict[str, str]) -> dict[str, str]:
    """*env* (role -> variable name, from config) plus a default variable name for each
    role only the store holds, so an adapter sees the role as configured and an environment
    variable of that name still wins."""
    out = dict(env)
    for role in sorted(stored_roles(platform, account)):
        out.setdefault(role, default_variable(platform, role))
    return out
