"""Bluesky: rich-text facets, ``app.bsky.feed.post`` records, record keys and XRPC replies.

Bluesky's server does not find links, mentions or hashtags in a post: the client sends them
as *facets*, each a UTF-8 **byte** range (start inclusive, end exclusive) plus a feature. The
detection rules here follow the official client's behaviour as captured by the 97 vectors in
``shared/conformance/bluesky/rich-text-detection.json`` (tests read that file):

- links: ``http(s)://…`` or a bare ``name.tld`` with a known TLD (becomes ``https://``); one
  trailing ``. , ; : ! ?`` is left out, and a closing ``)`` when the link has no ``(``;
- mentions: ``@handle.tld`` after start, whitespace or ``(``; a mention needs its DID, which
  only the network can tell, so detection returns :class:`MentionCandidate` and the adapter
  resolves handles before calling :func:`facets`;
- hashtags: ``#tag`` / ``＃tag`` after start or whitespace, not all digits, trailing
  punctuation dropped, at most 64 graphemes and 640 bytes (the lexicon's limits);
- cashtags: ``$AAPL`` (a letter then up to four letters or digits), sent upper-cased as a tag.

Known, deliberate agreement with the official client: a bare domain counts only when its TLD
is written in lower case (``Example.COM`` stays plain text there too).

Known TLDs are soulpost's one IANA list (:mod:`soulpost._tlds`), letters and digits only: the
patterns here match only such labels, and the ``xn--`` forms are left out because the client's
list (npm ``tlds`` 1.261.0, in ``@atproto/api`` 0.21.0) has IDN TLDs only in Unicode, so it
does not take ``@name.xn--p1ai`` as a handle. The two lists still differ in five names: IANA
has ``merck`` and ``web`` (delegated since) and no longer ``goo``, ``juniper``,
``wolterskluwer`` (retired); so ``site.web`` is a link here and not in that client version,
``site.goo`` the reverse. No conformance vector uses them.

Everything here is pure: no clock, no randomness, no network.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import regex

from soulpost import text as text_units
from soulpost._tlds import TLDS

POST_COLLECTION = "app.bsky.feed.post"
MAX_GRAPHEMES = 300
MAX_BYTES = 3000
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 2_000_000
MAX_LANGS = 3
TAG_MAX_GRAPHEMES = 64
TAG_MAX_BYTES = 640

# JavaScript's \s, which the official client's patterns use; Python's \s differs slightly
# (it includes U+001C..U+001F and U+0085 but not U+FEFF).
_WS_CHARS = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
# (used inside [...] classes below; none of these characters is special there)
_NOT_IN_TAG = _WS_CHARS + "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_WORD = "A-Za-z0-9_"  # JavaScript's \b is ASCII-only

_MENTION = re.compile(
    rf"(?:^|(?<=[{_WS_CHARS}(]))@([a-zA-Z0-9.-]+)"
    rf"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))"
)
_LINK = re.compile(
    rf"(?:^|(?<=[{_WS_CHARS}(]))"
    rf"(?:(?P<url>https?://[^{_WS_CHARS}]+)|(?P<bare>(?P<domain>[a-z][a-z0-9]*(?:\.[a-z0-9]+)+)[^{_WS_CHARS}]*))",
    re.IGNORECASE | re.MULTILINE,
)
_TAG = regex.compile(
    rf"(?:^|(?<=[{_WS_CHARS}]))[#＃]"
    rf"(?P<tag>(?!\ufe0f)[^{_NOT_IN_TAG}]*[^0-9{_NOT_IN_TAG}\p{{P}}]+[^{_NOT_IN_TAG}]*)?",
    regex.VERSION0,
)
_CASHTAG = re.compile(
    rf"(?:^|(?<=[{_WS_CHARS}(]))\$([A-Za-z][A-Za-z0-9]{{0,4}})(?=$|[{_WS_CHARS}!\"'),.:;?\u2019])"
)
_TRAILING_PUNCT = regex.compile(r"\p{P}+$")
#: Names as the client matches them: ASCII letters and digits (no Unicode, no ``xn--``).
_TLDS = frozenset(name for name in TLDS if name.isascii() and name.isalnum())

LINK = "app.bsky.richtext.facet#link"
MENTION = "app.bsky.richtext.facet#mention"
TAG = "app.bsky.richtext.facet#tag"


# The lexicon's two units, shared with the linter: ``maxLength`` counts UTF-8 bytes (as do
# facet offsets), ``maxGraphemes`` counts extended grapheme clusters.
utf8_length = text_units.utf8_length
grapheme_length = text_units.graphemes


class _Offsets:
    """Turns code-point indices of one text into UTF-8 byte offsets."""

    def __init__(self, text: str) -> None:
        self._text = text

    def __call__(self, index: int) -> int:
        return utf8_length(self._text[:index])


@dataclass(frozen=True)
class MentionCandidate:
    """An ``@handle`` found in the text; it becomes a facet once the handle has a DID."""

    handle: str
    byte_start: int
    byte_end: int


@dataclass(frozen=True)
class Detected:
    """What :func:`detect` found: finished link/tag facets and mentions awaiting a DID."""

    facets: tuple[dict[str, Any], ...]
    mentions: tuple[MentionCandidate, ...]


def _facet(start: int, end: int, feature: dict[str, Any]) -> dict[str, Any]:
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}


def _valid_domain(name: str) -> bool:
    _, dot, tld = name.rpartition(".")
    return bool(dot) and tld in _TLDS


def _mentions(text: str, at: _Offsets) -> list[MentionCandidate]:
    found = []
    for match in _MENTION.finditer(text):
        handle = match.group(1)
        if not (_valid_domain(handle) or handle.endswith(".test")):
            continue
        found.append(MentionCandidate(handle, at(match.start()), at(match.end())))
    return found


def _links(text: str, at: _Offsets) -> list[dict[str, Any]]:
    found = []
    for match in _LINK.finditer(text):
        start, end = match.start(), match.end()
        uri = match.group(0)
        if match.group("url") is not None and not uri.startswith("http"):
            # The official client skips an upper-case scheme (and everything the match
            # swallowed), rather than linking it.
            continue
        if match.group("url") is None:
            if not _valid_domain(match.group("domain")):
                continue
            uri = "https://" + uri
        if uri[-1] in ".,;:!?":
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        found.append(_facet(at(start), at(end), {"$type": LINK, "uri": uri}))
    return found


def _tags(text: str, at: _Offsets) -> list[dict[str, Any]]:
    found = []
    for match in _TAG.finditer(text):
        tag = match.group("tag")
        if not tag:
            continue
        tag = _TRAILING_PUNCT.sub("", tag.strip(_WS_CHARS))
        if not tag or grapheme_length(tag) > TAG_MAX_GRAPHEMES or utf8_length(tag) > TAG_MAX_BYTES:
            continue
        start = match.start()
        found.append(_facet(at(start), at(start + 1 + len(tag)), {"$type": TAG, "tag": tag}))
    for match in _CASHTAG.finditer(text):
        tag = "$" + match.group(1).upper()
        found.append(_facet(at(match.start()), at(match.end()), {"$type": TAG, "tag": tag}))
    return found


def detect(text: str) -> Detected:
    """Find links, hashtags and cashtags (as facets) and mention candidates in *text*."""
    at = _Offsets(text)
    found = _links(text, at) + _tags(text, at)
    found.sort(key=lambda f: int(f["index"]["byteStart"]))
    return Detected(tuple(found), tuple(_mentions(text, at)))


def facets(text: str, dids: Mapping[str, str]) -> list[dict[str, Any]]:
    """All facets of *text*, sorted by position; *dids* maps handle -> DID.

    A mention whose handle is missing from *dids* (it did not resolve) stays plain text,
    as in the official client.
    """
    found = detect(text)
    result = list(found.facets)
    for mention in found.mentions:
        did = dids.get(mention.handle) or dids.get(mention.handle.lower())
        if did:
            result.append(
                _facet(mention.byte_start, mention.byte_end, {"$type": MENTION, "did": did})
            )
    result.sort(key=lambda f: int(f["index"]["byteStart"]))
    return result


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class StrongRef:
    """``com.atproto.repo.strongRef``: a record's AT-URI and content hash."""

    uri: str
    cid: str

    def as_dict(self) -> dict[str, str]:
        """The JSON form."""
        return {"uri": self.uri, "cid": self.cid}


