"""The review site in a real browser: Debian's Chromium, driven by Playwright.

The example workspace (this repository's config, queue, rules and media) is copied, one
publishing pass runs at the README's clock (so some posts carry receipts), and
``soulpost site`` writes the site. Chromium then opens it from disk: no console errors,
every post has its page and one preview card per platform, every link leads somewhere,
the keyboard reaches and follows links with a visible focus ring, images carry alt text,
and the pages fit a phone. Screenshots at desktop and phone width, light and dark, are
kept in bench/out/ to be looked at (they are artifacts, not golden images).

Never ``playwright install``: .ci/run installs Debian's chromium; without it this skips.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
NOW = "2026-12-01T09:31:00Z"
SHOTS = REPO / "bench" / "out"
RAW_TEXT = """els => els.map(el => Array.from(el.childNodes).map(
    n => n.nodeType === 3 ? n.textContent : (n.dataset && n.dataset.raw) || n.textContent
).join(''))"""


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOULPOST_")}
    env.update(SOULPOST_NOW=NOW, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "soulpost", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def example_copy(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    for name in ("config.toml", "queue", "rules", "media"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copyfile(source, root / name)
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = example_copy(tmp_path_factory.mktemp("review"))
    published = run_cli("publish", "--due", cwd=root)
    assert published.returncode == 0, published.stdout + published.stderr
    out = root.parent / "site"
    made = run_cli("site", str(out), cwd=root)
    assert made.returncode == 0, made.stdout + made.stderr
    preview = run_cli("preview", "--format", "json", cwd=root)
    assert preview.returncode == 0, preview.stderr
    return out, json.loads(preview.stdout)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.imgs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        if tag in ("img", "link") and (found.get("src") or found.get("href")):
            self.srcs.append(str(found.get("src") or found.get("href")))
        if tag == "img":
            self.imgs.append(found)


def test_every_local_link_and_asset_exists(site: tuple[Path, dict[str, Any]]) -> None:
    out, _ = site
    pages = sorted(out.rglob("*.html"))
    assert pages
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.hrefs + parser.srcs:
            if target.startswith(("http://", "https://", "#")):
                continue
            assert (page.parent / target.split("#")[0]).resolve().is_file(), (page, target)
        for img in parser.imgs:
            assert img.get("alt"), (page, img)  # the example's images all have alt text
        text = page.read_text(encoding="utf-8")
        assert "//cdn" not in text and "<script src=" not in text  # nothing from elsewhere


@pytest.fixture(scope="module")
def browser() -> Any:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (.ci/run installs Debian's chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def open_page(browser: Any, url: str, width: int, scheme: str = "light") -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed {r.url}"))
    page.goto(url)
    return page, errors


def test_site_in_chromium(browser: Any, site: tuple[Path, dict[str, Any]]) -> None:
    out, preview = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    posts = preview["posts"]
    assert len(posts) == 27  # 13 posts, 6 weekly occurrences and 8 evergreen shares
    for post in posts:  # every post: its page, no console errors, one card per platform
        page, errors = open_page(browser, (out / "posts" / f"{post['id']}.html").as_uri(), 1280)
        assert errors == [], (post["id"], errors)
        titles = page.locator("article.card h3").all_inner_texts()
        assert titles == [c["title"] for c in post["cards"]], post["id"]
        # The text as posted: each link put back as the characters it stands for (Mastodon
        # and X show links shortened, without the scheme).
        texts = page.locator("article.card .bubble .text").evaluate_all(RAW_TEXT)
        assert texts == [part["shown"] for c in post["cards"] for part in c["parts"]]
        assert page.locator("aside.findings li.finding").count() == len(post["findings"])
        page.close()
    month = (out / "months" / "2026-12.html").as_uri()
    page, errors = open_page(browser, month, 1280)
    ids = {p["id"] for p in posts if str(p["at"]).startswith("2026-12")}  # December's
    linked = {
        h.split("/")[-1][:-5]
        for h in page.locator("a.entry").evaluate_all("l => l.map(a => a.getAttribute('href'))")
    }
    assert linked == ids
    page.close()
    assert errors == []


def test_links_and_keyboard(browser: Any, site: tuple[Path, dict[str, Any]]) -> None:
    out, _ = site
    page, errors = open_page(browser, (out / "index.html").as_uri(), 1280)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tab on to the first link inside the page: it has a visible focus ring, Enter follows it.
    for _ in range(40):
        page.keyboard.press("Tab")
        if (
            page.evaluate(
                "!!document.activeElement.closest('main') && document.activeElement.tagName"
            )
            == "A"
        ):
            break
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring not in ("none", ""), ring
    href = page.evaluate("document.activeElement.getAttribute('href')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(href.split("/")[-1]), (page.url, href)
    # From the calendar, a click reaches a post and its previous/next links work.
    page.goto((out / "months" / "2026-12.html").as_uri())
    page.locator("a.entry", has_text="onboarding-lessons").first.click()
    assert page.url.endswith("posts/2026-12-01-onboarding-lessons.html")
    page.locator("a[rel=next]").click()
    assert "/posts/" in page.url and not page.url.endswith("onboarding-lessons.html")
    assert errors == []
    page.close()


def test_phone_width_dark_mode_and_screenshots(
    browser: Any, site: tuple[Path, dict[str, Any]]
) -> None:
    out, _ = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    post = (out / "posts" / "2026-12-01-onboarding-lessons.html").as_uri()
    colours = {}
    for scheme in ("light", "dark"):
        for width, name in ((1280, "desktop"), (390, "phone")):
            for label, url in (
                ("post", post),
                ("month", (out / "months" / "2026-12.html").as_uri()),
            ):
                page, errors = open_page(browser, url, width, scheme)
                assert errors == []
                overflow = page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= width, (label, name, overflow)
                page.screenshot(
                    path=str(SHOTS / f"review-site-{label}-{name}-{scheme}.png"), full_page=True
                )
                colours[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
                page.close()
    assert colours["light"] != colours["dark"]
