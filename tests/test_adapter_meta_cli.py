"""Threads and Instagram through the real CLI: lint catches what they would refuse, preview
shows exactly what each receives (text, images by public URL), doctor tries the tokens, and a
pass publishes one post with an image to both, fetched from the workspace's media host."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.meta import InstagramFake, MediaHost, ThreadsFake, jpeg
from tests.test_e2e_all_platforms import soulpost

pytestmark = pytest.mark.slow
IG_USER = "17841400000000001"
ENV = {"SP_THREADS_TOKEN": "th-secret-1", "SP_IG_TOKEN": "ig-secret-2"}
TEXT = "Behind the scenes: how we test alt text with screen reader users. What would you add?"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "team.jpg").write_bytes(jpeg(6, 4))
    with (
        ThreadsFake(token="th-secret-1") as threads,
        InstagramFake(token="ig-secret-2", user_id=IG_USER) as instagram,
        MediaHost(tmp_path) as host,
    ):
        (tmp_path / "config.toml").write_text(
            textwrap.dedent(
                f"""\
                timezone = "UTC"

                [platforms.threads]
                env = {{ token = "SP_THREADS_TOKEN" }}
                options = {{ base_url = "{threads.url}", media_base_url = "{host.url}", poll_interval = 0.01 }}

                [platforms.instagram]
                env = {{ token = "SP_IG_TOKEN" }}
                options = {{ base_url = "{instagram.url}", user_id = "{IG_USER}", media_base_url = "{host.url}", poll_interval = 0.01 }}
                """
            )
        )
        (tmp_path / "queue").mkdir()
        (tmp_path / "queue" / "team.toml").write_text(
            textwrap.dedent(
                f"""\
                id = "team"
                text = "{TEXT}"
                platforms = ["threads", "instagram"]
                at = 2026-12-01T09:00:00Z

                [[media]]
                path = "media/team.jpg"
                alt = "Four people around a laptop with a screen reader open"
                """
            )
        )
        yield {"root": tmp_path, "threads": threads, "instagram": instagram, "host": host}


def test_preview_then_publish_to_threads_and_instagram(world: dict[str, Any]) -> None:
    root, host = world["root"], world["host"]
    lint = soulpost("lint", cwd=root, env=ENV)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    doctor = soulpost("doctor", "--online", cwd=root, env=ENV)
    assert doctor.returncode == 0 and "soulpost_test" in doctor.stdout, (
        doctor.stdout + doctor.stderr
    )

    preview = soulpost("preview", "--format", "json", cwd=root, env=ENV)
    assert preview.returncode == 0, preview.stdout + preview.stderr
    (card_post,) = json.loads(preview.stdout)["posts"]
    cards = {c["platform"]: c for c in card_post["cards"]}
    assert set(cards) == {"threads", "instagram"}
    for card in cards.values():
        (part,) = card["parts"]
        assert part["sent"] == TEXT
        assert host.url + "media/team.jpg" in json.dumps(part), part

    published = soulpost("publish", "--due", cwd=root, env=ENV)
    assert published.returncode == 0, published.stdout + published.stderr
    for name in ("threads", "instagram"):
        (made,) = world[name].posts.values()
        assert made["text"] == TEXT
        assert made["images"] == [
            (host.url + "media/team.jpg", "Four people around a laptop with a screen reader open")
        ]
    status = soulpost("status", cwd=root, env=ENV)
    assert "th-secret-1" not in status.stdout + published.stdout + preview.stdout
    assert not any(
        "secret" in p.read_text(errors="ignore") for p in (root / ".soulpost").rglob("*.json")
    )


def test_lint_names_what_threads_and_instagram_would_refuse(world: dict[str, Any]) -> None:
    root = world["root"]
    config = (root / "config.toml").read_text()
    (root / "config.toml").write_text(
        config.replace(f', media_base_url = "{world["host"].url}"', "")
    )
    (root / "media" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    (root / "queue" / "words.toml").write_text(
        'text = "Only words here. What do you think?"\nplatforms = ["instagram"]\n'
        "at = 2026-12-01T10:00:00Z\n"
    )
    (root / "queue" / "chart.toml").write_text(
        'text = "Our chart. What do you think?"\nplatforms = ["instagram"]\n'
        'at = 2026-12-01T11:00:00Z\n[[media]]\npath = "media/chart.png"\nalt = "A chart"\n'
    )
    lint = soulpost("lint", "--format", "json", cwd=root, env=ENV)
    assert lint.returncode == 1, lint.stdout + lint.stderr
    found = {(f["code"], f["post_id"]) for f in json.loads(lint.stdout)["findings"]}
    assert ("SP611", "team") in found  # threads and instagram have no media_base_url now
    assert ("SP612", "words") in found
    assert ("SP613", "chart") in found
