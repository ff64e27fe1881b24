"""soulpost.text against upstream conformance data, read from shared/conformance at test time.

twitter-text's validate.yml (weighted length) and extract.yml (URLs, hashtags, mentions),
and Bluesky's grapheme/byte length vectors. The data is never copied into this repository.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from soulpost.text import (
    TWITTER_V2,
    TWITTER_V3,
    TwitterConfig,
    find_hashtags,
    find_mentions,
    find_urls,
    graphemes,
    parse_tweet,
    twitter_length,
    utf8_length,
)

CONFORMANCE = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"
TWITTER = CONFORMANCE / "twitter-text"

# The data sits beside the checkout (shared/conformance), as in CI; a missing folder is a
# broken setup, so the tests fail on it rather than skip.


@cache
def _yaml(name: str) -> dict[str, Any]:
    with (TWITTER / name).open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)["tests"]
    return data


def _cases(name: str, section: str) -> list[Any]:
    if not (TWITTER / name).is_file():
        return []
    return [pytest.param(case, id=case["description"][:60]) for case in _yaml(name)[section]]


# The three weighted-length sections and the configuration upstream runs each with.
WEIGHTED = [
    ("WeightedTweetsCounterTest", TWITTER_V2),
    ("WeightedTweetsWithDiscountedEmojiCounterTest", TWITTER_V3),
    ("UnicodeDirectionalMarkerCounterTest", TWITTER_V3),
]


def _weighted_cases() -> list[Any]:
    out = []
    for section, config in WEIGHTED:
        for param in _cases("validate.yml", section):
            case = param.values[0]
            out.append(pytest.param(case, config, id=f"{section}:{param.id}"))
    return out


@pytest.mark.parametrize(("case", "config"), _weighted_cases())
def test_weighted_length(case: dict[str, Any], config: TwitterConfig) -> None:
    result = parse_tweet(case["text"], config)
    got = {
        "weightedLength": result.weighted_length,
        "valid": result.valid,
        "permillage": result.permillage,
        "displayRangeStart": result.display_range_start,
        "displayRangeEnd": result.display_range_end,
        "validRangeStart": result.valid_range_start,
        "validRangeEnd": result.valid_range_end,
    }
    assert got == case["expected"]
    assert twitter_length(case["text"], config) == case["expected"]["weightedLength"]


def test_all_44_weighted_cases_are_present() -> None:
    assert len(_weighted_cases()) == 44


def test_config_numbers_match_upstream_files() -> None:
    """The numbers are embedded in code; make sure they agree with upstream's config."""
    for name, config in (("v2.json", TWITTER_V2), ("v3.json", TWITTER_V3)):
        data = json.loads((TWITTER / "config" / name).read_text(encoding="utf-8"))
        assert data["version"] == config.version
        assert data["maxWeightedTweetLength"] == config.max_weighted_length
        assert data["scale"] == config.scale
        assert data["defaultWeight"] == config.default_weight
        assert data["transformedURLLength"] == config.transformed_url_length
        assert data.get("emojiParsingEnabled", False) == config.emoji_parsing
        ranges = tuple((r["start"], r["end"], r["weight"]) for r in data["ranges"])
        assert ranges == config.ranges


@pytest.mark.parametrize("case", _cases("extract.yml", "urls"))
def test_extract_urls(case: dict[str, Any]) -> None:
    assert [url for _, _, url in find_urls(case["text"])] == case["expected"]


@pytest.mark.parametrize("case", _cases("extract.yml", "urls_with_indices"))
def test_extract_urls_with_indices(case: dict[str, Any]) -> None:
    got = [{"url": url, "indices": [start, end]} for start, end, url in find_urls(case["text"])]
    assert got == case["expected"]


@pytest.mark.parametrize("case", _cases("extract.yml", "urls_with_directional_markers"))
def test_extract_urls_with_directional_markers(case: dict[str, Any]) -> None:
    got = [{"url": url, "indices": [start, end]} for start, end, url in find_urls(case["text"])]
    assert got == case["expected"]


@pytest.mark.parametrize("case", _cases("extract.yml", "hashtags"))
def test_extract_hashtags(case: dict[str, Any]) -> None:
    assert [tag for _, _, tag in find_hashtags(case["text"])] == case["expected"]


@pytest.mark.parametrize("case", _cases("extract.yml", "hashtags_with_indices"))
def test_extract_hashtags_with_indices(case: dict[str, Any]) -> None:
    got = [{"hashtag": tag, "indices": [s, e]} for s, e, tag in find_hashtags(case["text"])]
    assert got == case["expected"]


# Deliberate difference: soulpost also serves Mastodon, where "@test@example.com" is a
# mention of a fediverse account, so it is reported (as "test@example.com").
FEDIVERSE = {"Extract lone metion but not @user@user (too close to an email)"}


@pytest.mark.parametrize("case", _cases("extract.yml", "mentions"))
def test_extract_mentions(case: dict[str, Any]) -> None:
    got = [handle for _, _, handle in find_mentions(case["text"])]
    if case["description"] in FEDIVERSE:
        got = [handle for handle in got if "@" not in handle]
    assert got == case["expected"]


def _bluesky_cases() -> list[Any]:
    path = CONFORMANCE / "bluesky" / "grapheme-length.json"
    if not path.is_file():
        return []
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return [pytest.param(case, id=repr(case["text"])[:40]) for case in cases]


@pytest.mark.parametrize("case", _bluesky_cases())
def test_bluesky_grapheme_and_byte_length(case: dict[str, Any]) -> None:
    assert graphemes(case["text"]) == case["graphemes"]
    if case["utf8Length"] is not None:
        assert utf8_length(case["text"]) == case["utf8Length"]


def test_all_14_bluesky_cases_are_present() -> None:
    assert len(_bluesky_cases()) == 14
