"""A post's own Mastodon settings (issue 11 item 4): a content warning (``spoiler_text``),
sensitive media, language and visibility under ``[variants.mastodon.options]``, checked by
the adapter, counted as Mastodon counts, shown in the preview and sent to the fake Mastodon
on 127.0.0.1 through the real CLI."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.posts import Post
from soulpost.publish.adapters.mastodon import MastodonAdapter
from soulpost.publish.base import AdapterConfig
from tests.fakes.mastodon import MastodonFake

pytest_plugins = ["tests.fakes.fixtures"]

OPTIONS = {
    "spoiler_text": "Spoilers for the season finale",
    "sensitive": True,
    "language": "de",
    "visibility": "unlisted",
}


def post(options: dict[str, Any], text: str = "Was für ein Ende! Wie fandet ihr es?") -> Post:
    return Post.model_validate(
        {
            "id": "p1",
            "text": text,
            "platforms": ["mastodon"],
            "thread": ["Und die Musik erst."],
            "variants": {"mastodon": {"options": options}},
        }
    )


def adapter(tmp_path: Path, url: str = "https://example.social", **options: Any) -> Any:
    return MastodonAdapter(
        AdapterConfig(
            platform="mastodon",
            state_dir=tmp_path / ".soulpost",
            clock=ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
            options={"base_url": url, **options},
            credentials={"token": "SP_MASTODON_TOKEN"},
            environ={"SP_MASTODON_TOKEN": "test-token"},
        )
    )


def test_every_part_carries_the_posts_own_settings(tmp_path: Path) -> None:
    ad = adapter(tmp_path, visibility="public", language="en")
    composed = ad.compose(post(OPTIONS))
    for part in composed.parts:
        assert {k: part[k] for k in OPTIONS} == OPTIONS  # the post's win over the platform's
    plain = adapter(tmp_path, visibility="public").compose(post({})).parts[0]
    assert plain["visibility"] == "public" and "spoiler_text" not in plain


def test_a_misspelt_or_wrong_option_names_the_key(tmp_path: Path) -> None:
    problems = adapter(tmp_path).validate(post({"spoler_text": "x", "visibility": "friends"}))
    assert any("variants.mastodon.options.spoler_text: is not a post option" in p for p in problems)
    assert any("variants.mastodon.options.visibility" in p for p in problems)
    with pytest.raises(ValueError, match="spoler_text"):
        adapter(tmp_path).compose(post({"spoler_text": "x"}))


def test_the_content_warning_counts_towards_the_limit(tmp_path: Path) -> None:
    text = "a" * 480
    ad = adapter(tmp_path)
    assert ad.validate(post({"spoiler_text": "w" * 20}, text)) == []
    (problem,) = ad.validate(post({"spoiler_text": "w" * 21}, text))
    assert "part 1 with its content warning is 501 characters" in problem


def workspace(root: Path, url: str) -> Path:
    (root / "config.toml").write_text(
        f'timezone = "UTC"\n[platforms.mastodon]\nenv = {{ token = "SP_MASTODON_TOKEN" }}\n'
        f'options = {{ base_url = "{url}" }}\n[publish]\nlint_gate = false\n',
        encoding="utf-8",
    )
    (root / "queue").mkdir()
    (root / "queue" / "finale.toml").write_text(
        textwrap.dedent(
            """\
            text = "Was für ein Ende! Wie fandet ihr es?"
            platforms = ["mastodon"]
            thread = ["Und die Musik erst."]

            [variants.mastodon.options]
            spoiler_text = "Spoilers for the season finale"
            sensitive = true
            language = "de"
            visibility = "unlisted"
            """
        ),
        encoding="utf-8",
    )
    return root


def test_preview_shows_them_and_the_fake_receives_them(
    cli: Any, tmp_path: Path, mastodon_fake: MastodonFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SP_MASTODON_TOKEN", mastodon_fake.token)
    root = workspace(tmp_path, mastodon_fake.url)
    shown = cli("preview", "finale", cwd=root)
    assert shown.code == 0, shown.out + shown.err
    assert "│ CW: Spoilers for the season finale" in shown.out
    assert "[media marked sensitive · visibility unlisted · language de]" in shown.out
    # counted as Mastodon counts: the warning's graphemes plus the text's, no labels
    expected = len(OPTIONS["spoiler_text"]) + len("Was für ein Ende! Wie fandet ihr es?")
    assert f"post · {expected}/500 characters" in shown.out
    sent = cli("publish", "finale", "--now", cwd=root)
    assert sent.code == 0, sent.out + sent.err
    requests = mastodon_fake.received("POST", "/api/v1/statuses")
    assert len(requests) == 2
    for request in requests:
        assert {k: request.json[k] for k in OPTIONS} == OPTIONS
    for status in mastodon_fake.statuses.values():
        assert status["spoiler_text"] == OPTIONS["spoiler_text"]
        assert (status["sensitive"], status["visibility"], status["language"]) == (
            True,
            "unlisted",
            "de",
        )


def test_other_adapters_refuse_post_options_they_would_ignore(tmp_path: Path) -> None:
    from soulpost.publish.adapters.x import XAdapter

    x = XAdapter(
        AdapterConfig(
            platform="x",
            state_dir=tmp_path,
            clock=ManualClock(datetime(2026, 12, 1, tzinfo=UTC)),
            credentials={"token": "T"},
        )
    )
    wrong = Post.model_validate(
        {"id": "p", "text": "Hi?", "platforms": ["x"], "variants": {"x": {"options": {"a": 1}}}}
    )
    assert x.validate(wrong) == [
        "variants.x.options (a): the x adapter takes no post options; remove them"
    ]


def test_soulpost_adapters_lists_the_post_options(cli: Any, tmp_path: Path) -> None:
    shown = cli("adapters", "mastodon", cwd=tmp_path)
    assert "post options (a post's [variants.NAME.options]):" in shown.out
    assert "spoiler_text  a content warning shown before the text" in shown.out
    assert "post options" not in cli("adapters", "x", cwd=tmp_path).out
