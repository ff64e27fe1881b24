"""``soulpost doctor`` forecasts stored tokens against the queue and refreshes where it can."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.accounts.store import Record, Store
from tests.conftest import run_process
from tests.oauthserver import OAuthServer
from tests.test_accounts_login import login_headless, write_workspace

pytestmark = pytest.mark.slow


@pytest.fixture
def server() -> Any:
    with OAuthServer(expires_in=7200) as srv:
        srv.add_client("soulpost-test")
        yield srv


def queue_post(root: Path, platform: str, at: datetime) -> None:
    (root / "queue" / f"{platform}.toml").write_text(
        f'text = "What would you add to this list?"\nplatforms = ["{platform}"]\n'
        f'status = "approved"\nat = {at.astimezone(UTC).isoformat(timespec="seconds")}\n',
        encoding="utf-8",
    )


def test_doctor_refreshes_a_token_that_would_expire_before_the_next_post(
    server: OAuthServer, tmp_path: Path
) -> None:
    root = write_workspace(tmp_path / "ws", server)
    assert login_headless(root, "x")[0] == 0
    before = Store().load("x", "default")
    queue_post(root, "x", datetime.now(UTC) + timedelta(hours=5))
    result = run_process("doctor", "x", cwd=root)
    assert "env.token is not configured" not in result.out
    assert "refreshed now (it expired before the next post)" in result.out, result.out
    assert server.refresh_requests == 1
    after = Store().load("x", "default")
    assert before is not None and after is not None
    assert after.access_token != before.access_token
    assert after.access_token not in result.out + result.err


def test_doctor_leaves_a_token_that_outlives_the_next_post(
    server: OAuthServer, tmp_path: Path
) -> None:
    root = write_workspace(tmp_path / "ws", server)
    assert login_headless(root, "x")[0] == 0
    queue_post(root, "x", datetime.now(UTC) + timedelta(minutes=30))
    result = run_process("doctor", "x", cwd=root)
    assert "refreshes itself after that" in result.out, result.out
    assert server.refresh_requests == 0


def test_doctor_reports_a_refused_refresh_with_what_to_do(
    server: OAuthServer, tmp_path: Path
) -> None:
    root = write_workspace(tmp_path / "ws", server)
    assert login_headless(root, "x")[0] == 0
    server.revoke_all()
    queue_post(root, "x", datetime.now(UTC) + timedelta(hours=5))
    result = run_process("doctor", "x", cwd=root)
    assert result.code == 1
    assert "the platform refused to refresh the token" in result.out
    assert "run `soulpost login x`" in result.out


def test_doctor_warns_when_a_token_without_refresh_ends_before_the_last_post(
    tmp_path: Path,
) -> None:
    (tmp_path / "queue").mkdir()
    (tmp_path / "config.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
    store = Store()
    with store.locked():
        store.save(
            Record(
                platform="linkedin",
                account="default",
                provider="linkedin",
                access_token="li-secret-token-123",
                expires_at=time.time() + 10 * 86400,
            )
        )
    queue_post(tmp_path, "linkedin", datetime.now(UTC) + timedelta(days=20))
    result = run_process("doctor", "linkedin", cwd=tmp_path)
    assert result.code == 1
    assert "before the last queued post" in result.out
    assert "run `soulpost login linkedin` before then" in result.out
    assert "li-secret-token-123" not in result.out + result.err
