"""End to end: one post with an image goes to all nine platforms through the real adapters
and the real CLI in a subprocess, each adapter pointed at its fake on 127.0.0.1 and every
credential in an environment variable. ``soulpost status`` and ``soulpost history`` then show
every receipt, and no secret appears anywhere in what soulpost printed or stored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.bluesky import BlueskyFake
from tests.fakes.images import png
from tests.fakes.linkedin import LinkedInFake
from tests.fakes.mastodon import MastodonFake
from tests.fakes.x import XFake
from tests.test_adapter_facebook import PageFake
from tests.test_adapter_pinterest import PinFake
from tests.test_adapter_webhooks import HookFake

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
PLATFORMS = [
    "mastodon", "bluesky", "x", "linkedin", "facebook", "pinterest", "webhook", "discord", "slack",
]  # fmt: skip
TEXT = (
    "Three things we learned from 40 onboarding interviews (yes, 40): people skim, want a worked "
    "example, and ask a colleague first. What would you add?"
)
ALT = "Bar chart: skimming first, examples second, asking a colleague third"


@pytest.fixture
def fakes() -> Iterator[dict[str, Any]]:
    with ExitStack() as stack:
        yield {
            "mastodon": stack.enter_context(MastodonFake(token="masto-secret-1")),
            "bluesky": stack.enter_context(BlueskyFake()),
            "x": stack.enter_context(XFake(token="x-secret-2")),
            "linkedin": stack.enter_context(LinkedInFake(token="li-secret-token-123")),
            "facebook": stack.enter_context(PageFake()),
            "pinterest": stack.enter_context(PinFake()),
            "hook": stack.enter_context(HookFake()),
        }


def secrets(fakes: dict[str, Any]) -> dict[str, str]:
    """Every credential, by environment variable name."""
    from tests.fakes.bluesky import HANDLE, PASSWORD

    hook = fakes["hook"]
    return {
        "SP_MASTODON_TOKEN": "masto-secret-1",
        "SP_BSKY_HANDLE": HANDLE,
        "SP_BSKY_PASSWORD": PASSWORD,
        "SP_X_TOKEN": "x-secret-2",
        "SP_LINKEDIN_TOKEN": "li-secret-token-123",
        "SP_FACEBOOK_TOKEN": "fb-page-token-456",
        "SP_PINTEREST_TOKEN": "pin-secret-789",
        "SP_HOOK_URL": hook.hook_url,
        "SP_HOOK_SECRET": "hook-secret",
        "SP_DISCORD_URL": hook.discord_url(),
        "SP_SLACK_URL": hook.slack_url(),
    }


def workspace(root: Path, fakes: dict[str, Any]) -> Path:
    url = {name: fake.url for name, fake in fakes.items()}
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"

            [platforms.mastodon]
            env = {{ token = "SP_MASTODON_TOKEN" }}
            options = {{ base_url = "{url["mastodon"]}", media_poll_interval = 0.01 }}

            [platforms.bluesky]
            env = {{ handle = "SP_BSKY_HANDLE", password = "SP_BSKY_PASSWORD" }}
            options = {{ base_url = "{url["bluesky"]}" }}

            [platforms.x]
            env = {{ token = "SP_X_TOKEN" }}
            options = {{ base_url = "{url["x"]}" }}

            [platforms.linkedin]
            env = {{ token = "SP_LINKEDIN_TOKEN" }}
            options = {{ base_url = "{url["linkedin"]}", version = "202601" }}

            [platforms.facebook]
            env = {{ token = "SP_FACEBOOK_TOKEN" }}
            options = {{ base_url = "{url["facebook"]}", page_id = "101234567890" }}

            [platforms.pinterest]
            env = {{ token = "SP_PINTEREST_TOKEN" }}
            options = {{ base_url = "{url["pinterest"]}", board_id = "549755885175" }}

            [platforms.webhook]
            env = {{ url = "SP_HOOK_URL", secret = "SP_HOOK_SECRET" }}
            options = {{ media_base_url = "https://cdn.example.org/" }}

            [platforms.discord]
            env = {{ url = "SP_DISCORD_URL" }}
            options = {{ guild_id = "4242" }}

            [platforms.slack]
            env = {{ url = "SP_SLACK_URL" }}
            options = {{ media_base_url = "https://cdn.example.org/" }}
            """
        ),
        encoding="utf-8",
    )
    (root / "media").mkdir()
    (root / "media" / "chart.png").write_bytes(png(4, 3))
    (root / "queue").mkdir()
    (root / "queue" / "onboarding.toml").write_text(
        textwrap.dedent(
            f"""\
            id = "onboarding"
            text = "{TEXT}"
            platforms = {json.dumps(PLATFORMS)}
            at = 2026-12-01T09:00:00Z

            [[media]]
            path = "media/chart.png"
            alt = "{ALT}"
            """
        ),
        encoding="utf-8",
    )
    return root


