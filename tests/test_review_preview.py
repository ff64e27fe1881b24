"""``soulpost preview``: text for people (wide characters, true line breaks), JSON, and the
Markdown summary of what a branch changes (``--changed-since``)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from soulpost.review.cells import clip, width, wrap
from tests.conftest import Result
from tests.test_review_site_browser import example_copy

CLI = Callable[..., Result]
NOW = "2026-12-01T09:31:00Z"

CONFIG = 'timezone = "Asia/Tokyo"\n\n[platforms.mastodon]\nadapter = "outbox"\n'
WRAPPED = (
    'text = """\nWe interviewed 40 customers about their first week with our app, and\n'
    'three things stood out. What would you add?\n"""\n'
    'platforms = ["mastodon", "bluesky"]\nat = 2026-12-02T09:00:00\n'
)
WIDE = (
    'text = "日本語のテキストは一文字が二つの桁を使います。🧵 絵文字も同じです。'
    'もう少し長い文章にして折り返しを確かめます。"\nplatforms = ["mastodon"]\n'
    "at = 2026-12-03T09:00:00\n"
)


def test_cells_measure_wide_characters() -> None:
    assert width("日本") == 4 and width("🧵") == 2 and width("e\u0301") == 1
    assert width(clip("日本語のテキスト", 7)) <= 7
    for line in wrap("日本語の テキスト は 一文字が 二つの 桁を 使います", 12):
        assert width(line) <= 12


def test_text_preview_shows_line_breaks_and_folds_by_cells(
    cli: CLI, workspace: Callable[..., Path]
) -> None:
    root = workspace(CONFIG, {"wrapped.toml": WRAPPED, "wide.toml": WIDE})
    result = cli("-C", root, "preview", "wrapped", "--now", NOW, "--width", "120")
    assert result.code == 0, result.err
    out = result.out
    # The hard-wrapped draft: two real lines (│ each), and SP610 says so with its hint.
    assert "│ We interviewed 40 customers about" in out
    assert "│ three things stood out. What would" in out
    assert "SP610 hard-wrap [platform]" in out and "hint: join the wrapped lines" in out
    # Counted as each platform counts, against its limit.
    assert "/500 characters" in out and "/300 graphemes" in out
    # Wide text folds at the terminal's width in cells, not in code points.
    out = cli("-C", root, "preview", "wide", "--now", NOW, "--width", "40").out
    body = [line for line in out.splitlines() if line.lstrip().startswith(("│ 日本", "┆ "))]
    assert body and all(width(line) <= 40 for line in body)


def test_json_preview_has_sent_shown_lengths_findings(
    cli: CLI, workspace: Callable[..., Path]
) -> None:
    root = workspace(CONFIG, {"wrapped.toml": WRAPPED})
    result = cli("-C", root, "preview", "wrapped", "--format", "json", "--now", NOW)
    data = json.loads(result.out)
    (post,) = data["posts"]
    card = next(c for c in post["cards"] if c["platform"] == "mastodon")
    assert card["parts"][0]["sent"] == card["parts"][0]["shown"]
    assert "\n" in card["parts"][0]["sent"]  # the line break goes out as written
    assert card["parts"][0]["length"][0]["limit"] == 500
    (finding,) = [f for f in post["findings"] if f["code"] == "SP610"]
    assert finding["lesson"] == "platform" and finding["hint"]
    assert post["local"].endswith("+09:00")  # in the workspace's time zone
    missing = cli("-C", root, "preview", "nope", "--now", NOW)
    assert missing.code == 2 and "nope" in missing.err


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True, capture_output=True,
    )  # fmt: skip


def test_changed_since_shows_only_the_branch_and_its_schedule_changes(
    cli: CLI, tmp_path: Path
) -> None:
    root = example_copy(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "queue")
    moved = root / "queue" / "2026-12-07-work-in-progress.toml"
    moved.write_text(
        moved.read_text(encoding="utf-8").replace("2026-12-07T09:30:00", "2026-12-08T16:45:00"),
        encoding="utf-8",
    )
    (root / "queue" / "2026-12-15-new.toml").write_text(
        'text = "A new idea: what would you want to read about next week?"\n'
        'platforms = ["mastodon"]\nat = 2026-12-15T10:00:00\n',
        encoding="utf-8",
    )
    (root / "queue" / "2026-12-10-guaranteed-results.toml").unlink()
    result = cli(
        "-C", root, "preview", "--changed-since", "main", "--format", "markdown", "--now", NOW
    )
    assert result.code == 0, result.err
    md = result.out
    assert md.startswith("## soulpost preview: 2 post(s) changed since `main`")
    assert "`2026-12-07-work-in-progress`" in md and "`2026-12-15-new`" in md
    assert "onboarding-lessons" not in md  # unchanged posts stay out of the summary
    assert "**Moved**: Mon 07 Dec 2026 09:30 GMT → Tue 08 Dec 2026 16:45 GMT" in md
    assert "**New**" in md
    assert "### Removed from the queue" in md and "`2026-12-10-guaranteed-results`" in md
    assert "```text\nA new idea: what would you want to read about next week?\n```" in md
    as_json = json.loads(
        cli("-C", root, "preview", "--changed-since", "main", "--format", "json", "--now", NOW).out
    )
    assert {c["kind"] for c in as_json["changes"]} == {"added", "changed", "removed"}
    bad = cli("-C", root, "preview", "--changed-since", "no-such-branch")
    assert bad.code == 2 and "no-such-branch" in bad.err and "origin/main" in bad.err