@dataclass(frozen=True)
class Image:
    """An uploaded image for an ``app.bsky.embed.images`` embed.

    *blob* is the ``blob`` object exactly as ``uploadBlob`` returned it; *alt* is required by
    the lexicon (it may be empty, but soulpost's linter asks for one).
    """

    blob: Mapping[str, Any]
    alt: str
    width: int | None = None
    height: int | None = None


def datetime_z(moment: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and ``Z``, the form Bluesky's clients write."""
    if moment.tzinfo is None:
        raise ValueError("createdAt needs a timezone-aware datetime")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def post_record(
    text: str,
    *,
    created_at: datetime,
    facets: Sequence[Mapping[str, Any]] = (),
    langs: Sequence[str] = (),
    root: StrongRef | None = None,
    parent: StrongRef | None = None,
    images: Sequence[Image] = (),
    external: Mapping[str, Any] | None = None,
    video: Image | None = None,
) -> dict[str, Any]:
    """An ``app.bsky.feed.post`` record: what goes into ``createRecord``'s ``record``.

    For a thread, pass the first post as *root* and the previous one as *parent* (for the
    second part both are the first post). Raises ``ValueError`` for what the PDS would refuse.
    """
    record: dict[str, Any] = {
        "$type": POST_COLLECTION,
        "text": text,
        "createdAt": datetime_z(created_at),
    }
    if facets:
        record["facets"] = [dict(f) for f in facets]
    if langs:
        record["langs"] = list(langs)
    if (root is None) != (parent is None):
        raise ValueError("a reply needs both root and parent")
    if root is not None and parent is not None:
        record["reply"] = {"root": root.as_dict(), "parent": parent.as_dict()}
    if images:
        record["embed"] = {
            "$type": "app.bsky.embed.images",
            "images": [_image(image) for image in images],
        }
    elif video is not None:
        record["embed"] = video_embed(video)
    elif external is not None:
        record["embed"] = {"$type": "app.bsky.embed.external", "external": dict(external)}
    problems = check_record(record)
    if problems:
        raise ValueError("; ".join(problems))
    return record


#: ``app.bsky.embed.external``'s thumb blob limit (lexicon: maxSize 1000000).
MAX_THUMB_BYTES = 1_000_000


def external_embed(
    uri: str, title: str, description: str, thumb: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ``external`` object of an ``app.bsky.embed.external`` link card."""
    card: dict[str, Any] = {"uri": uri, "title": title, "description": description}
    if thumb is not None:
        card["thumb"] = dict(thumb)
    return card


def video_embed(video: Image) -> dict[str, Any]:
    """An ``app.bsky.embed.video`` embed: the uploaded video blob, its alt text and shape."""
    embed: dict[str, Any] = {"$type": "app.bsky.embed.video", "video": dict(video.blob)}
    if video.alt:
        embed["alt"] = video.alt
    if video.width and video.height:
        embed["aspectRatio"] = {"width": video.width, "height": video.height}
    return embed


def _image(image: Image) -> dict[str, Any]:
    entry: dict[str, Any] = {"image": dict(image.blob), "alt": image.alt}
    if image.width and image.height:
        entry["aspectRatio"] = {"width": image.width, "height": image.height}
    return entry


def check_record(record: Mapping[str, Any]) -> list[str]:
    """The limits the PDS enforces on a post record, as messages (empty when fine)."""
    problems = []
    text = str(record.get("text", ""))
    if grapheme_length(text) > MAX_GRAPHEMES:
        problems.append(
            f"text is {grapheme_length(text)} graphemes; Bluesky allows {MAX_GRAPHEMES}"
        )
    if utf8_length(text) > MAX_BYTES:
        problems.append(f"text is {utf8_length(text)} UTF-8 bytes; Bluesky allows {MAX_BYTES}")
    if len(record.get("langs", ())) > MAX_LANGS:
        problems.append(f"at most {MAX_LANGS} languages")
    images = (record.get("embed") or {}).get("images", ())
    if len(images) > MAX_IMAGES:
        problems.append(f"{len(images)} images; Bluesky allows {MAX_IMAGES}")
    for number, image in enumerate(images, 1):
        size = int((image.get("image") or {}).get("size", 0))
        if size > MAX_IMAGE_BYTES:
            problems.append(f"image {number} is {size} bytes; Bluesky allows {MAX_IMAGE_BYTES}")
    return problems


def create_record_body(
    repo: str, record: Mapping[str, Any], *, rkey: str | None = None
) -> dict[str, Any]:
    """The JSON body of ``com.atproto.repo.createRecord`` for a post."""
    body: dict[str, Any] = {"repo": repo, "collection": POST_COLLECTION, "record": dict(record)}
    if rkey is not None:
        body["rkey"] = rkey
    return body


# ---------------------------------------------------------------------------------------------
# Record keys (TIDs)

_B32 = "234567abcdefghijklmnopqrstuvwxyz"
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def tid(micros: int, clock_id: int) -> str:
    """A TID: 13 sortable base32 characters of ``micros << 10 | clock_id`` (top bit zero)."""
    if not 0 <= micros < 1 << 53:
        raise ValueError("micros must be a non-negative count of microseconds since 1970")
    value = (micros << 10) | (clock_id & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_B32[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def tid_at(moment: datetime, clock_id: int) -> str:
    """The TID for an aware *moment* and a clock id (0-1023)."""
    if moment.tzinfo is None:
        raise ValueError("a TID needs a timezone-aware datetime")
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return tid(micros, clock_id)


def stable_tid(key: str, moment: datetime) -> str:
    """A TID that is the same every time for the same idempotency *key* and *moment*.

    Minting the record key before the first attempt makes a retry safe: the PDS refuses a
    second record with the same key instead of posting twice. The key's hash fills the
    sub-second microseconds and the clock id, so different posts due in the same second get
    different keys (about 2**30 values), while the TID still sorts by its second.
    """
    digest = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    second = moment.replace(microsecond=0)
    base = tid_at(second, 0)
    micros = _tid_micros(base) + digest % 1_000_000
    return tid(micros, (digest >> 20) & 0x3FF)


def _tid_micros(value: str) -> int:
    number = 0
    for char in value:
        number = number * 32 + _B32.index(char)
    return number >> 10


def is_tid(value: str) -> bool:
    """Whether *value* has TID syntax."""
    return bool(_TID.match(value))


# ---------------------------------------------------------------------------------------------
# Replies from the PDS


@dataclass(frozen=True)
class CreatedRecord:
    """What ``createRecord`` answered: where the record lives."""

    uri: str
    cid: str

    @property
    def rkey(self) -> str:
        """The record key (last segment of the AT-URI)."""
        return self.uri.rsplit("/", 1)[-1]

    @property
    def did(self) -> str:
        """The repository DID (authority of the AT-URI)."""
        return self.uri.removeprefix("at://").split("/", 1)[0]

    @property
    def ref(self) -> StrongRef:
        """A strongRef to this record, for replies."""
        return StrongRef(self.uri, self.cid)

    def web_url(self, handle: str | None = None) -> str:
        """``https://bsky.app/profile/<handle or did>/post/<rkey>``."""
        return f"https://bsky.app/profile/{handle or self.did}/post/{self.rkey}"


def parse_created(body: Mapping[str, Any]) -> CreatedRecord:
    """Read a ``createRecord`` / ``putRecord`` / ``getRecord`` reply."""
    uri, cid = body.get("uri"), body.get("cid")
    if not isinstance(uri, str) or not isinstance(cid, str):
        raise ValueError(f"not a record reference: {dict(body)!r}")
    return CreatedRecord(uri, cid)


def blob_from_upload(body: Mapping[str, Any]) -> dict[str, Any]:
    """The ``blob`` object of an ``uploadBlob`` reply, to embed as-is."""
    blob = body.get("blob")
    if not isinstance(blob, Mapping) or "ref" not in blob:
        raise ValueError(f"not an uploadBlob reply: {dict(body)!r}")
    return dict(blob)


@dataclass(frozen=True)
class XrpcError:
    """An XRPC error reply: ``{"error": name, "message": text}``."""

    status: int
    name: str
    message: str

    @property
    def expired_token(self) -> bool:
        """The access token expired: refresh the session and try again."""
        return self.name == "ExpiredToken"

    @property
    def auth(self) -> bool:
        """Credentials are wrong or missing (not merely expired)."""
        return self.status == 401 or self.name in {"InvalidToken", "AuthMissing"}

    @property
    def rate_limited(self) -> bool:
        """The PDS wants us to wait."""
        return self.status == 429 or self.name == "RateLimitExceeded"


def parse_error(status: int, body: Mapping[str, Any] | None) -> XrpcError:
    """Read an XRPC error body (tolerating a missing or odd body)."""
    body = body or {}
    return XrpcError(status, str(body.get("error") or "Unknown"), str(body.get("message") or ""))
