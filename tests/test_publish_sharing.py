"""Publishers sharing one ledger split a pass's due posts (soulpost/run/sharing.py): each takes
its own share first and helps with the others' from their ends; a post another publisher
took since the plan is skipped before it is linted or claimed. On a real PostgreSQL ledger
(tests/pg.py) with the real CLI and a local webhook server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from soulpost.ledger import Owner, PubKey
from soulpost.run.sharing import chunks, place, spread
from tests.localserver import LocalServer

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_alone_the_order_is_time_order() -> None:
    due = list(range(10))
    assert spread(due, 0, 1) == due
    assert spread([], 0, 3) == []


def test_each_publisher_starts_with_its_share_and_helps_the_others_from_their_ends() -> None:
    due = list(range(12))
    assert spread(due, 0, 3) == [0, 1, 2, 3, 7, 6, 5, 4, 11, 10, 9, 8]
    assert spread(due, 1, 3) == [4, 5, 6, 7, 11, 10, 9, 8, 3, 2, 1, 0]
    assert spread(due, 2, 3) == [8, 9, 10, 11, 3, 2, 1, 0, 7, 6, 5, 4]
    for rank in range(5):  # every post once, whatever the count
        assert sorted(spread(list(range(7)), rank, 5)) == list(range(7))
    assert chunks(list(range(5)), 2) == [[0, 1], [2, 3], [4]]


class _Peers:
    def __init__(self, peers: list[dict[str, Any]], me: tuple[str, int]) -> None:
        self._peers = peers
        self.owner = Owner(me[1], me[0], "", "t")

    def publishers(self) -> list[dict[str, Any]]:
        return self._peers


def test_a_publishers_place_counts_only_running_ones() -> None:
    peers = [
        {"host": "b", "pid": 2, "state": "running"},
        {"host": "a", "pid": 9, "state": "idle"},  # a cron publisher between passes
        {"host": "c", "pid": 1, "state": "running"},
    ]
    assert place(_Peers(peers, ("b", 2))) == (0, 2)  # type: ignore[arg-type]
    assert place(_Peers(peers, ("c", 1))) == (1, 2)  # type: ignore[arg-type]
    assert place(_Peers([], ("x", 5))) == (0, 1)  # type: ignore[arg-type]


def _workspace(root: Path, url: str, count: int) -> Path:
    (root / "queue").mkdir(parents=True)
    (root / "config.toml").write_text(
        'timezone = "UTC"\n[platforms.hook]\nadapter = "webhook"\n'
        f'options = {{ url = "{url}" }}\n[publish]\nledger = "postgres"\nlint_gate = true\n'
    )
    for n in range(count):
        (root / "queue" / f"p{n:02d}.toml").write_text(
            f'text = "Post {n}: what do you think?"\nplatforms = ["hook"]\n'
            f"at = 2026-12-01T08:59:{n:02d}Z\n"
        )
    return root


def test_a_post_another_publisher_took_is_skipped_unlinted_and_unclaimed(
    tmp_path: Path, pg_server: Any, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from soulpost.ledger.postgres import PostgresLedger
    from soulpost.lint import engine
    from soulpost.run import sharing

    url = pg_server.fresh_url()
    monkeypatch.setenv("SOULPOST_LEDGER_URL", url)
    monkeypatch.setenv("SOULPOST_NOW", NOW.isoformat())
    linted: list[str] = []
    real = engine.lint_posts

    def counting(posts: Any, *args: Any, **kwargs: Any) -> Any:
        linted.extend(p.id for p in posts)
        return real(posts, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_posts", counting)
    with LocalServer() as server:
        root = _workspace(tmp_path, server.url, 3)
        other = PostgresLedger(url, owner=Owner(4242, "host-b", "", "token-b"))
        key = _content_key(root, "p01")
        real_place = sharing.place

        def another_host_claims_first(ledger: Any) -> tuple[int, int]:
            # Another host claims p01 after this one planned, as it starts sending (the
            # place is asked again once that chunk shows it: see test_publish_shares.py).
            if not ledger_seen:
                assert other.claim(key, scheduled_at=NOW, now=NOW).publication is not None
            ledger_seen.append(ledger)
            return real_place(ledger)

        ledger_seen: list[Any] = []

        monkeypatch.setattr(sharing, "place", another_host_claims_first)
        result = cli("-C", root, "publish", "--due")
        assert other.taken([("p01", "hook"), ("p00", "hook"), ("p00", "box")]) == {
            ("p01", "hook"): "claimed",
            ("p00", "hook"): "published",
        }
        other.close()
        assert "skipped    p01 on hook: already claimed" in result.out, result.out
        assert server.count() == 2
        assert "p01" not in linted and {"p00", "p02"} <= set(linted)
        ledger = PostgresLedger(url, read_only=True)
        states = {(p.post_id, p.owner_host, p.state) for p in ledger.publications()}
        ledger.close()
        assert ("p01", "host-b", "claimed") in states  # never taken over, never sent


def _content_key(root: Path, post_id: str) -> PubKey:
    """The key the publisher will claim for *post_id* on hook (its rendered content)."""
    from soulpost.clock import ShiftedClock
    from soulpost.publish.registry import build
    from soulpost.workspace import load_workspace

    ws = load_workspace(root=root)
    adapter = build(ws, "hook", ShiftedClock(NOW))
    composed = adapter.compose(ws.by_id()[post_id])
    adapter.close()
    return PubKey(post_id, "hook", composed.content_hash())
