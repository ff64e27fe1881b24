"""The fake Mastodon, driven with plain requests and compared with the recorded server."""

from __future__ import annotations

import re

import requests

from soulpost.publish.http import reset_time
from soulpost.publish.wire import mastodon as render
from tests.fakes import cassettes
from tests.fakes.mastodon import MastodonFake

pytest_plugins = ["tests.fakes.fixtures"]  # the *_fake fixtures

AUTH = {"Authorization": "Bearer test-token"}
ISO_RESET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def _recorded_status() -> cassettes.Interaction:
    return cassettes.mastodon("test_status_post--None-public")[0]


def test_form_post_answers_like_the_recording(mastodon_fake: MastodonFake) -> None:
    recorded = _recorded_status()
    answer = requests.post(
        f"{mastodon_fake.url}/api/v1/statuses",
        data=render.StatusRequest("Toot!", visibility="public").form(),
        headers=AUTH,
        timeout=5,
    )
    assert answer.status_code == recorded.status == 200
    # The fake received exactly the bytes Mastodon.py sent to the real server.
    (received,) = mastodon_fake.received("POST", "/api/v1/statuses")
    assert received.body == recorded.request_body
    body = answer.json()
    real = recorded.json()
    for key in ("id", "created_at", "visibility", "spoiler_text", "uri", "url", "content"):
        assert type(body[key]) is type(real[key]), key
    assert set(body) >= {"id", "url", "uri", "in_reply_to_id", "media_attachments", "account"}
    assert body["visibility"] == "public" and body["content"] == "<p>Toot!</p>"
    status = render.parse_status(body)
    assert status.url == f"{mastodon_fake.url}/@soulpost/{status.id}"
    for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        assert name in recorded.headers and name in answer.headers
    assert ISO_RESET.match(answer.headers["X-RateLimit-Reset"])
    assert ISO_RESET.match(recorded.headers["x-ratelimit-reset"])
    assert answer.headers["Content-Type"] == recorded.headers["content-type"]


def test_json_post_and_thread(mastodon_fake: MastodonFake) -> None:
    url = f"{mastodon_fake.url}/api/v1/statuses"
    first = requests.post(url, json=render.StatusRequest("one").json(), headers=AUTH, timeout=5)
    parent = render.parse_status(first.json())
    reply = render.StatusRequest("two", language="de", in_reply_to_id=parent.id)
    second = requests.post(url, json=reply.json(), headers=AUTH, timeout=5).json()
    assert second["in_reply_to_id"] == parent.id and second["language"] == "de"
    assert mastodon_fake.statuses[second["id"]]["in_reply_to_id"] == parent.id
    missing = requests.post(
        url, json={"status": "x", "in_reply_to_id": "1"}, headers=AUTH, timeout=5
    )
    assert missing.status_code == 404


def test_idempotency_key_replays_the_original(mastodon_fake: MastodonFake) -> None:
    url = f"{mastodon_fake.url}/api/v1/statuses"
    headers = {**AUTH, "Idempotency-Key": "post-1:mastodon:0"}
    first = requests.post(url, data={"status": "once"}, headers=headers, timeout=5)
    again = requests.post(url, data={"status": "once"}, headers=headers, timeout=5)
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert len(mastodon_fake.statuses) == 1
    # without the header Mastodon happily double-posts: there is no duplicate check
    requests.post(url, data={"status": "once"}, headers=AUTH, timeout=5)
    assert len(mastodon_fake.statuses) == 2


def test_errors_have_the_recorded_shapes(mastodon_fake: MastodonFake) -> None:
    url = f"{mastodon_fake.url}/api/v1/statuses"
    bad_token = requests.post(
        url, data={"status": "x"}, headers={"Authorization": "Bearer no"}, timeout=5
    )
    (recorded_401,) = [
        i for i in cassettes.mastodon("test_unauthed_home_tl_throws") if i.status == 401
    ]
    assert bad_token.status_code == 401 and bad_token.json() == recorded_401.json()
    empty = requests.post(url, data={"status": ""}, headers=AUTH, timeout=5)
    (recorded_422,) = [i for i in cassettes.mastodon("test_status_empty") if i.status == 422]
    assert empty.status_code == 422 and set(empty.json()) == set(recorded_422.json()) == {"error"}
    assert empty.json()["error"] == "Validation failed: Text can't be blank"
    assert render.parse_error(422, empty.json()).message.startswith("Validation failed")
    missing = requests.get(f"{mastodon_fake.url}/api/v1/statuses/0", headers=AUTH, timeout=5)
    (recorded_404,) = [i for i in cassettes.mastodon("test_status_missing") if i.status == 404]
    assert missing.status_code == 404 and missing.json() == recorded_404.json()


