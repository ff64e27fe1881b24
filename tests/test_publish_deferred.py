"""Publishers sharing a ledger parse a due draft only when they are about to send it
(soulpost/run/deferred.py): a post another publisher took is never parsed, a draft
edited since the plan is not sent as planned, and the lint gate still judges every post
that goes out. On a real PostgreSQL ledger (tests/pg.py) with the real CLI and a local
webhook server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.ledger import Owner
from tests.localserver import LocalServer
from tests.scanpass import hook_keys

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _workspace(root: Path, url: str, count: int, extra: str = "") -> Path:
    (root / "queue").mkdir(parents=True)
    (root / "config.toml").write_text(
        'timezone = "UTC"\n[platforms.hook]\nadapter = "webhook"\n'
        f'options = {{ url = "{url}" }}\n[publish]\nledger = "postgres"\nlint_gate = true\n' + extra
    )
    for n in range(count):
        (root / "queue" / f"p{n:02d}.toml").write_text(
            f'text = "Post {n}: what do you think?"\nplatforms = ["hook"]\n'
            f"at = 2026-12-01T08:59:{n:02d}Z\n"
        )
    return root


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from soulpost import workspace

    parsed: list[str] = []
    real = workspace.build_post

    def counting(data: Any, path: Path, *args: Any, **kwargs: Any) -> Any:
        parsed.append(path.stem)
        return real(data, path, *args, **kwargs)

    monkeypatch.setattr(workspace, "build_post", counting)
    return parsed


def _count_resolved(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many deferred items each chunk's resolve parsed (the path under test is taken)."""
    from soulpost.queueindex import Summary
    from soulpost.run.deferred import Deferred

    counts: list[int] = []
    real = Deferred.resolve

    def counting(self: Deferred, chunk: list[Any], *args: Any) -> Any:
        counts.append(sum(isinstance(i.post, Summary) for i in chunk))
        return real(self, chunk, *args)

    monkeypatch.setattr(Deferred, "resolve", counting)
    return counts


def _plan_once(cli: Callable[..., Any], root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cron pass an hour earlier: the queue index and near window the pass plans from."""
    monkeypatch.setenv("SOULPOST_NOW", (NOW - timedelta(hours=1)).isoformat())
    assert cli("-C", root, "publish", "--due").code == 0
    monkeypatch.setenv("SOULPOST_NOW", NOW.isoformat())


def test_a_publisher_parses_only_the_due_drafts_it_sends(
    tmp_path: Path, pg_server: Any, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 due posts; another host claims 30 of them once this publisher has planned (as it
    first asks the ledger where it stands). This one sends the other 10 and parses at most
    its preloaded share (half: two publishers are running) and the drafts it sent, never
    all 40 as before."""
    from soulpost.ledger.postgres import PostgresLedger
    from soulpost.run import sharing

    url = pg_server.fresh_url()
    monkeypatch.setenv("SOULPOST_LEDGER_URL", url)
    with LocalServer() as server:
        root = _workspace(tmp_path, server.url, 40)
        _plan_once(cli, root, monkeypatch)
        theirs = [f"p{n:02d}" for n in range(40) if n % 4]  # 30 of 40, spread out
        keys = hook_keys(root, theirs, NOW)
        other = PostgresLedger(url, owner=Owner(4242, "host-b", "", "token-b"))
        real_place = sharing.place
        asked: list[int] = []

        def another_host_takes_most(ledger: Any) -> tuple[int, int]:
            if not asked:
                for key in keys:
                    assert other.claim(key, scheduled_at=NOW, now=NOW).publication is not None
            asked.append(1)
            return real_place(ledger)

        monkeypatch.setattr(sharing, "place", another_host_takes_most)
        parsed = _count_parses(monkeypatch)
        result = cli("-C", root, "publish", "--due")
        other.close()
    assert result.code == 0, result.err
    assert server.count() == 10
    mine = {f"p{n:02d}" for n in range(0, 40, 4)}
    assert mine <= set(parsed)
    assert len(parsed) <= 20 + 10, sorted(parsed)  # the preloaded half at most, and its own
    assert len(parsed) < 40


def test_the_gate_still_judges_every_deferred_post(
    tmp_path: Path, pg_server: Any, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Due posts parsed only when sent are linted first: the shouting ones (an error
    here) are held back, the rest go out once."""
    from soulpost.ledger.postgres import PostgresLedger

    url = pg_server.fresh_url()
    monkeypatch.setenv("SOULPOST_LEDGER_URL", url)
    with LocalServer() as server:
        root = _workspace(tmp_path, server.url, 40, '[lint]\nseverity = { shouting = "error" }\n')
        loud = {3, 17, 38}
        for n in loud:
            (root / "queue" / f"p{n:02d}.toml").write_text(
                f'text = "SHOUTING LOUDLY HERE {n}"\nplatforms = ["hook"]\n'
                f"at = 2026-12-01T08:59:{n:02d}Z\n"
            )
        _plan_once(cli, root, monkeypatch)
        resolved = _count_resolved(monkeypatch)
        result = cli("-C", root, "publish", "--due")
        assert result.code == 1, result.err  # blocked posts need a person
        assert server.count() == 37
    assert sum(resolved) == 40  # every due post was deferred, then parsed and linted
    for n in loud:
        assert f"blocked    p{n:02d} on hook: lint" in result.out, result.out
    ledger = PostgresLedger(url, read_only=True)
    states = {p.post_id: p.state for p in ledger.publications()}
    ledger.close()
    assert {i for i, s in states.items() if s == "published"} == {
        f"p{n:02d}" for n in range(40) if n not in loud
    }


def test_a_deferred_draft_edited_since_the_plan_is_not_sent_as_planned(tmp_path: Path) -> None:
    """Resolving a chunk: a draft unchanged since the plan becomes its parsed post; one
    whose time moved, or which is gone, is reported skipped for the next pass to plan."""
    from soulpost.plan import Action, build_plan
    from soulpost.queueindex import Summary
    from soulpost.run.deferred import CHANGED, Deferred
    from soulpost.timeutil import LocalTimeKind
    from soulpost.workspace import load_settings

    root = _workspace(tmp_path, "http://127.0.0.1:9/hook", 3)
    settings, _config = load_settings(root)
    queue = root / "queue"
    summaries = [
        Summary(
            f"p{n:02d}",
            datetime(2026, 12, 1, 8, 59, n, tzinfo=UTC),
            ["hook"],
            "draft",
            LocalTimeKind.EXPLICIT,
            None,
            str(queue / f"p{n:02d}.toml"),
        )
        for n in range(3)
    ]
    plan = build_plan(summaries, settings, NOW)
    due = [i for i in plan.items if i.action is Action.DUE]
    assert len(due) == 3
    (queue / "p01.toml").write_text(
        'text = "Post 1, later"\nplatforms = ["hook"]\nat = 2026-12-02T08:00:00Z\n'
    )
    (queue / "p02.toml").unlink()
    deferred = Deferred(list(due), settings)
    ready, dropped = deferred.resolve(list(due), NOW, {})
    assert [(i.post.id, i.action, type(i.post).__name__) for i in ready] == [
        ("p00", Action.DUE, "Post")
    ]
    assert ready[0].post.text.startswith("Post 0")
    assert [(i.post.id, why) for i, why in dropped] == [("p01", CHANGED), ("p02", CHANGED)]
    assert deferred.parsed == 3  # none was preloaded: each file read once (p02 found gone)
