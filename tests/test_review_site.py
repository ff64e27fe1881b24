"""``soulpost site`` without a browser: untrusted drafts stay harmless, the workspace's
templates come first, receipts and edits are shown."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result
from tests.fakes.images import png

CLI = Callable[..., Result]
NOW = "2026-12-01T09:31:00Z"
CONFIG = 'timezone = "UTC"\n\n[platforms.mastodon]\nadapter = "outbox"\n'


def test_hostile_drafts_are_escaped(
    cli: CLI, workspace: Callable[..., Path], tmp_path: Path
) -> None:
    root = workspace(
        CONFIG,
        {
            "evil.toml": 'text = "<script>alert(1)</script> see https://example.com/?a=1&b=<2>"\n'
            'platforms = ["mastodon"]\nat = 2026-12-02T09:00:00\n'
            '[[media]]\npath = "media/ok.png"\nalt = "\\"><img src=x onerror=alert(2)>"\n',
        },
    )
    (root / "media").mkdir()
    (root / "media" / "ok.png").write_bytes(png(3, 2))
    out = tmp_path / "site"
    result = cli("-C", root, "site", str(out), "--now", NOW)
    assert result.code == 0, result.err
    copied = sorted(
        p.relative_to(out).as_posix() for p in (out / "media").rglob("*") if p.is_file()
    )
    assert copied == ["media/media/ok.png"]  # the workspace layout, under media/
    page = (out / "posts" / "evil.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    assert '<img src="../media/media/ok.png" alt="&#34;&gt;&lt;img' in page


def test_a_draft_naming_files_outside_the_workspace_is_refused_and_nothing_is_copied(
    cli: CLI, workspace: Callable[..., Path], tmp_path: Path
) -> None:
    """Loading refuses such a draft (issue 12), so the site never sees its media; the other
    drafts still get their pages and the command says what is wrong (exit 2)."""
    secret = tmp_path.parent / f"{tmp_path.name}-secret.png"
    secret.write_bytes(png(2, 2))
    root = workspace(
        CONFIG,
        {
            "evil.toml": 'text = "Look at this"\nplatforms = ["mastodon"]\n'
            "at = 2026-12-02T09:00:00\n"
            f'[[media]]\npath = "../{secret.name}"\nalt = "a secret"\n'
            '[[media]]\npath = "/etc/passwd"\nalt = "not an image"\n',
            "good.toml": 'text = "A calm post about our week."\nplatforms = ["mastodon"]\n'
            "at = 2026-12-02T10:00:00\n",
        },
    )
    out = tmp_path / "site"
    result = cli("-C", root, "site", str(out), "--now", NOW)
    assert result.code == 2
    assert "queue/evil.toml:5: media[0].path:" in result.err
    assert "queue/evil.toml:8: media[1].path:" in result.err
    assert "outside the workspace" in result.err
    assert (out / "posts" / "good.html").is_file()
    assert not (out / "posts" / "evil.html").exists()
    written = [p.read_bytes() for p in out.rglob("*") if p.is_file()]
    assert secret.read_bytes() not in written
    assert not any(b"root:" in data for data in written)


def test_workspace_templates_come_first(
    cli: CLI, workspace: Callable[..., Path], tmp_path: Path
) -> None:
    root = workspace(
        CONFIG,
        {"a.toml": 'text = "A calm post about our week."\nplatforms = ["mastodon"]\n'
                   "at = 2026-12-02T09:00:00\n"},
    )  # fmt: skip
    (root / "templates").mkdir()
    (root / "templates" / "base.html").write_text(
        "<!doctype html><title>ours</title><p class=ours>{{ timezone }}</p>"
        "{% block main %}{% endblock %}",
        encoding="utf-8",
    )
    out = tmp_path / "site"
    assert cli("-C", root, "site", str(out), "--now", NOW).code == 0
    page = (out / "posts" / "a.html").read_text(encoding="utf-8")
    assert "<p class=ours>UTC</p>" in page  # the workspace's base.html
    assert "A calm post about our week." in page  # the packaged post.html within it
    bad = cli("-C", root, "site", str(out), "--templates", str(tmp_path / "none"))
    assert bad.code == 2 and "--templates" in bad.err
    itself = cli("-C", root, "site", str(root))
    assert itself.code == 2 and "workspace itself" in itself.err


def test_receipts_and_edits_after_publishing(
    cli: CLI, workspace: Callable[..., Path], tmp_path: Path
) -> None:
    root = workspace(
        CONFIG + "\n[publish]\nrequire_approval = false\n",
        {"p.toml": 'text = "Published at nine, then edited."\nplatforms = ["mastodon"]\n'
                   "at = 2026-12-01T09:00:00Z\n"},
    )  # fmt: skip
    os.environ["SOULPOST_NOW"] = NOW
    try:
        assert cli("-C", root, "publish", "--due").code == 0
    finally:
        del os.environ["SOULPOST_NOW"]
    post = root / "queue" / "p.toml"
    post.write_text(
        post.read_text(encoding="utf-8").replace("edited.", "edited!"), encoding="utf-8"
    )
    stamp = post.stat().st_mtime + 3600
    os.utime(post, (stamp, stamp))
    out = tmp_path / "site"
    assert cli("-C", root, "site", str(out), "--now", NOW).code == 0
    page = (out / "posts" / "p.html").read_text(encoding="utf-8")
    assert "Published <time" in page and "outbox:sp-p-mastodon-" in page
    assert "the edit is not posted again" in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "published" in index


def test_a_removed_post_loses_its_page(
    cli: CLI, workspace: Callable[..., Path], tmp_path: Path
) -> None:
    posts = {
        f"{name}.toml": f'text = "A calm post called {name}."\nplatforms = ["mastodon"]\n'
        "at = 2026-12-02T09:00:00\n"
        for name in ("keep", "gone")
    }
    root = workspace(CONFIG, posts)
    out = tmp_path / "site"
    out.mkdir()
    (out / "posts").mkdir()
    (out / "posts" / "mine.html").write_text("not soulpost's", encoding="utf-8")
    assert cli("-C", root, "site", str(out), "--now", NOW).code == 0
    assert (out / "posts" / "mine.html").exists()  # no marker yet: nothing is removed
    (out / "posts" / "mine.html").unlink()
    assert (out / "posts" / "gone.html").exists()
    (root / "queue" / "gone.toml").unlink()
    again = cli("-C", root, "site", str(out), "--now", NOW)
    assert again.code == 0 and "removed 1 page(s)" in again.out
    assert not (out / "posts" / "gone.html").exists()
    assert (out / "posts" / "keep.html").exists()


def test_forked_page_writers_write_what_one_process_writes(
    cli: CLI, workspace: Callable[..., Path], tmp_path: Path, monkeypatch: object
) -> None:
    """Pages composed and written by forked writers (a large queue) are byte for byte the
    pages one process writes: states, entries, navigation and the calendar pages."""
    import pytest

    from soulpost.review import sitewriter
    from soulpost.workspace import fork_workers
    from tests.conftest import settle_threads

    settle_threads()
    if not fork_workers(10, 1):
        pytest.skip("no fork here (one core, threads or no fork)")
    config = (
        CONFIG + '\n[platforms.x]\nadapter = "outbox"\n\n[platforms.linkedin]\n'
        'adapter = "no-such-adapter"\n\n[[slots]]\ndays = "mon-fri"\ntimes = ["09:00"]\n'
        "\n[publish]\nrequire_approval = true\n"
    )
    platforms = {False: '["mastodon"]', True: '["mastodon", "x"]'}
    drafts = {
        f"p{k:02d}.toml": f'text = "Post {k}: a calm note about the week, with a question?"\n'
        f"platforms = {platforms[k % 3 == 0]}\n"
        f"at = 2026-12-{1 + k % 9:02d}T{8 + k % 7:02d}:00:00Z\n"
        f'status = "{"approved" if k % 2 else "draft"}"\n'
        for k in range(14)
    }
    drafts["long.toml"] = (
        f'text = "{"Far too long for X, " * 20}"\nplatforms = ["x"]\n'
        'at = 2026-12-02T11:00:00Z\nstatus = "approved"\n'
    )
    drafts["slotted.toml"] = 'text = "Takes a slot."\nplatforms = ["mastodon", "linkedin"]\n'
    root = workspace(config, drafts)
    pages: dict[str, dict[str, bytes]] = {}
    for label, threshold in (("one", 10**9), ("forked", 1)):
        monkeypatch.setattr(sitewriter, "PARALLEL_PAGES", threshold)  # type: ignore[attr-defined]
        out = tmp_path / label
        result = cli("-C", root, "site", str(out), "--now", NOW)
        assert result.code == 0, result.err
        pages[label] = {
            p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
        }
    assert pages["one"] == pages["forked"]
    assert len([name for name in pages["one"] if name.startswith("posts/")]) == 16
    week = pages["one"]["weeks/2026-W49.html"].decode()
    assert set(re.findall(r"state state-([a-z-]+)", week)) == {"approved", "blocked", "draft"}
    slotted = pages["one"]["posts/slotted.html"].decode()
    assert "Cannot render" in slotted  # linkedin's adapter does not exist: shown, not fatal
