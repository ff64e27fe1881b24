"""Link cards fetched from pages on 127.0.0.1, friendly and hostile: Open Graph and <title>
parsing, redirects followed by hand and checked each time, loopback refused unless allowed,
and huge, slow, non-HTML and file-redirecting pages bounded or refused, never hanging."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from soulpost.publish import cards
from tests.pages import PICTURE, Pages

OPEN = cards.Fence(allow_private=True, timeout=2.0, max_bytes=200_000)


@pytest.fixture
def pages() -> Iterator[Pages]:
    with Pages() as served:
        yield served


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


def test_open_graph_card_and_its_picture(pages: Pages, session: requests.Session) -> None:
    card = cards.fetch(session, pages.url("/article"), OPEN)
    assert card.title == "Forty onboarding interviews, in one chart"
    assert card.description.startswith("What new customers do in their first week, and what")
    assert card.image_url == pages.url("/card.png")  # made absolute
    data, kind = cards.fetch_image(session, card.image_url, OPEN, 1_000_000)
    assert (data, kind) == (PICTURE, "image/png")
    with pytest.raises(cards.CardUnavailable, match="over 10 bytes"):
        cards.fetch_image(session, card.image_url, OPEN, 10)


def test_title_fallback_and_redirects(pages: Pages, session: requests.Session) -> None:
    assert cards.fetch(session, pages.url("/titled"), OPEN).title == "Just a title"
    card = cards.fetch(session, pages.url("/redirect/3"), OPEN)
    assert card.title.startswith("Forty") and card.url == pages.url("/redirect/3")
    with pytest.raises(cards.CardUnavailable, match="more than 5 redirects"):
        cards.fetch(session, pages.url("/redirect/9"), OPEN)


def test_a_redirect_to_a_file_is_refused(pages: Pages, session: requests.Session) -> None:
    with pytest.raises(cards.CardUnavailable, match="refused a file: URL"):
        cards.fetch(session, pages.url("/to-file"), OPEN)
    with pytest.raises(cards.CardUnavailable, match="refused a ftp: URL"):
        cards.fetch(session, "ftp://example.org/x", OPEN)


def test_loopback_and_private_addresses_are_refused_by_default(
    pages: Pages, session: requests.Session
) -> None:
    fence = cards.Fence(timeout=2.0)
    with pytest.raises(cards.CardUnavailable, match=r"127\.0\.0\.1 is not a public address"):
        cards.fetch(session, pages.url("/article"), fence)
    assert pages.hits["/article"] == 0  # refused before a single byte was asked for
    for address in (
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "::1",
        "::ffff:127.0.0.1",
        "fd00::1",
    ):
        with pytest.raises(cards.CardUnavailable, match="not a public address"):
            cards.check_url("http://inside.example/", fence, lambda h, p, a=address: [a])
    cards.check_url("http://outside.example/", fence, lambda h, p: ["93.184.215.14"])
    # A public name that redirects inside is refused at the redirect.
    resolve = {"outside.example": ["93.184.215.14"]}
    with pytest.raises(cards.CardUnavailable, match="not a public address"):
        cards.check_url(pages.url("/x"), fence, lambda h, p: resolve.get(h, ["127.0.0.1"]))


def test_a_huge_page_is_read_only_as_far_as_the_bound(
    pages: Pages, session: requests.Session
) -> None:
    started = time.monotonic()
    card = cards.fetch(session, pages.url("/huge"), OPEN)
    assert card.title.startswith("Forty")  # the <head> came first
    assert time.monotonic() - started < 2.0


def test_a_slow_page_is_cut_off_at_the_timeout(pages: Pages, session: requests.Session) -> None:
    fence = cards.Fence(allow_private=True, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(cards.CardUnavailable, match=r"longer than 1 s|within 1 s|broke off"):
        cards.fetch(session, pages.url("/slow"), fence)
    assert time.monotonic() - started < 2.5


def test_not_html_and_missing_pages(pages: Pages, session: requests.Session) -> None:
    with pytest.raises(cards.CardUnavailable, match="application/json, not text/html"):
        cards.fetch(session, pages.url("/json"), OPEN)
    with pytest.raises(cards.CardUnavailable, match="HTTP 404"):
        cards.fetch(session, pages.url("/nothing"), OPEN)
