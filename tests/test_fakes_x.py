"""The fake X API, driven with plain requests and compared with the tweepy recordings."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from soulpost.publish.http import reset_time
from soulpost.publish.wire import x as render
from tests.fakes import cassettes
from tests.fakes.x import XFake

pytest_plugins = ["tests.fakes.fixtures"]  # the *_fake fixtures

AUTH = {"Authorization": "Bearer test-token"}


def test_create_answers_like_the_recording(x_fake: XFake) -> None:
    recorded = cassettes.tweepy("test_client_create_and_delete_tweet")[0]
    answer = requests.post(
        f"{x_fake.url}/2/tweets", json=render.tweet_body("Test Tweet"), headers=AUTH, timeout=5
    )
    assert answer.status_code == recorded.status == 201
    assert set(answer.json()["data"]) >= set(recorded.json()["data"])
    tweet = render.parse_created(answer.json())
    assert answer.headers["location"].endswith(f"/2/tweets/{tweet.id}")
    for name in ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"):
        assert name in recorded.headers and answer.headers[name].isdigit()
    assert answer.headers["x-user-limit-24hour-remaining"] == "16"
    assert reset_time(answer.headers, datetime.now(UTC)) is not None
    assert json_of(x_fake) == {"text": "Test Tweet"}


def json_of(fake: XFake) -> object:
    return fake.received("POST", "/2/tweets")[-1].json


def test_thread_with_image_and_alt_text(x_fake: XFake) -> None:
    upload = requests.post(
        f"{x_fake.url}/2/media/upload",
        data={"media_category": "tweet_image"},
        files={"media": ("chart.png", b"\x89PNG\r\n\x1a\n", "image/png")},
        headers=AUTH,
        timeout=5,
    )
    assert upload.status_code == 200
    media_id = render.parse_media_id(upload.json())
    alt = requests.post(
        f"{x_fake.url}/2/media/metadata",
        json=render.media_metadata_body(media_id, "A bar chart"),
        headers=AUTH,
        timeout=5,
    )
    assert alt.status_code == 200 and x_fake.media[media_id]["alt_text"] == "A bar chart"
    first = requests.post(
        f"{x_fake.url}/2/tweets",
        json=render.tweet_body("1/2", media_ids=[media_id]),
        headers=AUTH,
        timeout=5,
    )
    parent = render.parse_created(first.json())
    second = requests.post(
        f"{x_fake.url}/2/tweets",
        json=render.tweet_body("2/2", reply_to=parent.id),
        headers=AUTH,
        timeout=5,
    )
    assert second.status_code == 201
    child = render.parse_created(second.json())
    assert x_fake.tweets[child.id]["in_reply_to"] == parent.id
    assert x_fake.tweets[parent.id]["media_ids"] == [media_id]


def test_duplicate_text_is_403(x_fake: XFake) -> None:
    url = f"{x_fake.url}/2/tweets"
    assert requests.post(url, json={"text": "same"}, headers=AUTH, timeout=5).status_code == 201
    again = requests.post(url, json={"text": "same"}, headers=AUTH, timeout=5)
    assert again.status_code == 403
    assert render.parse_error(403, again.json()).duplicate
    assert len(x_fake.tweets) == 1


def test_rate_limit_429(x_fake: XFake) -> None:
    x_fake.remaining = 1
    url = f"{x_fake.url}/2/tweets"
    assert requests.post(url, json={"text": "a"}, headers=AUTH, timeout=5).status_code == 201
    limited = requests.post(url, json={"text": "b"}, headers=AUTH, timeout=5)
    assert limited.status_code == 429
    assert limited.headers["x-rate-limit-remaining"] == "0"
    error = render.parse_error(429, limited.json())
    assert error.rate_limited
    assert reset_time(limited.headers, datetime.now(UTC)) is not None


def test_daily_allowance(x_fake: XFake) -> None:
    x_fake.daily_remaining = 0
    limited = requests.post(f"{x_fake.url}/2/tweets", json={"text": "a"}, headers=AUTH, timeout=5)
    assert limited.status_code == 429
    assert limited.headers["x-user-limit-24hour-remaining"] == "0"
    reset = reset_time(limited.headers, datetime.fromtimestamp(x_fake.reset_epoch, UTC))
    assert reset is not None and int(reset.timestamp()) == x_fake.reset_epoch + 86_400


def test_auth(x_fake: XFake) -> None:
    url = f"{x_fake.url}/2/tweets"
    bad = requests.post(url, json={"text": "a"}, headers={"Authorization": "Bearer no"}, timeout=5)
    assert bad.status_code == 401 and render.parse_error(401, bad.json()).auth
    header = render.oauth1_header(
        "POST",
        url,
        consumer_key="ck",
        consumer_secret="cs",
        token="t",
        token_secret="ts",
        nonce="n",
        timestamp=1,
    )
    signed = requests.post(url, json={"text": "a"}, headers={"Authorization": header}, timeout=5)
    assert signed.status_code == 201


def test_too_long_and_unknown_media(x_fake: XFake) -> None:
    url = f"{x_fake.url}/2/tweets"
    long = requests.post(url, json={"text": "a" * 281}, headers=AUTH, timeout=5)
    assert long.status_code == 400
    assert "too long" in render.parse_error(400, long.json()).message
    media = requests.post(
        url, json=render.tweet_body("x", media_ids=["404"]), headers=AUTH, timeout=5
    )
    assert media.status_code == 400


def test_me_matches_the_recording(x_fake: XFake) -> None:
    recorded = cassettes.tweepy("test_client_get_me")[0].json()
    answer = requests.get(f"{x_fake.url}/2/users/me", headers=AUTH, timeout=5).json()
    assert set(answer["data"]) == set(recorded["data"])
