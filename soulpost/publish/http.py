"""The one way adapters talk HTTP: a shared session with timeouts, a User-Agent, no
automatic POST retries, and failures mapped onto the publishing error classes.

Timeouts are always explicit ``(connect, read)``. A request that could not be built (bad
URL, bad header value) or connected never left (:class:`NotSent`); a read timeout or a
dropped connection after sending means the outcome is unknown (:class:`UnknownOutcome`).
Secrets are redacted from every message.

What an answer means is decided here once: :func:`outcome_for` is the status table every
adapter starts from (adapters override only what their platform's body says otherwise, see
``adapters._common.HttpAdapter.error``), and :func:`reset_time` is the one reader of every
rate-limit reset header, bounded by :data:`MIN_WAIT` and :data:`MAX_WAIT`.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import math
import os
import re
import ssl
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import LocationValueError
from urllib3.util.retry import Retry

from soulpost import __version__
from soulpost.publish.base import (
    AuthError,
    NotSent,
    PublishError,
    RateLimited,
    Rejected,
    UnknownOutcome,
)

USER_AGENT = f"soulpost/{__version__} (+https://github.com/soulpost/soulpost)"
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds


def build_session(user_agent: str = USER_AGENT, *, trust_env: bool = True) -> requests.Session:
    """A session that never retries on its own: retries are the engine's decision.

    With *trust_env* (the default, as for curl, pip and requests) it honours the proxy and
    trust settings of the environment: ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``,
    ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` and, which requests alone does
    not read, ``SSL_CERT_FILE``; a team behind a corporate proxy can then publish (issue 11).
    ``~/.netrc`` is never read, so it cannot replace an adapter's Authorization header.
    Without it, the session uses direct connections and certifi's CAs only."""
    session = requests.Session()
    no_retry = HTTPAdapter(max_retries=Retry(total=0, connect=0, read=0, redirect=0))
    session.mount("http://", no_retry)
    session.mount("https://", no_retry)
    session.headers["User-Agent"] = user_agent
    session.trust_env = trust_env
    if trust_env:
        session.auth = _no_netrc
        ca_file = os.environ.get("SSL_CERT_FILE")
        if ca_file:  # REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE still win, per request
            session.verify = ca_file
    return session


def _no_netrc(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Session-level auth that changes nothing: its presence stops requests reading
    ``~/.netrc`` (it does so only when no auth is set), whose login would otherwise
    overwrite the platform credential in the Authorization header."""
    return request


_TOKENISH = re.compile(r"(?i)(bearer\s+|token=|access_token=|password=)[^\s&\"']+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """*text* with every secret value and anything that looks like a token replaced."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return _TOKENISH.sub(lambda m: m.group(1) + "[redacted]", text)


class LazySecrets:
    """The secret values to redact, looked up only when a message needs them (then once).

    Finding them means reading the environment and the account store (a file or the
    keyring), a tenth of a millisecond or more per request; a request that succeeds has
    nothing to redact, so most never pay for it."""

    def __init__(self, find: Callable[[], Iterable[str]]) -> None:
        self._find = find
        self._values: list[str] | None = None

    def __iter__(self) -> Iterator[str]:
        if self._values is None:
            self._values = list(self._find())
        return iter(self._values)


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
        if isinstance(
            item,
            NewConnectionError
            | ConnectTimeoutError
            | requests.ConnectTimeout
            | ssl.SSLCertVerificationError,  # the handshake failed: no byte of the request
        ):
            return True
        if isinstance(item, BaseException):
            stack.extend([item.__cause__, item.__context__, getattr(item, "reason", None)])
            stack.extend(a for a in item.args if isinstance(a, BaseException))
    return False


#: Failures that happen while a request is being built or addressed, before any byte of it
#: is written: the platform cannot have seen it, so it is not sent (retry is safe).
BEFORE_SENDING: tuple[type[BaseException], ...] = (
    requests.exceptions.InvalidHeader,
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidJSONError,
    UnicodeEncodeError,  # a header value Latin-1 cannot carry (http.client encodes headers)
    LocationValueError,  # urllib3 could not parse the host
)

_BEFORE_HINT = {
    "InvalidHeader": "a header value has a line break or leading space",
    "UnicodeEncodeError": "a header value has characters HTTP headers cannot carry",
    "InvalidJSONError": "the body is not valid JSON",
}


def _not_built(exc: BaseException, platform: str) -> NotSent:
    """NotSent for a request that could not be built. The exception's own text is left out:
    it quotes the header value, which may hold a credential with a stray line break."""
    name = type(exc).__name__
    hint = _BEFORE_HINT.get(name, "the URL is not a valid http(s) URL")
    return NotSent(
        f"the request could not be sent ({name}: {hint}); check the URL and the credential "
        "variables (env) for this platform",
        platform=platform,
    )


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
    """Send one request; return a 2xx response or raise the matching PublishError.

    The request is prepared first, so a bad URL or header value is :class:`NotSent` (it never
    left); after that only a failure to connect is, and anything else is unknown.
    """
    secrets = secrets if isinstance(secrets, LazySecrets) else list(secrets)
    try:
        prepared = session.prepare_request(requests.Request(method, url, **kwargs))
        for value in prepared.headers.values():
            if isinstance(value, str):
                value.encode("latin-1")  # what http.client will do, once bytes are going out
        settings = _environment(session, prepared.url or url)
    except BEFORE_SENDING as exc:
        raise _not_built(exc, platform) from None
    try:
        response = session.send(prepared, timeout=timeout, allow_redirects=False, **settings)
    except BEFORE_SENDING as exc:
        raise _not_built(exc, platform) from None
    except requests.RequestException as exc:
        text = redact(f"{type(exc).__name__}: {exc}", secrets)
        if _never_sent(exc):
            raise NotSent(f"could not connect: {text}", platform=platform) from None
        raise UnknownOutcome(f"sent, but no answer came back: {text}", platform=platform) from None
    check(response, platform=platform, secrets=secrets, now=now)
    return response


_ENVIRONMENT: weakref.WeakKeyDictionary[requests.Session, dict[str, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def _environment(session: requests.Session, url: str) -> dict[str, Any]:
    """What requests takes from the environment for *url* (proxies, ``NO_PROXY``, CA
    bundle), read once per session and origin: requests walks all of ``os.environ`` for
    every request (a tenth of a millisecond or more, a good part of a publication's CPU on
    a fast platform), and the proxy choice depends only on the scheme, host and port. A
    session lives for one pass, and a process's environment does not change under it."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    known = _ENVIRONMENT.setdefault(session, {})
    if origin not in known:
        known[origin] = dict(session.merge_environment_settings(url, {}, None, None, None))
    return dict(known[origin])


def answer_text(response: requests.Response) -> str:
    """The platform's own words in a failed answer: a usual message field, or the text."""
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


# ---------------------------------------------------------------------------------------------
# What an answer means: the one table every adapter starts from

#: Each outcome and the error class that carries it (the ``outcome`` of each class).
ERRORS: dict[str, type[PublishError]] = {
    NotSent.outcome: NotSent,
    RateLimited.outcome: RateLimited,
    Rejected.outcome: Rejected,
    AuthError.outcome: AuthError,
    UnknownOutcome.outcome: UnknownOutcome,
}


def outcome_for(status: int) -> str:
    """What a non-2xx status means when the platform's body says nothing more: 429 rate
    limited, 401/403 auth, other 4xx rejected, and anything else (5xx, odd 1xx/3xx) unknown:
    the request was received and whether it took effect cannot be told."""
    if status == 429:
        return RateLimited.outcome
    if status in (401, 403):
        return AuthError.outcome
    if 400 <= status < 500:
        return Rejected.outcome
    return UnknownOutcome.outcome


def error(
    outcome: str,
    message: str,
    *,
    platform: str | None,
    status: int | None = None,
    reset_at: datetime | None = None,
    kinds: Mapping[str, type[PublishError]] = ERRORS,
) -> PublishError:
    """The PublishError for *outcome* (a key of *kinds*, which an adapter may extend with
    its own subclasses), built with what that class takes."""
    cls = kinds[outcome]
    if issubclass(cls, RateLimited):
        return cls(message, reset_at=reset_at, platform=platform)
    if issubclass(cls, Rejected):
        return cls(message, status=status, platform=platform)
    return cls(message, platform=platform)


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
    outcome = outcome_for(status)
    reset = None
    if outcome == RateLimited.outcome:
        reset = reset_time(response.headers, now or datetime.now(UTC))
    message = redact(f"HTTP {status}: {answer_text(response)}", secrets)
    raise error(outcome, message, platform=platform, status=status, reset_at=reset)


# ---------------------------------------------------------------------------------------------
# When a rate limit lifts: the one parser of every platform's reset headers

#: The shortest wait a reset may ask for: ``Retry-After: 0`` (or a negative or past delta)
#: would otherwise let a 429 be retried in a tight loop.
MIN_WAIT = timedelta(seconds=1)
#: The longest: no supported platform documents a window over a day (X's 24-hour limits,
#: LinkedIn's daily quotas), so a reset further out is a broken or hostile header and must
#: not park a post for ever. The engine bounds the wait again at use (and max_lateness wins).
MAX_WAIT = timedelta(hours=25)

#: Reset headers holding a moment (epoch seconds or ISO 8601) or seconds from now.
RESET_HEADERS = ("x-ratelimit-reset", "ratelimit-reset", "x-rate-limit-reset")
#: X's daily windows: they count only when their ``-remaining`` says they are used up.
DAILY_WINDOWS = ("x-user-limit-24hour", "x-app-limit-24hour")


def _after(seconds: float, now: datetime) -> datetime:
    """*now* plus *seconds*, clamped to [MIN_WAIT, MAX_WAIT] (NaN and inf included)."""
    low, high = MIN_WAIT.total_seconds(), MAX_WAIT.total_seconds()
    if math.isnan(seconds):
        seconds = high
    return now + timedelta(seconds=min(high, max(low, seconds)))


def _moment(value: datetime, now: datetime) -> datetime:
    """An absolute reset moment, never later than MAX_WAIT from *now*. One already past is
    kept as the platform said it (the engine retries at once, bounded by its own floor)."""
    return min(value.astimezone(UTC), now + MAX_WAIT)


def _epoch(number: float, now: datetime) -> datetime:
    try:
        return _moment(datetime.fromtimestamp(number, UTC), now)
    except (OverflowError, OSError, ValueError):
        return now + MAX_WAIT


def _retry_after(value: str, now: datetime) -> datetime | None:
    """``Retry-After``: delay seconds (Discord sends fractions) or an HTTP date."""
    try:
        return _after(float(value), now)
    except ValueError:
        pass
    try:
        return _moment(email.utils.parsedate_to_datetime(value), now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _reset_header(raw: str, now: datetime) -> datetime | None:
    """A reset header: epoch seconds (over 1e9), seconds from now, or ISO 8601."""
    try:
        number = float(raw)
    except ValueError:
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
        return _moment(moment if moment.tzinfo else moment.replace(tzinfo=UTC), now)
    return _epoch(number, now) if number > 1e9 else _after(number, now)


def _usage_minutes(raw: str) -> float | None:
    """Facebook's ``X-Business-Use-Case-Usage``: the largest
    ``estimated_time_to_regain_access`` (minutes) across its entries, if any."""
    try:
        usage = json.loads(raw)
    except ValueError:
        return None
    minutes = []
    for entries in usage.values() if isinstance(usage, dict) else ():
        for entry in entries if isinstance(entries, list) else ():
            value = entry.get("estimated_time_to_regain_access") if isinstance(entry, dict) else 0
            with contextlib.suppress(TypeError, ValueError):
                minutes.append(float(value or 0))
    longest = max(minutes, default=0.0)
    return longest or None


def reset_time(
    headers: Mapping[str, str], now: datetime, *, wait: float | None = None
) -> datetime | None:
    """When a rate limit lifts, from the first source that says: *wait* (seconds the
    platform's error body gave, as Discord's ``retry_after``), ``Retry-After``, Facebook's
    ``X-Business-Use-Case-Usage``, then the reset headers (the later of the window's reset and
    any used-up X daily window). Waits are clamped to [MIN_WAIT, MAX_WAIT] from *now*; None
    when nothing says."""
    if wait is not None:
        return _after(float(wait), now)
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    if lowered.get("retry-after"):
        found = _retry_after(lowered["retry-after"], now)
        if found is not None:
            return found
    minutes = _usage_minutes(lowered.get("x-business-use-case-usage") or "null")
    if minutes is not None:
        return _after(minutes * 60, now)
    candidates = []
    for name in RESET_HEADERS:
        if lowered.get(name):
            moment = _reset_header(lowered[name], now)
            if moment is not None:
                candidates.append(moment)
                break
    for prefix in DAILY_WINDOWS:
        reset = lowered.get(f"{prefix}-reset", "")
        if lowered.get(f"{prefix}-remaining") == "0" and reset.isdigit():
            candidates.append(_epoch(int(reset), now))
    return max(candidates) if candidates else None
