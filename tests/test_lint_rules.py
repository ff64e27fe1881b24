"""Rule behaviour the examples alone do not pin down: counting, parts, positions, time."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

from soulpost.lint.engine import lint_posts
from soulpost.lint.examples import example_posts, example_settings
from soulpost.lint.model import Finding

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


def lint(*posts: str, select: list[str] | None = None) -> list[Finding]:
    settings = example_settings()
    found = []
    for body in posts:
        found += example_posts(textwrap.dedent(body), settings)
    return lint_posts(found, settings, now=NOW, select=select).findings


def named(findings: list[Finding], name: str) -> list[Finding]:
    return [f for f in findings if f.name == name]


def test_x_counts_weighted_characters_and_urls_as_23() -> None:
    cjk = "日本語" * 70  # 210 characters, weight 2 each: 420 on X
    over = named(lint(f'text = "{cjk}"\nplatforms = ["x", "mastodon"]\n'), "too-long")
    assert [(f.platform, f.severity) for f in over] == [("x", "error")]
    assert "420 weighted characters on X; the limit is 280" in over[0].message
    url = "https://example.com/" + "a" * 400
    fine = f'text = "Our long write-up on onboarding: {url}"\nplatforms = ["x", "mastodon"]\n'
    assert named(lint(fine), "too-long") == []


def test_bluesky_counts_graphemes_and_bytes() -> None:
    family = "👨‍👩‍👧" * 250  # 250 graphemes, 4500 bytes
    found = named(lint(f'text = "{family}"\nplatforms = ["bluesky"]\n'), "too-long")
    assert [f.message.split(";")[0] for f in found] == ["4500 bytes on Bluesky"]
    long = "a" * 301
    found = named(lint(f'text = "{long}"\nplatforms = ["bluesky"]\n'), "too-long")
    assert [f.message.split(";")[0] for f in found] == ["301 graphemes on Bluesky"]


def test_variants_and_thread_parts_are_checked_on_their_own() -> None:
    long = "word " * 70
    post = f"""
        text = "A short lead."
        platforms = ["x", "mastodon"]
        thread = ["fine", "{long}"]

        [variants.mastodon]
        text = "{long} LOUD WORDS"
    """
    found = lint(post)
    too_long = named(found, "too-long")
    assert {(f.platform, f.line) for f in too_long} == {("x", 4)}
    shouting = named(found, "shouting")
    assert [(f.line, f.column) for f in shouting] == [(7, 10 + len(long))]


def test_positions_in_multiline_text() -> None:
    post = '''
        text = """
        A calm first line.
        Then we say act now."""
    '''
    (hit,) = lint(post, select=["pressure"])
    assert (hit.line, hit.column) == (4, 13)


def test_images_alt_text_and_limits_per_platform() -> None:
    post = """
        text = "Two sketches from the workshop."
        platforms = ["mastodon", "pinterest"]

        [[media]]
        path = "a.png"
        alt = "A bridge."

        [[media]]
        path = "b.png"
    """
    found = lint(post)
    (alt,) = named(found, "missing-alt-text")
    assert alt.line == 10 and "'b.png'" in alt.message
    (many,) = named(found, "too-many-images")
    assert many.platform == "pinterest" and "2 images for Pinterest" in many.message


def test_thread_for_a_platform_without_threads_unless_its_variant_drops_it() -> None:
    post = """
        text = "Tips."
        platforms = ["linkedin", "mastodon"]
        thread = ["one", "two"]
    """
    (hit,) = named(lint(post), "thread-unsupported")
    assert hit.platform == "linkedin" and hit.severity == "error"
    dropped = post + "\n        [variants.linkedin]\n        thread = []\n"
    assert named(lint(dropped), "thread-unsupported") == []


def test_dst_gap_is_an_error_and_overlap_a_warning() -> None:
    gap = named(lint('text = "Spring."\nat = 2027-03-28T02:30:00\n'), "nonexistent-local-time")
    assert [(f.severity, f.line) for f in gap] == [("error", 2)]
    assert "2027-03-28T02:30:00 does not exist in Europe/Berlin" in gap[0].message
    overlap = named(lint('text = "Autumn."\nat = 2027-10-31T02:30:00\n'), "ambiguous-local-time")
    assert [f.severity for f in overlap] == ["warning"]
    assert "+0200" in overlap[0].message


def test_past_time_respects_max_lateness() -> None:
    assert named(lint('text = "Hi."\nat = 2027-01-15T11:00:00+00:00\n'), "past-time") == []
    late = named(lint('text = "Hi."\nat = 2027-01-15T09:00:00+00:00\n'), "past-time")
    assert len(late) == 1 and "3h ago" in late[0].message
    own = 'text = "Hi."\nat = 2027-01-15T09:00:00+00:00\nmax_lateness = "6h"\n'
    assert named(lint(own), "past-time") == []


def test_near_duplicates_need_a_shared_platform() -> None:
    a = 'id = "a"\ntext = "Our notes from the spring workshop are online now."\nplatforms = ["mastodon"]\n'
    b = 'id = "b"\ntext = "Our notes from the spring workshop are online now!!"\nplatforms = ["mastodon"]\n'
    c = 'id = "c"\ntext = "Our notes from the spring workshop are online now."\nplatforms = ["linkedin"]\n'
    found = named(lint(a, b, c), "duplicate-post")
    assert [(f.post_id, f.message) for f in found] == [
        ("b", "repeats the text of a (also for mastodon)")
    ]
    d = 'id = "d"\ntext = "Our notes from the spring workshop are now online."\n'
    assert [f.post_id for f in named(lint(a, d), "duplicate-post")] == ["d"]


def test_the_earlier_duplicate_is_earlier_in_time_whatever_the_offsets() -> None:
    """09:00 in UTC+1 comes before 09:30 UTC, though its ISO text sorts after it."""
    text = 'text = "Our notes from the spring workshop are online now."\nplatforms = ["x"]\n'
    berlin = f'id = "berlin"\n{text}at = 2027-03-01T10:00:00+01:00\n'
    london = f'id = "london"\n{text}at = 2027-03-01T09:30:00+00:00\n'
    for order in ((berlin, london), (london, berlin)):
        found = named(lint(*order), "duplicate-post")
        assert [(f.post_id, f.message) for f in found] == [
            ("london", "repeats the text of berlin (also for x)")
        ]


def test_flooding_counts_per_platform() -> None:
    posts = [
        f'id = "p{i}"\ntext = "Post {i}: {word}."\nat = 2027-02-01T09:{10 * i:02d}:00\nplatforms = ["{p}"]\n'
        for i, (word, p) in enumerate(
            [("apples", "mastodon"), ("pears", "bluesky"), ("plums", "mastodon")]
        )
    ]
    assert named(lint(*posts), "flooding") == []
    posts.append('id = "p9"\ntext = "Post nine: figs."\nat = 2027-02-01T09:50:00\n')
    (hit,) = named(lint(*posts), "flooding")
    assert hit.post_id == "p9" and "p0, p2" in hit.message


def test_promotional_classification_does_not_mistake_giving_for_selling() -> None:
    from soulpost.lint.draft import PRICE, PRICE_WITH, PROMOTIONAL

    for selling in ("20% off until Friday", "Sign up today", "coupon inside"):
        assert PROMOTIONAL.search(selling), selling
    for giving in ("free to download, no sign-up needed", "A free template", "sign-up is optional"):
        assert PROMOTIONAL.search(giving) is None
    # A price sells with a call or a link beside it, not in the news (issue 9).
    assert PRICE.search("Now £96 a year") and PRICE_WITH.search("Now £96 a year")
    news = "Energy price cap falls 7 points: the typical bill is £1,690, Ofgem says."
    assert PRICE.search(news) and not PRICE_WITH.search(news)
    # A percentage beside a price is a discount, unless it is a drink's strength.
    assert PRICE_WITH.search("Alle Kerzen 9 € statt 12 €, -25 %")
    for strength in ("Saison au poivre, 5,8 %. 5 € le demi.", "A 5% ABV pale, £4 a pint"):
        assert PRICE.search(strength) and not PRICE_WITH.search(strength), strength


def test_shouting_allows_acronyms_short_tokens_hashtags_and_handles() -> None:
    calm = "Export CSV in UTC via the API; see the FAQ, the README and NASA's HTTPS page. OK?"
    assert named(lint(calm), "shouting") == []
    assert named(lint("Thanks to @ACMECORP for hosting us. #TEAMWORK"), "shouting") == []
    assert named(lint("This is HUGE."), "shouting")


def test_urls_never_trigger_phrase_rules() -> None:
    post = "Our guide to calm launches: https://example.com/act-now-last-chance-hurry"
    assert lint(post) == []


def test_a_price_rise_and_a_price_at_any_shop_do_not_sell() -> None:
    """A new price said against a lower old one is a rise told to customers, and a price of
    something sold in any shop is advice; a lower new price, or our own price, still sells."""
    from soulpost.lint.draft import selling_price

    for told in (
        "Ab 1. Mai kostet die Zehnerkarte 48,00 € statt 45,00 € im Jahr.",
        "From June the pass is £9.50 instead of £8 a month.",
        "A tube of sealant is about £6 at any hardware store.",
        "Un tube de colle coûte environ 4 € dans n'importe quel supermarché, à acheter.",
    ):
        assert selling_price(told) is None, told
    for selling in (
        "Jetzt kostet die Zehnerkarte 39,00 € statt 45,00 € im Jahr.",
        "Our sealant is £6, cheaper than at any hardware store.",
    ):
        assert selling_price(selling) is not None, selling
