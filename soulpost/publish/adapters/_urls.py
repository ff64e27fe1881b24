"""Reading a platform's post id out of the URL a person sees (``soulpost resolve``).

A person who settles a publication in doubt gives the URL they found; the ledger needs the
platform's id, because a thread's next part replies to it (Mastodon's ``in_reply_to_id``,
X's ``in_reply_to_tweet_id``, Bluesky's parent AT-URI). Each function here takes the URL and
returns the id only when the URL's shape determines it, else None (then ``resolve`` asks for
``--remote-id``): a guess would misthread a post, a refusal costs the person one flag.

Pure string work, no network: the shapes are those in ``shared/platforms.md`` and what the
adapters themselves return as receipt URLs.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

_DIGITS = re.compile(r"[0-9]{1,30}")
_ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")  # GoToSocial's status ids
_HANDLE = re.compile(
    r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE
)
_DID = re.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]*[A-Za-z0-9._-]")
_RKEY = re.compile(r"[A-Za-z0-9._:~-]{1,512}")
_POST_COLLECTION = "app.bsky.feed.post"
_AT_URI = re.compile(rf"at://([^/]+)/{re.escape(_POST_COLLECTION)}/([^/?#]+)")
_LINKEDIN_URN = re.compile(r"urn:li:(share|ugcPost):[0-9]{1,30}")


def _split(url: str) -> tuple[str, list[str], dict[str, list[str]]] | None:
    """(host, decoded path segments, query) of an http(s) URL; None for anything else."""
    try:
        split = urlsplit(url.strip())
        host = split.hostname
    except ValueError:
        return None
    if split.scheme.lower() not in ("http", "https") or not host:
        return None
    segments = [unquote(s) for s in split.path.split("/") if s]
    return host.lower(), segments, parse_qs(split.query)


def _local_account(segment: str) -> bool:
    """``@user`` as an instance shows its own account; ``@user@other.host`` is how an
    instance shows someone else's post, whose id there is not the id on ours."""
    return segment.startswith("@") and len(segment) > 1 and "@" not in segment[1:]


def mastodon(url: str) -> str | None:
    """``https://host/@user/ID``, ``/@user/statuses/ID`` (GoToSocial), ``/users/user/statuses/ID``
    (the status's ``uri``), ``/statuses/ID`` and the ``/web/...`` forms of these."""
    found = _split(url)
    if found is None:
        return None
    segments = found[1]
    if segments[:1] == ["web"]:
        segments = segments[1:]
    status_id: str | None = None
    if len(segments) == 2 and _local_account(segments[0]):
        status_id = segments[1] if _DIGITS.fullmatch(segments[1]) else None
    elif len(segments) == 3 and _local_account(segments[0]) and segments[1] == "statuses":
        status_id = segments[2]
    elif len(segments) == 4 and segments[0] == "users" and segments[2] == "statuses":
        status_id = segments[3]
    elif len(segments) == 2 and segments[0] == "statuses":
        status_id = segments[1]
    if status_id is None or not (_DIGITS.fullmatch(status_id) or _ULID.fullmatch(status_id)):
        return None
    return status_id


_X_HOSTS = {
    f"{prefix}{domain}" for prefix in ("", "www.", "mobile.") for domain in ("x.com", "twitter.com")
}


def x(url: str) -> str | None:
    """``https://x.com/USER/status/ID`` (and twitter.com, www., mobile., ``/i/web/status/ID``,
    trailing ``/photo/1`` and query strings)."""
    found = _split(url)
    if found is None or found[0] not in _X_HOSTS:
        return None
    segments = found[1]
    if segments[:3] == ["i", "web", "status"]:
        segments = segments[2:]
    elif len(segments) >= 3 and segments[1] in ("status", "statuses"):
        segments = segments[1:]
    else:
        return None
    if len(segments) < 2 or not _DIGITS.fullmatch(segments[1]):
        return None
    return segments[1]


def _actor(text: str) -> str | None:
    if text.startswith("did:"):
        return text if _DID.fullmatch(text) else None
    return text.lower() if _HANDLE.fullmatch(text) else None


