"""LinkedIn Posts API: "little" text, the ``POST /rest/posts`` body, images and errors.

Facts from ``shared/platforms.md`` §4. The ``commentary`` field is in LinkedIn's "little"
text format, where ``\\ | { } @ [ ] ( ) < > # * _ ~`` are reserved: an unescaped one makes
LinkedIn **silently cut the post** at that character while still answering 201, so every
piece of user text goes through :func:`little_text`: reserved characters escaped, except the
``#`` of a hashtag, which stays a hashtag LinkedIn links (a ``#tag`` HashtagElement, or the
``{hashtag|\\#|tag}`` template when the tag holds a reserved ``_``; issue 11).
Success is 201 with an empty body and the new post's URN in the ``x-restli-id`` header. A
repeated post is refused with 422
``DUPLICATE_POST`` naming the existing URN, which :func:`parse_error` extracts so a retry can
be recorded as already published.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import quote

MAX_LENGTH = 3000
RESERVED = "\\|{}@[]()<>#*_~"
_RESERVED = re.compile("([" + re.escape(RESERVED) + "])")
_URN = re.compile(r"urn:li:(?:share|ugcPost|activity):\d+")

Visibility = Literal["PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"]


def escape_little(text: str) -> str:
    """Backslash-escape every reserved character so LinkedIn shows *text* verbatim."""
    return _RESERVED.sub(r"\\\1", text)


def little_text(text: str) -> str:
    """*text* in little format as the author meant it: hashtags (found by twitter-text's
    grammar, :func:`soulpost.text.find_hashtags`) stay hashtags, everything else reserved is
    escaped so LinkedIn shows it verbatim."""
    from soulpost.text import find_hashtags

    out: list[str] = []
    done = 0
    for start, end, tag in find_hashtags(text):
        out.append(escape_little(text[done:start]))
        plain = text[start] == "#" and not _RESERVED.search(tag)
        out.append(f"#{tag}" if plain else hashtag(tag))
        done = end
    out.append(escape_little(text[done:]))
    return "".join(out)


def hashtag(tag: str) -> str:
    """A clickable hashtag in little format: ``{hashtag|\\#|tag}``."""
    return "{hashtag|\\#|" + escape_little(tag.lstrip("#")) + "}"


def mention(name: str, urn: str) -> str:
    """A mention in little format: ``@[Name](urn:li:person:...)``."""
    return f"@[{escape_little(name)}]({urn})"


def newer_version(configured: str, today: date) -> str:
    """The ``LinkedIn-Version`` to suggest after a 426 for *configured*: last month's
    (LinkedIn publishes one a month and keeps each about a year), and never one older than
    or equal to *configured*, which LinkedIn has just refused."""
    year, month = int(configured[:4]), int(configured[4:6])
    after = (year + month // 12, month % 12 + 1)
    last = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    pick = max(after, last) if after <= (today.year, today.month) else last
    return f"{pick[0]:04d}{pick[1]:02d}"


def headers(version: str) -> dict[str, str]:
    """Headers every versioned REST call needs (add ``Authorization: Bearer`` yourself).

    *version* is ``YYYYMM``; LinkedIn retires versions after about a year (426
    ``NONEXISTENT_VERSION``), so it comes from configuration.
    """
    if not re.fullmatch(r"\d{6}(\.\d{2})?", version):
        raise ValueError(f"LinkedIn-Version {version!r}: expected YYYYMM such as 202601")
    return {
        "LinkedIn-Version": version,
        "X-Restli-Protocol-Version": "2.0.0",
        "Content-Type": "application/json",
    }


@dataclass(frozen=True)
class ImageRef:
    """An uploaded image (``urn:li:image:...``) with its alt text."""

    urn: str
    alt: str = ""


def post_body(
    author: str,
    text: str,
    *,
    images: Sequence[ImageRef] = (),
    visibility: Visibility = "PUBLIC",
    escape: bool = True,
) -> dict[str, Any]:
    """The JSON body of ``POST /rest/posts``.

    *text* is plain text and is escaped (pass ``escape=False`` only for text already in
    little format, e.g. built with :func:`hashtag`/:func:`mention` around escaped pieces).
    """
    if not author.startswith(("urn:li:person:", "urn:li:organization:")):
        raise ValueError(
            f"author {author!r}: expected urn:li:person:<id> or urn:li:organization:<id>"
        )
    commentary = little_text(text) if escape else text
    if len(commentary) > MAX_LENGTH:
        raise ValueError(
            f"commentary is {len(commentary)} characters; LinkedIn allows {MAX_LENGTH}"
        )
    body: dict[str, Any] = {
        "author": author,
        "commentary": commentary,
        "visibility": visibility,
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    if len(images) == 1:
        body["content"] = {"media": {"id": images[0].urn, "altText": images[0].alt}}
    elif images:
        body["content"] = {
            "multiImage": {"images": [{"id": i.urn, "altText": i.alt} for i in images]}
        }
    return body


#: A link card's thumbnail is uploaded like any image; keep it small.
MAX_THUMBNAIL_BYTES = 5_000_000


def comment_body(actor: str, post_urn: str, text: str) -> dict[str, Any]:
    """A follow-up as a comment (LinkedIn has no threads): ``POST /rest/socialActions/
    {quote(post_urn)}/comments``."""
    return {"actor": actor, "object": post_urn, "message": {"text": little_text(text)}}


def comments_path(post_urn: str) -> str:
    """The URL path for comments on *post_urn* (the URN is URL-encoded)."""
    return f"/rest/socialActions/{quote(post_urn, safe='')}/comments"


def initialize_upload_body(owner: str) -> dict[str, Any]:
    """The body of ``POST /rest/images?action=initializeUpload``."""
    return {"initializeUploadRequest": {"owner": owner}}


@dataclass(frozen=True)
class Upload:
    """Where to ``PUT`` the image bytes, and the image URN to post afterwards."""

    upload_url: str
    image: str


def parse_initialize_upload(body: Mapping[str, Any]) -> Upload:
    """Read ``{"value": {"uploadUrl", "image", ...}}``."""
    value = body.get("value")
    if not isinstance(value, Mapping) or not value.get("uploadUrl") or not value.get("image"):
        raise ValueError(f"not an initializeUpload reply: {dict(body)!r:.200}")
    return Upload(str(value["uploadUrl"]), str(value["image"]))


def parse_created(headers: Mapping[str, str]) -> str:
    """The new post's URN from ``x-restli-id`` (*headers* must be case-insensitive)."""
    urn = headers.get("x-restli-id") or headers.get("X-LinkedIn-Id")
    if not urn:
        raise ValueError("LinkedIn answered without an x-restli-id header")
    return urn


def post_url(urn: str) -> str:
    """The web URL of a post."""
    return f"https://www.linkedin.com/feed/update/{urn}"


@dataclass(frozen=True)
class LinkedInError:
    """A Rest.li error reply."""

    status: int
    code: str
    message: str
    duplicate_of: str | None = None

    @property
    def duplicate(self) -> bool:
        """422 DUPLICATE_POST: the same post exists (``duplicate_of``, when named)."""
        return self.code == "DUPLICATE_POST"

    @property
    def version_retired(self) -> bool:
        """426 NONEXISTENT_VERSION: configure a newer ``LinkedIn-Version``."""
        return self.code == "NONEXISTENT_VERSION" or self.status == 426


def parse_error(status: int, body: Mapping[str, Any] | None) -> LinkedInError:
    """Read ``{status, code, message, serviceErrorCode}`` or the ``errorDetails`` shape."""
    body = body or {}
    message = str(body.get("message") or f"HTTP {status}")
    code = str(body.get("code") or "")
    details = body.get("errorDetails")
    if isinstance(details, Mapping):
        for item in details.get("inputErrors") or ():
            if isinstance(item, Mapping) and item.get("code"):
                code = code or str(item["code"])
                if item.get("description") and item["description"] not in message:
                    message = f"{message} ({item['description']})"
    duplicate_of = None
    if code == "DUPLICATE_POST":
        found = _URN.search(message)
        duplicate_of = found.group(0) if found else None
    return LinkedInError(int(body.get("status") or status), code, message, duplicate_of)
