"""What rules look at: a post broken into the pieces of text people read, and the queue.

A :class:`Draft` wraps one :class:`~soulpost.posts.Post` and computes what several rules
need (its pieces of text, its time, whether it sells) once, lazily. A :class:`QueueView`
holds every draft and gives queue rules per-platform timelines sorted once.

Promotional classification lives here because several rules use it: a post *sells* when it
names a price, a discount or an offer, or asks people to buy or sign up. Giving something
away ("free to download, no sign-up needed") is not selling.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from soulpost.lint.charges import not_a_sale, price_cut
from soulpost.lint.salewords import INVITE_WORDS as _INVITE_WORDS
from soulpost.lint.salewords import PROMO_WORDS as _PROMO_WORDS
from soulpost.lint.salewords import first_match, promo_starts, promo_starts_ascii_lower
from soulpost.lint.salewords import novelty as _novelty
from soulpost.lint.salewords import price_where as _price_where
from soulpost.lint.salewords import price_with as _price_with
from soulpost.platforms import PLATFORMS, Capabilities
from soulpost.text.lazyre import lazy, module_getattr

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.posts import Post
    from soulpost.tomlpos import Loc

# Quoted text and code: what someone else said or what a machine reads, not the author's
# own voice. Double quotes, German and French quotes, code in backticks, and single quotes
# (the sign reads 'DANGER: DEEP WATER'): one opens at the start, after a space or a bracket,
# and closes where no letter follows, so "it's" and "don't" neither open nor close one.
_quoted = lazy(
    r"```.*?```|`[^`\n]{1,300}`"
    r"|“[^“”\n]{1,300}”|„[^„“”\n]{1,300}[“”]|«[^«»\n]{1,300}»|‹[^‹›\n]{1,300}›"
    r'|"[^"\n]{1,300}"|”[^”\n]{1,300}”'
    r"|(?:^|(?<=[ \t\n(\[]))'(?=[^\s'])[^\n]{1,120}?(?<=[^\s'])'(?![^\W_])"
    r"|‘(?=\S)[^‘\n]{1,120}?(?<=\S)’(?![^\W_])",
    re.DOTALL,
)
_QUOTE_CHARS = frozenset('`“„«‹"”‘')
_single_open = lazy(r"(?:^|[ \t\n(\[])'")  # where a straight single quote can open one


def without_quotes(text: str) -> str:
    """*text* with the inside of quotes and code spans replaced by ``_`` (same length).

    The marks stay, so a rule can still see that something was quoted at that place
    (``comment “TGIF”`` keeps its shape: a word in quotes after a verb).
    """
    single = "'" in text and _single_open().search(text) is not None  # not "it's", "don't"
    if text.isascii():  # of the marks, only ` " and ' are ASCII: a few scans in C
        if "`" not in text and '"' not in text and not single:
            return text
    elif _QUOTE_CHARS.isdisjoint(text) and not single:
        return text
    return _quoted().sub(lambda m: (g := m.group(0))[0] + "_" * (len(g) - 2) + g[-1], text)


word_pattern = lazy(r"[^\W_]+(?:['’-][^\W_]+)*")
alnum_pattern = lazy(r"[^\W_]+")
# Every ASCII character that is not a letter or digit, as a space: on ASCII text, splitting
# after this translation gives exactly the runs alnum_pattern finds.
_ASCII_GAPS = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})


def ascii_table(table: Mapping[int, str]) -> bytes:
    """A ``str.maketrans`` *table* of one-character ASCII replacements, for
    :func:`translate_ascii`."""
    return bytes(ord(table.get(i, chr(i))) for i in range(128)) + bytes(range(128, 256))


def translate_ascii(text: str, table: bytes) -> str:
    """``text.translate`` for ASCII *text* and a table from :func:`ascii_table`: the same
    string, two to three times faster (``bytes.translate`` is a plain table look-up,
    ``str.translate`` asks a dict for each character)."""
    return text.encode("ascii").translate(table).decode("ascii")


_ASCII_GAPS_BYTES = ascii_table(_ASCII_GAPS)


def ascii_joins(text: str) -> int:
    """How many ' and - in the ASCII *text* have a letter or digit on either side: each
    joins two runs of letters and digits into one of word_pattern's words ("week's",
    "add-on"). A plain loop over the few such characters, where findall ran the pattern
    over every character of a text that held one."""
    joins = 0
    last = len(text) - 1
    for joiner in "'-":
        at = text.find(joiner, 1)  # the first character has nothing before it
        while 0 < at < last:
            if text[at - 1].isalnum() and text[at + 1].isalnum():
                joins += 1
            at = text.find(joiner, at + 1)
    return joins


# A price sells only with a call or a link beside it (PRICE_WITH): prices in consumer
# news ("the typical bill drops to £1,690 a year") and a price change announced with its
# date ("goes from £8 to £9", "cut by £15", "steigt um 12 €", "bleibt bei 6 €") inform,
# and so do sums in millions ("to buy Arrow for $1.75 billion"): nobody is asked to pay them.
_price = lazy(
    r"""
      (?<!from\ )(?<!to\ )(?<!\bby\ )[$€£¥]\s?\d(?![\d,.]*\ (?:cash|prize|reward|jackpot))  # £96
      (?![\d,.]*\s?(?:k|m|bn|mn|million|billion|trillion|millones|millions?|milliards?|mio|mrd)\b)
    | (?<!\bto\ )(?<!\bfrom\ )(?<!\bby\ )(?<!\ba\ )(?<!\bà\ )(?<!\bde\ )(?<!\bauf\ )(?<!\bvon\ )
      (?<!\bbis\ )(?<!\bum\ )(?<!\bbei\ )(?<!\d[.,])  # not from inside "0,90"
      \b\d+(?:[.,]\d+)?\s?(?:eur\b|euros?\b|usd\b|dollars?\b|gbp\b|pounds?\b|quid\b|€|\$|£)
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Every PRICE match begins with a currency sign or a digit. Trying the pattern only at
# those places finds the same leftmost match (a search tries each place in turn, and a
# look-behind still sees the text before the place), without running its dozen
# look-behinds at every character: a tenth of the time on a typical post.
_price_starts = lazy(r"[$€£¥\d]")


