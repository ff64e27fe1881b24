"""The fake LinkedIn, driven with plain requests and the LinkedIn renderer."""

from __future__ import annotations

import requests

from soulpost.publish.http import outcome_for
from soulpost.publish.wire import linkedin as render
from tests.fakes.linkedin import LinkedInFake, shown_text

pytest_plugins = ["tests.fakes.fixtures"]  # the *_fake fixtures

AUTHOR = "urn:li:person:8675309"
TEXT = "Q&A (live) at 5pm with @ada: #hiring *now*"


def _headers(version: str = "202601") -> dict[str, str]:
    return {"Authorization": "Bearer test-token", **render.headers(version)}


def test_post_answers_201_with_the_urn_in_a_header(linkedin_fake: LinkedInFake) -> None:
    answer = requests.post(
        f"{linkedin_fake.url}/rest/posts",
        json=render.post_body(AUTHOR, TEXT),
        headers=_headers(),
        timeout=5,
    )
    assert answer.status_code == 201 and answer.content == b""
    urn = render.parse_created(answer.headers)
    assert urn.startswith("urn:li:share:")
    # escaped text is shown whole; the same text unescaped is silently cut at "("
    assert linkedin_fake.posts[urn]["shown"] == TEXT
    assert shown_text(TEXT) == "Q&A "
    (received,) = linkedin_fake.received("POST", "/rest/posts")
    assert received.headers["X-Restli-Protocol-Version"] == "2.0.0"


def test_duplicate_names_the_existing_post(linkedin_fake: LinkedInFake) -> None:
    url = f"{linkedin_fake.url}/rest/posts"
    first = requests.post(
        url, json=render.post_body(AUTHOR, "hello"), headers=_headers(), timeout=5
    )
    again = requests.post(
        url, json=render.post_body(AUTHOR, "hello"), headers=_headers(), timeout=5
    )
    assert again.status_code == 422
    error = render.parse_error(422, again.json())
    assert error.duplicate and error.duplicate_of == first.headers["x-restli-id"]


def test_retired_version_is_426(linkedin_fake: LinkedInFake) -> None:
    answer = requests.post(
        f"{linkedin_fake.url}/rest/posts",
        json=render.post_body(AUTHOR, "x"),
        headers=_headers("202401"),
        timeout=5,
    )
    assert answer.status_code == 426
    assert answer.json() == {
        "status": 426,
        "code": "NONEXISTENT_VERSION",
        "message": "Requested version 202401 is not active",
    }
    assert render.parse_error(426, answer.json()).version_retired


def test_image_upload_then_post_with_alt_text(linkedin_fake: LinkedInFake) -> None:
    init = requests.post(
        f"{linkedin_fake.url}/rest/images",
        params={"action": "initializeUpload"},
        json=render.initialize_upload_body(AUTHOR),
        headers=_headers(),
        timeout=5,
    )
    upload = render.parse_initialize_upload(init.json())
    too_soon = requests.post(
        f"{linkedin_fake.url}/rest/posts",
        json=render.post_body(AUTHOR, "chart", images=[render.ImageRef(upload.image, "A chart")]),
        headers=_headers(),
        timeout=5,
    )
    assert too_soon.status_code == 422
    put = requests.put(
        upload.upload_url,
        data=b"\x89PNG\r\n\x1a\n",
        headers={"Authorization": "Bearer test-token"},
        timeout=5,
    )
    assert put.status_code == 201
    post = requests.post(
        f"{linkedin_fake.url}/rest/posts",
        json=render.post_body(AUTHOR, "chart", images=[render.ImageRef(upload.image, "A chart")]),
        headers=_headers(),
        timeout=5,
    )
    urn = render.parse_created(post.headers)
    assert linkedin_fake.posts[urn]["content"]["media"] == {
        "id": upload.image,
        "altText": "A chart",
    }
    assert linkedin_fake.images[upload.image]["data"] == b"\x89PNG\r\n\x1a\n"


def test_follow_up_as_comment(linkedin_fake: LinkedInFake) -> None:
    post = requests.post(
        f"{linkedin_fake.url}/rest/posts",
        json=render.post_body(AUTHOR, "one"),
        headers=_headers(),
        timeout=5,
    )
    urn = render.parse_created(post.headers)
    comment = requests.post(
        linkedin_fake.url + render.comments_path(urn),
        json=render.comment_body(AUTHOR, urn, "two (more)"),
        headers=_headers(),
        timeout=5,
    )
    assert comment.status_code == 201
    assert linkedin_fake.comments[0]["object"] == urn


def test_auth_and_userinfo(linkedin_fake: LinkedInFake) -> None:
    bad = requests.post(
        f"{linkedin_fake.url}/rest/posts",
        json={},
        headers={**render.headers("202601"), "Authorization": "Bearer nope"},
        timeout=5,
    )
    assert (
        bad.status_code == 401 and outcome_for(render.parse_error(401, bad.json()).status) == "auth"
    )
    info = requests.get(
        f"{linkedin_fake.url}/v2/userinfo",
        headers={"Authorization": "Bearer test-token"},
        timeout=5,
    )
    assert info.json()["sub"] == "8675309"


def test_shown_text_renders_templates() -> None:
    commentary = "Hi " + render.mention("Ada", "urn:li:person:1") + " " + render.hashtag("soul")
    assert shown_text(commentary) == "Hi Ada #soul"
