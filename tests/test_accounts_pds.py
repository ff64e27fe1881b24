"""``soulpost login bluesky`` against the real PDS (``tests/pds.py``), then a publish that
reads the handle and app password from the token store: no env in config at all."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

from soulpost.accounts.store import Store
from tests.conftest import run_process
from tests.test_accounts_login import every_file_text

if TYPE_CHECKING:
    from tests.pds import Pds

pytest_plugins = ["tests.pds"]
pytestmark = pytest.mark.slow


def test_login_with_an_app_password_then_publish_from_the_store(pds: Pds, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex[:8]
    (tmp_path / "queue").mkdir()
    (tmp_path / "config.toml").write_text(
        f'timezone = "UTC"\n[platforms.bluesky]\noptions = {{ base_url = "{pds.url}" }}\n'
        "[publish]\nlint_gate = false\n",
        encoding="utf-8",
    )
    (tmp_path / "queue" / "hi.toml").write_text(
        f'text = "Stored session {marker}"\nplatforms = ["bluesky"]\nstatus = "approved"\n',
        encoding="utf-8",
    )
    login = run_process(
        "login", "bluesky", "--handle", pds.handle, "--password-env", "PDS_PW",
        cwd=tmp_path, env={"PDS_PW": pds.password},
    )  # fmt: skip
    assert login.code == 0, login.out + login.err
    record = Store().load("bluesky", "default")
    assert record is not None and record.role("did") == pds.did
    result = run_process("publish", "hi", "--now", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    listed = requests.get(
        f"{pds.url}/xrpc/com.atproto.repo.listRecords",
        params={"repo": pds.did, "collection": "app.bsky.feed.post", "limit": "100"},
        timeout=30,
    ).json()
    assert any(marker in r["value"]["text"] for r in listed["records"])
    for text in (login.out + login.err, result.out + result.err, every_file_text(tmp_path)):
        assert pds.password not in text
