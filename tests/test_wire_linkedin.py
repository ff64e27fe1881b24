"""LinkedIn wire format: little-format escaping, the Posts API body, uploads and errors."""

from __future__ import annotations

import re

import pytest
from requests.structures import CaseInsensitiveDict

from soulpost.publish.http import outcome_for
from soulpost.publish.wire import linkedin as li

AUTHOR = "urn:li:person:8675309"


@pytest.mark.parametrize("char", list("\\|{}@[]()<>#*_~"))
def test_every_reserved_character_is_escaped(char: str) -> None:
    assert li.escape_little(f"a{char}b") == f"a\\{char}b"


def test_escaping_a_realistic_post() -> None:
    text = "Q&A (live) @ 5pm: #hiring *now* ~ {remote} <3 [link] a_b | C:\\temp"
    escaped = li.escape_little(text)
    assert escaped == (
        "Q&A \\(live\\) \\@ 5pm: \\#hiring \\*now\\* \\~ \\{remote\\} \\<3 \\[link\\] a\\_b \\| "
        "C:\\\\temp"
    )
    # No reserved character is left unescaped: unescape and compare.
    assert re.sub(r"\\(.)", r"\1", escaped) == text
    assert li.escape_little("plain text, nothing to do.") == "plain text, nothing to do."


def test_templates() -> None:
    assert li.hashtag("#soul_post") == "{hashtag|\\#|soul\\_post}"
    assert li.mention("Ada (CTO)", "urn:li:person:1") == "@[Ada \\(CTO\\)](urn:li:person:1)"


def test_post_body() -> None:
    body = li.post_body(AUTHOR, "Hello (world)")
    assert body == {
        "author": AUTHOR,
        "commentary": "Hello \\(world\\)",
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }


def test_post_body_with_images() -> None:
    one = li.post_body(AUTHOR, "x", images=[li.ImageRef("urn:li:image:C1", "A chart")])
    assert one["content"] == {"media": {"id": "urn:li:image:C1", "altText": "A chart"}}
    two = li.post_body(
        "urn:li:organization:5",
        "x",
        images=[li.ImageRef("urn:li:image:1"), li.ImageRef("urn:li:image:2", "b")],
    )
    assert two["content"] == {
        "multiImage": {
            "images": [
                {"id": "urn:li:image:1", "altText": ""},
                {"id": "urn:li:image:2", "altText": "b"},
            ]
        }
    }


def test_post_body_checks() -> None:
    with pytest.raises(ValueError, match="author"):
        li.post_body("8675309", "x")
    with pytest.raises(ValueError, match="3000"):
        li.post_body(AUTHOR, "(" * 1501)  # 3002 characters once escaped
    assert li.post_body(AUTHOR, "{hashtag|\\#|a}", escape=False)["commentary"] == "{hashtag|\\#|a}"


def test_headers_and_versions() -> None:
    assert li.headers("202601") == {
        "LinkedIn-Version": "202601",
        "X-Restli-Protocol-Version": "2.0.0",
        "Content-Type": "application/json",
    }
    with pytest.raises(ValueError, match="YYYYMM"):
        li.headers("2026-01")


def test_upload_and_created() -> None:
    assert li.initialize_upload_body(AUTHOR) == {"initializeUploadRequest": {"owner": AUTHOR}}
    upload = li.parse_initialize_upload(
        {
            "value": {
                "uploadUrlExpiresAt": 1650567510704,
                "uploadUrl": "https://www.linkedin.com/dms-uploads/C4E10AQ/uploaded-image/0",
                "image": "urn:li:image:C4E10AQFoyyAjHPMQuQ",
            }
        }
    )
    assert upload.image == "urn:li:image:C4E10AQFoyyAjHPMQuQ"
    with pytest.raises(ValueError):
        li.parse_initialize_upload({"value": {}})
    urn = li.parse_created(CaseInsensitiveDict({"X-RestLi-Id": "urn:li:share:7295588489876647936"}))
    assert (
        li.post_url(urn) == "https://www.linkedin.com/feed/update/urn:li:share:7295588489876647936"
    )
    with pytest.raises(ValueError, match="x-restli-id"):
        li.parse_created(CaseInsensitiveDict())


def test_comment_for_follow_ups() -> None:
    urn = "urn:li:share:1"
    assert li.comments_path(urn) == "/rest/socialActions/urn%3Ali%3Ashare%3A1/comments"
    assert li.comment_body(AUTHOR, urn, "more (2/2)") == {
        "actor": AUTHOR,
        "object": urn,
        "message": {"text": "more \\(2/2\\)"},
    }


def test_duplicate_post_names_the_existing_urn() -> None:
    body = {
        "errorDetailType": "com.linkedin.common.error.BadRequest",
        "message": "ERROR :: /commentary :: Content is a duplicate of urn:li:share:7295588489876647936",
        "errorDetails": {
            "inputErrors": [
                {"description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"}
            ]
        },
        "status": 422,
    }
    error = li.parse_error(422, body)
    assert error.duplicate
    assert error.duplicate_of == "urn:li:share:7295588489876647936"
    assert "Duplicate post is detected" in error.message


def test_other_errors() -> None:
    retired = li.parse_error(
        426,
        {
            "status": 426,
            "code": "NONEXISTENT_VERSION",
            "message": "Requested version 20241101 is not active",
        },
    )
    assert retired.version_retired and not retired.duplicate
    expired = li.parse_error(401, {"status": 401, "code": "EXPIRED_ACCESS_TOKEN", "message": "x"})
    assert outcome_for(expired.status) == "auth"
    assert outcome_for(li.parse_error(429, None).status) == "rate-limited"
    assert (
        li.parse_error(
            422, {"errorDetails": {"inputErrors": [{"code": "DUPLICATE_POST"}]}}
        ).duplicate_of
        is None
    )
