"""Preview text is byte-identical to what the adapters send, on every platform.

The real CLI previews two posts (``soulpost preview --format json``), then publishes them
to the local fakes of all nine platforms; every part's ``sent`` string must be a whole
string field of a request the platform received (form field, JSON value, multipart text or
Discord's ``payload_json``), and Bluesky's facets must be the ones the record carries.
"""

from __future__ import annotations

import contextlib
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_e2e_all_platforms import PLATFORMS, fakes, secrets, soulpost, workspace

pytestmark = pytest.mark.slow
__all__ = ["fakes"]  # the fixture, imported for this module's tests

MAIN = (
    "Three things we learned from 40 interviews (yes, 40): people skim, want a worked "
    "example [with code] and ask a colleague first 🧵 #Onboarding\n\n"
    "Notes: https://example.com/onboarding-notes_2026 · What would you add?"
)
THREADED = ["mastodon", "bluesky", "x", "discord", "slack", "webhook"]


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value (Discord's payload_json is JSON inside a field)."""
    if isinstance(value, str):
        yield value
        if value.startswith("{"):
            with contextlib.suppress(ValueError):
                yield from strings(json.loads(value))
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def received(fake: Any) -> set[str]:
    out: set[str] = set()
    for request in fake.requests:
        if request.method != "POST":
            continue
        out.update(strings(request.json))
        out.update(v for _, v in request.form or ())
        out.update(strings([p.text for p in request.parts or () if p.filename is None]))
    return out


def write_posts(root: Path) -> None:
    (root / "queue" / "onboarding.toml").write_text(
        textwrap.dedent(
            f"""\
            id = "onboarding"
            text = {json.dumps(MAIN, ensure_ascii=False)}
            platforms = {json.dumps(PLATFORMS)}
            at = 2026-12-01T09:00:00Z

            [[media]]
            path = "media/chart.png"
            alt = "Bar chart: skimming first, examples second"

            [variants.x]
            text = "Short for X: people skim, want examples, ask colleagues. Notes: example.com/n"
            """
        ),
        encoding="utf-8",
    )
    (root / "queue" / "thread.toml").write_text(
        textwrap.dedent(
            f"""\
            id = "thread"
            text = "Five small things that make posts easier to read. A thread 🧵"
            platforms = {json.dumps(THREADED)}
            at = 2026-12-01T09:01:00Z
            thread = [
                "1. Write alt text for every image: what matters in it, not just what it is.",
                "2. CamelCase multi-word hashtags (#WritingTips) so screen readers say them.",
            ]
            """
        ),
        encoding="utf-8",
    )


def test_preview_is_what_every_platform_receives(tmp_path: Path, fakes: dict[str, Any]) -> None:
    env = secrets(fakes)
    root = workspace(tmp_path, fakes)
    write_posts(root)
    preview = soulpost("preview", "--format", "json", cwd=root, env=env)
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert all(not f.requests for f in fakes.values()), "preview must send nothing"
    posts = {p["id"]: p for p in json.loads(preview.stdout)["posts"]}
    cards = {(pid, c["platform"]): c for pid, p in posts.items() for c in p["cards"]}
    assert len(cards) == len(PLATFORMS) + len(THREADED)

    published = soulpost("publish", "--due", cwd=root, env=env)
    assert published.returncode == 0, published.stdout + published.stderr

    by_platform = {
        "mastodon": fakes["mastodon"], "bluesky": fakes["bluesky"], "x": fakes["x"],
        "linkedin": fakes["linkedin"], "facebook": fakes["facebook"],
        "pinterest": fakes["pinterest"], "webhook": fakes["hook"], "discord": fakes["hook"],
        "slack": fakes["hook"],
    }  # fmt: skip
    for (post_id, platform), card in cards.items():
        assert card["error"] is None, card
        got = received(by_platform[platform])
        expected_parts = 3 if post_id == "thread" else 1
        assert len(card["parts"]) == expected_parts, (platform, card["parts"])
        for part in card["parts"]:
            assert part["sent"] in got, (post_id, platform, part["sent"])
    # LinkedIn escapes its reserved characters on the wire; the preview shows both forms.
    linkedin = cards["onboarding", "linkedin"]["parts"][0]
    assert r"\(yes, 40\)" in linkedin["sent"] and linkedin["shown"] == MAIN
    assert cards["onboarding", "x"]["parts"][0]["sent"].startswith("Short for X")
    # Bluesky's link and tag facets are the very ones the record was created with.
    records = fakes["bluesky"].records.values()
    record = next(r for r in records if r["value"]["text"] == MAIN)
    assert cards["onboarding", "bluesky"]["parts"][0]["facets"] == record["value"]["facets"]
    # Counted the way each platform counts: X weighs the emoji and the link.
    lengths = {p: cards["onboarding", p]["parts"][0]["length"][0] for p in ("x", "mastodon")}
    assert lengths["mastodon"]["unit"] == "characters"
    assert lengths["x"]["unit"] == "weighted characters"
