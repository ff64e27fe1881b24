"""The fake Facebook, Pinterest and webhook servers, driven with plain requests."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import requests

from soulpost.publish.http import outcome_for, reset_time
from soulpost.publish.wire import facebook as fb
from soulpost.publish.wire import pinterest as pin
from soulpost.publish.wire import webhook as wh
from tests.fakes.facebook import FacebookFake
from tests.fakes.pinterest import PinterestFake
from tests.fakes.webhook import WebhookFake

pytest_plugins = ["tests.fakes.fixtures"]  # the *_fake fixtures

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 8

# --- Facebook ---------------------------------------------------------------------------------


def test_facebook_feed_post_and_duplicate(facebook_fake: FacebookFake) -> None:
    url = f"{facebook_fake.url}/v21.0/{facebook_fake.page_id}/feed"
    auth = {"Authorization": "Bearer page-token"}
    first = requests.post(url, data=fb.feed_body("Hello"), headers=auth, timeout=5)
    assert first.status_code == 200
    post = fb.parse_post(first.json())
    assert post.id.startswith(f"{facebook_fake.page_id}_")
    again = requests.post(url, data=fb.feed_body("Hello"), headers=auth, timeout=5)
    assert again.status_code == 400
    error = fb.parse_error(400, again.json())
    assert error.kind == "duplicate" and error.message == "(#506) Duplicate status message"
    assert "X-App-Usage" in again.headers and "WWW-Authenticate" in again.headers


def test_facebook_token_in_parameter_and_bad_token(facebook_fake: FacebookFake) -> None:
    url = f"{facebook_fake.url}/v21.0/{facebook_fake.page_id}/feed"
    ok = requests.post(url, data={**fb.feed_body("a"), "access_token": "page-token"}, timeout=5)
    assert ok.status_code == 200
    bad = requests.post(url, data={**fb.feed_body("b"), "access_token": "nope"}, timeout=5)
    assert bad.status_code == 400 and fb.parse_error(400, bad.json()).kind == "auth"


def test_facebook_photos(facebook_fake: FacebookFake) -> None:
    base = f"{facebook_fake.url}/v21.0/{facebook_fake.page_id}"
    auth = {"Authorization": "Bearer page-token"}
    single = requests.post(
        f"{base}/photos",
        data=fb.photo_body(caption="Look", alt_text="A red bike"),
        files={"source": ("bike.png", PNG, "image/png")},
        headers=auth,
        timeout=5,
    ).json()
    assert fb.parse_post(single).id == single["post_id"]
    assert facebook_fake.photos[single["id"]]["alt_text_custom"] == "A red bike"
    ids = [
        requests.post(
            f"{base}/photos",
            data=fb.photo_body(alt_text=f"photo {i}", published=False),
            files={"source": (f"{i}.png", PNG, "image/png")},
            headers=auth,
            timeout=5,
        ).json()["id"]
        for i in range(2)
    ]
    multi = requests.post(
        f"{base}/feed", data=fb.multi_photo_body("Two photos", ids), headers=auth, timeout=5
    )
    assert multi.status_code == 200
    post_id = fb.parse_post(multi.json()).id
    comment = requests.post(
        f"{facebook_fake.url}/v21.0/{post_id}/comments",
        data=fb.comment_body("and more"),
        headers=auth,
        timeout=5,
    )
    assert comment.status_code == 200 and facebook_fake.comments[0]["message"] == "and more"


def test_facebook_scripted_throttling(facebook_fake: FacebookFake) -> None:
    facebook_fake.fail(
        400,
        facebook_fake.error(32, "(#32) Page request limit reached"),
        headers={"X-Business-Use-Case-Usage": '{"1": [{"estimated_time_to_regain_access": 7}]}'},
    )
    answer = requests.post(
        f"{facebook_fake.url}/v21.0/{facebook_fake.page_id}/feed",
        data=fb.feed_body("x"),
        headers={"Authorization": "Bearer page-token"},
        timeout=5,
    )
    assert fb.parse_error(answer.status_code, answer.json()).kind == "throttled"
    assert reset_time(answer.headers, datetime(2026, 1, 1, tzinfo=UTC)) is not None


# --- Pinterest --------------------------------------------------------------------------------


def test_pinterest_create_pin(pinterest_fake: PinterestFake) -> None:
    body = pin.pin_body("549755885175", title="Soul", alt_text="A chart", image=PNG)
    answer = requests.post(
        f"{pinterest_fake.url}/v5/pins",
        json=body,
        headers={"Authorization": "Bearer test-token"},
        timeout=5,
    )
    assert answer.status_code == 201
    created = pin.parse_pin(answer.json())
    assert pinterest_fake.pins[created.id]["alt_text"] == "A chart"


def test_pinterest_errors(pinterest_fake: PinterestFake) -> None:
    url = f"{pinterest_fake.url}/v5/pins"
    auth = {"Authorization": "Bearer test-token"}
    bad_auth = requests.post(url, json={}, headers={"Authorization": "Bearer x"}, timeout=5)
    assert (
        bad_auth.status_code == 401
        and outcome_for(pin.parse_error(401, bad_auth.json()).status) == "auth"
    )
    no_board = requests.post(url, json=pin.pin_body("1", image=PNG), headers=auth, timeout=5)
    assert no_board.status_code == 404 and set(no_board.json()) == {"code", "message"}
    too_long = requests.post(
        url,
        json={**pin.pin_body("549755885175", image=PNG), "title": "a" * 101},
        headers=auth,
        timeout=5,
    )
    assert too_long.status_code == 400
    pinterest_fake.fail(429, {"code": 8, "message": "Rate limit exceeded"})
    limited = requests.post(
        url, json=pin.pin_body("549755885175", image=PNG), headers=auth, timeout=5
    )
    assert (
        outcome_for(pin.parse_error(limited.status_code, limited.json()).status) == "rate-limited"
    )


# --- webhooks ---------------------------------------------------------------------------------


def test_generic_webhook_signature_and_replay(webhook_fake: WebhookFake) -> None:
    raw = wh.encode(wh.generic_body("post-1", "Hello"))
    now = int(time.time())
    headers = wh.signed_headers("hook-secret", now, raw, "post-1:webhook:0")
    first = requests.post(webhook_fake.hook_url, data=raw, headers=headers, timeout=5)
    again = requests.post(webhook_fake.hook_url, data=raw, headers=headers, timeout=5)
    assert first.status_code == again.status_code == 200
    assert again.json()["replay"] is True and len(webhook_fake.deliveries) == 1
    forged = wh.signed_headers("wrong", now, raw, "post-2:webhook:0")
    assert (
        requests.post(webhook_fake.hook_url, data=raw, headers=forged, timeout=5).status_code == 401
    )
    received = webhook_fake.received("POST", "/hook")[0]
    assert wh.verify("hook-secret", received.headers, received.body, now=now)


def test_discord(webhook_fake: WebhookFake) -> None:
    url = wh.discord_url(webhook_fake.discord_url())
    answer = requests.post(url, json=wh.discord_body("Hello"), timeout=5)
    assert answer.status_code == 200
    assert wh.parse_discord_message(answer.json()) == webhook_fake.discord[0]["id"]
    no_wait = requests.post(webhook_fake.discord_url(), json=wh.discord_body("x"), timeout=5)
    assert no_wait.status_code == 204
    too_long = requests.post(url, json={"content": "a" * 2001}, timeout=5)
    assert wh.parse_discord_error(400, too_long.json()).code == 50035
    webhook_fake.discord_429(0.25)
    limited = requests.post(url, json=wh.discord_body("later"), timeout=5)
    assert limited.status_code == 429
    error = wh.parse_discord_error(429, limited.json(), limited.headers)
    assert error.retry_after == 0.25 and "X-RateLimit-Reset-After" in limited.headers
    with_image = requests.post(
        url,
        data={
            "payload_json": '{"content": "pic", "attachments": [{"id": 0, "description": "alt"}]}'
        },
        files={"files[0]": ("a.png", PNG, "image/png")},
        timeout=5,
    )
    assert (
        with_image.status_code == 200 and with_image.json()["attachments"][0]["filename"] == "a.png"
    )
    bad = requests.post(
        webhook_fake.discord_url().replace("discord-token", "x"), json={"content": "a"}, timeout=5
    )
    assert bad.status_code == 401


def test_slack(webhook_fake: WebhookFake) -> None:
    answer = requests.post(webhook_fake.slack_url(), json=wh.slack_body("Hello"), timeout=5)
    assert answer.status_code == 200 and wh.slack_result(200, answer.text) is None
    empty = requests.post(webhook_fake.slack_url(), json={}, timeout=5)
    assert wh.slack_result(empty.status_code, empty.text) == "no_text"
    junk = requests.post(
        webhook_fake.slack_url(), data=b"{", headers={"Content-Type": "application/json"}, timeout=5
    )
    assert wh.slack_result(junk.status_code, junk.text) == "invalid_payload"
