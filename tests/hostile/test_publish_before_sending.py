"""An error raised before a request leaves is *not sent*, never *in doubt* (issue 12 item 14).

A header value with a line break or a character Latin-1 cannot carry, a URL that does not
parse, has no scheme or a scheme no adapter speaks, or a host that refuses the connection:
none of these can have reached the platform, so retrying is safe and no person is needed.
Each runs the real HTTP layer (and the webhook adapter) against a server on 127.0.0.1 and
checks that nothing arrived there and that no secret is quoted.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from soulpost.clock import ManualClock
from soulpost.ledger import open_ledger
from soulpost.publish import http
from soulpost.publish.adapters.webhook import WebhookAdapter
from soulpost.publish.base import AdapterConfig, NotSent
from soulpost.publish.send import RetryPolicy
from soulpost.run import PassOptions, run_pass
from tests.localserver import LocalServer, free_port

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECRET = "s3cret-token-value"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {SECRET}\r\nX-Injected: 1"},
        {"Authorization": f"Bearer {SECRET}\n"},
        {"Authorization": f"Bearer {SECRET}€"},
        {"X-Title": " leading space"},
    ],
    ids=["crlf", "newline", "not-latin-1", "leading-space"],
)
def test_a_bad_header_value_is_not_sent(server: LocalServer, headers: dict[str, str]) -> None:
    with pytest.raises(NotSent) as caught:
        http.send(
            http.build_session(),
            "POST",
            server.url,
            platform="hook",
            secrets=[SECRET],
            headers=headers,
            json={"text": "hi"},
        )
    assert server.count() == 0
    assert SECRET not in caught.value.message


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1/post",  # InvalidURL
        "http:///post",  # InvalidURL: no host
        "http://127.0.0.1:99999/post",  # InvalidURL: port out of range
        "http://a..b/post",  # urllib3 LocationParseError
        "127.0.0.1/post",  # MissingSchema
        "ftp://127.0.0.1/post",  # InvalidSchema
        "gopher://127.0.0.1/post",  # InvalidSchema
    ],
)
def test_a_bad_url_is_not_sent(url: str) -> None:
    with pytest.raises(NotSent):
        http.send(http.build_session(), "POST", url, platform="hook", json={"text": "hi"})


def test_a_refused_connection_is_not_sent() -> None:
    url = f"http://127.0.0.1:{free_port()}/post"
    with pytest.raises(NotSent):
        http.send(http.build_session(), "POST", url, platform="hook", timeout=(0.5, 0.5))


def webhook(tmp_path: Path, url: str, token: str) -> WebhookAdapter:
    config = AdapterConfig(
        platform="hook",
        state_dir=tmp_path,
        clock=ManualClock(T0),
        options={"url": url},
        credentials={"token": "HOOK_TOKEN"},
        environ={"HOOK_TOKEN": token},
    )
    return WebhookAdapter(config)


def test_the_webhook_adapter_says_not_sent_for_a_token_with_a_line_break(
    tmp_path: Path, server: LocalServer
) -> None:
    adapter = webhook(tmp_path, server.url, f"{SECRET}\nX-Injected: 1")
    with pytest.raises(NotSent) as caught:
        adapter.publish({"text": "hi", "media": []}, "k0")
    assert server.count() == 0
    assert SECRET not in caught.value.message and "env" in caught.value.message


def test_the_pass_keeps_it_pending_not_in_doubt(
    tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.hook]
            adapter = "webhook"
            options = {{ url = "{server.url}", read_timeout = 0.5, connect_timeout = 0.5 }}
            env = {{ token = "HOOK_TOKEN" }}
            [publish]
            lint_gate = false
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "queue").mkdir()
    (tmp_path / "queue" / "a.toml").write_text(
        'text = "Hi, what do you think?"\nplatforms = ["hook"]\nat = 2026-12-01T09:00:00Z\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("HOOK_TOKEN", "bad\nvalue")
    options = PassOptions(policy=RetryPolicy(), jitter=lambda: 0.0)
    report = run_pass(tmp_path, clock=ManualClock(T0), options=options, log=lambda _: None)
    assert [r.state for r in report.results] == ["pending"]
    ledger = open_ledger(tmp_path / ".soulpost", read_only=True)
    try:
        assert [p.state for p in ledger.publications()] == ["pending"]
    finally:
        ledger.close()
    assert server.count() == 0
