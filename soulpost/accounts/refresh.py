"""Keep a stored access token current: refresh it before it expires, once, under the lock.

Platforms that rotate refresh tokens (X, Pinterest) accept each one once. Two processes
that find the same token near expiry must not both spend it: the first takes the store's
lock, reads the record again, refreshes and writes the new pair before it lets go; the
second, once it has the lock, reads the record again, finds it fresh and sends nothing.

Meta's long-lived tokens (Threads, Instagram) have no refresh token: the access token
itself is renewed (``GET refresh_access_token?grant_type=th_refresh_token``) for another
60 days, but only once it is 24 hours old and never after it expired. So they are renewed
early, in the second half of their life, by whatever asks for them first (a pass, doctor,
``accounts --refresh``); a token that was let expire needs ``soulpost login`` again.
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
#: Meta refuses to refresh a long-lived token younger than this (its documented rule).
META_MIN_AGE = 24 * 3600.0


def whose(record: Record) -> str:
    """``the x account default``: names the platform even under an adapter's own prefix."""
    return f"the {record.platform} account {record.account}"


def login_hint(record: Record) -> str:
    account = "" if record.account == "default" else f" --account {record.account}"
    return f"run `soulpost login {record.platform}{account}`"


def needs_refresh(record: Record, now: float, margin: float = MARGIN_SECONDS) -> bool:
    """Near expiry; for a Meta token, past half its life (it cannot be saved once expired,
    so waiting for the last minutes would lose it to any gap between passes)."""
    if record.expires_at is None:
        return False
    if record.refresh_grant and record.obtained_at is not None:
        margin = max(margin, (record.expires_at - record.obtained_at) / 2)
    return record.expires_at - now <= margin


def refreshable_from(record: Record) -> float | None:
    """When Meta will first accept a refresh of *record* (None: no such rule applies)."""
    if not record.refresh_grant or record.obtained_at is None:
        return None
    return record.obtained_at + META_MIN_AGE


def _spent(record: Record) -> str | None:
    """What a refresh uses up: the refresh token, or Meta's access token itself."""
    return record.refresh_token or (record.access_token if record.refresh_grant else None)


def current(store: Store, record: Record, now: float, *, force: bool = False) -> Record:
    """*record* with an access token good for at least the margin, refreshing if needed.

    AuthError (naming the platform and ``soulpost login``) when the token has expired and
    cannot be refreshed, or the platform refuses the refresh token; NotSent when the token
    URL cannot be reached (nothing was spent; the next pass tries again).
    """
    if not force and not needs_refresh(record, now):
        return record
    expired = record.expires_at is not None and record.expires_at <= now
    if expired and (record.refresh_grant or not record.refreshable):
        raise AuthError(
            f"the stored token of {whose(record)} expired "
            f"at {_when(record.expires_at or now)} and cannot be refreshed: {login_hint(record)}",
            platform=record.platform,
        )
    young = refreshable_from(record)
    if not record.refreshable or (young is not None and now < young):
        return record  # still valid; Meta would refuse a token under 24 hours old
    with store.locked():
        fresh = store.load(record.platform, record.account)
        if fresh is None:
            raise AuthError(
                f"{whose(record)} was logged out: {login_hint(record)}",
                platform=record.platform,
            )
        if _spent(fresh) != _spent(record) or not (force or needs_refresh(fresh, now)):
            return fresh  # another process refreshed it while we waited for the lock
        token = _meta_refresh(fresh) if fresh.refresh_grant else _refresh_call(fresh)
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


def _meta_refresh(record: Record) -> dict[str, Any]:
    """Meta's refresh: ``GET token_url?grant_type=...&access_token=...`` answers
    ``{access_token, token_type, expires_in}``, or a Graph error (``{"error": {message,
    type, code}}``) when the token is revoked, expired or too young."""
    import requests

    try:
        answer = requests.get(
            str(record.token_url),
            params={"grant_type": str(record.refresh_grant), "access_token": record.access_token},
            timeout=TIMEOUT,
        )
    except requests.RequestException as exc:
        raise NotSent(
            f"cannot reach the token URL to refresh the token of {whose(record)} "
            f"({type(exc).__name__}); will try again",
            platform=record.platform,
        ) from None
    try:
        body: Any = answer.json()
    except ValueError:
        body = None
    if answer.status_code >= 500 or answer.status_code == 429:
        raise NotSent(
            f"the token refresh of {whose(record)} got HTTP {answer.status_code}; will try again",
            platform=record.platform,
        )
    if answer.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
        said = meta_error(body, record.secrets()) or f"HTTP {answer.status_code}"
        raise AuthError(
            f"the platform refused to refresh the token of {whose(record)} ({said}); it was "
            f"revoked or has expired: {login_hint(record)}",
            platform=record.platform,
        )
    return body


def meta_error(body: Any, secrets: list[str]) -> str:
    """The words of a Meta error answer (Graph's ``error`` object, or the older
    ``error_type``/``error_message`` pair), with any secret cut out; "" when none."""
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, dict):
        said = str(error.get("message") or error.get("type") or "")
        code = error.get("code")
        said += f", code {code}" if code is not None else ""
    elif body.get("error_message") or body.get("error_type"):
        said = str(body.get("error_message") or body.get("error_type"))
    else:
        said = str(error or "")
    for secret in secrets:
        said = said.replace(secret, "[secret]")
    return said[:300]


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(epoch))
