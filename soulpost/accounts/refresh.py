"""Keep a stored access token current: refresh it before it expires, once, under the lock.

Platforms that rotate refresh tokens (X, Pinterest) accept each one once. Two processes
that find the same token near expiry must not both spend it: the first takes the store's
lock, reads the record again, refreshes and writes the new pair before it lets go; the
second, once it has the lock, reads the record again, finds it fresh and sends nothing.
"""

from __future__ import annotations

import time
from typing import Any

from soulpost.accounts.store import Record, Store
from soulpost.errors import AuthError, NotSent

#: Refresh this long before the access token expires (the X SDKs use minutes, too), so a
#: token never lapses between the check and the request it authorises.
MARGIN_SECONDS = 300.0
TIMEOUT = (10.0, 30.0)


def whose(record: Record) -> str:
    """``the x account default``: names the platform even under an adapter's own prefix."""
    return f"the {record.platform} account {record.account}"


def login_hint(record: Record) -> str:
    account = "" if record.account == "default" else f" --account {record.account}"
    return f"run `soulpost login {record.platform}{account}`"


def needs_refresh(record: Record, now: float, margin: float = MARGIN_SECONDS) -> bool:
    return record.expires_at is not None and record.expires_at - now <= margin


def current(store: Store, record: Record, now: float, *, force: bool = False) -> Record:
    """*record* with an access token good for at least the margin, refreshing if needed.

    AuthError (naming the platform and ``soulpost login``) when the token has expired and
    cannot be refreshed, or the platform refuses the refresh token; NotSent when the token
    URL cannot be reached (nothing was spent; the next pass tries again).
    """
    if not force and not needs_refresh(record, now):
        return record
    if not (record.refresh_token and record.token_url):
        if record.expires_at is not None and record.expires_at <= now:
            raise AuthError(
                f"the stored token of {whose(record)} expired "
                f"at {_when(record.expires_at)} and cannot be refreshed: {login_hint(record)}",
                platform=record.platform,
            )
        return record
    with store.locked():
        fresh = store.load(record.platform, record.account)
        if fresh is None:
            raise AuthError(
                f"{whose(record)} was logged out: {login_hint(record)}",
                platform=record.platform,
            )
        if fresh.refresh_token != record.refresh_token or not (force or needs_refresh(fresh, now)):
            return fresh  # another process refreshed it while we waited for the lock
        token = _refresh_call(fresh)
        fresh.access_token = str(token.get("access_token") or "")
        fresh.refresh_token = token.get("refresh_token") or fresh.refresh_token
        expires_in = token.get("expires_in")
        fresh.expires_at = now + float(expires_in) if expires_in is not None else None
        fresh.obtained_at = now
        fresh.scope = token.get("scope") or fresh.scope
        store.save(fresh)
        return fresh


def _refresh_call(record: Record) -> dict[str, Any]:
    import requests
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.requests_client import OAuth2Session

    session = OAuth2Session(
        record.client_id,
        record.client_secret,
        token_endpoint_auth_method=record.token_auth,
    )
    try:
        with session:
            token = session.refresh_token(
                record.token_url, refresh_token=record.refresh_token, timeout=TIMEOUT
            )
    except AuthlibBaseError as exc:
        said = exc.error + (f": {exc.description}" if exc.description else "")
        raise AuthError(
            f"the platform refused to refresh the token of {whose(record)} ({said}); it was "
            f"revoked or has expired: {login_hint(record)}",
            platform=record.platform,
        ) from None
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        raise AuthError(
            f"the token refresh of {whose(record)} failed with HTTP {status}: "
            f"{login_hint(record)} if it keeps failing",
            platform=record.platform,
        ) from None
    except requests.RequestException as exc:
        raise NotSent(
            f"cannot reach the token URL to refresh the token of {whose(record)} "
            f"({type(exc).__name__}); will try again",
            platform=record.platform,
        ) from None
    if not token.get("access_token"):
        raise AuthError(
            f"the refresh answer for {whose(record)} had no access token: {login_hint(record)}",
            platform=record.platform,
        )
    return dict(token)


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(epoch))
