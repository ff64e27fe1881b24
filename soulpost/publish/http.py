"""The one way adapters talk HTTP: a shared session with timeouts, a User-Agent, no
automatic POST retries, and failures mapped onto the publishing error classes.

Timeouts are always explicit ``(connect, read)``. A connect failure means the request never
left (:class:`NotSent`); a read timeout or a dropped connection after sending means the
outcome is unknown (:class:`UnknownOutcome`). Secrets are redacted from every message.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from soulpost import __version__
from soulpost.publish.base import AuthError, NotSent, RateLimited, Rejected, UnknownOutcome

USER_AGENT = f"soulpost/{__version__} (+https://github.com/soulpost/soulpost)"
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds


def build_session(user_agent: str = USER_AGENT) -> requests.Session:
    """A session that never retries on its own: retries are the engine's decision."""
    session = requests.Session()
    no_retry = HTTPAdapter(max_retries=Retry(total=0, connect=0, read=0, redirect=0))
    session.mount("http://", no_retry)
    session.mount("https://", no_retry)
    session.headers["User-Agent"] = user_agent
    session.trust_env = False  # a stray proxy variable must not reroute a publication
    return session


_TOKENISH = re.compile(r"(?i)(bearer\s+|token=|access_token=|password=)[^\s&\"']+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """*text* with every secret value and anything that looks like a token replaced."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return _TOKENISH.sub(lambda m: m.group(1) + "[redacted]", text)


def _never_sent(exc: BaseException) -> bool:
    """True when the chain of *exc* shows the connection was never established."""
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, NewConnectionError | ConnectTimeoutError | requests.ConnectTimeout):
            return True
        if isinstance(item, BaseException):
            stack.extend([item.__cause__, item.__context__, getattr(item, "reason", None)])
            stack.extend(a for a in item.args if isinstance(a, BaseException))
    return False


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    platform: str,
    secrets: Iterable[str] = (),
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    now: datetime | None = None,
    **kwargs: Any,
) -> requests.Response:
    """Send one request; return a 2xx response or raise the matching PublishError."""
    secrets = list(secrets)
    try:
        response = session.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.RequestException as exc:
        text = redact(f"{type(exc).__name__}: {exc}", secrets)
        if _never_sent(exc):
            raise NotSent(f"could not connect: {text}", platform=platform) from None
        raise UnknownOutcome(f"sent, but no answer came back: {text}", platform=platform) from None
    check(response, platform=platform, secrets=secrets, now=now)
    return response


def _message(response: requests.Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, Mapping):
        for key in ("error_description", "error", "message", "detail", "title"):
            if isinstance(body.get(key), str):
                return str(body[key])
    text = str(body).strip()
    return text[:300] if text else (response.reason or "")


def reset_time(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """When a rate limit lifts: ``Retry-After`` (seconds or HTTP date) or a reset header
    (epoch seconds, seconds from now, or ISO 8601, as platforms variously send)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    retry_after = lowered.get("retry-after")
    if retry_after:
        value = retry_after.strip()
        if value.isdigit():
            return now + timedelta(seconds=int(value))
        try:
            return email.utils.parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    for name in ("x-ratelimit-reset", "ratelimit-reset", "x-rate-limit-reset"):
        raw = lowered.get(name)
        if not raw:
            continue
        raw = raw.strip()
        try:
            number = float(raw)
        except ValueError:
            try:
                return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)
            except ValueError:
                continue
        if number > 1e9:
            return datetime.fromtimestamp(number, UTC)
        return now + timedelta(seconds=number)
    return None


def check(
    response: requests.Response,
    *,
    platform: str,
    secrets: Iterable[str] = (),
    now: datetime | None = None,
) -> None:
    """Raise the PublishError a non-2xx *response* means; return for 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return
    message = redact(f"HTTP {status}: {_message(response)}", secrets)
    if status == 429:
        reset = reset_time(response.headers, now or datetime.now(UTC))
        raise RateLimited(message, reset_at=reset, platform=platform)
    if status in (401, 403):
        raise AuthError(message, status=status, platform=platform)
    if 400 <= status < 500:
        raise Rejected(message, status=status, platform=platform)
    # 5xx (and odd 1xx/3xx): the request was received; whether it took effect is unknown.
    raise UnknownOutcome(message, platform=platform)
