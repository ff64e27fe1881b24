"""Secrets for redaction are looked up only when a message needs them: a request that
succeeds never reads the account store, and a failed one is still redacted."""

from __future__ import annotations

import pytest

from soulpost.publish import http
from soulpost.publish.base import Rejected
from tests.localserver import LocalServer, Reply

SECRET = "s3cret-token-value"


def _counting() -> tuple[http.LazySecrets, list[int]]:
    calls: list[int] = []

    def find() -> list[str]:
        calls.append(1)
        return [SECRET]

    return http.LazySecrets(find), calls


def test_a_request_that_succeeds_never_looks_up_the_secrets() -> None:
    secrets, calls = _counting()
    with LocalServer() as server:
        session = http.build_session()
        response = http.send(
            session, "POST", server.url, platform="hook", secrets=secrets, data=b"{}"
        )
    assert response.status_code == 200
    assert calls == []


def test_a_failed_request_is_redacted_with_the_secrets_looked_up_once() -> None:
    secrets, calls = _counting()
    with LocalServer() as server:
        server.push(Reply(422, body={"error": f"bad token {SECRET}"}))
        session = http.build_session()
        with pytest.raises(Rejected) as caught:
            http.send(session, "POST", server.url, platform="hook", secrets=secrets, data=b"{}")
    assert SECRET not in caught.value.message and "[redacted]" in caught.value.message
    assert calls == [1]
    assert list(secrets) == [SECRET] and calls == [1]  # kept, not looked up again