def price_in(text: str, pos: int = 0) -> re.Match[str] | None:
    """``PRICE.search(text, pos)``, faster."""
    match = _price().match
    for start in _price_starts().finditer(text, pos):
        found = match(text, start.start())
        if found:
            return found
    return None


def selling_price(text: str) -> re.Match[str] | None:
    """The first price in *text* that is not a charge owed to an authority, a wage, a
    quoted price or a price change told as news (soulpost.lint.charges)."""
    price = price_in(text)
    while price is not None and not_a_sale(text, price.start(), price.end()):
        price = price_in(text, price.end())
    return price


_PROMOTIONAL = r"""
      \b\d{1,3}\s?%\s?off\b | \b(?:half|\d+)[- ]price\b          # discounts
    | \b(?:discount|coupon|promo[- ]code|voucher|flash[- ]sale|sale\ ends)\b
    | (?<!\bgo\ )(?<!\bgoes\ )(?<!\bwent\ )(?<!\bgoing\ )(?<!\bstill\ )(?<!\bnot\ )(?<!\bnot\ be\ )
      (?<!\blonger\ be\ )(?<!\blonger\ )\bon\ sale\b  # not news, nor a ban ("no longer on sale")
    | (?<!\btheir\ )(?<!\bhis\ )(?<!\bher\ )\bmoney[- ]back\b(?![^.!\n]*\?)  # not asked about
    | \bfree\ trial\b | \bpre-?order\b
    | (?:(?<![^\W\d_]\ )|(?<=\band\ )|(?<=\bthen\ )|(?<=\bso\ )|(?<=\bjust\ )|(?<=\bplease\ ))
      \b(?:buy|order|shop|purchase|subscribe|upgrade|book|register|sign[- ]?up)
      \ (?:now|today|here)\b  # an order, not "should you buy now?" nor "buy now, pay later"
      (?!(?:[^.!?\n,;:—–-]|\b-\b)*\?)(?!,?\ pay\ later)
    | \bsign[- ]?up\ at\b | \bget\ yours\b
    | \b(?:dm|message)\ (?:me|us)\ for\ (?:pricing|prices|a\ quote)\b
    | \blink\ in\ bio\b
    """
