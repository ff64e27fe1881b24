"""A post's calendar entry comes from ``_entry.html``: the packaged one is an ``entry``
macro (rendered once per post by the page writers), and a workspace's own ``_entry.html``
works either way, as a macro or written as a page with ``e`` and ``root``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result

CLI = Callable[..., Result]
NOW = "2026-12-01T09:31:00Z"
CONFIG = 'timezone = "UTC"\n\n[platforms.mastodon]\nadapter = "outbox"\n'
DRAFT = (
    'text = "A calm post <about> our week."\nplatforms = ["mastodon"]\nat = 2026-12-02T09:00:00Z\n'
)

AS_PAGE = '<a class="ours" href="{{ root }}{{ e.href }}">{{ e.short }} at {{ e.time.short }}</a>'
AS_MACRO = (
    '{% macro entry(e, root) %}<a class="ours" href="{{ root }}{{ e.href }}">'
    "{{ e.short }} at {{ e.time.short }}</a>{% endmacro %}"
)


def _site(cli: CLI, root: Path, out: Path) -> tuple[str, str]:
    result = cli("-C", root, "site", str(out), "--now", NOW)
    assert result.code == 0, result.err
    month = (out / "months" / "2026-12.html").read_text(encoding="utf-8")
    week = (out / "weeks" / "2026-W49.html").read_text(encoding="utf-8")
    return month, week


def test_the_packaged_entry_links_each_post_from_its_month_and_week(
    cli: CLI, workspace: Callable[..., Path], tmp_path: Path
) -> None:
    root = workspace(CONFIG, {"calm.toml": DRAFT})
    for page in _site(cli, root, tmp_path / "site"):
        assert (
            '<a class="entry" href="../posts/calm.html"><time datetime="2026-12-02T09:00:00' in page
        )
        assert "09:00</time>" in page and 'class="entry-id">calm</span>' in page


@pytest.mark.parametrize("template", [AS_PAGE, AS_MACRO], ids=["page", "macro"])
def test_a_workspace_entry_template_is_used_as_a_page_or_as_a_macro(
    cli: CLI, workspace: Callable[..., Path], tmp_path: Path, template: str
) -> None:
    root = workspace(CONFIG, {"calm.toml": DRAFT})
    (root / "templates").mkdir()
    (root / "templates" / "_entry.html").write_text(template, encoding="utf-8")
    for page in _site(cli, root, tmp_path / "site"):
        assert '<li><a class="ours" href="../posts/calm.html">calm at 09:00</a></li>' in page
        assert 'class="entry"' not in page


def test_the_real_command_line_ends_fast_with_every_page_and_its_report(
    workspace: Callable[..., Path], tmp_path: Path
) -> None:
    """``soulpost site`` skips the interpreter's teardown (as lint does): its report still
    reaches a pipe, and every page is on disk, whole."""
    from tests.conftest import run_process

    drafts = {f"p{k}.toml": DRAFT.replace("09:00", f"{9 + k:02d}:00") for k in range(5)}
    root = workspace(CONFIG, drafts)
    out = tmp_path / "site"
    result = run_process("site", str(out), "--now", NOW, cwd=root)
    assert result.code == 0, result.err
    assert f"open {out / 'index.html'}" in result.out  # flushed before the fast exit
    pages = sorted(p.name for p in (out / "posts").iterdir())
    assert pages == [f"p{k}.html" for k in range(5)]
    for k in range(5):
        assert (
            (out / "posts" / f"p{k}.html").read_text(encoding="utf-8").endswith("</body>\n</html>")
        )


def test_a_writer_writes_the_months_and_weeks_its_range_holds_whole() -> None:
    """The calendar pages a range boundary cuts are left to the main process; a post
    without a time is on none."""
    from datetime import UTC, datetime

    from soulpost.review.calendarpages import layout
    from soulpost.review.site import Brief

    times = [datetime(2026, 11, 28, 9, tzinfo=UTC), datetime(2026, 11, 30, 9, tzinfo=UTC)]
    times += [datetime(2026, 12, d, 9, tzinfo=UTC) for d in (1, 2, 9, 10)]
    briefs = [Brief(f"p{k}", at, at, "text", 0) for k, at in enumerate(times)]
    briefs.append(Brief("unscheduled", None, None, "text", 0))
    plan = layout(briefs)
    assert plan.spans == {
        "months/2026-11.html": (0, 2), "months/2026-12.html": (2, 6),
        "weeks/2026-W48.html": (0, 1), "weeks/2026-W49.html": (1, 4),
        "weeks/2026-W50.html": (4, 6),
    }  # fmt: skip
    assert plan.inside(0, 3) == {"months/2026-11.html", "weeks/2026-W48.html"}
    assert plan.inside(3, 7) == {"weeks/2026-W50.html"}  # December and W49 start before 3
    assert plan.inside(0, 7) == set(plan.spans)
    assert plan.pages_of[0] == ("months/2026-11.html", "weeks/2026-W48.html")
    assert plan.pages_of[6] is None
