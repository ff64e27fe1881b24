"""``soulpost doctor`` through the real CLI against the fakes on 127.0.0.1: credentials
present, tried with --online, token lifetimes against the queue, and exit codes 0/1/2.
Secret values never appear in what it prints."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.linkedin import LinkedInFake
from tests.test_adapter_facebook import PageFake
from tests.test_adapter_pinterest import PinFake
from tests.test_adapter_webhooks import HookFake

SECRETS = {
    "LI_TOKEN": "li-secret-token-123",
    "FB_TOKEN": "fb-page-token-456",
    "PIN_TOKEN": "pin-secret-789",
}


@pytest.fixture
def fakes() -> Iterator[dict[str, Any]]:
    with (
        LinkedInFake(token=SECRETS["LI_TOKEN"]) as li,
        PageFake() as fb,
        PinFake() as pin,
        HookFake() as hook,
    ):
        yield {"linkedin": li, "facebook": fb, "pinterest": pin, "hook": hook}


def workspace(root: Path, fakes: dict[str, Any], extra: str = "") -> Path:
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.linkedin]
            env = {{ token = "LI_TOKEN" }}
            options = {{ base_url = "{fakes["linkedin"].url}" }}
            [platforms.facebook]
            env = {{ token = "FB_TOKEN" }}
            options = {{ base_url = "{fakes["facebook"].url}", page_id = "101234567890" }}
            [platforms.pinterest]
            env = {{ token = "PIN_TOKEN" }}
            options = {{ base_url = "{fakes["pinterest"].url}", board_id = "549755885175" }}
            [platforms.discord]
            env = {{ url = "DISCORD_URL" }}
            [platforms.box]
            adapter = "outbox"
            """
        )
        + textwrap.dedent(extra),
        encoding="utf-8",
    )
    (root / "queue").mkdir()
    (root / "queue" / "a.toml").write_text(
        'text = "Hello, what do you think?"\nplatforms = ["linkedin"]\nat = 2027-01-10T09:00:00Z\n',
        encoding="utf-8",
    )
    return root


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, fakes: dict[str, Any]) -> dict[str, str]:
    values = {**SECRETS, "DISCORD_URL": fakes["hook"].discord_url()}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SOULPOST_NOW", "2026-11-25T10:00:00Z")
    return values


def assert_no_secret(text: str, values: dict[str, str]) -> None:
    for value in values.values():
        assert value not in text


def test_all_present_offline(cli, tmp_path: Path, fakes: Any, env: dict[str, str]) -> None:
    result = cli("doctor", cwd=workspace(tmp_path, fakes))
    assert result.code == 0, result.out
    assert "ok: env.token: $LI_TOKEN is set" in result.out
    assert "offline check" in result.out
    assert "tokens last 60 days; set options.token_issued" in result.out
    assert all(not f.requests for f in fakes.values())  # offline means offline
    assert_no_secret(result.out + result.err, env)


def test_online_uses_each_credential(cli, tmp_path: Path, fakes: Any, env: dict[str, str]) -> None:
    result = cli("doctor", "--online", cwd=workspace(tmp_path, fakes))
    assert result.code == 0, result.out
    assert "online: token works for Soul Post" in result.out  # LinkedIn /v2/userinfo
    assert "online: token works for Soulpost Page" in result.out  # Facebook /me
    assert "online: token works for soulpost" in result.out  # Pinterest /v5/user_account
    assert "online: webhook soulbot" in result.out  # Discord GET webhook
    assert "box (adapter outbox): ok" in result.out
    assert fakes["linkedin"].received("GET", "/v2/userinfo")
    assert not fakes["linkedin"].received("POST")  # checking never posts
    assert_no_secret(result.out + result.err, env)


