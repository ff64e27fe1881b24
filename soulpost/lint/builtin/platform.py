"""Hard limits of each network: length as that network counts it, images, alt text, threads.

The limits are plain data from :mod:`soulpost.platforms`; counting comes from
:mod:`soulpost.text`. A variant and each part of a thread are checked on their own, for
each platform that receives them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from soulpost.lint.rule import Hit, PostRule

if TYPE_CHECKING:
    from soulpost.lint.draft import Draft
    from soulpost.mediafacts import VideoFacts
    from soulpost.platforms import Capabilities, VideoLimits
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


class MissingAltText(PostRule):
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


class AltTextTooLong(PostRule):
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


class TooManyImages(PostRule):
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


def _fetched_by_url(draft: Draft, platform: str) -> Capabilities | None:
    """The limits of *platform* when its own adapter delivers it and fetches media by URL."""
    caps = draft.caps(platform)
    if caps is None or not caps.media_by_url:
        return None
    return caps if draft.settings.adapter_for(platform) == caps.name else None


class MediaNeedsUrl(PostRule):
    code = "SP611"
    name = "media-needs-public-url"
    severity = "error"
    lesson = "platform"
    summary = "A platform that fetches images from a public URL has no media_base_url."
    why = (
        "Threads and Instagram do not accept uploaded files: they download each image from a "
        "public web address at publish time. Without options.media_base_url soulpost cannot "
        "say where the workspace's files are served from, so the post would fail when due."
    )
    bad = (
        'text = "Our workshop, in one picture."\nplatforms = ["threads"]\n\n'
        '[[media]]\npath = "media/workshop.png"\nalt = "Six people around a table."\n',
    )
    good = ('text = "Our workshop notes are up: what would you add?"\nplatforms = ["threads"]\n',)
    message = "{title} fetches images from a public URL; options.media_base_url is not set"

    def check(self, draft: Draft) -> Iterator[Hit]:
        if not draft.has_media:
            return
        for loc, media, platforms in _media_groups(draft.post):
            for platform in platforms if media else ():
                caps = _fetched_by_url(draft, platform)
                conf = draft.settings.platforms.get(platform)
                if caps is None or (conf is not None and conf.options.get("media_base_url")):
                    continue
                yield Hit(
                    self.say(title=caps.title),
                    (*loc, 0, "path"),
                    platform=platform,
                    hint=f'set media_base_url = "https://..." in [platforms.{platform}] options, '
                    "where the workspace's files are served",
                )


class MediaRequired(PostRule):
    code = "SP612"
    name = "media-required"
    severity = "error"
    lesson = "platform"
    summary = "A post without an image is aimed at a platform that only takes images."
    why = "Instagram has no text-only posts: a post without an image is refused when due."
    bad = ('text = "Notes from our workshop."\nplatforms = ["instagram"]\n',)
    good = (
        'text = "Notes from our workshop."\nplatforms = ["instagram"]\n\n'
        '[[media]]\npath = "media/workshop.jpg"\nalt = "Six people around a table."\n',
    )
    message = "{title} posts need at least one image"

    def check(self, draft: Draft) -> Iterator[Hit]:
        post = draft.post
        for platform in post.platforms:
            caps = draft.caps(platform)
            if caps is not None and caps.needs_media and not post.media_for(platform):
                yield Hit(
                    self.say(title=caps.title),
                    ("platforms",),
                    platform=platform,
                    hint=f"add [[media]], or give [variants.{platform}] its own media",
                )


class ImageTypeRefused(PostRule):
    code = "SP613"
    name = "image-type-refused"
    severity = "error"
    lesson = "platform"
    summary = "An image's file type is one a target platform does not accept."
    why = "Instagram takes JPEG images only, Threads JPEG and PNG; other types are refused."
    bad = (
        'text = "Our workshop, in one picture."\nplatforms = ["instagram"]\n\n'
        '[[media]]\npath = "media/workshop.png"\nalt = "Six people around a table."\n',
    )
    good = (
        'text = "Our workshop, in one picture."\nplatforms = ["instagram"]\n\n'
        '[[media]]\npath = "media/workshop.jpg"\nalt = "Six people around a table."\n',
    )
    message = "{path!r} is {kind}; {title} takes {accepted}"

    def check(self, draft: Draft) -> Iterator[Hit]:
        if not draft.has_media:
            return
        import mimetypes

        from soulpost.mediafacts import is_video

        for loc, media, platforms in _media_groups(draft.post):
            for i, item in enumerate(media):
                if is_video(item.path):
                    continue  # SP616 judges videos
                kind = mimetypes.guess_type(item.path)[0] or "of an unknown type"
                for platform in platforms:
                    caps = draft.caps(platform)
                    if caps is None or not caps.image_types or kind in caps.image_types:
                        continue
                    accepted = " or ".join(t.split("/")[1].upper() for t in caps.image_types)
                    yield Hit(
                        self.say(path=item.path, kind=kind, title=caps.title, accepted=accepted),
                        (*loc, i, "path"),
                        platform=platform,
                        hint=f"convert it to {accepted}, or give [variants.{platform}] "
                        "its own media",
                    )


class FirstCommentUnsupported(PostRule):
    code = "SP614"
    name = "first-comment-unsupported"
    severity = "warning"
    lesson = "platform"
    summary = "A first comment is aimed at a platform where soulpost cannot post one."
    why = (
        "soulpost posts a first comment under the post on LinkedIn, Facebook and Instagram. "
        "Elsewhere it is not sent at all, so a link or a credit kept there would be missing."
    )
    bad = (
        'text = "What forty interviews taught us."\nplatforms = ["mastodon"]\n'
        'first_comment = "The notes: https://example.org/notes"\n',
    )
    good = (
        'text = "What forty interviews taught us."\nplatforms = ["linkedin"]\n'
        'first_comment = "The notes: https://example.org/notes"\n',
    )
    message = "{title} gets no first comment: it is not sent there"

    def check(self, draft: Draft) -> Iterator[Hit]:
        for segment in draft.segments:
            if not segment.comment:
                continue
            for platform in segment.platforms:
                caps = draft.caps(platform)
                if caps is not None and not caps.comments:
                    yield Hit(
                        self.say(title=caps.title),
                        segment.loc,
                        platform=platform,
                        hint=f'add it to the text, or set [variants.{platform}] first_comment = ""',
                    )


class FirstCommentTooLong(PostRule):
    code = "SP615"
    name = "first-comment-too-long"
    severity = "error"
    lesson = "platform"
    summary = "A first comment is longer than the platform allows for comments."
    why = (
        "Comments have their own limit, lower than a post's on LinkedIn (1,250 characters). "
        "A comment over it is refused after the post is already out."
    )
    bad = (
        'text = "What forty interviews taught us."\nplatforms = ["linkedin"]\n'
        f'first_comment = "{"Notes from our interviews. " * 50}"\n',
    )
    good = (
        'text = "What forty interviews taught us."\nplatforms = ["linkedin"]\n'
        'first_comment = "The notes: https://example.org/notes"\n',
    )
    message = "the first comment has {count} characters; {title} allows {limit} in a comment"

    def check(self, draft: Draft) -> Iterator[Hit]:
        for segment in draft.segments:
            if not segment.comment:
                continue
            count = len(segment.text.strip())
            for platform in segment.platforms:
                caps = draft.caps(platform)
                limit = caps.comment_max_length if caps is not None else None
                if caps is not None and limit is not None and count > limit:
                    yield Hit(
                        self.say(count=count, title=caps.title, limit=limit),
                        segment.loc,
                        platform=platform,
                        hint="shorten it; a link is often all a first comment needs",
                    )


class VideoRefused(PostRule):
    code = "SP616"
    name = "video-refused"
    severity = "error"
    lesson = "platform"
    summary = "A video that a target platform would refuse: no video there, too long, too big."
    why = (
        "Each network takes one video per post, alone, within its own limits of size, length "
        "and format (X 140 seconds, Bluesky 3 minutes and 100 MB, Instagram reels 3 to 900 "
        "seconds...). A video outside them is refused when the post is due. The length is "
        "read from the file (pymediainfo or ffprobe); without either only the size and type "
        "are checked, and an info finding says what to install."
    )
    bad = (
        'text = "Our workshop in one minute."\nplatforms = ["pinterest"]\n\n'
        '[[media]]\npath = "media/workshop.mp4"\nalt = "People sorting sticky notes."\n',
    )
    good = (
        'text = "Our workshop in one minute."\nplatforms = ["mastodon"]\n\n'
        '[[media]]\npath = "media/workshop.mp4"\nalt = "People sorting sticky notes."\n',
    )
    message = "{path!r}: {problem}"

    def check(self, draft: Draft) -> Iterator[Hit]:
        if not draft.has_media:
            return
        from soulpost.mediafacts import is_video

        for loc, media, platforms in _media_groups(draft.post):
            videos = [i for i, m in enumerate(media) if is_video(m.path)]
            for i in videos:
                for platform, problem in _video_problems(draft, media, i, platforms):
                    unchecked = problem.startswith("length not checked")
                    yield Hit(
                        self.say(path=media[i].path, problem=problem),
                        (*loc, i, "path"),
                        platform=None if unchecked else platform,
                        hint=None
                        if unchecked
                        else f"give [variants.{platform}] its own media, or fix the video",
                        severity="info" if unchecked else None,
                    )


def _video_problems(
    draft: Draft, media: list[Media], index: int, platforms: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    """``(platform, problem)`` for the video ``media[index]`` on each platform."""
    from pathlib import Path

    from soulpost.filesafe import media_location
    from soulpost.mediafacts import FactsUnavailable, video_facts, video_type

    item = media[index]
    facts = None
    unread = ""
    for platform in platforms:
        caps = draft.caps(platform)
        if caps is None:
            continue
        limits = caps.video
        if limits is None:
            yield platform, f"{caps.title} takes no video from soulpost"
            continue
        if len(media) > 1:
            yield platform, f"{caps.title} takes one video per post, with nothing beside it"
            continue
        if video_type(item.path) not in limits.types:
            kinds = ", ".join(t.split("/")[1].upper() for t in limits.types)
            yield platform, f"{caps.title} takes {kinds} video"
            continue
        if facts is None and not unread:
            try:
                root = draft.settings.root or Path.cwd()
                facts = video_facts(media_location(root, item.path))
            except FactsUnavailable as exc:
                unread = str(exc)
                if limits.max_seconds is not None:  # said once, for the first platform
                    yield platform, f"length not checked: {exc}"
            except (OSError, ValueError):
                unread = "unreadable"
        yield from _against(platform, caps.title, limits, facts, unread)


def _against(
    platform: str, title: str, limits: VideoLimits, facts: VideoFacts | None, unread: str
) -> Iterator[tuple[str, str]]:
    if facts is None:
        return  # unreadable (the adapter says so when due) or no parser here (SP617)
    if facts.size > limits.max_bytes:
        yield platform, f"{facts.size} bytes; {title} takes at most {limits.max_bytes}"
    seconds = facts.seconds
    if seconds is not None and limits.max_seconds is not None and seconds > limits.max_seconds:
        yield platform, f"{seconds:g} seconds long; {title} takes at most {limits.max_seconds:g}"
    if seconds is not None and limits.min_seconds is not None and seconds < limits.min_seconds:
        yield platform, f"{seconds:g} seconds long; {title} needs at least {limits.min_seconds:g}"


RULES: tuple[type[PostRule], ...] = (
    TooLong,
    MissingAltText,
    AltTextTooLong,
    TooManyImages,
    ThreadUnsupported,
    UnknownPlatform,
    MediaNeedsUrl,
    MediaRequired,
    ImageTypeRefused,
    FirstCommentUnsupported,
    FirstCommentTooLong,
    VideoRefused,
)