_promotional = lazy(_PROMOTIONAL, re.IGNORECASE | re.VERBOSE)

# The same, for ASCII text already lower-cased: matched case-sensitively behind a look-ahead
# for the characters a match can start with, it finds the same spans two to three times
# faster (ASCII has no case-folding quirks, and lower-casing it keeps every offset).
_promotional_ascii_lower = lazy(r"(?=[\dhdcpvfosmburgl])(?:" + _PROMOTIONAL + ")", re.VERBOSE)

_INVITES_REPLY = r"""\?
    | \b(?:let\ (?:me|us)\ know|tell\ (?:me|us)|reply|replies|share\ your|your\ thoughts
    | we'?d\ love\ to\ hear|what\ do\ you\ think|hit\ reply|drop\ (?:a|your)\ (?:comment|note))\b
    """
_invites_reply = lazy(_INVITES_REPLY, re.IGNORECASE | re.VERBOSE)

_invites_reply_ascii_lower = lazy(
    r"(?=[?ltrsywhd])(?:" + _INVITES_REPLY + ")", re.VERBOSE
)  # as PROMOTIONAL_ASCII_LOWER is to PROMOTIONAL

# Cheap gates in front of the two classifiers (a text without any of these cannot match);
# the words and first_match live in soulpost.lint.salewords.
_promo_chars = lazy(r"[$€£¥%]")


_T = TypeVar("_T")


