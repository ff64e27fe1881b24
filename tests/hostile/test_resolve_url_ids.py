"""Issue 12 item 3: what each adapter reads as the platform's id from the URL a person gives
`soulpost resolve --published`. A wrong id would misthread the rest of a thread, so every
URL whose shape does not determine the id must give None (resolve then asks for
``--remote-id``). The adapter classes are asked directly: no instance, no credentials."""

from __future__ import annotations

import pytest

from soulpost.publish.base import Adapter
from soulpost.publish.registry import BUILTIN, load

DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
POST = "app.bsky.feed.post"

TABLE: list[tuple[str, str, str | None]] = [
    # Mastodon: the web URL, the ActivityPub uri, the web app's forms; ids of this instance only
    ("mastodon", "https://mastodon.social/@soulpost/113582939393939393", "113582939393939393"),
    ("mastodon", "https://m.example/@a/1099/", "1099"),
    ("mastodon", "https://m.example/users/soulpost/statuses/113582939", "113582939"),
    ("mastodon", "https://m.example/statuses/42", "42"),
    ("mastodon", "https://m.example/web/@a/42", "42"),
    ("mastodon", "https://m.example/web/statuses/42", "42"),
    ("mastodon", "http://127.0.0.1:8080/@soulpost/7", "7"),
    ("mastodon", "https://gts.example/@a/statuses/01HQ4DYWK6Y3F0RZ3QH6Z8Z9XK", "01HQ4DYWK6Y3F0RZ3QH6Z8Z9XK"),
    ("mastodon", "https://other.example/@a@m.example/42", None),  # another instance's id
    ("mastodon", "https://m.example/@a", None),
    ("mastodon", "https://m.example/@a/media", None),
    ("mastodon", "https://m.example/@a/with_replies", None),
    ("mastodon", "https://m.example/users/a/statuses/42/activity", None),
    ("mastodon", "https://m.example/notice/AbCdEf", None),
    ("mastodon", "ftp://m.example/@a/42", None),
    ("mastodon", "42", None),
    ("mastodon", "", None),
    ("mastodon", "https://[::1/@a/1", None),  # not even a URL
    # X
    ("x", "https://x.com/soulpost/status/1460323737035677698", "1460323737035677698"),
    ("x", "https://twitter.com/soulpost/status/1460323737035677698?s=20", "1460323737035677698"),
    ("x", "https://mobile.twitter.com/a/status/12/photo/1", "12"),
    ("x", "https://www.x.com/a/statuses/12", "12"),
    ("x", "https://x.com/i/web/status/12", "12"),
    ("x", "https://x.com/i/status/12", "12"),
    ("x", "https://x.com/soulpost", None),
    ("x", "https://x.com/a/status/", None),
    ("x", "https://x.com/a/status/12abc", None),
    ("x", "https://x.com/a/likes/12", None),
    ("x", "https://nitter.example/a/status/12", None),  # another host: not X's id space
    ("x", "https://x.com.evil.example/a/status/12", None),
    # Bluesky: the app's URL with a handle or a DID, or an AT-URI
    ("bluesky", "https://bsky.app/profile/alice.test/post/3l6oveex3ii2l", f"at://alice.test/{POST}/3l6oveex3ii2l"),
    ("bluesky", "https://bsky.app/profile/Alice.Example.COM/post/3l6oveex3ii2l", f"at://alice.example.com/{POST}/3l6oveex3ii2l"),
    ("bluesky", f"https://bsky.app/profile/{DID}/post/3l6oveex3ii2l", f"at://{DID}/{POST}/3l6oveex3ii2l"),
    ("bluesky", f"at://{DID}/{POST}/3l6oveex3ii2l", f"at://{DID}/{POST}/3l6oveex3ii2l"),
    ("bluesky", "https://bsky.app/profile/alice.test/post/3l6oveex3ii2l?ref=x", f"at://alice.test/{POST}/3l6oveex3ii2l"),
    ("bluesky", "https://bsky.app/profile/alice.test", None),
    ("bluesky", "https://bsky.app/profile/alice.test/post", None),
    ("bluesky", "https://bsky.app/profile/alice.test/lists/3l6oveex3ii2l", None),
    ("bluesky", "https://bsky.app/profile/alice/post/3l6oveex3ii2l", None),  # not a handle
    ("bluesky", "https://bsky.app/profile/alice.test/post/..", None),
    ("bluesky", f"at://{DID}/app.bsky.feed.like/3l6oveex3ii2l", None),
    ("bluesky", f"at://{DID}/{POST}/3l6o/extra", None),
    # LinkedIn: the Posts API's URNs only (an activity URN is not the post's id)
    ("linkedin", "https://www.linkedin.com/feed/update/urn:li:share:7123456789012345678/", "urn:li:share:7123456789012345678"),
    ("linkedin", "https://www.linkedin.com/feed/update/urn%3Ali%3AugcPost%3A71234/", "urn:li:ugcPost:71234"),
    ("linkedin", "https://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/", None),
    ("linkedin", "https://www.linkedin.com/posts/someone_title-activity-7123-abcd", None),
    ("linkedin", "https://linkedin.evil.example/feed/update/urn:li:share:1", None),
    # Facebook: the Graph id PAGE_POST
    ("facebook", "https://www.facebook.com/101234567890_987654321", "101234567890_987654321"),
    ("facebook", "https://www.facebook.com/101234567890/posts/987654321", "101234567890_987654321"),
    ("facebook", "https://m.facebook.com/permalink.php?story_fbid=987&id=101", "101_987"),
    ("facebook", "https://www.facebook.com/somepage/posts/pfbid02abcDEF", None),
    ("facebook", "https://www.facebook.com/somepage", None),
    ("facebook", "https://www.facebook.com/permalink.php?story_fbid=987", None),
    # Pinterest
    # Threads and Instagram links carry a shortcode, not the API's media id: resolve asks
    ("threads", "https://www.threads.net/@soulpost/post/C8x1yZaBcDe", None),
    ("threads", "https://www.threads.com/@soulpost/post/C8x1yZaBcDe", None),
    ("instagram", "https://www.instagram.com/p/C8x1yZaBcDe/", None),
    ("pinterest", "https://www.pinterest.com/pin/1234567890/", "1234567890"),
    ("pinterest", "https://de.pinterest.com/pin/99/", "99"),
    ("pinterest", "https://www.pinterest.co.uk/pin/99", "99"),
    ("pinterest", "https://pin.it/abc", None),
    ("pinterest", "https://www.pinterest.com/someone/board/", None),
    # Discord: the message link
    ("discord", "https://discord.com/channels/4242/555/777", "777"),
    ("discord", "https://canary.discordapp.com/channels/4242/555/777", "777"),
    ("discord", "https://discord.com/channels/4242/555", None),
    # Outbox: its own URL form
    ("outbox", "outbox:sp-launch-box-0123456789abcdef-p1", "sp-launch-box-0123456789abcdef-p1"),
    ("outbox", "outbox:", None),
    ("outbox", "https://x/1", None),
    # Where a URL says nothing about the id
    ("webhook", "https://hooks.example/p/2", None),
    ("slack", "https://example.slack.com/archives/C1/p1700000000000", None),
    ("console", "https://anything/1", None),
]  # fmt: skip


@pytest.mark.parametrize(("adapter", "url", "expected"), TABLE)
def test_remote_id_from_url(adapter: str, url: str, expected: str | None) -> None:
    assert load(adapter).remote_id_from_url(url) == expected


def test_every_builtin_adapter_says_what_its_id_looks_like_and_is_in_the_table() -> None:
    """A person refused for lack of an id is told what to look for, on every platform."""
    covered = {row[0] for row in TABLE}
    for name in BUILTIN:
        assert name in covered, name
        assert load(name).remote_id_form, name


def test_the_default_derives_nothing() -> None:
    """A plugin that says nothing about its URLs: resolve must ask for the id."""
    assert Adapter.remote_id_from_url("https://example.org/p/1") is None
    assert Adapter.remote_id_form == ""
