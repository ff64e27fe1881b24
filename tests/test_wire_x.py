"""X wire format: bodies, replies (recorded by tweepy), both error shapes, OAuth 1.0a."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from requests.structures import CaseInsensitiveDict

from soulpost.publish.http import reset_time
from soulpost.publish.wire import x
from tests.fakes import cassettes


def test_tweet_body_matches_the_recorded_request() -> None:
    create = cassettes.tweepy("test_client_create_and_delete_tweet")[0]
    assert json.loads(create.request_body) == x.tweet_body("Test Tweet")


def test_thread_and_media_body() -> None:
    assert x.tweet_body("two", reply_to="1456012973835788293", media_ids=["7", "8"]) == {
        "text": "two",
        "reply": {"in_reply_to_tweet_id": "1456012973835788293"},
        "media": {"media_ids": ["7", "8"]},
    }
    with pytest.raises(ValueError, match="5 media"):
        x.tweet_body("x", media_ids=["1"] * 5)
    with pytest.raises(ValueError, match="text or media"):
        x.tweet_body(" ")
    assert x.media_metadata_body("9", "A cat") == {
        "id": "9",
        "metadata": {"alt_text": {"text": "A cat"}},
    }
    with pytest.raises(ValueError, match="1001"):
        x.media_metadata_body("9", "a" * 1001)


def test_parse_the_recorded_201() -> None:
    create = cassettes.tweepy("test_client_create_and_delete_tweet")[0]
    assert create.status == 201
    tweet = x.parse_created(create.json())
    assert tweet == x.Tweet("1456012973835788293", "Test Tweet")
    assert tweet.web_url("TweepyDev") == "https://x.com/TweepyDev/status/1456012973835788293"
    recorded_at = datetime.fromtimestamp(1635976418 - 900, UTC)
    reset = reset_time(CaseInsensitiveDict(create.headers), recorded_at)
    assert reset == datetime.fromtimestamp(1635976418, UTC)
    with pytest.raises(ValueError):
        x.parse_created({"errors": []})


def test_media_id() -> None:
    assert x.parse_media_id({"data": {"id": "123", "media_key": "3_123"}}) == "123"
    upload = cassettes.tweepy("testmediauploadpng")[0]
    assert x.parse_media_id(upload.json()) == upload.json()["media_id_string"]


def test_duplicate_problem_object() -> None:
    body = {
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
    }
    error = x.parse_error(403, body)
    assert error.duplicate and not error.auth and not error.rate_limited
    assert "duplicate content" in error.message


def test_legacy_errors() -> None:
    limited = x.parse_error(429, {"errors": [{"code": 88, "message": "Rate limit exceeded"}]})
    assert limited.rate_limited and limited.codes == (88,)
    assert limited.message == "Rate limit exceeded"
    dup = x.parse_error(403, {"errors": [{"code": 187, "message": "Status is a duplicate."}]})
    assert dup.duplicate


def test_invalid_request_problem() -> None:
    body = {
        "errors": [
            {
                "message": "Your Tweet text is too long.",
                "parameters": {"text": ["x" * 300]},
            }
        ],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
    error = x.parse_error(400, body)
    assert not error.duplicate and not error.rate_limited and not error.auth
    assert "too long" in error.message
    assert x.parse_error(401, {"title": "Unauthorized", "status": 401}).auth
    usage = {
        "title": "Usage Cap Exceeded",
        "type": "https://api.twitter.com/2/problems/usage-capped",
    }
    assert x.parse_error(429, usage).rate_limited
    assert x.parse_error(503, None).message == "HTTP 503"


def test_rate_limit_reset_prefers_the_exhausted_daily_window() -> None:
    headers = CaseInsensitiveDict(
        {
            "x-rate-limit-reset": "1796083200",
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": "1796140800",
        }
    )
    now = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert reset_time(headers, now) == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    headers["x-user-limit-24hour-remaining"] = "12"
    assert reset_time(headers, now) == datetime(2026, 12, 1, tzinfo=UTC)
    assert reset_time({}, now) is None


# --- OAuth 1.0a -------------------------------------------------------------------------------

# The widely published example from X's "Creating a signature" documentation.
TWITTER: dict[str, str] = {
    "consumer_key": "xvz1evFS4wEEPTGEFPHBog",
    "consumer_secret": "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
    "token": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
    "token_secret": "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    "nonce": "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
}
TWITTER_BASE = (
    "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue"
    "%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2"
    "pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_"
    "token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3D"
    "Hello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"
)


def _header_params(header: str) -> dict[str, str]:
    from urllib.parse import unquote

    assert header.startswith("OAuth ")
    items = (part.split("=", 1) for part in header[6:].split(", "))
    return {k: unquote(v.strip('"')) for k, v in items}


def test_twitter_signature_example() -> None:
    url = "https://api.twitter.com/1.1/statuses/update.json?include_entities=true"
    status = [("status", "Hello Ladies + Gentlemen, a signed OAuth request!")]
    base = x.signature_base_string(
        "post",
        url,
        [
            *status,
            ("oauth_consumer_key", TWITTER["consumer_key"]),
            ("oauth_nonce", TWITTER["nonce"]),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1318622958"),
            ("oauth_token", TWITTER["token"]),
            ("oauth_version", "1.0"),
        ],
    )
    assert base == TWITTER_BASE
    # computed here, independently of the module, from the published base string and key
    key = f"{TWITTER['consumer_secret']}&{TWITTER['token_secret']}".encode()
    expected = base64.b64encode(hmac.new(key, TWITTER_BASE.encode(), hashlib.sha1).digest())
    assert expected.decode() == "hCtSmYh+iHYCEqBWrE7C7hYmtUk="  # the published signature
    header = x.oauth1_header("POST", url, params=status, timestamp=1318622958, **TWITTER)
    params = _header_params(header)
    assert params["oauth_signature"] == expected.decode()
    assert "status" not in params  # body parameters are signed, not sent in the header
    assert list(params) == sorted(params)


def test_rfc5849_photos_example() -> None:
    # OAuth 1.0 appendix A / RFC 5849-era example: GET with query parameters, HMAC-SHA1.
    header = x.oauth1_header(
        "GET",
        "http://photos.example.net/photos?file=vacation.jpg&size=original",
        consumer_key="dpf43f3p2l4k3l03",
        consumer_secret="kd94hf93k423kf44",
        token="nnch734d00sl2jdk",
        token_secret="pfkkdhi9sl3r4s00",
        nonce="kllo9940pd9333jh",
        timestamp=1191242096,
    )
    base = (
        "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3D"
        "dpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26"
        "oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26"
        "size%3Doriginal"
    )
    digest = hmac.new(b"kd94hf93k423kf44&pfkkdhi9sl3r4s00", base.encode(), hashlib.sha1).digest()
    assert base64.b64encode(digest).decode() == "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
    assert _header_params(header)["oauth_signature"] == "tR3+Ty81lMeYAr/Fid0kMTYa/WM="


def test_base_url_normalisation_and_encoding() -> None:
    base = x.signature_base_string("get", "HTTPS://API.X.com:443/2/tweets?a=%E2%9C%93&b=", [])
    assert base == "GET&https%3A%2F%2Fapi.x.com%2F2%2Ftweets&a%3D%25E2%259C%2593%26b%3D"
    assert x.signature_base_string("GET", "http://h:8080/p", []).startswith(
        "GET&http%3A%2F%2Fh%3A8080%2Fp"
    )
    assert x.percent_encode("a b+~*'") == "a%20b%2B~%2A%27"
