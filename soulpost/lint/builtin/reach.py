"""Limits of the second wave's reach: media a platform fetches by URL (Threads,
Instagram), image-only platforms and the image types they take, first comments, and video.

Like :mod:`.platform`, everything here reads the plain limits of :mod:`soulpost.platforms`;
a video's length is read from the file (:mod:`soulpost.mediafacts`) only when a post has one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from soulpost.lint.builtin.platform import _media_groups
from soulpost.lint.rule import Hit, MediaRule, PostRule

if TYPE_CHECKING:
    from soulpost.lint.draft import Draft
    from soulpost.mediafacts import VideoFacts
    from soulpost.platforms import Capabilities, VideoLimits
    from soulpost.posts import Media


def _fetched_by_url(draft: Draft, platform: str) -> Capabilities | None:
    """The limits of *platform* when its own adapter delivers it and fetches media by URL."""
    caps = draft.caps(platform)
    if caps is None or not caps.media_by_url:
        return None
    return caps if draft.settings.adapter_for(platform) == caps.name else None


class MediaNeedsUrl(MediaRule):
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


class ImageTypeRefused(MediaRule):
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


class VideoRefused(MediaRule):
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
    MediaNeedsUrl,
    MediaRequired,
    ImageTypeRefused,
    FirstCommentUnsupported,
    FirstCommentTooLong,
    VideoRefused,
)
