"""Hostile rate-limit answers (issue 12 item 7, the parsing side): a reset header can never
park a post for ever, nor let a 429 be retried in a tight loop.

Each case is a real 429 from a server on 127.0.0.1, read by the real adapters' HTTP path.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from soulpost.publish import http
from soulpost.publish.base import RateLimited
from tests.localserver import LocalServer, Reply

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def limited_until(server: LocalServer, headers: dict[str, str]) -> datetime | None:
    server.push(Reply(429, headers=headers))
    with pytest.raises(RateLimited) as caught:
        http.send(http.build_session(), "POST", server.url, platform="webhook", now=NOW, json={})
    return caught.value.reset_at


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "99999999999"},
        {"Retry-After": "1e308"},
        {"Retry-After": "inf"},
        {"Retry-After": "nan"},
        {"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"},
        {"X-RateLimit-Reset": "9999-12-31T23:59:59Z"},
        {"x-rate-limit-reset": "99999999999999999999"},
        {"RateLimit-Reset": "86400000"},
    ],
)
def test_a_reset_far_away_is_bounded(server: LocalServer, headers: dict[str, str]) -> None:
    assert limited_until(server, headers) == NOW + http.MAX_WAIT


@pytest.mark.parametrize(
    "headers", [{"Retry-After": "0"}, {"Retry-After": "-5"}, {"RateLimit-Reset": "0.001"}]
)
def test_a_zero_wait_has_a_floor(server: LocalServer, headers: dict[str, str]) -> None:
    assert limited_until(server, headers) == NOW + http.MIN_WAIT


def test_the_bounds_are_a_second_and_a_little_over_a_day() -> None:
    # A day is the longest window a supported platform documents (X 24-hour, LinkedIn).
    assert timedelta(seconds=1) == http.MIN_WAIT
    assert timedelta(days=1) < http.MAX_WAIT <= timedelta(days=2)
