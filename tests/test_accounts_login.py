"""``soulpost login`` end to end against a real OAuth 2.0 server on 127.0.0.1 (Authlib's).

The tests play the browser: they follow the authorization URL the CLI prints with
``requests`` (the server approves at once) and either hand the redirect back on standard
input (``--headless``) or let ``requests`` follow it to the CLI's loopback server.
Tokens land in the token store of the test (``tests/conftest.py``), outside the workspace.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from soulpost.accounts.store import Store
from tests.oauthserver import OAuthServer

pytestmark = pytest.mark.slow

SOULPOST = str(Path(sys.executable).with_name("soulpost"))
HOUR = 3600


@pytest.fixture
def server() -> Any:
    with OAuthServer(expires_in=2 * HOUR) as srv:
        srv.add_client("soulpost-test")
        yield srv


def write_workspace(root: Path, server: OAuthServer, extra: str = "") -> Path:
    (root / "queue").mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.x]
            [platforms.x.login]
            client_id = "soulpost-test"
            authorize_url = "{server.url}/authorize"
            token_url = "{server.url}/token"
            """
        )
        + textwrap.dedent(extra),
        encoding="utf-8",
    )
    return root


def start(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [SOULPOST, *args],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def authorization_url(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("http"):
            return line.strip()
    raise AssertionError(f"no URL printed; stderr: {proc.stderr.read() if proc.stderr else ''}")


def login_headless(root: Path, *args: str) -> tuple[int, str, str]:
    """Run ``soulpost login ... --headless``, playing the browser; (code, out, err)."""
    proc = start(root, "login", *args, "--headless")
    url = authorization_url(proc)
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    out, err = proc.communicate(answer.headers["Location"] + "\n", timeout=60)
    return proc.returncode, out, err


def every_file_text(root: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in root.rglob("*") if p.is_file()
    )


def test_headless_login_with_pkce_stores_tokens_outside_the_workspace(
    server: OAuthServer, tmp_path: Path, _token_store_of_the_test: Path
) -> None:
    root = write_workspace(tmp_path / "ws", server)
    code, out, err = login_headless(root, "x")
    assert code == 0, out + err
    assert "connected x account default" in out and "refreshes itself" in out
    # PKCE: the code was bound to an S256 challenge, and the token request carried the
    # verifier; Authlib's CodeChallenge compared them before it issued the token.
    [exchange] = server.token_requests
    assert exchange["grant_type"] == "authorization_code" and exchange["code_verifier"]
    record = Store().load("x", "default")
    assert record is not None
    assert record.access_token in server.valid_access_tokens()
    assert record.refresh_token and record.expires_at
    assert abs(record.expires_at - (time.time() + 2 * HOUR)) < 120
    # The store: a 0600 file under the user's config directory, never the workspace.
    files = sorted(p.name for p in _token_store_of_the_test.iterdir())
    assert "tokens.json" in files and "accounts.json" in files
    for name in ("tokens.json", "accounts.json"):
        assert stat.S_IMODE((_token_store_of_the_test / name).stat().st_mode) == 0o600
    assert record.access_token not in (_token_store_of_the_test / "accounts.json").read_text()
    for secret in (record.access_token, record.refresh_token):
        assert secret not in out + err
        assert secret not in every_file_text(root)


def test_the_server_rejects_a_wrong_pkce_verifier(server: OAuthServer) -> None:
    """The S256 check the login relies on is real: a code with the wrong verifier fails."""
    from authlib.integrations.requests_client import OAuth2Session

    session = OAuth2Session(
        "soulpost-test",
        scope="tweet.read",
        redirect_uri="http://127.0.0.1:9/callback",
        code_challenge_method="S256",
    )
    url, _ = session.create_authorization_url(f"{server.url}/authorize", code_verifier="a" * 64)
    location = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
    assert "code=" in location, location
    code = location.split("code=")[1].split("&")[0]
    answer = requests.post(
        f"{server.url}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": "soulpost-test",
            "redirect_uri": "http://127.0.0.1:9/callback",
            "code_verifier": "b" * 64,
        },
        timeout=10,
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_loopback_login_takes_the_redirect_itself(server: OAuthServer, tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws", server)
    proc = start(root, "login", "x", "--no-browser", "--account", "work")
    url = authorization_url(proc)
    # Following the redirect lands on the CLI's own server on 127.0.0.1 (RFC 8252).
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "login received" in page.text
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err
    record = Store().load("x", "work")
    assert record is not None and record.access_token in server.valid_access_tokens()


def test_refresh_rotates_and_the_old_refresh_token_is_refused(
    server: OAuthServer, tmp_path: Path
) -> None:
    root = write_workspace(tmp_path / "ws", server)
    assert login_headless(root, "x")[0] == 0
    before = Store().load("x", "default")
    assert before is not None and before.expires_at is not None
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(before.expires_at - 60))
    result = subprocess.run(  # noqa: PLW1510 (the exit code is asserted)
        [SOULPOST, "accounts", "--refresh", "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "SOULPOST_NOW": later},
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert server.refresh_requests == 1
    after = Store().load("x", "default")
    assert after is not None
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token
    assert after.access_token in server.valid_access_tokens()
    [row] = json.loads(result.stdout)
    assert row["platform"] == "x" and row["refreshable"] and not row["expired"]
    for secret in (before.refresh_token, after.access_token, after.refresh_token):
        assert secret and secret not in result.stdout + result.stderr
    # Rotation: the spent refresh token is no good any more.
    spent = requests.post(
        f"{server.url}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": before.refresh_token,
            "client_id": "soulpost-test",
        },
        timeout=10,
    )
    assert spent.status_code == 400 and spent.json()["error"] == "invalid_grant"


def test_a_revoked_refresh_token_is_a_clear_auth_failure(
    server: OAuthServer, tmp_path: Path
) -> None:
    root = write_workspace(tmp_path / "ws", server)
    assert login_headless(root, "x")[0] == 0
    record = Store().load("x", "default")
    assert record is not None and record.expires_at is not None
    server.revoke_all()
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.expires_at + HOUR))
    result = subprocess.run(  # noqa: PLW1510 (the exit code is asserted)
        [SOULPOST, "accounts", "--refresh"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "SOULPOST_NOW": later},
        timeout=60,
    )
    assert result.returncode == 1
    assert "the platform refused to refresh the token of the x account default" in result.stderr
    assert "invalid_grant" in result.stderr and "run `soulpost login x`" in result.stderr
    assert "Traceback" not in result.stderr
    assert record.refresh_token and record.refresh_token not in result.stdout + result.stderr
    # The store still holds the old record: nothing half-written.
    assert Store().load("x", "default") == record


HOLDER = """
import sys
from soulpost.accounts import credential
print(credential("x", None, "token", now=float(sys.argv[1])))
"""


def waiters_on(lock: Path) -> int:
    """Processes blocked in flock() on *lock* (``/proc/locks`` shows them with ``->``)."""
    inode = str(lock.stat().st_ino)
    lines = Path("/proc/locks").read_text().splitlines()
    return sum(1 for line in lines if "->" in line and line.split()[-3].endswith(f":{inode}"))


def refresh_race(server: Any, argv: list[str], cwd: Path, lock: Path) -> list[tuple[str, str]]:
    """Run *argv* in two processes that need a refresh at once: the first is held at
    *server* (``hold_refresh``) while holding *lock*; once the second waits on that lock,
    the server answers. Both must succeed; their outputs."""
    server.hold_refresh = True
    procs = [
        subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        assert server.refresh_arrived.wait(60)
        deadline = time.monotonic() + 60
        while waiters_on(lock) < 1:
            assert time.monotonic() < deadline, "the second process never waited"
            time.sleep(0.01)
        server.release.set()
        outputs = [p.communicate(timeout=60) for p in procs]
    finally:
        for p in procs:
            p.kill() if p.poll() is None else None
    assert [p.returncode for p in procs] == [0, 0], outputs
    return outputs


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")
def test_two_processes_refreshing_at_once_spend_the_refresh_token_once(
    server: OAuthServer, tmp_path: Path, _token_store_of_the_test: Path
) -> None:
    root = write_workspace(tmp_path / "ws", server)
    assert login_headless(root, "x")[0] == 0
    record = Store().load("x", "default")
    assert record is not None and record.expires_at is not None
    now = str(record.expires_at + 10)
    lock = _token_store_of_the_test / "accounts.lock"
    outputs = refresh_race(server, [sys.executable, "-c", HOLDER, now], tmp_path, lock)
    assert server.refresh_requests == 1
    fresh = Store().load("x", "default")
    assert fresh is not None and fresh.access_token != record.access_token
    assert [out.strip() for out, _ in outputs] == [fresh.access_token, fresh.access_token]
    assert fresh.access_token in server.valid_access_tokens()


def test_publish_uses_the_stored_token_and_refreshes_it_when_expired(
    server: OAuthServer, tmp_path: Path
) -> None:
    """No env in config: the X adapter gets its bearer token from the store, refreshed
    through the one credential function when it has expired."""
    from tests.fakes.x import XFake

    class StoreXFake(XFake):
        def authorised(self, request: Any) -> bool:
            return request.bearer in server.valid_access_tokens()

    with StoreXFake() as fake:
        root = write_workspace(
            tmp_path / "ws",
            server,
            f"""\
            [platforms.x.options]
            base_url = "{fake.url}"
            [publish]
            lint_gate = false
            """,
        )
        (root / "queue" / "hello.toml").write_text(
            'text = "Hello from a stored token"\nplatforms = ["x"]\nstatus = "approved"\n',
            encoding="utf-8",
        )
        assert login_headless(root, "x")[0] == 0
        record = Store().load("x", "default")
        assert record is not None and record.expires_at is not None
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.expires_at + 60))
        result = subprocess.run(  # noqa: PLW1510 (the exit code is asserted)
            [SOULPOST, "publish", "hello", "--now"],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "SOULPOST_NOW": later},
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert [t["text"] for t in fake.tweets.values()] == ["Hello from a stored token"]
        assert server.refresh_requests == 1
        fresh = Store().load("x", "default")
        assert fresh is not None
        for secret in (record.access_token, fresh.access_token, fresh.refresh_token):
            assert secret and secret not in result.stdout + result.stderr
            assert secret not in every_file_text(root)


