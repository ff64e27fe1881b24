"""`soulpost import feed` against a feed served from 127.0.0.1 that gains items between runs:
each item becomes one draft, once; a malformed feed is reported and writes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli

from soulpost.config import Settings
from soulpost.importers.feed import SEEN_FILE
from tests.fakes.server import FakeServer, Request, Response

NOW = "2026-11-30T10:00:00Z"
CONFIG = """\
timezone = "Europe/Berlin"
default_platforms = ["mastodon"]

[[slots]]
days = "mon-fri"
times = ["09:30"]

[[feeds]]
name = "blog"
url = "{url}/feed.xml"
template = "New on the blog: {{title}} {{link}}"
platforms = ["mastodon", "bluesky"]
tags = ["blog"]
"""


def rss(*items: tuple[str, str, str]) -> bytes:
    """An RSS 2.0 document with (guid, title, day) items."""
    body = "".join(
        f"<item><title>{title}</title><link>https://example.org/blog/{guid}</link>"
        f"<guid isPermaLink='false'>{guid}</guid>"
        f"<description>&lt;p&gt;About &lt;b&gt;{title}&lt;/b&gt;&lt;/p&gt;</description>"
        f"<pubDate>{day} Dec 2026 08:00:00 GMT</pubDate></item>"
        for guid, title, day in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Our blog</title><link>https://example.org/</link>{body}</channel></rss>"
    ).encode()


class FeedServer(FakeServer):
    """Serves ``self.document`` at /feed.xml; a test changes it between runs."""

    name = "feed"

    def __init__(self) -> None:
        super().__init__()
        self.document = rss()
        self.route("GET", r"/feed\.xml", self._feed)

    def _feed(self, request: Request, match: re.Match[str]) -> Response:
        return Response(200, self.document, {"Content-Type": "application/rss+xml"})


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as fake:
        yield fake


@pytest.fixture
def ws(workspace: Callable[..., Path], server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOULPOST_NOW", NOW)
    return workspace(CONFIG.format(url=server.url))


def drafts(root: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: tomli.loads(p.read_text()) for p in sorted((root / "queue").glob("*.toml"))}


def test_new_items_become_drafts_once_across_runs(
    ws: Path, server: FeedServer, cli: Callable[..., Any]
) -> None:
    server.document = rss(("a1", "How we test", "01"), ("a2", "Why we ship small", "02"))
    first = cli("-C", ws, "import", "feed")
    assert first.code == 0, first.err
    made = drafts(ws)
    assert len(made) == 2
    texts = sorted(d["text"].strip() for d in made.values())
    assert texts == [
        "New on the blog: How we test https://example.org/blog/a1",
        "New on the blog: Why we ship small https://example.org/blog/a2",
    ]
    for data in made.values():
        assert data["status"] == "draft"  # a person approves them
        assert data["platforms"] == ["mastodon", "bluesky"]
        assert data["tags"] == ["blog", "feed:blog"]
    assert "2 new draft(s) from 2 item(s)" in first.out

    # The same feed again: nothing new, nothing written.
    again = cli("-C", ws, "import", "feed", "blog")
    assert again.code == 0, again.err
    assert len(drafts(ws)) == 2
    assert "0 new draft(s) from 2 item(s)" in again.out

    # The feed gains an item (and keeps the old ones): only the new one is imported.
    server.document = rss(
        ("a3", "A third post", "03"), ("a1", "How we test", "01"), ("a2", "Why we ship small", "02")
    )
    third = cli("-C", ws, "import", "feed")
    assert third.code == 0, third.err
    after = drafts(ws)
    assert len(after) == 3
    assert [d["text"].strip() for d in after.values()].count(
        "New on the blog: A third post https://example.org/blog/a3"
    ) == 1
    seen = json.loads((ws / SEEN_FILE).read_text())
    assert set(seen["feeds"]["blog"]) == {"a1", "a2", "a3"}
    assert len(server.received("GET", "/feed.xml")) == 3


def test_a_deleted_draft_does_not_come_back(
    ws: Path, server: FeedServer, cli: Callable[..., Any]
) -> None:
    server.document = rss(("a1", "How we test", "01"))
    assert cli("-C", ws, "import", "feed").code == 0
    for path in (ws / "queue").glob("*.toml"):
        path.unlink()  # the reviewer rejected it
    assert cli("-C", ws, "import", "feed").code == 0
    assert drafts(ws) == {}


def test_new_drafts_are_linted_and_findings_shown(
    ws: Path, server: FeedServer, cli: Callable[..., Any]
) -> None:
    server.document = rss(("a1", "BUY NOW!!! LIMITED OFFER!!!", "01"))
    result = cli("-C", ws, "import", "feed")
    assert "SP" in result.out  # a rule code: the findings are shown
    assert re.search(r"\d+ (error|warning)", result.out)
    assert len(drafts(ws)) == 1  # findings do not stop the draft: a person decides


def test_malformed_feed_is_reported_and_nothing_written(
    ws: Path, server: FeedServer, cli: Callable[..., Any]
) -> None:
    server.document = rss(("a1", "Fine", "01"))[:-40]  # cut off mid-document
    result = cli("-C", ws, "import", "feed")
    assert result.code == 2
    assert f"{server.url}/feed.xml" in result.err
    assert "not a well-formed RSS/Atom feed" in result.err
    assert drafts(ws) == {}
    assert not (ws / SEEN_FILE).exists()
    assert "Traceback" not in result.err


def test_html_page_instead_of_a_feed(ws: Path, server: FeedServer, cli: Callable[..., Any]) -> None:
    server.document = b"<!doctype html><html><body><p>Welcome</p></body></html>"
    result = cli("-C", ws, "import", "feed")
    assert result.code == 2
    assert "not an RSS or Atom feed" in result.err
    assert drafts(ws) == {}


def test_server_error_and_unreachable_are_reported(
    ws: Path, server: FeedServer, cli: Callable[..., Any]
) -> None:
    server.fail(500, "boom", path="/feed.xml")
    result = cli("-C", ws, "import", "feed")
    assert result.code == 2
    assert "HTTP 500" in result.err and "/feed.xml" in result.err


def test_only_http_urls_are_fetched(ws: Path, cli: Callable[..., Any]) -> None:
    result = cli("-C", ws, "import", "feed", "ftp://example.org/feed.xml")
    assert result.code == 2
    assert "only http:// and https://" in result.err


def test_oversized_feed_is_refused(
    ws: Path, server: FeedServer, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from soulpost.importers import fetch

    monkeypatch.setattr(fetch, "MAX_BYTES", 1000)
    server.document = rss(*[(f"g{n}", "x" * 50, "01") for n in range(40)])
    result = cli("-C", ws, "import", "feed")
    assert result.code == 2
    assert "larger than 1000 bytes" in result.err
    assert drafts(ws) == {}


def test_a_feed_file_with_a_template_and_next_slot(
    workspace: Callable[..., Path], cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOULPOST_NOW", NOW)
    root = workspace(
        CONFIG.format(url="unused").replace("url = ", "schedule = 'next-slot'\nurl = ")
    )
    (root / "atom.xml").write_text(
        "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>T</title>"
        "<entry><id>urn:x:1</id><title>First</title><link href='https://e.org/1'/>"
        "<updated>2026-12-01T08:00:00Z</updated></entry>"
        "<entry><id>urn:x:2</id><title>Second</title><link href='https://e.org/2'/>"
        "<updated>2026-12-02T08:00:00Z</updated></entry></feed>"
    )
    result = cli("-C", root, "import", "feed", root / "atom.xml", "--template", "{title}: {link}")
    assert result.code == 0, result.err
    made = drafts(root)
    assert sorted(d["text"].strip() for d in made.values()) == [
        "First: https://e.org/1",
        "Second: https://e.org/2",
    ]
    assert all("at" not in d for d in made.values())  # ad hoc feeds take slots when planned
    seen = json.loads((root / SEEN_FILE).read_text())
    assert set(seen["feeds"]) == {"atom.xml"}  # recorded relative to the workspace


def test_next_slot_policy_gives_each_draft_its_own_slot(
    ws: Path, server: FeedServer, cli: Callable[..., Any]
) -> None:
    config = (ws / "config.toml").read_text()
    (ws / "config.toml").write_text(config + 'schedule = "next-slot"\n')
    server.document = rss(("a1", "One", "01"), ("a2", "Two", "02"))
    assert cli("-C", ws, "import", "feed").code == 0
    times = sorted(str(d["at"]) for d in drafts(ws).values())
    # Monday 30 Nov 2026 10:00 UTC: the 09:30 Berlin slots of Tuesday and Wednesday.
    assert times == ["2026-12-01 09:30:00", "2026-12-02 09:30:00"]


def test_max_new_leaves_the_rest_for_the_next_run(
    ws: Path, server: FeedServer, cli: Callable[..., Any]
) -> None:
    (ws / "config.toml").write_text((ws / "config.toml").read_text() + "max_new = 2\n")
    server.document = rss(*[(f"g{n}", f"Post {n}", f"0{n}") for n in range(1, 6)])
    first = cli("-C", ws, "import", "feed")
    assert len(drafts(ws)) == 2 and "3 more at the next run" in first.out
    cli("-C", ws, "import", "feed")
    cli("-C", ws, "import", "feed")
    texts = sorted(d["text"] for d in drafts(ws).values())
    assert len(texts) == 5 == len(set(texts))


def test_template_fields_are_checked_when_config_loads() -> None:
    bad = {"feeds": [{"name": "blog", "url": "x", "template": "{title.__class__}"}]}
    with pytest.raises(ValueError, match=r"unknown field \{title.__class__\}"):
        Settings.model_validate(bad)
    with pytest.raises(ValueError, match="used twice"):
        Settings.model_validate({"feeds": [{"name": "a", "url": "x"}, {"name": "a", "url": "y"}]})


def test_the_worked_example_in_docs_is_what_happens(
    tmp_path: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/feeds.md shows `import feed blog` on a copy of this repository's workspace."""
    import shutil

    from tests.conftest import REPO

    for name in ("config.toml", "queue", "rules", "media", "examples"):
        source = REPO / name
        target = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T09:31:00Z")
    result = cli("-C", tmp_path, "import", "feed", "blog")
    assert result.code == 0, result.err
    doc = (REPO / "docs" / "feeds.md").read_text()
    for line in result.out.splitlines():
        assert line in doc, line
    draft = tmp_path / "queue" / "2026-12-01-what-40-onboarding-interviews-taught-us.toml"
    assert draft.read_text() in doc
    again = cli("-C", tmp_path, "import", "feed", "blog")
    assert "blog: 0 new draft(s) from 2 item(s)" in again.out and again.out.split("\n")[0] in doc


def test_a_refused_draft_is_reported_and_comes_back_after_the_fix(
    ws: Path, server: FeedServer, cli: Callable[..., Any]
) -> None:
    config = (ws / "config.toml").read_text()
    template = 'template = "New on the blog: {title} {link}"'
    assert template in config
    (ws / "config.toml").write_text(config.replace(template, 'template = "{author}"'))
    server.document = rss(("a1", "No author here", "01"))
    refused = cli("-C", ws, "import", "feed")
    assert refused.code == 1
    assert "error: blog: item a1: text is empty" in refused.err
    assert drafts(ws) == {}
    (ws / "config.toml").write_text(config)
    fixed = cli("-C", ws, "import", "feed")
    assert fixed.code == 0, fixed.err
    assert len(drafts(ws)) == 1


def test_a_broken_seen_record_stops_the_import(
    ws: Path, server: FeedServer, cli: Callable[..., Any]
) -> None:
    (ws / SEEN_FILE).write_text("{not json")
    server.document = rss(("a1", "How we test", "01"))
    result = cli("-C", ws, "import", "feed")
    assert result.code == 2
    assert SEEN_FILE in result.err and "restore it from git" in result.err
    assert drafts(ws) == {}
