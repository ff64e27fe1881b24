"""``soulpost login threads|instagram`` and the renewal of Meta's long-lived tokens, end to
end through the real CLI against fake Meta login servers on 127.0.0.1
(:mod:`tests.fakes.metaoauth`, built from Meta's documented answers).

The tests play the browser: they follow the authorization URL the CLI prints and paste the
address they are sent to back (``--headless``). Time moves with ``SOULPOST_NOW`` for the CLI
and ``fake.clock`` for the server, together.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from soulpost.accounts.store import Store
from tests.conftest import run_process
from tests.fakes.meta import InstagramFake, MediaHost, ThreadsFake, jpeg
from tests.fakes.metaoauth import MetaOAuthFake
from tests.fakes.server import FakeServer, Request, Response
from tests.test_accounts_login import authorization_url, every_file_text, refresh_race, start

pytestmark = pytest.mark.slow

DAY = 86400.0
APP_SECRET = "meta-app-secret-0123456789"
IG_USER = "17841400000000001"


@pytest.fixture(params=["threads", "instagram"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def meta(kind: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[MetaOAuthFake]:
    monkeypatch.setenv("META_APP_SECRET", APP_SECRET)
    with MetaOAuthFake(kind, user_id=IG_USER) as fake:
        fake.add_app("1234567890", APP_SECRET)
        yield fake


def write_workspace(root: Path, fake: MetaOAuthFake, extra: str = "", login: str = "") -> Path:
    (root / "queue").mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [publish]
            lint_gate = false
            [platforms.{fake.kind}.login]
            client_id = "1234567890"
            client_secret_env = "META_APP_SECRET"
            authorize_url = "{fake.url}/oauth/authorize"
            token_url = "{fake.url}/oauth/access_token"
            exchange_url = "{fake.url}/access_token"
            refresh_url = "{fake.url}/refresh_access_token"
            """
        )
        + textwrap.dedent(login)
        + textwrap.dedent(extra),
        encoding="utf-8",
    )
    return root


def login(root: Path, platform: str, paste: Any = None) -> tuple[int, str, str]:
    """``soulpost login PLATFORM --headless``, playing the browser; (code, out, err)."""
    proc = start(root, "login", platform, "--headless")
    url = authorization_url(proc)
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.endswith("#_")  # Meta's habit: the fragment is not part of the code
    pasted = paste(location) if paste else location
    out, err = proc.communicate(pasted + "\n", timeout=60)
    return proc.returncode, out, err


