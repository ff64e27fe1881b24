"""The other logins (Mastodon app registration, Bluesky app passwords), the keyring
backend, ``soulpost accounts`` and ``soulpost logout``, all through the real CLI."""

from __future__ import annotations

import json
import os
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from soulpost.accounts.store import Store
from tests.conftest import REPO, run_process
from tests.oauthserver import OAuthServer
from tests.test_accounts_login import (
    authorization_url,
    every_file_text,
    login_headless,
    start,
    write_workspace,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def server() -> Any:
    with OAuthServer(expires_in=7200) as srv:
        srv.add_client("soulpost-test")
        yield srv


def test_mastodon_login_registers_an_app_then_publishes_with_the_token(
    server: OAuthServer, tmp_path: Path
) -> None:
    from tests.fakes.mastodon import MastodonFake

    with MastodonFake() as fake:
        root = tmp_path / "ws"
        (root / "queue").mkdir(parents=True)
        (root / "config.toml").write_text(
            textwrap.dedent(
                f"""\
                timezone = "UTC"
                [platforms.mastodon]
                options = {{ base_url = "{fake.url}" }}
                login = {{ instance = "{server.url}" }}
                [publish]
                lint_gate = false
                """
            ),
            encoding="utf-8",
        )
        proc = start(root, "login", "mastodon", "--headless")
        url = authorization_url(proc)
        assert url.startswith(f"{server.url}/oauth/authorize?")
        location = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
        out, err = proc.communicate(location + "\n", timeout=60)
        assert proc.returncode == 0, out + err
        assert "Mastodon: connected mastodon account default" in out
        assert "expires" not in out  # Mastodon tokens live until revoked
        [client] = [c for c in server.clients.values() if c.client_id != "soulpost-test"]
        assert client.scope == "write:statuses write:media"
        record = Store().load("mastodon", "default")
        assert record is not None and record.client_id == client.client_id
        assert record.client_secret == client.client_secret and record.expires_at is None
        fake.token = record.access_token
        (root / "queue" / "hi.toml").write_text(
            'text = "Hello, fediverse"\nplatforms = ["mastodon"]\nstatus = "approved"\n',
            encoding="utf-8",
        )
        result = run_process("publish", "hi", "--now", cwd=root)
        assert result.code == 0, result.out + result.err
        for secret in (record.access_token, record.client_secret):
            assert secret and secret not in out + err + result.out + result.err
            assert secret not in every_file_text(root)


def test_bluesky_login_proves_the_app_password_on_the_pds(
    server: OAuthServer, tmp_path: Path
) -> None:
    server.bluesky["alice.test"] = "abcd-efgh-ijkl-mnop"
    root = tmp_path / "ws"
    (root / "queue").mkdir(parents=True)
    (root / "config.toml").write_text(
        f'[platforms.bluesky]\noptions = {{ base_url = "{server.url}" }}\n', encoding="utf-8"
    )
    wrong = run_process(
        "login", "bluesky", "--handle", "alice.test", "--password-env", "PW",
        cwd=root, env={"PW": "not-it"},
    )  # fmt: skip
    assert wrong.code == 2
    assert "Bluesky at" in wrong.err and "refused the app password for alice.test" in wrong.err
    assert "not-it" not in wrong.out + wrong.err
    assert Store().load("bluesky", "default") is None
    good = run_process(
        "login", "bluesky", "--handle", "alice.test", "--password-env", "PW",
        cwd=root, env={"PW": "abcd-efgh-ijkl-mnop"},
    )  # fmt: skip
    assert good.code == 0, good.out + good.err
    record = Store().load("bluesky", "default")
    assert record is not None and record.password == "abcd-efgh-ijkl-mnop"
    assert record.role("handle") == "alice.test"
    assert "abcd-efgh-ijkl-mnop" not in good.out + good.err + every_file_text(root)


def test_accounts_lists_without_secrets_and_logout_forgets(
    server: OAuthServer, tmp_path: Path
) -> None:
    root = write_workspace(tmp_path / "ws", server)
    empty = run_process("accounts", cwd=root)
    assert empty.code == 0 and "no accounts connected" in empty.out
    assert login_headless(root, "x")[0] == 0
    assert login_headless(root, "x", "--account", "brand")[0] == 0
    listed = run_process("accounts", "--format", "json", cwd=root)
    rows = json.loads(listed.out)
    assert [(r["platform"], r["account"]) for r in rows] == [("x", "brand"), ("x", "default")]
    assert all(r["refreshable"] and not r["expired"] and r["expires_at"] for r in rows)
    text = run_process("accounts", cwd=root)
    assert "x  brand  [" in text.out and "refreshes itself" in text.out
    for account in ("default", "brand"):
        record = Store().load("x", account)
        assert record is not None
        assert record.access_token not in listed.out + text.out
    bye = run_process("logout", "x", "--account", "brand", cwd=root)
    assert bye.code == 0 and "forgot account brand" in bye.out
    assert Store().load("x", "brand") is None and Store().load("x", "default") is not None
    again = run_process("logout", "x", "--account", "brand", cwd=root)
    assert again.code == 1 and "no stored account brand" in again.out


def test_the_keyring_holds_the_secrets_when_one_exists(
    server: OAuthServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = tmp_path / "keyring.json"
    monkeypatch.setenv("SOULPOST_TOKEN_STORE", "auto")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.filekeyring.FileKeyring")
    monkeypatch.setenv("TEST_KEYRING_FILE", str(ring))
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    root = write_workspace(tmp_path / "ws", server)
    code, out, err = login_headless(root, "x")
    assert code == 0, out + err
    assert "tokens stored in the system keyring" in out
    stored = json.loads(ring.read_text())
    secret = json.loads(stored["soulpost/x:default"])
    assert secret["access_token"] in server.valid_access_tokens()
    files = Store().root
    assert not (files / "tokens.json").exists()
    assert secret["access_token"] not in (files / "accounts.json").read_text()
    listed = run_process("accounts", "--format", "json", cwd=root)
    assert json.loads(listed.out)[0]["store"] == "keyring"
    assert run_process("logout", "x", cwd=root).code == 0
    assert json.loads(ring.read_text()) == {}


def test_the_store_is_refused_inside_the_workspace(server: OAuthServer, tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws", server)
    result = run_process("login", "x", "--headless", cwd=root, env={"XDG_CONFIG_HOME": str(root)})
    assert result.code == 2 and "lies inside the workspace" in result.err
    assert not (root / "soulpost").exists()


def test_login_without_a_client_id_says_how_to_get_one(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
    (tmp_path / "queue").mkdir()
    result = run_process("login", "linkedin", "--headless", cwd=tmp_path)
    assert result.code == 2
    assert "no OAuth client id" in result.err and "[platforms.linkedin.login]" in result.err
    hooks = run_process("login", "slack", cwd=tmp_path)
    assert hooks.code == 2 and "has no login" in hooks.err


def test_a_corrupt_store_is_a_clear_error(server: OAuthServer, tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws", server)
    assert login_headless(root, "x")[0] == 0
    index = Store().root / "accounts.json"
    index.write_text("{not json", encoding="utf-8")
    result = run_process("accounts", cwd=root)
    assert result.code == 2 and "accounts.json: the token store is not valid JSON" in result.err
    assert "Traceback" not in result.err
    os.utime(index, (time.time(), time.time()))


def test_facebook_login_stores_the_pages_lasting_token_and_publishes(
    server: OAuthServer, tmp_path: Path
) -> None:
    from tests.fakes.facebook import FacebookFake

    server.add_client("fb-app", secret="fb-app-secret")
    server.pages = [
        {"id": "101234567890", "name": "Soulpost Test", "access_token": "EAAG-page-token-1"},
        {"id": "555", "name": "Other Page", "access_token": "EAAG-page-token-2"},
    ]
    with FacebookFake(token="EAAG-page-token-1") as fake:
        root = tmp_path / "ws"
        (root / "queue").mkdir(parents=True)
        (root / "config.toml").write_text(
            textwrap.dedent(
                f"""\
                timezone = "UTC"
                [platforms.facebook]
                options = {{ page_id = "101234567890", base_url = "{fake.url}" }}
                [platforms.facebook.login]
                client_id = "fb-app"
                client_secret_env = "FB_APP_SECRET"
                authorize_url = "{server.url}/authorize"
                token_url = "{server.url}/graph/oauth/access_token"
                [publish]
                lint_gate = false
                """
            ),
            encoding="utf-8",
        )
        proc = start(
            root, "login", "facebook", "--headless", env={"FB_APP_SECRET": "fb-app-secret"}
        )
        url = authorization_url(proc)
        location = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
        out, err = proc.communicate(location + "\n", timeout=60)
        assert proc.returncode == 0, out + err
        assert "posting as the Page Soulpost Test (101234567890)" in out
        record = Store().load("facebook", "default")
        assert record is not None and record.access_token == "EAAG-page-token-1"
        assert record.expires_at is None and record.refresh_token is None
        (root / "queue" / "hi.toml").write_text(
            'text = "Hello, Page"\nplatforms = ["facebook"]\nstatus = "approved"\n',
            encoding="utf-8",
        )
        result = run_process("publish", "hi", "--now", cwd=root)
        assert result.code == 0, result.out + result.err
        for secret in ("EAAG-page-token-1", "fb-app-secret"):
            assert secret not in out + err + result.out + result.err
            assert secret not in every_file_text(root)


def test_a_locked_keyring_is_a_clear_error(
    server: OAuthServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOULPOST_TOKEN_STORE", "keyring")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.filekeyring.LockedKeyring")
    monkeypatch.setenv("TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    root = write_workspace(tmp_path / "ws", server)
    code, out, err = login_headless(root, "x")
    assert code == 2
    assert "the keyring refused to store the secret of x:default (KeyringLocked)" in err
    assert "SOULPOST_TOKEN_STORE=file" in err and "Traceback" not in err
    assert not (Store().root / "accounts.json").exists()
    [token] = [t.access_token for t in server.tokens]
    assert token not in out + err
