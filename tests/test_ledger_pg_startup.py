"""What a publisher on the PostgreSQL ledger loads at start-up: every host of a shared
ledger pays it once per pass, four times over when four publishers share two cores, so a
module it never uses is a cost that only grows with the publishers (issue 13)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.conftest import imported_modules
from tests.localserver import LocalServer


def test_a_postgresql_publisher_never_loads_sqlite3(tmp_path: Path, pg_server: Any) -> None:
    with LocalServer() as server:
        (tmp_path / "queue").mkdir()
        (tmp_path / "config.toml").write_text(
            'timezone = "UTC"\n[platforms.hook]\nadapter = "webhook"\n'
            f'options = {{ url = "{server.url}" }}\n[publish]\nledger = "postgres"\n'
        )
        (tmp_path / "queue" / "p.toml").write_text(
            'text = "One post: what do you think?"\nplatforms = ["hook"]\n'
            "at = 2026-12-01T08:59:00Z\n"
        )
        env = {
            **os.environ,
            "SOULPOST_LEDGER_URL": pg_server.fresh_url(),
            "SOULPOST_NOW": "2026-12-01T09:00:00+00:00",
        }
        loaded = imported_modules(
            "-C", str(tmp_path), "publish", "--due", cwd=tmp_path, env=env, timeout=120
        )
        assert server.count() == 1
    assert "psycopg" in loaded  # the log is what was imported
    assert "sqlite3" not in loaded and "_sqlite3" not in loaded
