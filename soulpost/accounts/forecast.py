"""Will the stored token still work when the queue needs it? (``soulpost doctor``)

A token that refreshes itself only has to refresh once before the next post, so doctor
refreshes it now when the next post comes after its expiry: a refusal shows today, in
doctor, rather than at the post's hour in the daemon. A token that cannot refresh must
outlive the last queued post; otherwise the person must log in again before then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from soulpost.accounts import account_name
from soulpost.accounts.refresh import current, login_hint
from soulpost.accounts.store import Store, StoreError
from soulpost.errors import PublishError


@dataclass
class Forecast:
    """Lines for doctor's report about one platform's stored token."""

    ok: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _at(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="minutes")


def forecast(
    platform: str,
    account: str | None,
    *,
    now: datetime,
    next_post: datetime | None,
    last_post: datetime | None,
) -> Forecast | None:
    """What doctor says about (*platform*, *account*)'s stored token; None when nothing
    is stored. Refreshes the token when the next post comes after its expiry."""
    out = Forecast()
    store = Store()
    try:
        record = store.load(platform, account_name(account))
    except StoreError as exc:
        out.problems.append(str(exc))
        return out
    if record is None:
        return None
    where = "keyring" if record.backend == "keyring" else "token file"
    name = f"stored token ({record.account}, {where})"
    if record.expires_at is None:
        out.ok.append(f"{name}: does not expire")
        return out
    refreshable = bool(record.refresh_token and record.token_url)
    expires = record.expires_at
    if not refreshable:
        if expires <= now.timestamp():
            out.problems.append(f"{name} expired at {_at(expires)}: {login_hint(record)}")
        elif last_post is not None and expires < last_post.timestamp():
            out.problems.append(
                f"{name} expires at {_at(expires)}, before the last queued post at "
                f"{last_post.astimezone(UTC).isoformat(timespec='minutes')}: "
                f"{login_hint(record)} before then"
            )
        else:
            out.ok.append(f"{name} valid until {_at(expires)}")
        return out
    due = next_post.timestamp() if next_post is not None else now.timestamp()
    if expires > max(due, now.timestamp()) + 300:
        out.ok.append(f"{name} valid until {_at(expires)}; refreshes itself after that")
        return out
    try:
        fresh = current(store, record, now.timestamp(), force=True)
    except PublishError as exc:
        out.problems.append(exc.message)
        return out
    until = _at(fresh.expires_at) if fresh.expires_at is not None else "it is revoked"
    out.ok.append(f"{name} refreshed now (it expired before the next post); valid until {until}")
    return out