class _lazy(Generic[_T]):
    """``functools.cached_property`` without its lock (Python 3.11 takes one on each first
    access: about a microsecond, 90,000 times for 10,000 drafts). Rules read drafts from
    one thread, so the value is simply computed and stored in the instance's ``__dict__``,
    where later reads find it without calling this descriptor again.
    """

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _lazy[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object, owner: type | None = None) -> _T | _lazy[_T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


def without_urls(text: str) -> str:
    """*text* with its URLs blanked out (same length, so offsets still line up)."""
    if "." not in text:
        return text
    from soulpost.text import find_urls

    urls = find_urls(text)
    if not urls:
        return text
    chars = list(text)
    for start, end, _url in urls:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


@dataclass  # read-only by convention; frozen would slow the creation of every segment
class Segment:
    """One piece of text of a post, with where it lives in the file and who receives it.

    ``lead`` is True for the text people see first (the post's text or a variant's text)
    and False for the follow-up parts of a thread.
    """

    loc: Loc
    text: str
    platforms: tuple[str, ...]
    lead: bool = True
    #: A first comment: a follow-up that each platform limits on its own terms.
    comment: bool = False

    @_lazy
    def plain(self) -> str:
        """The text with URLs blanked out, so phrases inside links never match.

        When the text has no link this is the very same string object, which rules use as a
        cheap "has no link" test.
        """
        return without_urls(self.text)

    @_lazy
    def quiet(self) -> str:
        """The plain text with quoted text and code blanked (see :func:`without_quotes`)."""
        return without_quotes(self.plain)

    @_lazy
    def words(self) -> int:
        """How many words the text has, links aside."""
        plain = self.plain
        if plain.isascii():
            # word_pattern's words are the runs of letters and digits, less one for each '
            # or - that joins two runs (a letter or digit on either side).
            runs = len(translate_ascii(plain, _ASCII_GAPS_BYTES).split())
            return runs - ascii_joins(plain) if "'" in plain or "-" in plain else runs
        return len(word_pattern().findall(plain))

    @_lazy
    def lower(self) -> str | None:
        """The plain text lower-cased, or None when lower-casing would move offsets."""
        lowered = self.plain.lower()
        return lowered if len(lowered) == len(self.plain) else None

    @_lazy
    def runs(self) -> frozenset[str]:
        """Every lower-case run of letters and digits: rules skip texts lacking their words."""
        lower = self.lower  # already lower case: lowering it again would change nothing
        lowered = lower if lower is not None else self.plain.lower()
        if lowered.isascii():  # the usual case: the same runs, several times faster
            return frozenset(translate_ascii(lowered, _ASCII_GAPS_BYTES).split())
        return frozenset(alnum_pattern().findall(lowered))


class Draft:
    """One post as the rules see it."""

    __slots__ = ("__dict__", "id", "now", "path", "post", "settings", "time", "time_kind")

    def __init__(
        self, post: Post, settings: Settings, time: datetime | None, now: datetime
    ) -> None:
        self.post = post
        self.id = post.id
        self.settings = settings
        self.time = time  # post.at, or the time the scheduler resolved for it
        self.now = now
        # Private attributes of a pydantic model are slow to read; read them once.
        self.path = post.path
        self.time_kind = post.time_kind

    @_lazy
    def segments(self) -> list[Segment]:
        """Every piece of text, in file order, each once (variants only when they differ)."""
        post = self.post
        if not post.variants:  # most posts: every platform gets the post's own text
            return _plain_segments(post)
        main_text = [p for p in post.platforms if _no_text(post, p)]
        main_thread = [p for p in post.platforms if _no_thread(post, p)]
        out = []
        if post.text.strip() and main_text:
            out.append(Segment(("text",), post.text, tuple(main_text)))
        for i, part in enumerate(post.thread if main_thread else ()):
            out.append(Segment(("thread", i, "text"), part.text, tuple(main_thread), lead=False))
        for platform, variant in post.variants.items():
            if variant.text is not None and variant.text.strip():
                out.append(Segment(("variants", platform, "text"), variant.text, (platform,)))
            for i, part in enumerate(variant.thread or ()):
                loc = ("variants", platform, "thread", i, "text")
                out.append(Segment(loc, part.text, (platform,), lead=False))
        if post.first_comment is not None or any(
            v.first_comment is not None for v in post.variants.values()
        ):
            out += _comment_segments(post)
        return out

    @_lazy
    def has_media(self) -> bool:
        """Whether any part of the post carries media (most posts do not)."""
        post = self.post
        return bool(
            post.media
            or any(part.media for part in post.thread)
            or any(v.media or any(p.media for p in v.thread or ()) for v in post.variants.values())
        )

    def release(self) -> None:
        """Forget the pieces of text (they are rebuilt if asked for again)."""
        self.__dict__.pop("segments", None)

    @_lazy
    def promotional(self) -> str | None:
        """The words that make this post sell something, or None when it does not."""
        for segment in self.segments:
            plain = segment.plain
            if segment.runs.isdisjoint(_PROMO_WORDS) and not _promo_chars().search(plain):
                continue
            quiet = segment.quiet  # quotes blanked: a quoted "Buy now" is not ours
            if plain.isascii():  # quiet is plain itself when nothing is quoted
                lowered = (segment.lower if quiet is plain else None) or quiet.lower()
                found = first_match(_promotional_ascii_lower(), promo_starts_ascii_lower(), lowered)
            else:
                found = first_match(_promotional(), promo_starts(), quiet)
            if found:
                return plain[found.start() : found.end()]
            price = selling_price(plain)
            if price and (
                _price_with().search(segment.text)
                or (_price_where().search(segment.text) and not _novelty().match(plain))
            ):
                return price.group(0)
            cut = price_cut(plain)  # "35 € (antes 50)": a price under the old one
            if cut:
                return cut.group(0)
        return None

    @_lazy
    def language(self) -> str | None:
        """The language the post is written in (ISO 639-1), or None when nothing tells.

        Computed only when a rule needs it (a rule of a language pack found something, or
        capitals need a dictionary), so most posts never do. None means no words, or
        words with no sign of any language (then a pack rule whose pattern matched may
        speak, and capitals are looked up in every dictionary). ``[lint] languages``
        pins it.
        """
        from soulpost.text.language import PACK_LANGUAGES, detect

        pinned = tuple(self.settings.lint.languages)
        if len(pinned) == 1:
            return pinned[0]
        return detect(self.lead_text(), pinned or PACK_LANGUAGES, model_when_silent=False)

    @_lazy
    def language_hint(self) -> str | None:
        """The post's language when its function words tell, else None; never loads the
        detector's model (for the shouting rule, which can look words up in every
        dictionary instead)."""
        if "language" in self.__dict__:
            return self.__dict__["language"]  # type: ignore[no-any-return]
        from soulpost.text.language import PACK_LANGUAGES, detect

        pinned = tuple(self.settings.lint.languages)
        if len(pinned) == 1:
            return pinned[0]
        return detect(self.lead_text(), pinned or PACK_LANGUAGES, use_model=False)

    def lead_text(self) -> str:
        """The text that tells the post's language: its lead pieces (all of them when none
        leads), links blanked. Not cached: a draft's cache travels back from the workers."""
        lead = [s.plain for s in self.segments if s.lead] or [s.plain for s in self.segments]
        return " ".join(lead)

    @_lazy
    def invites_reply(self) -> bool:
        """Whether the post asks its readers something or invites them to answer."""
        return any("?" in s.plain or _invites(s) for s in self.segments)

    def caps(self, platform: str) -> Capabilities | None:
        """The limits of *platform*: its own, or those of the adapter configured for it."""
        found = PLATFORMS.get(platform)
        if found is None:
            found = PLATFORMS.get(self.settings.adapter_for(platform))
        return found


def _invites(segment: Segment) -> bool:
    if segment.runs.isdisjoint(_INVITE_WORDS):
        return False
    plain = segment.plain
    if plain.isascii():
        return _invites_reply_ascii_lower().search(plain.lower()) is not None
    return _invites_reply().search(plain) is not None


def _plain_segments(post: Post) -> list[Segment]:
    """:attr:`Draft.segments` of a post without variants (the same segments, built
    without asking each platform for its variant)."""
    platforms = tuple(post.platforms)
    if not platforms:
        return []
    out = [Segment(("text",), post.text, platforms)] if post.text.strip() else []
    for i, part in enumerate(post.thread):
        out.append(Segment(("thread", i, "text"), part.text, platforms, lead=False))
    if post.first_comment is not None:
        out += _comment_segments(post)
    return out


def _comment_segments(post: Post) -> list[Segment]:
    """The first comment(s): the post's, for platforms without their own, and each
    variant's. They are follow-ups (``lead=False``) with ``comment=True``."""
    out = []
    shared = tuple(
        p
        for p in post.platforms
        if p not in post.variants or post.variants[p].first_comment is None
    )
    if (post.first_comment or "").strip() and shared:
        out.append(Segment(("first_comment",), post.first_comment or "", shared, False, True))
    for platform, variant in post.variants.items():
        if (variant.first_comment or "").strip():
            loc = ("variants", platform, "first_comment")
            out.append(Segment(loc, variant.first_comment or "", (platform,), False, True))
    return out


def _no_text(post: Post, platform: str) -> bool:
    variant = post.variants.get(platform)
    return variant is None or variant.text is None


def _no_thread(post: Post, platform: str) -> bool:
    variant = post.variants.get(platform)
    return variant is None or variant.thread is None


class QueueView:
    """Every draft in the run, and per-platform timelines for queue rules."""

    def __init__(self, drafts: Sequence[Draft], now: datetime) -> None:
        self.drafts = drafts
        self.now = now

    @_lazy
    def timelines(self) -> Mapping[str, list[tuple[float, str, Draft]]]:
        """Platform -> (POSIX time, id, draft) in time order; drafts without a time left out.

        Times are plain numbers so that sliding a window over 10,000 posts does arithmetic on
        floats rather than building a timedelta per step.
        """
        out: dict[str, list[tuple[float, str, Draft]]] = {}
        for draft in self.drafts:
            if draft.time is None:
                continue
            row = (draft.time.timestamp(), draft.id, draft)
            for platform in draft.post.platforms:
                out.setdefault(platform, []).append(row)
        for line in out.values():
            line.sort(key=lambda row: (row[0], row[1]))
        return out


# The patterns by the names the tests import them as, compiled when first asked for.
_NAMES = {"WORD": word_pattern, "ALNUM": alnum_pattern, "QUOTED": _quoted, "PRICE": _price}
_NAMES |= {"PRICE_WITH": _price_with, "PROMOTIONAL": _promotional}
_NAMES |= {"PROMOTIONAL_ASCII_LOWER": _promotional_ascii_lower}
_NAMES |= {"INVITES_REPLY": _invites_reply, "INVITES_REPLY_ASCII_LOWER": _invites_reply_ascii_lower}
_NAMES |= {"PROMO_STARTS": promo_starts, "PROMO_STARTS_ASCII_LOWER": promo_starts_ascii_lower}
__getattr__ = module_getattr(__name__, _NAMES)
