"""The site's cheaper helpers say what the plain versions said (sitefast3)."""

from __future__ import annotations

import random

from soulpost.config import Settings
from soulpost.posts import Post
from soulpost.review.model import first_line, post_media
from soulpost.workspace import post_context

# Every line break str.splitlines knows, other whitespace, and text.
PIECES = [
    "a", "b c", " ", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e",
    "\x1f", "\x85", "\u2028", "\u2029", "\u00a0", "\u3000", "\u200b", "é", "🙂",
]  # fmt: skip


def plain_first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def test_first_line_is_the_first_non_blank_line_whatever_the_line_breaks() -> None:
    rng = random.Random(10)
    for _ in range(5_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 10)))
        assert first_line(text) == plain_first_line(text), repr(text)


def _post(**data: object) -> Post:
    settings = Settings.model_validate({"timezone": "UTC"})
    body = {"id": "p", "text": "hello", "platforms": ["mastodon", "bluesky"], **data}
    return Post.model_validate(body, context=post_context(settings))


def test_post_media_names_own_and_variant_images_once() -> None:
    own = [{"path": "media/a.png", "alt": "A"}, {"path": "media/b.png", "alt": ""}]
    assert post_media(_post(media=own)) == [("media/a.png", "A"), ("media/b.png", "")]
    varied = _post(
        media=own,
        variants={"bluesky": {"media": [{"path": "media/c.png", "alt": "C"}, own[0]]}},
    )
    assert post_media(varied) == [("media/a.png", "A"), ("media/b.png", ""), ("media/c.png", "C")]
    assert post_media(_post()) == []
