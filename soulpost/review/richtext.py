"""A part's text as the network will render it: runs of plain text, links, mentions and
hashtags, for the site's preview cards.

Each network decides differently what becomes a link: Bluesky only what the post's facets
say (the adapter computes them, and they travel in the payload, so the card uses those very
facets); Mastodon only URLs with a scheme, shown without it and cut after 30 characters;
X any URL with a known top-level domain, cut the same way; LinkedIn and the others show
URLs in full. Hashtags and mentions are marked where the network turns them into links.
Line breaks stay in the text; the page shows them (``white-space: pre-wrap``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_TAG = re.compile(r"(?<![\w&#＃])[#＃](?=\w*[^\W\d_])\w+")
_MENTION = re.compile(r"(?<![\w@/])@[A-Za-z0-9_](?:[\w.-]*\w)?(?:@[\w.-]+\.[a-z]{2,})?")
_SHORTENS = {"mastodon", "x"}
_SCHEME_ONLY = {"mastodon", "linkedin", "facebook", "pinterest", "discord", "slack", "webhook"}


@dataclass(frozen=True)
class Run:
    """A piece of text: ``kind`` is text, link, mention or tag; ``href`` for links."""

    kind: str
    text: str  # as the network shows it (a link may be shortened)
    href: str | None = None
    raw: str = ""  # the characters of the post this run stands for, when they differ


def _display(url: str, platform: str) -> str:
    if platform not in _SHORTENS:
        return url
    shown = re.sub(r"^https?://(www\.)?", "", url)
    return shown if len(shown) <= 30 else shown[:30] + "…"


def _char_offsets(text: str) -> list[int]:
    """UTF-8 byte offset -> character offset (Bluesky facets count bytes)."""
    table = []
    for i, char in enumerate(text):
        table.extend([i] * len(char.encode("utf-8")))
    table.append(len(text))
    return table


def _bluesky_spans(text: str, facets: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, Run]]:
    if not facets:
        return []
    # ASCII text: byte offsets are character offsets (the usual case, and much cheaper)
    table = list(range(len(text) + 1)) if text.isascii() else _char_offsets(text)
    spans = []
    for facet in facets:
        index = facet.get("index", {})
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not isinstance(start, int) or not isinstance(end, int) or end > len(table) - 1:
            continue
        a, b = table[start], table[end]
        feature = (facet.get("features") or [{}])[0]
        kind = str(feature.get("$type", ""))
        if kind.endswith("#link"):
            spans.append((a, b, Run("link", text[a:b], str(feature.get("uri", "")), text[a:b])))
        elif kind.endswith("#tag"):
            spans.append((a, b, Run("tag", text[a:b])))
    return spans


def _found_spans(text: str, platform: str) -> list[tuple[int, int, Run]]:
    from soulpost.text.urls import find_urls  # a module: no package fromlist walk

    spans = []
    for start, end, url in (
        find_urls(text, require_scheme=platform in _SCHEME_ONLY) if "." in text else ()
    ):
        href = url if "://" in url else f"https://{url}"
        shown = _display(text[start:end], platform)
        spans.append((start, end, Run("link", shown, href, text[start:end])))
    if platform != "pinterest" and ("#" in text or "＃" in text):
        spans += [(m.start(), m.end(), Run("tag", m.group(0))) for m in _TAG.finditer(text)]
    return spans


def runs(
    text: str,
    platform: str,
    *,
    facets: Sequence[Mapping[str, Any]] = (),
    mentions: Sequence[Mapping[str, Any]] = (),
) -> list[Run]:
    """*text* cut into runs; later spans that overlap an earlier one are dropped."""
    spans = _bluesky_spans(text, facets) if platform == "bluesky" else _found_spans(text, platform)
    if "@" in text and platform not in ("linkedin", "pinterest", "facebook"):
        spans += [(m.start(), m.end(), Run("mention", m.group(0))) for m in _MENTION.finditer(text)]
    if not spans:
        return [Run("text", text)]
    spans.sort(key=lambda s: (s[0], -s[1]))
    out: list[Run] = []
    pos = 0
    for start, end, run in spans:
        if start < pos:
            continue  # inside a link already (a #fragment, an @ in a URL)
        if start > pos:
            out.append(Run("text", text[pos:start]))
        out.append(run)
        pos = end
    if pos < len(text):
        out.append(Run("text", text[pos:]))
    return out
