"""Unit tests of soulpost.text beyond the upstream conformance data."""

from __future__ import annotations

import pytest

from soulpost.platforms import PLATFORMS
from soulpost.text import (
    emoji_count,
    find_emoji,
    find_hashtags,
    find_mentions,
    find_urls,
    graphemes,
    is_emoji,
    mastodon_length,
    platform_length,
    strip_urls,
    surely_fits,
    twitter_length,
    utf8_length,
)


def test_platforms_md_example_counts_43_on_x() -> None:
    # shared/platforms.md, checked there with npm twitter-text@3.1.0
    assert twitter_length("日本語のテキスト https://example.com/very/long/path 👨‍👩‍👧‍👧") == 43


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("", 0),
        ("https://example.com/a/very/long/path/that/goes/on", 23),
        ("see https://example.com/x and https://example.org", 4 + 23 + 5 + 23),
        ("example.com has no scheme", 25),  # Mastodon links only URLs with a scheme
        ("hi @alice@example.social!", len("hi @alice!")),
        ("hi @alice", 9),
        ("👨‍👩‍👧‍👧 family", 8),
        ("नमस्ते", 3),
    ],
)
def test_mastodon_length(text: str, expected: int) -> None:
    assert mastodon_length(text) == expected


def test_mastodon_length_uses_the_instance_url_length() -> None:
    assert mastodon_length("https://example.com/long/path", url_length=10) == 10


def test_find_urls_offsets_are_str_indices() -> None:
    text = "🔥 read https://example.com/guide, then example.org."
    urls = find_urls(text)
    assert urls == [
        (7, 32, "https://example.com/guide"),
        (39, 50, "example.org"),
    ]
    for start, end, url in urls:
        assert text[start:end] == url


def test_find_urls_require_scheme() -> None:
    assert find_urls("example.org and http://x.example.org", require_scheme=True) == [
        (16, 36, "http://x.example.org")
    ]


@pytest.mark.parametrize("text", ["notes.txt", "e.g. this", "v1.2.3", "a..b", "@me.com", "1.5"])
def test_find_urls_ignores_non_links(text: str) -> None:
    assert find_urls(text) == []


def test_strip_urls() -> None:
    assert strip_urls("read https://example.com/a now") == "read  now"
    assert strip_urls("no links") == "no links"


def test_hashtags_and_mentions() -> None:
    text = "#Tips for @bob and @ann@example.social: #1 is not a tag, #a11y is"
    assert [t for _, _, t in find_hashtags(text)] == ["Tips", "a11y"]
    assert [m for _, _, m in find_mentions(text)] == ["bob", "ann@example.social"]
    assert find_mentions("mail me@example.com") == []


def test_emoji() -> None:
    assert emoji_count("🔥🔥🔥 sale") == 3
    assert emoji_count("👨‍👩‍👧‍👧 🇩🇪 1️⃣ 👍🏽") == 4
    assert emoji_count("plain text") == 0
    assert emoji_count("© 2026 ™") == 0  # text-style symbols, not emoji
    assert [e for _, _, e in find_emoji("a❤️b")] == ["❤️"]
    assert is_emoji("👨‍👩‍👧‍👧")
    assert is_emoji("🏴󠁧󠁢󠁳󠁣󠁴󠁿")
    assert not is_emoji("a")
    assert not is_emoji("🔥🔥")


def test_graphemes_and_bytes() -> None:
    assert graphemes("a\r\nb") == 3
    assert graphemes("e\u0301") == 1
    assert utf8_length("é") == 2
    assert utf8_length("abc") == 3


def test_twitter_length_of_cjk_and_emoji() -> None:
    assert twitter_length("日本") == 4
    assert twitter_length("🔥") == 2
    assert twitter_length("e\u0301") == 1  # NFC first


def test_platform_length_per_counting_rule() -> None:
    text = "Hello https://example.com/path 👋"
    assert platform_length(text, PLATFORMS["x"]) == [("weighted characters", 32, 280)]
    assert platform_length(text, PLATFORMS["mastodon"]) == [("characters", 31, 500)]
    assert platform_length(text, PLATFORMS["bluesky"]) == [
        ("graphemes", 32, 300),
        ("bytes", 35, 3000),
    ]
    assert platform_length(text, PLATFORMS["linkedin"]) == [("characters", 32, 3000)]
    assert platform_length(text, PLATFORMS["webhook"]) == []


def test_find_urls_after_a_host_without_tld() -> None:
    # A host with no known TLD is skipped as a whole (keeping long "a.a.a.a" runs linear),
    # but a scheme glued to its end still starts a URL, as in twitter-text.
    assert find_urls("日本.中http://x.com") == [(4, 16, "http://x.com")]
    assert find_urls("a." * 2000 + " example.com") == [(4001, 4012, "example.com")]


def test_surely_fits_never_passes_a_text_over_a_limit() -> None:
    # Short links (each counts as 23) and mentions are where the cheap bound could go wrong.
    import random

    pieces = ["a", "word ", "x.co ", "https://t.co/a ", "@me@x.social ", ". ", "\r\n", "é", "🎉"]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 60)))
        for caps in PLATFORMS.values():
            if surely_fits(text, caps):
                assert all(count <= limit for _unit, count, limit in platform_length(text, caps))
    assert surely_fits("Plain words. " * 5, PLATFORMS["x"])
    assert not surely_fits("x.co " * 12, PLATFORMS["x"])  # 60 characters, but 276+ counted
