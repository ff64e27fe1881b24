"""Link cards through the real adapters. Bluesky against the XRPC fake (the card's page and
picture served on 127.0.0.1, retries that reuse the noted card without fetching again,
``card = false``, images first, hostile pages leaving a plain link) and against the real PDS,
where the record's ``app.bsky.embed.external`` is read back with its thumbnail blob; LinkedIn
against its fake, as an article card with an uploaded thumbnail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from soulpost.clock import ManualClock, SystemClock
from soulpost.posts import Post
from soulpost.publish.adapters.bluesky import BlueskyAdapter
from soulpost.publish.base import AdapterConfig, UnknownOutcome
from tests.fakes.bluesky import ENV, T0, BlueskyFake
from tests.fakes.images import png
from tests.pages import PICTURE, Pages

if TYPE_CHECKING:
    from tests.pds import Pds

pytest_plugins = ["tests.pds"]


@pytest.fixture
def pages() -> Iterator[Pages]:
    with Pages() as served:
        yield served


@pytest.fixture
def fake() -> Iterator[BlueskyFake]:
    with BlueskyFake() as server:
        yield server


def adapter(
    tmp_path: Path, base_url: str, env: dict[str, str], clock: Any, **options: Any
) -> BlueskyAdapter:
    return BlueskyAdapter(
        AdapterConfig(
            platform="bluesky",
            state_dir=tmp_path / ".soulpost",
            clock=clock,
            options={
                "base_url": base_url,
                "cards_allow_private": True,
                "read_timeout": 5,
                **options,
            },
            credentials={"handle": "SP_BSKY_HANDLE", "password": "SP_BSKY_PASSWORD"},
            environ=env,
            root=tmp_path,
        )
    )


def post(text: str, **fields: Any) -> Post:
    return Post.model_validate({"id": "p1", "platforms": ["bluesky"], "text": text, **fields})


def embed_of(fake: BlueskyFake) -> Any:
    (record,) = fake.records.values()
    return record["value"].get("embed")


def test_the_first_link_becomes_a_card_with_its_picture(
    tmp_path: Path, fake: BlueskyFake, pages: Pages
) -> None:
    ad = adapter(tmp_path, fake.url, ENV, ManualClock(T0))
    link = pages.url("/article")
    (part,) = ad.compose(post(f"Our findings: {link} and more")).parts
    assert part["card"] == {"url": link}  # compose names the link; nothing is fetched yet
    assert sum(pages.hits.values()) == 0
    ad.publish(part, "k0")
    embed = embed_of(fake)
    assert embed["$type"] == "app.bsky.embed.external"
    card = embed["external"]
    assert card["uri"] == link and card["title"] == "Forty onboarding interviews, in one chart"
    assert fake.blobs[card["thumb"]["ref"]["$link"]] == PICTURE
    assert card["thumb"]["mimeType"] == "image/png"


def test_a_retry_uses_the_noted_card_and_fetches_nothing(
    tmp_path: Path, fake: BlueskyFake, pages: Pages
) -> None:
    ad = adapter(tmp_path, fake.url, ENV, ManualClock(T0))
    (part,) = ad.compose(post(f"Read it: {pages.url('/article')}")).parts
    fake.drop(path="createRecord")  # the answer is lost before the record is made
    with pytest.raises(UnknownOutcome):
        ad.publish(part, "k0")
    hits = dict(pages.hits)
    again = adapter(tmp_path, fake.url, ENV, ManualClock(T0))  # a fresh process
    again.publish(part, "k0")
    assert dict(pages.hits) == hits == {"/article": 1, "/card.png": 1}
    assert embed_of(fake)["external"]["title"].startswith("Forty")


def test_no_card_when_the_post_says_so_or_has_images(
    tmp_path: Path, fake: BlueskyFake, pages: Pages
) -> None:
    ad = adapter(tmp_path, fake.url, ENV, ManualClock(T0))
    link = pages.url("/article")
    assert "card" not in ad.compose(post(f"See {link}", card=False)).parts[0]
    (tmp_path / "a.png").write_bytes(png())
    with_image = post(f"See {link}", media=[{"path": "a.png", "alt": "a chart"}])
    assert "card" not in ad.compose(with_image).parts[0]
    off = adapter(tmp_path, fake.url, ENV, ManualClock(T0), cards=False)
    assert "card" not in off.compose(post(f"See {link}")).parts[0]


@pytest.mark.parametrize("path", ["/to-file", "/json", "/slow", "/redirect/9"])
def test_a_hostile_page_leaves_a_plain_link(
    tmp_path: Path, fake: BlueskyFake, pages: Pages, path: str
) -> None:
    ad = adapter(tmp_path, fake.url, ENV, ManualClock(T0), cards_timeout=1)
    link = pages.url(path)
    ad.publish(ad.compose(post(f"Look: {link}")).parts[0], "k0")
    (record,) = fake.records.values()
    assert "embed" not in record["value"]
    assert record["value"]["facets"][0]["features"][0]["uri"] == link  # still a link


def test_loopback_pages_are_refused_unless_allowed(
    tmp_path: Path, fake: BlueskyFake, pages: Pages
) -> None:
    ad = adapter(tmp_path, fake.url, ENV, ManualClock(T0), cards_allow_private=False)
    ad.publish(ad.compose(post(f"Look: {pages.url('/article')}")).parts[0], "k0")
    assert embed_of(fake) is None and sum(pages.hits.values()) == 0


@pytest.mark.slow
def test_a_card_on_the_real_pds(tmp_path: Path, pds: Pds, pages: Pages) -> None:
    env = {"SP_BSKY_HANDLE": pds.handle, "SP_BSKY_PASSWORD": pds.password}
    ad = adapter(tmp_path, pds.url, env, SystemClock())
    receipt = ad.publish(
        ad.compose(post(f"Our findings: {pages.url('/article')}")).parts[0], "k-card"
    )
    repo, _, rkey = receipt.remote_id.removeprefix("at://").partition("/app.bsky.feed.post/")
    answer = requests.get(
        f"{pds.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": repo, "collection": "app.bsky.feed.post", "rkey": rkey},
        timeout=30,
    )
    answer.raise_for_status()
    embed = answer.json()["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.external"
    external = embed["external"]
    assert external["title"] == "Forty onboarding interviews, in one chart"
    blob = requests.get(
        f"{pds.url}/xrpc/com.atproto.sync.getBlob",
        params={"did": repo, "cid": external["thumb"]["ref"]["$link"]},
        timeout=30,
    )
    assert blob.status_code == 200 and blob.content == PICTURE


# --- LinkedIn: an article card, asked for explicitly ---------------------------------------


def test_linkedin_shows_the_link_as_an_article_card(tmp_path: Path, pages: Pages) -> None:
    from soulpost.publish.adapters.linkedin import LinkedInAdapter
    from tests.fakes.linkedin import LinkedInFake

    with LinkedInFake(token="li-token") as fake:
        config = AdapterConfig(
            platform="linkedin",
            state_dir=tmp_path / ".soulpost",
            clock=ManualClock(T0),
            options={"base_url": fake.url, "cards_allow_private": True},
            credentials={"token": "T"},
            environ={"T": "li-token"},
            root=tmp_path,
        )
        ad = LinkedInAdapter(config)
        link = "https://example.org/article"
        the_post = Post.model_validate(
            {"id": "p1", "platforms": ["linkedin"], "text": f"Our findings: {link}"}
        )
        (part,) = ad.compose(the_post).parts
        assert part["card"] == {"url": link}
        part = {**part, "card": {"url": pages.url("/article")}}  # the page, served here
        ad.publish(part, "k0")
        (made,) = fake.posts.values()
        article = made["content"]["article"]
        assert article["source"] == pages.url("/article")
        assert article["title"] == "Forty onboarding interviews, in one chart"
        assert fake.images[article["thumbnail"]]["data"] == PICTURE
        # Sent again (LinkedIn settles doubt by sending again): the noted card, no new fetch.
        hits = dict(pages.hits)
        ad.lookup("k0", part)
        assert dict(pages.hits) == hits