def bluesky(url: str) -> str | None:
    """``https://bsky.app/profile/HANDLE-OR-DID/post/RKEY`` (any web client using that path)
    -> ``at://HANDLE-OR-DID/app.bsky.feed.post/RKEY``; an AT-URI of a post is taken as is.
    The adapter turns a handle into the account's DID before replying."""
    text = url.strip()
    at = _AT_URI.fullmatch(text)
    if at is not None:
        actor, rkey = _actor(at.group(1)), at.group(2)
    else:
        found = _split(text)
        if found is None:
            return None
        segments = found[1]
        if len(segments) != 4 or segments[0] != "profile" or segments[2] != "post":
            return None
        actor, rkey = _actor(segments[1]), segments[3]
    if actor is None or not _RKEY.fullmatch(rkey) or rkey in (".", ".."):
        return None
    return f"at://{actor}/{_POST_COLLECTION}/{rkey}"


def linkedin(url: str) -> str | None:
    """``https://www.linkedin.com/feed/update/URN`` with a share or ugcPost URN (the Posts
    API's ids). An ``urn:li:activity`` URL names the feed activity, not the post: None."""
    found = _split(url)
    if found is None or not (found[0] == "linkedin.com" or found[0].endswith(".linkedin.com")):
        return None
    segments = found[1]
    if "update" not in segments:
        return None
    after = segments[segments.index("update") + 1 :]
    if len(after) == 1 and _LINKEDIN_URN.fullmatch(after[0]):
        return after[0]
    return None


def facebook(url: str) -> str | None:
    """``https://www.facebook.com/PAGE_POST`` (the adapter's own form),
    ``/PAGEID/posts/POSTID`` and ``/permalink.php?story_fbid=POSTID&id=PAGEID`` -> the
    Graph id ``PAGEID_POSTID``. ``pfbid…`` links hide the id: None."""
    found = _split(url)
    if found is None or not (found[0] == "facebook.com" or found[0].endswith(".facebook.com")):
        return None
    _, segments, query = found
    pair: tuple[str, str] | None = None
    if len(segments) == 1 and segments[0] in ("permalink.php", "story.php"):
        pair = ((query.get("id") or [""])[0], (query.get("story_fbid") or [""])[0])
    elif len(segments) == 1 and segments[0].count("_") == 1:
        page, _, post = segments[0].partition("_")
        pair = (page, post)
    elif len(segments) == 3 and segments[1] == "posts":
        pair = (segments[0], segments[2])
    if pair is None or not all(_DIGITS.fullmatch(part) for part in pair):
        return None
    return f"{pair[0]}_{pair[1]}"


_PINTEREST_HOST = re.compile(r"([a-z]{2,3}\.|www\.)?pinterest\.[a-z]{2,3}(\.[a-z]{2})?")


def pinterest(url: str) -> str | None:
    """``https://www.pinterest.com/pin/ID/`` (and the country domains)."""
    found = _split(url)
    if found is None or not _PINTEREST_HOST.fullmatch(found[0]):
        return None
    segments = found[1]
    if len(segments) == 2 and segments[0] == "pin" and _DIGITS.fullmatch(segments[1]):
        return segments[1]
    return None


_DISCORD_HOSTS = {
    f"{prefix}{domain}"
    for prefix in ("", "ptb.", "canary.")
    for domain in ("discord.com", "discordapp.com")
}


def discord(url: str) -> str | None:
    """``https://discord.com/channels/GUILD/CHANNEL/MESSAGE`` -> the message id."""
    found = _split(url)
    if found is None or found[0] not in _DISCORD_HOSTS:
        return None
    segments = found[1]
    if len(segments) == 4 and segments[0] == "channels" and _DIGITS.fullmatch(segments[3]):
        return segments[3]
    return None


def outbox(url: str) -> str | None:
    """``outbox:ID``, the URL the outbox adapter gives each record."""
    text = url.strip()
    if not text.startswith("outbox:"):
        return None
    record_id = text.removeprefix("outbox:")
    return record_id if record_id and not record_id.isspace() else None
