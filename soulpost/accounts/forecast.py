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
from soulpost.accounts.refresh import current, login_hint, needs_refresh, refreshable_from
from soulpost.accounts.store import Record, Store, StoreError
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
    refreshable = record.refreshable
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
    _renew(out, store, record, name, now=now.timestamp(), next_post=next_post)
    return out


def _renew(
    out: Forecast,
    store: Store,
    record: Record,
    name: str,
    *,
    now: float,
    next_post: datetime | None,
) -> None:
    """A token that refreshes itself: refresh it now when the next post would find it
    expired (or, for Meta, when it is past half its life: it cannot be saved once expired)."""
    expires = record.expires_at or now
    due = next_post.timestamp() if next_post is not None else now
    late = expires <= max(due, now) + 300
    if not late and not (record.refresh_grant and needs_refresh(record, now)):
        out.ok.append(f"{name} valid until {_at(expires)}; refreshes itself after that")
        return
    young = refreshable_from(record)
    if young is not None and now < young:
        out.problems.append(
            f"{name} expires at {_at(expires)}, before the next post, and Meta refreshes a "
            f"token only once it is 24 hours old: run `soulpost accounts --refresh` after "
            f"{_at(young)} (a daily cron job keeps it alive)"
        )
        return
    try:
        fresh = current(store, record, now, force=True)
    except PublishError as exc:
        out.problems.append(exc.message)
        return
    until = _at(fresh.expires_at) if fresh.expires_at is not None else "it is revoked"
    why = "it expired before the next post" if late else "past half its life"
    out.ok.append(f"{name} refreshed now ({why}); valid until {until}")
