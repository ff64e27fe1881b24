"""Length counting agrees with the official implementations on 240 realistic posts (issue 11
item 3): X with twitter-text 3.1.0, emoji newer than its data included; Mastodon with its
own rule (URLs with non-ASCII paths and its other schemes count as 23).

The posts are tests/data/length_corpus.json (scripts/gen_length_corpus.py). The expected
counts are tests/data/length_reference.json, written by scripts/gen_length_reference.py
from the official code; when Node and npm's twitter-text 3.1.0 are installed (.ci/run
installs them), the reference is derived again here and must match.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from soulpost.text import mastodon_length, parse_tweet, twitter_length
from soulpost.text.lengths import twitter_emoji

DATA = Path(__file__).resolve().parent / "data"
CORPUS: list[str] = json.loads((DATA / "length_corpus.json").read_text("utf-8"))
REFERENCE = json.loads((DATA / "length_reference.json").read_text("utf-8"))


def test_the_corpus_is_large_and_the_reference_covers_it() -> None:
    assert len(CORPUS) >= 200
    assert len(REFERENCE["x"]) == len(REFERENCE["mastodon"]) == len(CORPUS)
    assert REFERENCE["twitter-text"] == "3.1.0"


def test_x_counts_as_twitter_text_3_1_0() -> None:
    wrong = [
        (text, want, twitter_length(text))
        for text, want in zip(CORPUS, REFERENCE["x"], strict=True)
        if twitter_length(text) != want or parse_tweet(text).weighted_length != want
    ]
    assert wrong == []


def test_mastodon_counts_as_mastodon() -> None:
    wrong = [
        (text, want, mastodon_length(text))
        for text, want in zip(CORPUS, REFERENCE["mastodon"], strict=True)
        if mastodon_length(text) != want
    ]
    assert wrong == []


def test_the_corpus_holds_the_cases_that_used_to_differ() -> None:
    """Emoji twitter-text 3.1.0 does not know as one, and links Mastodon counts as 23 that
    soulpost used to count in full."""
    newer = "🧑‍🤝‍🧑"
    assert any(newer in text for text in CORPUS)
    assert twitter_length(newer) == 8  # three emoji of 2, two joiners of 1
    assert twitter_emoji("a👩🏾‍💻b") == [(1, 5)]  # one it knows stays one unit
    assert mastodon_length("https://example.jp/記事/新機能のお知らせ") == 23
    assert mastodon_length("gemini://gemini.example.org/journal/2026-12-01.gmi") == 23
    assert mastodon_length("xmpp:team@chat.example.org") == len("xmpp:team@chat.example.org")


TWITTER_TEXT = DATA.parent.parent / ".ci" / "tools" / "node_modules" / "twitter-text"


@pytest.mark.skipif(
    shutil.which("node") is None or not TWITTER_TEXT.is_dir(),
    reason="needs node and npm's twitter-text@3.1.0 in .ci/tools (installed by .ci/run)",
)
def test_the_reference_is_what_the_official_code_says() -> None:
    import subprocess

    answer = subprocess.run(
        ["node", str(DATA.parent / "reference" / "lengths.js"), str(TWITTER_TEXT)],
        stdin=(DATA / "length_corpus.json").open("rb"),
        capture_output=True,
        check=True,
        timeout=60,
    )
    live = json.loads(answer.stdout)
    assert live["x"] == REFERENCE["x"]
    assert live["mastodon"] == REFERENCE["mastodon"]