def at(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def cli(root: Path, *args: str, now: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: PLW1510 (the exit code is asserted)
        [str(Path(sys.executable).with_name("soulpost")), *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "SOULPOST_NOW": at(now)},
        timeout=120,
    )


def logged_in(root: Path, fake: MetaOAuthFake) -> Any:
    code, out, err = login(root, fake.kind)
    assert code == 0, out + err
    record = Store().load(fake.kind, "default")
    assert record is not None and record.obtained_at is not None
    return record


def test_login_exchanges_the_code_then_the_short_token_for_a_long_lived_one(
    meta: MetaOAuthFake, tmp_path: Path
) -> None:
    root = write_workspace(tmp_path / "ws", meta)
    code, out, err = login(root, meta.kind)
    assert code == 0, out + err
    assert f"connected {meta.kind} account default" in out and "refreshes itself" in out
    [exchange] = meta.received("POST", "/oauth/access_token")
    form = dict(exchange.form or ())
    assert form["grant_type"] == "authorization_code" and form["client_secret"] == APP_SECRET
    assert "code_verifier" not in form  # Meta documents no PKCE
    [long] = meta.received("GET", r"^/access_token")
    assert long.query["grant_type"] == [f"{meta.prefix}_exchange_token"]
    short = long.query["access_token"][0]
    record = Store().load(meta.kind, "default")
    assert record is not None and record.expires_at is not None
    assert meta.tokens[record.access_token].long and not meta.tokens[short].long
    assert abs(record.expires_at - (time.time() + 60 * DAY)) < 600
    assert record.refresh_grant == f"{meta.prefix}_refresh_token"
    assert record.token_url == f"{meta.url}/refresh_access_token"
    assert record.refresh_token is None and record.roles["user_id"] == IG_USER
    if meta.kind == "instagram":  # the adapter posts as the logged-in account, where it can
        from soulpost.clock import SystemClock
        from soulpost.publish.registry import build
        from soulpost.workspace import load_workspace

        adapter: Any = build(load_workspace(root), "instagram", SystemClock())
        assert adapter.user_id == IG_USER
        assert adapter.opts.base_url == "https://graph.instagram.com"
    for secret in (APP_SECRET, short, record.access_token):
        assert secret not in out + err
        assert secret not in every_file_text(root)
    accounts = run_process("accounts", cwd=root)
    assert "refreshes itself" in accounts.out and record.access_token not in accounts.out


def test_a_registered_https_redirect_is_pasted_back_with_the_bare_code(
    kind: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An app whose only redirect is an https page of its own: login cannot listen there,
    so it is headless by nature; the code copied with Meta's ``#_`` still works."""
    monkeypatch.setenv("META_APP_SECRET", APP_SECRET)
    page = "https://example.org/soulpost/callback/"
    with MetaOAuthFake(kind, user_id=IG_USER) as fake:
        fake.add_app("1234567890", APP_SECRET, page)
        root = write_workspace(tmp_path / "ws", fake, login=f'redirect_uri = "{page}"\n')
        code, out, err = login(
            root, kind, paste=lambda loc: loc.split("code=")[1].split("&")[0] + "#_"
        )
        assert code == 0, out + err
        [exchange] = fake.received("POST", "/oauth/access_token")
        assert dict(exchange.form or ())["redirect_uri"] == page
        assert Store().load(kind, "default") is not None


def test_a_refused_code_exchange_says_what_meta_said(meta: MetaOAuthFake, tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws", meta)
    proc = start(root, "login", meta.kind, "--headless")
    url = authorization_url(proc)
    location = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
    meta.codes.clear()  # the code was already spent (or is over an hour old)
    out, err = proc.communicate(location + "\n", timeout=60)
    assert proc.returncode == 2, out + err
    assert f"{meta.kind.title()} refused the token request" in err
    assert "Invalid authorization code" in err and "Traceback" not in err
    assert Store().load(meta.kind, "default") is None


def test_login_without_the_app_secret_is_refused_before_the_browser(
    meta: MetaOAuthFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_workspace(tmp_path / "ws", meta)
    config = (
        (root / "config.toml").read_text().replace('client_secret_env = "META_APP_SECRET"\n', "")
    )
    (root / "config.toml").write_text(config)
    result = run_process("login", meta.kind, "--headless", cwd=root)
    assert result.code == 2 and "needs the app secret" in result.err
    assert f"[platforms.{meta.kind}.login]" in result.err and meta.requests == []


def test_refresh_in_the_second_half_of_the_tokens_life(meta: MetaOAuthFake, tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws", meta)
    before = logged_in(root, meta)
    # Day 20: still in the first half; nothing is sent.
    meta.clock = lambda: before.obtained_at + 20 * DAY
    early = cli(root, "accounts", "--refresh", now=before.obtained_at + 20 * DAY)
    assert early.returncode == 0 and meta.refresh_requests == 0, early.stderr
    # Day 40: past half its life, renewed for another 60 days.
    later = before.obtained_at + 40 * DAY
    meta.clock = lambda: later
    result = cli(root, "accounts", "--refresh", now=later)
    assert result.returncode == 0, result.stdout + result.stderr
    assert meta.refresh_requests == 1
    [sent] = meta.received("GET", "/refresh_access_token")
    assert sent.query == {
        "grant_type": [f"{meta.prefix}_refresh_token"],
        "access_token": [before.access_token],
    }
    after = Store().load(meta.kind, "default")
    assert after is not None and after.expires_at is not None
    assert after.access_token != before.access_token
    assert after.access_token in meta.valid_access_tokens()
    assert abs(after.expires_at - (later + 60 * DAY)) < 5
    assert after.obtained_at is not None and abs(after.obtained_at - later) < 2
    for secret in (before.access_token, after.access_token):
        assert secret not in result.stdout + result.stderr


def test_a_token_under_24_hours_old_is_not_sent_for_refresh(
    meta: MetaOAuthFake, tmp_path: Path
) -> None:
    """Meta refuses to refresh a token younger than a day; soulpost does not ask, even
    forced, and doctor says when it can be renewed if the next post is after its end."""
    root = write_workspace(tmp_path / "ws", meta)
    before = logged_in(root, meta)
    soon = before.obtained_at + 3600
    forced = cli(root, "accounts", "--refresh", "--force", now=soon)
    assert forced.returncode == 0, forced.stderr
    assert meta.refresh_requests == 0
    post_at = before.obtained_at + 70 * DAY
    (root / "queue" / "later.toml").write_text(
        f'text = "What would you add?"\nplatforms = ["{meta.kind}"]\nstatus = "approved"\n'
        f"at = {at(post_at)}\n",
        encoding="utf-8",
    )
    doctor = cli(root, "doctor", meta.kind, now=soon)
    assert "Meta refreshes a token only once it is 24 hours old" in doctor.stdout, doctor.stdout
    assert "soulpost accounts --refresh" in doctor.stdout and meta.refresh_requests == 0
    # A day later doctor renews it itself, since the next post comes after its end.
    meta.clock = lambda: before.obtained_at + 2 * DAY
    doctor = cli(root, "doctor", meta.kind, now=before.obtained_at + 2 * DAY)
    assert "refreshed now (it expired before the next post)" in doctor.stdout, doctor.stdout
    assert meta.refresh_requests == 1


def test_a_refused_refresh_is_a_clear_auth_failure(meta: MetaOAuthFake, tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws", meta)
    before = logged_in(root, meta)
    meta.revoke_all()
    later = before.obtained_at + 40 * DAY
    meta.clock = lambda: later
    result = cli(root, "accounts", "--refresh", now=later)
    assert result.returncode == 1
    said = result.stderr
    assert f"the platform refused to refresh the token of the {meta.kind} account default" in said
    assert "Error validating access token" in said and "code 190" in said
    assert f"run `soulpost login {meta.kind}`" in said and "Traceback" not in said
    assert before.access_token not in result.stdout + said
    assert Store().load(meta.kind, "default") == before  # nothing half-written


def test_an_expired_token_says_to_log_in_again_and_asks_nothing(
    meta: MetaOAuthFake, tmp_path: Path
) -> None:
    extra = (
        f'[platforms.{meta.kind}]\noptions = {{ media_base_url = "https://cdn.example.org/" }}\n'
    )
    root = write_workspace(tmp_path / "ws", meta, extra)
    (root / "media").mkdir()
    (root / "media" / "a.jpg").write_bytes(jpeg(6, 4))
    before = logged_in(root, meta)
    gone = before.expires_at + DAY
    result = cli(root, "accounts", "--refresh", "--force", now=gone)
    assert result.returncode == 1
    assert f"the stored token of the {meta.kind} account default expired" in result.stderr
    assert f"cannot be refreshed: run `soulpost login {meta.kind}`" in result.stderr
    assert meta.refresh_requests == 0
    # A pass fails the publication as auth, with the same words, and sends nothing.
    (root / "queue" / "hello.toml").write_text(
        f'text = "Hello?"\nplatforms = ["{meta.kind}"]\nstatus = "approved"\n'
        '[[media]]\npath = "media/a.jpg"\nalt = "A photo"\n',
        encoding="utf-8",
    )
    sent = cli(root, "publish", "hello", "--now", now=gone)
    assert sent.returncode == 1 and "Traceback" not in sent.stderr
    assert f"run `soulpost login {meta.kind}`" in sent.stdout + sent.stderr
    history = run_process("history", "hello", cwd=root)
    assert "auth" in history.out and meta.refresh_requests == 0
    assert before.access_token not in sent.stdout + sent.stderr + history.out


def test_doctor_renews_a_token_past_half_its_life(meta: MetaOAuthFake, tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws", meta)
    before = logged_in(root, meta)
    later = before.obtained_at + 31 * DAY
    meta.clock = lambda: later
    (root / "queue" / "soon.toml").write_text(
        f'text = "What would you add?"\nplatforms = ["{meta.kind}"]\nstatus = "approved"\n'
        f"at = {at(later + DAY)}\n",
        encoding="utf-8",
    )
    doctor = cli(root, "doctor", meta.kind, now=later)
    assert "refreshed now (past half its life)" in doctor.stdout, doctor.stdout + doctor.stderr
    assert meta.refresh_requests == 1
    fresh = Store().load(meta.kind, "default")
    assert fresh is not None and fresh.access_token in meta.valid_access_tokens()
    assert fresh.access_token not in doctor.stdout + doctor.stderr


HOLDER = """
import sys
from soulpost.accounts import credential
print(credential(sys.argv[1], None, "token", now=float(sys.argv[2])))
"""


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")
def test_two_processes_refreshing_at_once_send_one_refresh(
    meta: MetaOAuthFake, tmp_path: Path, _token_store_of_the_test: Path
) -> None:
    root = write_workspace(tmp_path / "ws", meta)
    before = logged_in(root, meta)
    later = before.obtained_at + 45 * DAY
    meta.clock = lambda: later
    lock = _token_store_of_the_test / "accounts.lock"
    outputs = refresh_race(
        meta, [sys.executable, "-c", HOLDER, meta.kind, str(later)], tmp_path, lock
    )
    assert meta.refresh_requests == 1
    fresh = Store().load(meta.kind, "default")
    assert fresh is not None and fresh.access_token != before.access_token
    assert [out.strip() for out, _ in outputs] == [fresh.access_token] * 2


def checking(fake_class: type[FakeServer], meta: MetaOAuthFake, **kwargs: Any) -> Any:
    """A Threads/Instagram API fake that takes exactly the tokens the login fake says are
    valid now, and notes which it was given."""

    class Checking(fake_class):  # type: ignore[valid-type,misc]
        def __init__(self, **kw: Any) -> None:
            super().__init__(**kw)
            self.used: list[str] = []

        def dispatch(self, request: Request) -> Response:
            token = request.bearer or self._params(request).get("access_token")
            if token in meta.valid_access_tokens():
                self.used.append(token)
                self.token = token
            return super().dispatch(request)

    return Checking(**kwargs)


def test_publish_renews_the_token_and_the_api_gets_the_new_one(
    meta: MetaOAuthFake, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    (root / "media").mkdir(parents=True)
    (root / "media" / "team.jpg").write_bytes(jpeg(6, 4))
    api_class = ThreadsFake if meta.kind == "threads" else InstagramFake
    with (
        checking(api_class, meta, token="none-yet", user_id=IG_USER) as api,
        MediaHost(root) as host,
    ):
        opts = f'base_url = "{api.url}", media_base_url = "{host.url}", poll_interval = 0.01'
        write_workspace(root, meta, f"[platforms.{meta.kind}]\noptions = {{ {opts} }}\n")
        (root / "queue" / "hello.toml").write_text(
            f'text = "Hello from a renewed token"\nplatforms = ["{meta.kind}"]\n'
            'status = "approved"\n[[media]]\npath = "media/team.jpg"\nalt = "A team photo"\n',
            encoding="utf-8",
        )
        before = logged_in(root, meta)
        later = before.obtained_at + 50 * DAY
        meta.clock = lambda: later
        result = cli(root, "publish", "hello", "--now", now=later)
        assert result.returncode == 0, result.stdout + result.stderr
        assert meta.refresh_requests == 1
        fresh = Store().load(meta.kind, "default")
        assert fresh is not None and fresh.access_token != before.access_token
        assert set(api.used) == {fresh.access_token}
        texts = [p.get("text") or p.get("caption") for p in api.posts.values()]
        assert texts == ["Hello from a renewed token"]
        for secret in (before.access_token, fresh.access_token, APP_SECRET):
            assert secret not in result.stdout + result.stderr
            assert secret not in every_file_text(root)
