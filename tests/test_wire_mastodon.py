"""Mastodon wire format against the recorded Mastodon.py requests and responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

import pytest
from requests.structures import CaseInsensitiveDict

from soulpost.publish.http import outcome_for, reset_time
from soulpost.publish.wire import mastodon as m
from tests.fakes import cassettes


def _posts() -> list[cassettes.Interaction]:
    return [
        i
        for i in cassettes.every_mastodon()
        if i.method == "POST" and i.uri.endswith("/api/v1/statuses")
    ]


@pytest.mark.parametrize(
    ("request_", "recorded"),
    [
        (m.StatusRequest("Toot!"), "status=Toot%21"),
        (
            m.StatusRequest("Reply!", in_reply_to_id="117020574386452629"),
            "status=Reply%21&in_reply_to_id=117020574386452629",
        ),
        (
            m.StatusRequest("Toot!", visibility="direct", spoiler_text="Content warning"),
            "status=Toot%21&visibility=direct&spoiler_text=Content+warning",
        ),
        (
            m.StatusRequest(
                "LOL check this out", media_ids=("117020576646493592", "117020576661238952")
            ),
            "status=LOL+check+this+out&media_ids%5B%5D=117020576646493592"
            "&media_ids%5B%5D=117020576661238952",
        ),
    ],
)
def test_form_body_is_what_mastodon_py_sent(request_: m.StatusRequest, recorded: str) -> None:
    assert recorded in {i.request_body.decode() for i in _posts()}
    assert urlencode(request_.form()) == recorded


def test_json_body() -> None:
    body = m.StatusRequest(
        "Hallo",
        in_reply_to_id="1",
        media_ids=("2", "3"),
        visibility="unlisted",
        language="de",
        spoiler_text="cw",
        sensitive=True,
    ).json()
    assert body == {
        "status": "Hallo",
        "in_reply_to_id": "1",
        "media_ids": ["2", "3"],
        "visibility": "unlisted",
        "language": "de",
        "spoiler_text": "cw",
        "sensitive": True,
    }
    assert ("sensitive", "true") in m.StatusRequest("x", sensitive=True).form()


def test_request_is_checked() -> None:
    with pytest.raises(ValueError, match="text or media"):
        m.StatusRequest("  ")
    assert m.StatusRequest("", media_ids=("1",)).json() == {"status": "", "media_ids": ["1"]}
    with pytest.raises(ValueError, match="visibility"):
        m.StatusRequest("x", visibility="friends")  # type: ignore[arg-type]


def test_parse_every_recorded_status() -> None:
    count = 0
    for interaction in _posts():
        if interaction.status != 200 or b'"scheduled_at"' in interaction.body[:200]:
            continue
        raw = interaction.json()
        if "params" in raw:  # a ScheduledStatus, not a Status
            continue
        status = m.parse_status(raw)
        assert status.id == raw["id"] and isinstance(status.id, str)
        assert status.url is not None and status.url.endswith(status.id)
        count += 1
    assert count >= 10


def test_status_id_is_never_an_integer() -> None:
    body = json.loads('{"id": "117020585924712638", "url": null, "uri": "x"}')
    assert m.parse_status(body) == m.Status("117020585924712638", None, "x")
    assert m.parse_status({"id": 5}).id == "5"
    with pytest.raises(ValueError):
        m.parse_status({"error": "nope"})


def test_recorded_errors() -> None:
    (empty,) = [i for i in cassettes.mastodon("test_status_empty") if i.status == 422]
    assert m.parse_error(422, empty.json()).message.startswith("バリデーション")
    unauthorized = [
        i for i in cassettes.mastodon("test_unauthed_home_tl_throws") if i.status == 401
    ]
    error = m.parse_error(401, unauthorized[0].json())
    assert error.message == "The access token is invalid" and outcome_for(error.status) == "auth"
    missing = [i for i in cassettes.mastodon("test_status_missing") if i.status == 404]
    assert m.parse_error(404, missing[0].json()).message == "Not Found"
    oauth = m.parse_error(401, {"error": "invalid_grant", "error_description": "expired"})
    assert oauth.message == "invalid_grant: expired"
    assert outcome_for(m.parse_error(429, {"error": "Too many requests"}).status) == "rate-limited"
    assert m.parse_error(
        422, {"error": "Cannot attach files that have not finished processing. Try again!"}
    ).media_not_ready
    assert m.parse_error(500, None).message == "HTTP 500"


def test_rate_limit_headers_from_every_recording() -> None:
    for interaction in cassettes.every_mastodon():
        headers = CaseInsensitiveDict(interaction.headers)
        if "x-ratelimit-reset" not in interaction.headers:
            continue
        reset = reset_time(headers, datetime(2000, 1, 1, tzinfo=UTC))
        assert reset is not None and reset.tzinfo is not None
        assert headers["x-ratelimit-limit"].isdigit() and headers["x-ratelimit-remaining"].isdigit()


def test_parse_reset() -> None:
    def parse_reset(value: str, now: datetime) -> datetime | None:
        return reset_time({"X-RateLimit-Reset": value}, now)

    august, november = datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)
    assert parse_reset("2026-08-01T15:00:00.627625Z", august) == datetime(
        2026, 8, 1, 15, 0, 0, 627625, tzinfo=UTC
    )
    assert parse_reset("1796083200", november) == datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_reset("soon", november) is None


def test_media() -> None:
    (upload,) = cassettes.mastodon("test_media_post_file")[:1]
    media = m.parse_media(upload.json())
    assert media.ready and media.id == "117020576894251992"
    assert not m.parse_media({"id": "1", "url": None}).ready
    assert m.media_form("A cat", (0.5, -0.25)) == {"description": "A cat", "focus": "0.5,-0.25"}
    with pytest.raises(ValueError):
        m.media_form(focus=(2, 0))
    recorded = cassettes.mastodon("test_media_post_multiple")[0].request_body
    assert b'name="description"\r\n\r\nJohn Lennon doing a funny walk' in recorded


def test_thread_reply() -> None:
    assert dict(parse_qsl(urlencode(m.StatusRequest("two", in_reply_to_id="10").form()))) == {
        "status": "two",
        "in_reply_to_id": "10",
    }
