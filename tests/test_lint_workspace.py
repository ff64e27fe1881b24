"""The linter on whole workspaces: the example queue, inputs, formats and exit codes."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from soulpost.lint.engine import lint_posts, lint_workspace
from soulpost.lint.model import Report
from soulpost.workspace import load_workspace
from tests.conftest import REPO, Result

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NOW_ARG = "2026-11-20T12:00:00+00:00"

CALM = [
    "2026-12-01-onboarding-lessons",
    "2026-12-01-csv-export-guide",
    "2026-12-03-workshop-recap",
    "2026-12-07-work-in-progress",
    "2026-12-08-accessibility-thread",
    "2026-12-11-template-giveaway",
    "2026-12-14-year-in-review-question",
]
CAUGHT = {
    "2026-12-02-flash-sale": {"shouting", "punctuation-run", "pressure", "hard-sell"},
    "2026-12-02-giveaway-bait": {"engagement-bait"},
    "2026-12-03-synergy-pitch": {"buzzword-stack", "absolute-claim"},
    "2026-12-04-big-news-teaser": {"empty-hype", "punctuation-run"},
    "2026-12-09-pricing-update": {"hard-sell", "promo-share"},
    "2026-12-10-guaranteed-results": {"absolute-claim", "shouting", "bare-call-to-action"},
}

CLI = Callable[..., Result]
MAKE = Callable[..., Path]


@pytest.fixture(scope="module")
def example_report() -> Report:
    return lint_workspace(load_workspace(root=REPO), now=NOW)


@pytest.mark.parametrize("post_id", CALM)
def test_calm_example_drafts_come_out_clean(example_report: Report, post_id: str) -> None:
    said = [
        f"{f.code} {f.name}: {f.message}" for f in example_report.findings if f.post_id == post_id
    ]
    assert said == []


@pytest.mark.parametrize(("post_id", "expected"), sorted(CAUGHT.items()))
def test_shouty_baiting_and_selling_drafts_are_caught(
    example_report: Report, post_id: str, expected: set[str]
) -> None:
    names = {f.name for f in example_report.findings if f.post_id == post_id}
    assert expected <= names
    assert all(f.severity == "warning" for f in example_report.findings if f.post_id == post_id)


def test_promo_share_names_the_promotional_posts(example_report: Report) -> None:
    promo = [f for f in example_report.findings if f.name == "promo-share"]
    assert {f.post_id for f in promo} == {"2026-12-02-flash-sale", "2026-12-09-pricing-update"}
    assert all("2026-12-02-flash-sale, 2026-12-09-pricing-update" in f.message for f in promo)
    assert all(f.platform == "mastodon" for f in promo)


def test_findings_point_at_the_word_in_the_file(example_report: Report) -> None:
    found = {(f.post_id, f.name): f for f in example_report.findings}
    bait = found["2026-12-02-giveaway-bait", "engagement-bait"]
    assert (bait.path, bait.line, bait.column) == ("queue/2026-12-02-giveaway-bait.toml", 2, 1)
    claim = found["2026-12-03-synergy-pitch", "absolute-claim"]
    line = (REPO / claim.path).read_text(encoding="utf-8").splitlines()[claim.line - 1]
    assert line[claim.column - 1 :].startswith("the only tool you will ever need")
    sell = found["2026-12-09-pricing-update", "hard-sell"]
    line = (REPO / sell.path).read_text(encoding="utf-8").splitlines()[sell.line - 1]
    assert line[sell.column - 1 :].startswith("Sign up today")


def test_cli_on_the_example_workspace(cli: CLI) -> None:
    result = cli("-C", REPO, "lint", "--now", NOW_ARG)
    assert result.code == 0, result.err  # warnings only; default --fail-on error
    assert "queue/2026-12-02-flash-sale.toml:2:1: SP101 shouting" in result.out
    strict = cli("-C", REPO, "lint", "--now", NOW_ARG, "--fail-on", "warning")
    assert strict.code == 1


def test_cli_json_output(cli: CLI) -> None:
    result = cli("-C", REPO, "lint", "--now", NOW_ARG, "--format", "json")
    doc = json.loads(result.out)
    assert doc["findings"]
    assert all(f["code"].startswith("SP") for f in doc["findings"])


CONFIG = 'timezone = "Europe/Berlin"\ndefault_platforms = ["mastodon"]\n'


def test_clean_workspace_exits_0(cli: CLI, workspace: MAKE) -> None:
    root = workspace(CONFIG, {"a.toml": 'text = "What did you learn this week?"\n'})
    assert cli("-C", root, "lint").code == 0


def test_error_finding_exits_1_and_fail_on_from_config(cli: CLI, workspace: MAKE) -> None:
    long = "word " * 120
    root = workspace(CONFIG, {"a.toml": f'text = "{long}"\nplatforms = ["x"]\n'})
    result = cli("-C", root, "lint")
    assert result.code == 1
    assert "SP601 too-long" in result.out
    root = workspace(CONFIG + '[lint]\nfail_on = "warning"\n', {"a.toml": 'text = "Act now."\n'})
    assert cli("-C", root, "lint").code == 1
    assert cli("-C", root, "lint", "--fail-on", "error").code == 0


def test_broken_draft_reports_after_linting_the_rest(cli: CLI, workspace: MAKE) -> None:
    root = workspace(
        CONFIG,
        {
            "broken.toml": 'text = "unterminated\n',
            "loud.toml": 'text = "Act now, LAST CHANCE."\n',
        },
    )
    result = cli("-C", root, "lint")
    assert result.code == 2
    assert "broken.toml" in result.out + result.err
    assert "queue/loud.toml:1:9: SP104 pressure" in result.out
    assert "queue/loud.toml:1:18: SP101 shouting" in result.out


def test_paths_files_folders_and_missing(cli: CLI, workspace: MAKE) -> None:
    root = workspace(
        CONFIG,
        {"a.toml": 'text = "Act now."\n', "sub/b.toml": 'text = "FREE STUFF for everyone."\n'},
    )
    one = cli("-C", root, "lint", "queue/a.toml", "--fail-on", "warning")
    assert one.code == 1 and "a.toml" in one.out and "b.toml" not in one.out
    folder = cli("-C", root, "lint", "queue/sub", "--fail-on", "warning")
    assert "sub/b.toml" in folder.out and "queue/a.toml" not in folder.out
    missing = cli("-C", root, "lint", "queue/nope.toml")
    assert missing.code == 2
    assert "nope.toml" in missing.out + missing.err


def test_plain_text_files_and_stdin(cli: CLI, workspace: MAKE, tmp_path: Path) -> None:
    root = workspace(CONFIG)
    (root / "draft.txt").write_text("A calm note.\nBuy now!!!\n", encoding="utf-8")
    result = cli("-C", root, "lint", "draft.txt", "--fail-on", "warning")
    assert result.code == 1
    assert "draft.txt:2:1: SP202 hard-sell" in result.out
    assert "draft.txt:2:8: SP102 punctuation-run" in result.out
    piped = cli("-C", root, "lint", "-", "--fail-on", "warning", stdin="Like and share to win!")
    assert piped.code == 1
    assert "-:1:1: SP201 engagement-bait" in piped.out
    calm = cli("-C", root, "lint", "-", "--fail-on", "info", stdin="What are you reading?")
    assert calm.code == 0


def test_plain_text_outside_a_workspace_without_platforms(cli: CLI, tmp_path: Path) -> None:
    """Issue 9: with no platform known, the soul rules run and the limits are skipped
    (it used to be a usage error, exit 2)."""
    lonely = tmp_path / "nowhere"
    lonely.mkdir()
    no = cli("-C", lonely, "lint", "-", stdin="Hello there, what do you think?")
    assert no.code == 0 and "limits were not checked" in no.err
    long = "word " * 70
    yes = cli("-C", lonely, "lint", "-", "-p", "x", "-p", "bluesky", stdin=long)
    assert yes.code == 1
    assert "X" in yes.out and "Bluesky" in yes.out


def test_usage_errors_exit_2(cli: CLI, workspace: MAKE) -> None:
    root = workspace(CONFIG)
    assert cli("-C", root, "lint", "--now", "yesterday").code == 2
    with pytest.raises(SystemExit) as exc:
        cli("-C", root, "lint", "--format", "yaml")
    assert exc.value.code == 2


def test_times_feed_window_rules_for_posts_without_at(workspace: MAKE) -> None:
    posts = {
        f"p{i}.toml": f'text = "Update number {i} about the garden project."\n' for i in range(3)
    }
    root = workspace(CONFIG, posts)
    ws = load_workspace(root=root)
    plain = lint_workspace(ws, now=NOW)
    assert not [f for f in plain.findings if f.name == "flooding"]
    base = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    times = {f"p{i}": base.replace(minute=10 * i) for i in range(3)}
    timed = lint_workspace(ws, now=NOW, times=times)
    flood = [f for f in timed.findings if f.name == "flooding"]
    assert [f.post_id for f in flood] == ["p2"]
    assert "p0, p1" in flood[0].message


def test_paths_limit_reports_but_queue_rules_see_everything(workspace: MAKE) -> None:
    root = workspace(
        CONFIG,
        {
            "a.toml": 'text = "Our spring workshop notes are online."\nat = 2027-01-04T09:00:00\n',
            "b.toml": 'text = "Our spring workshop notes are online!"\nat = 2027-01-05T09:00:00\n',
        },
    )
    ws = load_workspace(root=root)
    only_a = lint_workspace(ws, now=NOW, paths=[root / "queue" / "a.toml"])
    assert only_a.findings == [] and only_a.posts == 1
    only_b = lint_workspace(ws, now=NOW, paths=[root / "queue" / "b.toml"])
    assert [f.name for f in only_b.findings] == ["duplicate-post"]


def test_lint_posts_for_ad_hoc_posts() -> None:
    from soulpost.config import Settings
    from soulpost.posts import Post

    settings = Settings.model_validate({"default_platforms": ["mastodon"]})
    post = Post.model_validate({"id": "adhoc", "text": "HUGE news!!!", "platforms": ["mastodon"]})
    report = lint_posts([post], settings, now=NOW)
    assert {f.name for f in report.findings} >= {"shouting", "punctuation-run"}
    assert all(f.path == "-" for f in report.findings)
    assert report.posts == 1


def test_plain_files_with_the_same_name_are_both_reported(cli: CLI, workspace: MAKE) -> None:
    root = workspace(CONFIG)
    for folder in ("a", "b"):
        (root / folder).mkdir()
        (root / folder / "note.md").write_text("Hurry, act now.\n", encoding="utf-8")
    result = cli("-C", root, "lint", "a/note.md", "b/note.md", "--select", "pressure")
    assert "a/note.md:1:1: SP104" in result.out and "b/note.md:1:1: SP104" in result.out


def test_parallel_post_rules_match_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers must report exactly what one process reports, suppressions included."""
    from datetime import UTC, datetime

    from soulpost.lint import engine
    from soulpost.workspace import load_workspace

    ws = load_workspace(root=REPO)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 10**9)
    serial = engine.lint_workspace(ws, now=now)
    # Force two forked workers: the real choice also depends on cores and on whether other
    # tests left threads running (a threaded process never forks; see the test below).
    monkeypatch.setattr(engine, "_workers", lambda count: 2)
    fresh = load_workspace(root=REPO)  # drafts cache classifications: start clean
    parallel = engine.lint_workspace(fresh, now=now)
    assert parallel.findings == serial.findings
    assert {f.code for f in serial.findings} >= {"SP101", "SP401", "SP202"}  # queue and post rules


def test_threaded_or_small_runs_lint_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from soulpost.lint import engine

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert engine._workers(engine.PARALLEL_THRESHOLD) == 2
    assert engine._workers(engine.PARALLEL_THRESHOLD - 1) == 0  # too small to pay off
    monkeypatch.setattr(threading, "active_count", lambda: 3)  # e.g. the daemon
    assert engine._workers(10**6) == 0