def test_length_counts_urls_as_23(mastodon_fake: MastodonFake) -> None:
    url = f"{mastodon_fake.url}/api/v1/statuses"
    exactly = "a" * 476 + " https://example.com/" + "x" * 200  # 476 + 1 + 23 = 500
    assert requests.post(url, data={"status": exactly}, headers=AUTH, timeout=5).status_code == 200
    over = requests.post(url, data={"status": "b" * 501}, headers=AUTH, timeout=5)
    assert over.status_code == 422
    assert over.json() == {"error": "Validation failed: Text character limit of 500 exceeded"}


def test_image_upload_is_ready_at_once(mastodon_fake: MastodonFake) -> None:
    answer = requests.post(
        f"{mastodon_fake.url}/api/v2/media",
        data=render.media_form("A cat on a keyboard", (0.0, 0.5)),
        files={"file": ("cat.png", b"\x89PNG\r\n\x1a\n", "image/png")},
        headers=AUTH,
        timeout=5,
    )
    assert answer.status_code == 200
    media = render.parse_media(answer.json())
    recorded = render.parse_media(cassettes.mastodon("test_media_post_file")[0].json())
    assert media.ready and recorded.ready
    assert answer.json()["description"] == "A cat on a keyboard"
    post = requests.post(
        f"{mastodon_fake.url}/api/v1/statuses",
        data=render.StatusRequest("look", media_ids=(media.id,)).form(),
        headers=AUTH,
        timeout=5,
    ).json()
    assert post["media_attachments"][0]["id"] == media.id


def test_video_upload_is_processed_asynchronously(mastodon_fake: MastodonFake) -> None:
    mastodon_fake.media_polls = 2
    started = requests.post(
        f"{mastodon_fake.url}/api/v2/media",
        files={"file": ("clip.mp4", b"\0\0\0 ftypisom", "video/mp4")},
        headers=AUTH,
        timeout=5,
    )
    assert started.status_code == 202 and started.json()["url"] is None
    media_id = started.json()["id"]
    too_early = requests.post(
        f"{mastodon_fake.url}/api/v1/statuses",
        data=render.StatusRequest("clip", media_ids=(media_id,)).form(),
        headers=AUTH,
        timeout=5,
    )
    assert too_early.status_code == 422
    assert render.parse_error(422, too_early.json()).media_not_ready
    polls = [
        requests.get(f"{mastodon_fake.url}/api/v1/media/{media_id}", headers=AUTH, timeout=5)
        for _ in range(3)
    ]
    assert [p.status_code for p in polls] == [206, 206, 200]
    assert render.parse_media(polls[-1].json()).ready


def test_rate_limit_429_has_no_retry_after(mastodon_fake: MastodonFake) -> None:
    mastodon_fake.remaining = 2
    url = f"{mastodon_fake.url}/api/v1/statuses"
    answers = [
        requests.post(url, data={"status": f"n{i}"}, headers=AUTH, timeout=5) for i in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    limited = answers[-1]
    assert limited.json() == {"error": "Too many requests"}
    assert "Retry-After" not in limited.headers
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    reset = reset_time(limited.headers, mastodon_fake.now)
    remaining = int(limited.headers["X-RateLimit-Remaining"])
    assert remaining == 0 and reset is not None and reset > mastodon_fake.now


def test_instance_configuration(mastodon_fake: MastodonFake) -> None:
    config = requests.get(f"{mastodon_fake.url}/api/v2/instance", timeout=5).json()["configuration"]
    recorded = cassettes.mastodon("test_entity_instancev2")[0].json()["configuration"]
    assert config["statuses"].keys() <= recorded["statuses"].keys()
    assert config["statuses"]["characters_reserved_per_url"] == 23