def soulpost(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SOULPOST_", "SP_"))}
    base.update(env)
    base["SOULPOST_NOW"] = "2026-12-01T09:02:00Z"
    base["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "soulpost", *args],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_one_post_to_every_platform(tmp_path: Path, fakes: dict[str, Any]) -> None:
    env = secrets(fakes)
    root = workspace(tmp_path, fakes)

    lint = soulpost("lint", cwd=root, env=env)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    doctor = soulpost("doctor", "--online", cwd=root, env=env)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    online = [x for x in doctor.stdout.splitlines() if x.startswith("  ok: online: ")]
    assert len(online) == 9, doctor.stdout
    assert "  ok: online: no online check" in online  # a Slack webhook cannot be tried safely

    for fake in fakes.values():  # the online checks only read
        assert all(r.method == "GET" or "Session" in r.path for r in fake.requests), fake.name
        fake.requests.clear()

    # --dry-run shows each adapter's rendered payload and sends nothing.
    dry = soulpost("publish", "--due", "--dry-run", cwd=root, env=env)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "dry run: 9 rendered" in dry.stdout
    assert all(not f.requests for f in fakes.values())
    linkedin_line = next(x for x in dry.stdout.splitlines() if "on linkedin:" in x)
    # LinkedIn's reserved brackets are escaped in what --dry-run shows (JSON doubles the \\).
    assert r"interviews \\(yes, 40\\): people" in linkedin_line
    assert '"path": "media/chart.png"' in linkedin_line

    published = soulpost("publish", "--due", cwd=root, env=env)
    assert published.returncode == 0, published.stdout + published.stderr

    # Every platform received exactly the post, with its image and alt text.
    masto = fakes["mastodon"]
    (status,) = masto.statuses.values()
    assert status["media_attachments"][0]["description"] == ALT
    bsky = fakes["bluesky"]
    (record,) = bsky.records.values()
    assert record["value"]["text"] == TEXT
    assert record["value"]["embed"]["images"][0]["alt"] == ALT
    assert len(fakes["x"].received("POST", r"/2/tweets$")) == 1
    (li_post,) = fakes["linkedin"].posts.values()
    assert li_post["shown"] == TEXT  # nothing silently cut
    assert li_post["content"]["media"]["altText"] == ALT
    (photo,) = fakes["facebook"].photos.values()
    assert photo["alt_text_custom"] == ALT and photo["caption"] == TEXT
    (pin,) = fakes["pinterest"].pins.values()
    assert pin["alt_text"] == ALT and pin["description"] == TEXT
    hook = fakes["hook"]
    (delivery,) = hook.deliveries.values()
    assert delivery["text"] == TEXT
    assert delivery["media"] == [{"url": "https://cdn.example.org/media/chart.png", "alt": ALT}]
    (message,) = hook.discord
    assert message["payload"]["attachments"][0]["description"] == ALT
    (slack,) = hook.slack
    assert slack["blocks"][1]["alt_text"] == ALT

    # history shows every receipt: remote id and public URL.
    history = soulpost("history", "--json", cwd=root, env=env)
    assert history.returncode == 0, history.stderr
    pubs = {p["platform"]: p for p in json.loads(history.stdout)["publications"]}
    assert set(pubs) == set(PLATFORMS)
    assert all(p["state"] == "published" for p in pubs.values())
    li_urn = next(iter(fakes["linkedin"].posts))
    assert pubs["linkedin"]["remote_id"] == li_urn
    assert pubs["linkedin"]["url"] == f"https://www.linkedin.com/feed/update/{li_urn}"
    fb_post = next(iter(fakes["facebook"].posts))
    assert pubs["facebook"]["remote_id"] == fb_post
    assert pubs["facebook"]["url"] == f"https://www.facebook.com/{fb_post}"
    pin_id = next(iter(fakes["pinterest"].pins))
    assert pubs["pinterest"]["url"] == f"https://www.pinterest.com/pin/{pin_id}/"
    assert pubs["discord"]["remote_id"] == message["id"]
    assert pubs["discord"]["url"].endswith(
        f"/channels/4242/{message['channel_id']}/{message['id']}"
    )
    assert pubs["mastodon"]["remote_id"] == status["id"]
    assert pubs["mastodon"]["url"] == status["url"]
    assert pubs["bluesky"]["remote_id"] == record["uri"]
    assert pubs["x"]["remote_id"] == next(iter(fakes["x"].tweets))
    for platform in ("mastodon", "bluesky", "x", "linkedin", "facebook", "pinterest", "discord"):
        assert pubs[platform]["url"], platform
    assert pubs["slack"]["remote_id"] and pubs["webhook"]["remote_id"]

    text = soulpost("history", cwd=root, env=env)
    for platform in PLATFORMS:
        pub = pubs[platform]
        assert (
            f"onboarding on {platform}: published {pub['url'] or pub['remote_id']}" in text.stdout
        )

    status_out = soulpost("status", cwd=root, env=env)
    assert status_out.returncode == 0, status_out.stdout + status_out.stderr
    assert "9 published" in status_out.stdout
    for platform in PLATFORMS:
        pub = pubs[platform]
        assert f"onboarding on {platform}: {pub['remote_id']} " in status_out.stdout
        if pub["url"]:
            assert pub["url"] in status_out.stdout
    status_json = json.loads(soulpost("status", "--json", cwd=root, env=env).stdout)
    assert status_json["counts"]["published"] == 9
    assert status_json["attention"] == []
    receipts = {r["platform"]: r for r in status_json["receipts"]}
    assert {p: (r["remote_id"], r["url"]) for p, r in receipts.items()} == {
        p: (pub["remote_id"], pub["url"]) for p, pub in pubs.items()
    }

    # A second pass sends nothing again.
    again = soulpost("publish", "--due", cwd=root, env=env)
    assert again.returncode == 0
    assert len(fakes["linkedin"].received("POST", "/rest/posts")) == 1
    assert len(hook.discord) == 1 and len(hook.slack) == 1

    # No secret in anything soulpost printed or stored.
    printed = "".join(
        r.stdout + r.stderr
        for r in (lint, doctor, dry, published, history, text, status_out, again)
    )
    stored = b"".join(p.read_bytes() for p in (root / ".soulpost").rglob("*") if p.is_file())
    for name, value in env.items():
        if name == "SP_BSKY_HANDLE":
            continue  # a handle is public, not a secret
        assert value not in printed, name
        assert value.encode() not in stored, name