def test_missing_variable_is_a_problem(
    cli, tmp_path: Path, fakes: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FB_TOKEN")
    result = cli("doctor", "--online", cwd=workspace(tmp_path, fakes))
    assert result.code == 1
    assert "problem: env.token: environment variable $FB_TOKEN is not set" in result.out
    assert not fakes["facebook"].requests


def test_rejected_credential_names_the_variable(
    cli, tmp_path: Path, fakes: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIN_TOKEN", "revoked-pin-token-000")
    result = cli("doctor", "--online", "pinterest", cwd=workspace(tmp_path, fakes))
    assert result.code == 1
    assert "$PIN_TOKEN" in result.out and "Pinterest rejected the credential" in result.out
    assert "revoked-pin-token-000" not in result.out
    assert "linkedin" not in result.out


def test_unconfigured_required_role(cli, tmp_path: Path, fakes: Any, env: dict[str, str]) -> None:
    root = workspace(tmp_path, fakes, "[platforms.slack]\noptions = {}\n")
    result = cli("doctor", "slack", cwd=root)
    assert result.code == 1
    assert 'env.url is not configured: add env.url = "VARIABLE_NAME"' in result.out


def test_token_expiring_before_the_last_queued_post(
    cli, tmp_path: Path, fakes: Any, env: dict[str, str]
) -> None:
    root = workspace(tmp_path, fakes)
    url = fakes["linkedin"].url
    config = (
        (root / "config.toml")
        .read_text()
        .replace(
            f'options = {{ base_url = "{url}" }}',
            f'options = {{ base_url = "{url}", token_issued = "2026-10-01" }}',
        )
    )
    (root / "config.toml").write_text(config)
    result = cli("doctor", "linkedin", cwd=root)
    assert result.code == 1
    assert "expires at 2026-11-30T00:00+00:00, before the last queued post at 2027-01-10" in (
        result.out
    )


def test_token_issue_date_from_an_env_var(
    cli, tmp_path: Path, fakes: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = workspace(tmp_path, fakes)
    config = (
        (root / "config.toml")
        .read_text()
        .replace(
            'env = { token = "LI_TOKEN" }',
            'env = { token = "LI_TOKEN", token_issued = "LI_ISSUED" }',
        )
    )
    (root / "config.toml").write_text(config)
    monkeypatch.setenv("LI_ISSUED", "2026-11-20")
    result = cli("doctor", "linkedin", cwd=root)
    assert result.code == 0, result.out
    assert "token valid until 2027-01-19T00:00+00:00" in result.out
    monkeypatch.setenv("LI_ISSUED", "2026-09-01")
    result = cli("doctor", "linkedin", cwd=root)
    assert result.code == 1
    assert "the token expired at 2026-10-31" in result.out


def test_unknown_adapter_is_a_config_error(
    cli, tmp_path: Path, fakes: Any, env: dict[str, str]
) -> None:
    root = workspace(tmp_path, fakes, '[platforms.myspace]\nadapter = "myspace"\n')
    result = cli("doctor", cwd=root)
    assert result.code == 2
    assert "config error" in result.out and "unknown adapter 'myspace'" in result.out


def test_bad_options_are_a_config_error(
    cli, tmp_path: Path, fakes: Any, env: dict[str, str]
) -> None:
    root = workspace(tmp_path, fakes)
    config = (root / "config.toml").read_text().replace(', page_id = "101234567890"', "")
    (root / "config.toml").write_text(config)
    result = cli("doctor", "facebook", cwd=root)
    assert result.code == 2
    assert "page_id" in result.out


def test_x_token_lifetime_depends_on_how_it_signs_in(
    cli, tmp_path: Path, fakes: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OAuth 2.0 user token lasts two hours; OAuth 1.0a user tokens never expire."""
    oauth2 = '\n[platforms.x]\nenv = { token = "X_TOKEN" }\noptions = { token_issued = "2026-11-25T09:00:00Z" }\n'
    (tmp_path / "oauth2").mkdir()
    root = workspace(tmp_path / "oauth2", fakes, oauth2)
    (root / "queue" / "x.toml").write_text(
        'text = "Hello, what do you think?"\nplatforms = ["x"]\nat = 2026-11-25T12:00:00Z\n'
    )
    monkeypatch.setenv("X_TOKEN", "x-oauth2-user-token")
    result = cli("doctor", "x", cwd=root)
    assert result.code == 1
    assert "expires at 2026-11-25T11:00+00:00, before the last queued post" in result.out

    roles = ", ".join(
        f'{r} = "X_{r.upper()}"'
        for r in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
    )
    oauth1 = f"\n[platforms.x]\nenv = {{ {roles} }}\n"
    (tmp_path / "oauth1").mkdir()
    root = workspace(tmp_path / "oauth1", fakes, oauth1)
    for role in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
        monkeypatch.setenv(f"X_{role.upper()}", f"secret-{role}")
    result = cli("doctor", "x", cwd=root)
    assert result.code == 0, result.out
    assert "tokens last" not in result.out


def test_a_misspelt_option_is_a_config_error_naming_it(
    cli, tmp_path: Path, fakes: Any, env: dict[str, str]
) -> None:
    root = workspace(tmp_path, fakes)
    config = (root / "config.toml").read_text().replace("page_id =", "pageid =")
    (root / "config.toml").write_text(config)
    result = cli("doctor", "facebook", cwd=root)
    assert result.code == 2
    assert "platforms.facebook.options.pageid" in result.out
    assert "page_id" in result.out  # what it takes
