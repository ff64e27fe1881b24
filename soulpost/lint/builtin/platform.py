"""Hard limits of each network: length as that network counts it, images, alt text, threads.

The limits are plain data from :mod:`soulpost.platforms`; counting comes from
:mod:`soulpost.text`. A variant and each part of a thread are checked on their own, for
each platform that receives them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from soulpost.lint.rule import Hit, MediaRule, PostRule

if TYPE_CHECKING:
    from soulpost.lint.draft import Draft
    from soulpost.posts import Media, Post
    from soulpost.tomlpos import Loc

_LONG = "We rewrote onboarding around three findings from forty interviews. " * 5


def _media_groups(post: Post) -> Iterator[tuple[Loc, list[Media], tuple[str, ...]]]:
    """Every list of media in the post: (key path, media, platforms that receive it)."""
    plain = tuple(
        p for p in post.platforms if p not in post.variants or post.variants[p].media is None
    )
    plain_thread = tuple(
        p for p in post.platforms if p not in post.variants or post.variants[p].thread is None
    )
    if plain:
        yield ("media",), post.media, plain
    if plain_thread:
        for k, part in enumerate(post.thread):
            yield ("thread", k, "media"), part.media, plain_thread
    for name, variant in post.variants.items():
        if variant.media is not None:
            yield ("variants", name, "media"), variant.media, (name,)
        for k, part in enumerate(variant.thread or ()):
            yield ("variants", name, "thread", k, "media"), part.media, (name,)


class TooLong(PostRule):
    code = "SP601"
    name = "too-long"
    severity = "error"
    lesson = "platform"
    summary = "Text is longer than a target platform allows, counted the way it counts."
    why = (
        "Each network counts length its own way: X weighs characters (most Latin letters 1, "
        "CJK and emoji 2) and every link as 23; Mastodon counts graphemes with each link as "
        "23; Bluesky allows 300 graphemes and 3000 bytes; LinkedIn 3000 characters. A post "
        "over the limit is rejected or cut off. Variants and thread parts are checked on "
        "their own."
    )
    bad = (f'text = "{_LONG.strip()}"\nplatforms = ["x"]\n',)
    good = (
        f'text = "{_LONG.strip()}"\nplatforms = ["mastodon"]\n',
        f'text = "{_LONG.strip()}"\nplatforms = ["mastodon", "x"]\n\n'
        '[variants.x]\ntext = "What forty onboarding interviews taught us."\n',
    )
    message = "{count} {unit} on {title}; the limit is {limit} ({over} too many)"

    def check(self, draft: Draft) -> Iterator[Hit]:
        from soulpost.text import platform_length, surely_fits

        for segment in draft.segments:
            text = segment.text.strip()
            if len(text) <= 48 or segment.comment:
                continue  # even 9 short links (23 each) stay under the smallest limit
            for platform in segment.platforms:
                caps = draft.caps(platform)
                if caps is None or surely_fits(text, caps):
                    continue
                for unit, count, limit in platform_length(text, caps):
                    if count > limit:
                        yield Hit(
                            self.say(
                                count=count,
                                unit=unit,
                                title=caps.title,
                                limit=limit,
                                over=count - limit,
                            ),
                            segment.loc,
                            0,
                            segment.text,
                            platform=platform,
                            hint=f"shorten it, or add a [variants.{platform}] text or a thread",
                        )


class MissingAltText(MediaRule):
    code = "SP602"
    name = "missing-alt-text"
    severity = "warning"
    lesson = "platform"
    summary = "An image has no alt text."
    why = (
        "People who use screen readers, and everyone on a slow connection, rely on a short "
        "description of the image. Without one the image says nothing to them."
    )
    bad = (
        'text = "A photo from our workshop."\nplatforms = ["mastodon"]\n\n'
        '[[media]]\npath = "media/workshop.png"\n',
    )
    good = (
        'text = "A photo from our workshop."\nplatforms = ["mastodon"]\n\n'
        '[[media]]\npath = "media/workshop.png"\n'
        'alt = "Six people around a table covered in sticky notes."\n',
    )
    message = "image {path!r} has no alt text"

    def check(self, draft: Draft) -> Iterator[Hit]:
        if not draft.has_media:
            return
        for loc, media, platforms in _media_groups(draft.post):
            for i, item in enumerate(media):
                if not (item.alt or "").strip():
                    yield Hit(
                        self.say(path=item.path),
                        (*loc, i, "path"),
                        platform=platforms[0] if len(platforms) == 1 else None,
                        hint='add alt = "what the image shows and why it matters"',
                    )


class AltTextTooLong(MediaRule):
    code = "SP603"
    name = "alt-text-too-long"
    severity = "error"
    lesson = "platform"
    summary = "Alt text is longer than a target platform accepts."
    why = "A network that limits alt text rejects the image, or the post, when it is longer."
    bad = (
        'text = "A photo from our workshop."\nplatforms = ["pinterest"]\n\n'
        f'[[media]]\npath = "media/workshop.png"\nalt = "{"A table with sticky notes. " * 20}"\n',
    )
    good = (
        'text = "A photo from our workshop."\nplatforms = ["pinterest"]\n\n'
        '[[media]]\npath = "media/workshop.png"\nalt = "A table with sticky notes."\n',
    )
    message = "alt text of {path!r} is {count} characters; {title} accepts at most {limit}"

    def check(self, draft: Draft) -> Iterator[Hit]:
        if not draft.has_media:
            return
        for loc, media, platforms in _media_groups(draft.post):
            for i, item in enumerate(media):
                alt = item.alt or ""
                for platform in platforms:
                    caps = draft.caps(platform)
                    if caps is None or caps.alt_text_max is None:
                        continue
                    if len(alt) > caps.alt_text_max:
                        yield Hit(
                            self.say(
                                path=item.path,
                                count=len(alt),
                                title=caps.title,
                                limit=caps.alt_text_max,
                            ),
                            (*loc, i, "alt"),
                            platform=platform,
                        )


class TooManyImages(MediaRule):
    code = "SP604"
    name = "too-many-images"
    severity = "error"
    lesson = "platform"
    summary = "More images than a target platform allows in one post."
    why = "The network rejects the post, or silently drops the images over its limit."
    bad = (
        'text = "Our two favourite sketches."\nplatforms = ["pinterest"]\n\n'
        '[[media]]\npath = "a.png"\nalt = "A sketch of a bridge."\n\n'
        '[[media]]\npath = "b.png"\nalt = "A sketch of a tower."\n',
    )
    good = (
        'text = "Our two favourite sketches."\nplatforms = ["mastodon"]\n\n'
        '[[media]]\npath = "a.png"\nalt = "A sketch of a bridge."\n\n'
        '[[media]]\npath = "b.png"\nalt = "A sketch of a tower."\n',
    )
    message = "{count} images for {title}, which allows {limit} per post"

    def check(self, draft: Draft) -> Iterator[Hit]:
        if not draft.has_media:
            return
        for loc, media, platforms in _media_groups(draft.post):
            if not media:
                continue
            for platform in platforms:
                caps = draft.caps(platform)
                if caps is not None and len(media) > caps.max_images:
                    yield Hit(
                        self.say(count=len(media), title=caps.title, limit=caps.max_images),
                        (*loc, caps.max_images, "path"),
                        platform=platform,
                        hint=f"keep {caps.max_images}, or give {platform} its own variant media",
                    )


class ThreadUnsupported(PostRule):
    code = "SP605"
    name = "thread-unsupported"
    severity = "error"
    lesson = "platform"
    summary = "A thread is aimed at a platform that has no threads."
    why = (
        "Only some networks let soulpost post replies as a thread. Elsewhere the follow-up "
        "parts could not be published as a thread at all."
    )
    bad = (
        'text = "Three tips for better alt text."\nplatforms = ["linkedin"]\n'
        'thread = ["1. Say what matters.", "2. Keep it short."]\n',
    )
    good = (
        'text = "Three tips for better alt text."\nplatforms = ["mastodon"]\n'
        'thread = ["1. Say what matters.", "2. Keep it short."]\n',
        'text = "Three tips for better alt text."\nplatforms = ["mastodon", "linkedin"]\n'
        'thread = ["1. Say what matters.", "2. Keep it short."]\n\n'
        '[variants.linkedin]\ntext = "Two tips for alt text: say what matters; keep it short."\n'
        "thread = []\n",
    )
    message = "a thread of {count} parts is aimed at {title}, which has no threads"

    def check(self, draft: Draft) -> Iterator[Hit]:
        post = draft.post
        for platform in post.platforms:
            parts = post.thread_for(platform)
            caps = draft.caps(platform)
            if parts and caps is not None and not caps.threads:
                variant = post.variants.get(platform)
                own = variant is not None and variant.thread is not None
                loc: Loc = ("variants", platform, "thread") if own else ("thread",)
                yield Hit(
                    self.say(count=len(parts) + 1, title=caps.title),
                    loc,
                    platform=platform,
                    hint=f"give [variants.{platform}] its own text and thread = []",
                )


class UnknownPlatform(PostRule):
    code = "SP606"
    name = "unknown-platform"
    severity = "warning"
    lesson = "platform"
    summary = "A target platform has no known limits, so nothing about it can be checked."
    why = (
        "soulpost knows the limits of the networks it ships adapters for. A platform "
        "configured with an adapter it cannot match to a network gets no length, image or "
        "thread checks, so problems surface only when publishing."
    )
    bad = ('text = "Notes from our workshop."\nplatforms = ["blog"]\n',)
    good = ('text = "Notes from our workshop."\nplatforms = ["mastodon"]\n',)
    message = "no known limits for platform {platform!r} (adapter {adapter!r})"

    def check(self, draft: Draft) -> Iterator[Hit]:
        for platform in draft.post.platforms:
            if draft.caps(platform) is None:
                adapter = draft.settings.adapter_for(platform)
                yield Hit(
                    self.say(platform=platform, adapter=adapter),
                    ("platforms",),
                    platform=platform,
                    hint="name a known network, or ignore this rule for test-only platforms",
                )


RULES: tuple[type[PostRule], ...] = (
    TooLong,
    MissingAltText,
    AltTextTooLong,
    TooManyImages,
    ThreadUnsupported,
    UnknownPlatform,
)
