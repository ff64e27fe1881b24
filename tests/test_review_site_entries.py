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
