"""Link cards kept in the ledger (migration 3), on both backends: noted once per
publication part, platform and URL, read back by a retry; and through the real CLI, a retry
on a second "host" (its own workspace copy and state directory) sharing the PostgreSQL
ledger reuses the card and its uploaded picture without fetching the page again."""

from __future__ import annotations

import sqlite3
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.ledger import SqliteLedger
from tests.conftest import run_process
from tests.fakes.bluesky import ENV, T0, BlueskyFake
from tests.pages import PICTURE, Pages
from tests.test_ledger import backend, open_backend

__all__ = ["backend"]  # the fixture, parametrised over both backends

CARD = {"$type": "app.bsky.embed.external", "external": {"uri": "https://e.org/a", "title": "A"}}


def test_a_card_is_noted_once_and_read_back(tmp_path: Path, backend: str) -> None:
    ledger = open_backend(backend, tmp_path)
    assert ledger.link_card("k0", "bluesky", "https://e.org/a") is None
    ledger.note_link_card("k0", "bluesky", "https://e.org/a", CARD, "")
    ledger.note_link_card("k0", "bluesky", "https://e.org/a", None, "a later, other answer")
    ledger.note_link_card("k0", "bluesky", "https://e.org/b", None, "no title")
    ledger.close()
    again = open_backend(backend, tmp_path)  # another process, or another host
    try:
        assert again.link_card("k0", "bluesky", "https://e.org/a") == {"card": CARD, "why": ""}
        assert again.link_card("k0", "bluesky", "https://e.org/b") == {
            "card": None,
            "why": "no title",
        }
        assert again.link_card("k0", "linkedin", "https://e.org/a") is None
        assert again.link_card("k1", "bluesky", "https://e.org/a") is None
    finally:
        again.close()  # a PostgreSQL ledger's heartbeat thread would stop later tests forking


def test_a_version_2_sqlite_ledger_gains_the_table(tmp_path: Path) -> None:
    from soulpost.ledger.sqlite import schema

    path = tmp_path / "l.db"
    db = sqlite3.connect(path)
    for step in schema.MIGRATIONS[:2]:
        step.apply(db)
    db.execute(
        f"CREATE TABLE {schema.VERSIONS_TABLE} "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    db.execute(f"INSERT INTO {schema.VERSIONS_TABLE} VALUES (1, 'a', 'x'), (2, 'b', 'x')")
    db.commit()
    db.close()
    ledger = SqliteLedger(path)
    ledger.note_link_card("k0", "bluesky", "https://e.org/a", CARD, "")
    assert ledger.link_card("k0", "bluesky", "https://e.org/a") == {"card": CARD, "why": ""}
    ledger.close()
    with sqlite3.connect(path) as db:
        rows = db.execute(f"SELECT version FROM {schema.VERSIONS_TABLE} ORDER BY version")
        assert [v for (v,) in rows] == [1, 2, 3]


@pytest.fixture
def pages() -> Iterator[Pages]:
    with Pages() as served:
        yield served


def host(root: Path, fake: BlueskyFake, link: str) -> Path:
    """One host's copy of the workspace: its own files and state directory."""
    (root / "queue").mkdir(parents=True)
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.bluesky]
            env = {{ handle = "SP_BSKY_HANDLE", password = "SP_BSKY_PASSWORD" }}
            options = {{ base_url = "{fake.url}", cards_allow_private = true, read_timeout = 5 }}
            [publish]
            lint_gate = false
            ledger = "postgres"
            ledger_url_env = "SOULPOST_TEST_LEDGER_URL"
            """
        ),
        encoding="utf-8",
    )
    (root / "queue" / "findings.toml").write_text(
        f'text = "Our findings: {link} What would you add?"\nplatforms = ["bluesky"]\n'
        f'status = "approved"\nat = {T0.isoformat()}\n',
        encoding="utf-8",
    )
    return root


def test_a_retry_on_another_host_sharing_the_ledger_fetches_no_page(
    tmp_path: Path, pg_server: Any, pages: Pages
) -> None:
    url = str(pg_server.fresh_url())
    with BlueskyFake() as fake:
        link = pages.url("/article")
        first, second = (host(tmp_path / name, fake, link) for name in ("host-a", "host-b"))
        env = {**ENV, "SOULPOST_TEST_LEDGER_URL": url}
        # Host A: the card is fetched and its picture uploaded, then the post is refused
        # for now (503): nothing was made, a later pass tries again.
        host_a = [True]  # every try of host A's pass is refused
        fake.fail(503, times=100, path="createRecord", where=lambda _: host_a[0])
        when = (T0 + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        a = run_process("publish", "--due", cwd=first, env={**env, "SOULPOST_NOW": when})
        assert fake.records == {}, a.out + a.err
        assert dict(pages.hits) == {"/article": 1, "/card.png": 1}, a.out + a.err
        uploads = len(fake.blobs)
        host_a[0] = False
        # Host B, at the retry, with an empty state directory of its own.
        later = (T0 + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
        b = run_process("publish", "--due", cwd=second, env={**env, "SOULPOST_NOW": later})
        assert b.code == 0, b.out + b.err
        (record,) = fake.records.values()
        embed = record["value"]["embed"]
        assert embed["external"]["uri"] == link
        assert fake.blobs[embed["external"]["thumb"]["ref"]["$link"]] == PICTURE
        assert dict(pages.hits) == {"/article": 1, "/card.png": 1}  # nothing fetched again
        assert len(fake.blobs) == uploads  # and the picture not uploaded again
        for root in (first, second):
            assert not (root / ".soulpost" / "adapters" / "bluesky.cards").exists()
