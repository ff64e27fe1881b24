"""Secrets never leak: not to stdout/stderr, the ledger, state files, or exception messages.

A workspace publishes to Mastodon, Bluesky and X fakes on 127.0.0.1 through the real CLI:
first with credentials the servers refuse (one of them even echoes the token back in its
error body, as careless servers do), then with good ones. Afterwards every byte the runs
produced — captured output, ``status``/``history`` output, and every file under the
workspace (the SQLite ledger, adapter notes) — is searched for every secret value, and so
is the message of every error the adapters raised directly.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.publish.adapters.bluesky import BlueskyAdapter
from soulpost.publish.adapters.mastodon import MastodonAdapter
from soulpost.publish.adapters.x import XAdapter
from soulpost.publish.base import AdapterConfig, AuthError, PublishError
from tests.fakes.bluesky import HANDLE, PASSWORD, T0, BlueskyFake
from tests.fakes.mastodon import MastodonFake
from tests.fakes.x import XFake

MASTODON_TOKEN = "mstdn-GOOD-token-7f3a9c1e"
X_TOKEN = "x-GOOD-user-token-55d2e8b0"
X_OAUTH1 = {
    "SP_X_CONSUMER_KEY": "xck-GOOD-3c1d9e",
    "SP_X_CONSUMER_SECRET": "xcs-GOOD-a8b7c6",
    "SP_X_ACCESS_TOKEN": "xat-GOOD-0f9e8d",
    "SP_X_ACCESS_SECRET": "xas-GOOD-77aa11",
}
BAD = {
    "SP_MASTODON_TOKEN": "mstdn-BAD-token-00112233",
    "SP_BSKY_HANDLE": HANDLE,
    "SP_BSKY_PASSWORD": "bsky-BAD-password-4455",
    "SP_X_TOKEN": "x-BAD-user-token-66778899",
}
GOOD = {
    "SP_MASTODON_TOKEN": MASTODON_TOKEN,
    "SP_BSKY_HANDLE": HANDLE,
    "SP_BSKY_PASSWORD": PASSWORD,
    **X_OAUTH1,
}
# Session tokens the Bluesky fake hands out are secrets too.
SESSION_TOKENS = ["access-jwt-", "refresh-jwt-"]


def secret_values() -> list[str]:
    pairs = [*BAD.items(), *GOOD.items()]
    return [v for k, v in pairs if k != "SP_BSKY_HANDLE"] + SESSION_TOKENS


@pytest.fixture
def fakes() -> Iterator[tuple[MastodonFake, BlueskyFake, XFake]]:
    with (
        MastodonFake(token=MASTODON_TOKEN) as mastodon,
        BlueskyFake() as bluesky,
        XFake(token=X_TOKEN) as x,
    ):
        yield mastodon, bluesky, x


def config(mastodon: str, bluesky: str, x: str, *, oauth1: bool) -> str:
    if oauth1:
        x_env = (
            'consumer_key = "SP_X_CONSUMER_KEY", consumer_secret = "SP_X_CONSUMER_SECRET", '
            'access_token = "SP_X_ACCESS_TOKEN", access_token_secret = "SP_X_ACCESS_SECRET"'
        )
    else:
        x_env = 'token = "SP_X_TOKEN"'
    return textwrap.dedent(
        f"""\
        timezone = "UTC"
        [platforms.mastodon]
        options = {{ base_url = "{mastodon}" }}
        env = {{ token = "SP_MASTODON_TOKEN" }}
        [platforms.bluesky]
        options = {{ base_url = "{bluesky}" }}
        env = {{ handle = "SP_BSKY_HANDLE", password = "SP_BSKY_PASSWORD" }}
        [platforms.x]
        options = {{ base_url = "{x}" }}
        env = {{ {x_env} }}
        [publish]
        lint_gate = false
        """
    )


def queue_post(root: Path, name: str, text: str) -> None:
    (root / "queue").mkdir(exist_ok=True)
    (root / "queue" / f"{name}.toml").write_text(
        f'text = "{text}"\nplatforms = ["mastodon", "bluesky", "x"]\nstatus = "approved"\n'
        'thread = ["and a second part"]\n',
        encoding="utf-8",
    )


def leaks(text: str | bytes) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return [s for s in secret_values() if s.encode("utf-8") in data]


def test_no_secret_in_output_ledger_or_state_files(
    fakes: tuple[MastodonFake, BlueskyFake, XFake],
    tmp_path: Path,
    cli: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mastodon, bluesky, x = fakes
    # a careless server that echoes the credential it refused
    x.fail(401, {"title": "Unauthorized", "detail": f"bad token {BAD['SP_X_TOKEN']}"})
    outputs: list[str] = []

    (tmp_path / "config.toml").write_text(
        config(mastodon.url, bluesky.url, x.url, oauth1=False), encoding="utf-8"
    )
    queue_post(tmp_path, "bad", "This one meets refused credentials")
    for name, value in BAD.items():
        monkeypatch.setenv(name, value)
    refused = cli("publish", "bad", "--now", cwd=tmp_path)
    outputs += [refused.out, refused.err]
    assert refused.code != 0
    assert "failed" in refused.out
    for variable in ("SP_MASTODON_TOKEN", "SP_BSKY_PASSWORD", "SP_X_TOKEN"):
        assert variable in refused.out + refused.err, variable

    (tmp_path / "config.toml").write_text(
        config(mastodon.url, bluesky.url, x.url, oauth1=True), encoding="utf-8"
    )
    queue_post(tmp_path, "good", "This one goes out everywhere")
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    sent = cli("publish", "good", "--now", cwd=tmp_path)
    outputs += [sent.out, sent.err]
    assert sent.code == 0, sent.out + sent.err
    assert sent.out.count("published") >= 3
    assert len(mastodon.statuses) == 2 and len(bluesky.records) == 2 and len(x.tweets) == 2

    for command in (("status",), ("history", "bad", "--json"), ("history", "good", "--json")):
        result = cli(*command, cwd=tmp_path)
        outputs += [result.out, result.err]

    assert [leaks(text) for text in outputs if leaks(text)] == []
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix in (".db", ".sqlite", ".sqlite3") for p in files), files
    assert any("adapters" in p.parts for p in files)  # the adapters' notes were written
    assert {str(p.relative_to(tmp_path)): leaks(p.read_bytes()) for p in files} == {
        str(p.relative_to(tmp_path)): [] for p in files
    }


def make_config(
    platform: str, base: str, env: dict[str, str], roles: dict[str, str], state: Path
) -> AdapterConfig:
    return AdapterConfig(
        platform=platform,
        state_dir=state,
        clock=ManualClock(T0),
        options={"base_url": base, "read_timeout": 2.0},
        credentials=roles,
        environ=env,
        root=state,
    )


def test_no_secret_in_exception_messages(
    fakes: tuple[MastodonFake, BlueskyFake, XFake], tmp_path: Path
) -> None:
    mastodon, bluesky, x = fakes
    errors: list[PublishError] = []
    # servers that echo the refused secret in their error bodies
    mastodon.fail(401, {"error": f"The access token {BAD['SP_MASTODON_TOKEN']} is invalid"})
    bluesky.fail(
        401,
        {"error": "AuthenticationRequired", "message": f"bad: {BAD['SP_BSKY_PASSWORD']}"},
    )
    adapters = [
        MastodonAdapter(
            make_config("mastodon", mastodon.url, BAD, {"token": "SP_MASTODON_TOKEN"}, tmp_path)
        ),
        BlueskyAdapter(
            make_config(
                "bluesky",
                bluesky.url,
                BAD,
                {"handle": "SP_BSKY_HANDLE", "password": "SP_BSKY_PASSWORD"},
                tmp_path,
            )
        ),
        XAdapter(make_config("x", x.url, BAD, {"token": "SP_X_TOKEN"}, tmp_path)),
    ]
    for adapter in adapters:
        with pytest.raises(AuthError) as caught:
            adapter.publish(adapter_payload(adapter), "k")
        errors.append(caught.value)
    # an expired Bluesky session is refreshed with tokens that must not leak either
    good_bsky = BlueskyAdapter(
        make_config(
            "bluesky",
            bluesky.url,
            GOOD,
            {"handle": "SP_BSKY_HANDLE", "password": "SP_BSKY_PASSWORD"},
            tmp_path,
        )
    )
    good_bsky.publish({"text": "one", "facets": []}, "k1")
    bluesky.expire_all()
    bluesky.refresh.clear()  # so the adapter logs in again and gets access-jwt-2
    bluesky.fail(
        400, {"error": "ExpiredToken", "message": "expired: access-jwt-1"}, path="createRecord"
    )
    bluesky.fail(
        400, {"error": "InvalidRequest", "message": "nope access-jwt-2"}, path="createRecord"
    )
    with pytest.raises(PublishError) as failed:
        good_bsky.publish({"text": "two", "facets": []}, "k2")
    errors.append(failed.value)
    for error in errors:
        shown = " | ".join([error.message, str(error), repr(error)])
        assert leaks(shown) == [], shown
    assert "[redacted]" in errors[0].message  # the echoed token was cut out, not just absent


def adapter_payload(adapter: Any) -> dict[str, Any]:
    if isinstance(adapter, MastodonAdapter):
        return {"status": "hello"}
    if isinstance(adapter, BlueskyAdapter):
        return {"text": "hello", "facets": []}
    return {"text": "hello"}