def test_environment_variables_win_over_the_store(server: OAuthServer, tmp_path: Path) -> None:
    from soulpost.clock import SystemClock
    from soulpost.publish.base import AdapterConfig

    root = write_workspace(tmp_path / "ws", server)
    assert login_headless(root, "x")[0] == 0
    config = AdapterConfig(
        platform="x",
        state_dir=root / ".soulpost",
        clock=SystemClock(),
        credentials={"token": "CI_X_TOKEN"},
        environ={"CI_X_TOKEN": "from-ci"},
    )
    assert config.secret("token") == "from-ci"
    stored = AdapterConfig(
        platform="x", state_dir=root / ".soulpost", clock=SystemClock(), environ={}
    )
    record = Store().load("x", "default")
    assert record is not None and stored.secret("token") == record.access_token
    assert record.access_token in stored.secrets()


def test_headless_login_accepts_the_bare_code(server: OAuthServer, tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws", server)
    proc = start(root, "login", "x", "--headless")
    url = authorization_url(proc)
    location = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
    code = location.split("code=")[1].split("&")[0]
    out, err = proc.communicate(code + "\n", timeout=60)
    assert proc.returncode == 0, out + err
    record = Store().load("x", "default")
    assert record is not None and record.access_token in server.valid_access_tokens()


def test_publish_with_a_revoked_refresh_token_fails_as_auth_naming_the_login(
    server: OAuthServer, tmp_path: Path
) -> None:
    from tests.fakes.x import XFake

    with XFake() as fake:
        root = write_workspace(
            tmp_path / "ws",
            server,
            f"""\
            [platforms.x.options]
            base_url = "{fake.url}"
            [publish]
            lint_gate = false
            """,
        )
        (root / "queue" / "hello.toml").write_text(
            'text = "Hello?"\nplatforms = ["x"]\nstatus = "approved"\n', encoding="utf-8"
        )
        assert login_headless(root, "x")[0] == 0
        record = Store().load("x", "default")
        assert record is not None and record.expires_at is not None
        server.revoke_all()
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.expires_at + 60))
        result = subprocess.run(  # noqa: PLW1510 (the exit code is asserted)
            [SOULPOST, "publish", "hello", "--now"],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "SOULPOST_NOW": later},
            timeout=120,
        )
        assert result.returncode == 1, result.stdout + result.stderr
        said = result.stdout + result.stderr
        assert "X: the platform refused to refresh the token of the x account default" in said
        assert "run `soulpost login x`" in said
        assert fake.tweets == {}
        history = subprocess.run(  # noqa: PLW1510 (the output is asserted)
            [SOULPOST, "history", "hello"], cwd=root, capture_output=True, text=True, timeout=60
        )
        assert "auth" in history.stdout, history.stdout
        assert record.refresh_token and record.refresh_token not in said


def test_a_redirect_of_another_attempt_is_refused(server: OAuthServer, tmp_path: Path) -> None:
    """The state ties the redirect to this login (CSRF): another attempt's address fails."""
    root = write_workspace(tmp_path / "ws", server)
    first = start(root, "login", "x", "--headless")
    old = requests.get(authorization_url(first), allow_redirects=False, timeout=10)
    first.kill()
    first.communicate()
    proc = start(root, "login", "x", "--headless")
    authorization_url(proc)
    _, err = proc.communicate(old.headers["Location"] + "\n", timeout=60)
    assert proc.returncode == 2
    assert "belongs to another login attempt" in err and "Traceback" not in err
    assert server.token_requests == [] and Store().load("x", "default") is None
