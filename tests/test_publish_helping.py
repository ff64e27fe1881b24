"""A publisher helping with another's share on a shared ledger (soulpost/run/sharing.py)
walks that share from its end. Where the other publisher has already been, every chunk is
taken: one query then drops everything else of the order that is taken, instead of one
query per chunk of 32 (four publishers on two cores paid about 45 such round trips each at
the end of a pass, a third of their `taken` queries). On a real PostgreSQL ledger
(tests/pg.py) with the real CLI and a local webhook server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from soulpost.ledger import Owner
from tests.conftest import count_calls
from tests.localserver import LocalServer
from tests.scanpass import hook_keys

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DUE = 640  # this publisher's share: the first 320; the other's: the last 320


def _workspace(root: Path, url: str) -> Path:
    (root / "queue").mkdir(parents=True)
    (root / "config.toml").write_text(
        'timezone = "UTC"\n[platforms.hook]\nadapter = "webhook"\n'
        f'options = {{ url = "{url}" }}\n[publish]\nledger = "postgres"\nlint_gate = true\n'
    )
    for n in range(DUE):
        at = f"2026-12-01T08:{n // 60 + 40:02d}:{n % 60:02d}Z"
        (root / "queue" / f"p{n:03d}.toml").write_text(
            f'text = "Post {n}: what do you think?"\nplatforms = ["hook"]\nat = {at}\n'
        )
    return root


def test_a_helper_drops_what_others_took_in_one_query_not_chunk_by_chunk(
    tmp_path: Path, pg_server: Any, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from soulpost.ledger.postgres import PostgresLedger
    from soulpost.run import sharing

    url = pg_server.fresh_url()
    monkeypatch.setenv("SOULPOST_LEDGER_URL", url)
    monkeypatch.setenv("SOULPOST_NOW", NOW.isoformat())
    monkeypatch.setenv("SOULPOST_HOST", "host-a")  # sorts first: rank 0 of 2
    asked: list[int] = []
    count_calls(monkeypatch, PostgresLedger, "taken", lambda _self, pairs: asked.append(len(pairs)))
    with LocalServer() as server:
        root = _workspace(tmp_path, server.url)
        other = PostgresLedger(url, owner=Owner(4242, "host-b", "", "token-b"))
        keys = hook_keys(root, [f"p{n:03d}" for n in range(320, 600)], NOW)
        real_place = sharing.place

        def host_b_works_meanwhile(ledger: Any) -> tuple[int, int]:
            # After this publisher planned, host-b (running) goes through most of its
            # share in time order: posts 320-599 are claimed, 600-639 are left.
            while keys:
                key = keys.pop(0)
                assert other.claim(key, scheduled_at=NOW, now=NOW).publication is not None
            return real_place(ledger)

        monkeypatch.setattr(sharing, "place", host_b_works_meanwhile)
        asked.clear()
        result = cli("-C", root, "publish", "--due")
        other.close()
    assert server.count() == 320 + 40, result.out  # its own share and what host-b left
    assert result.out.count(": already claimed") == 280
    # Its ten own chunks, then 639..608 and 607..576 (the second partly taken), then
    # 575..544 wholly taken: from there one query for all that is left, not eight more.
    assert len(asked) <= 10 + 3 + 1, asked
