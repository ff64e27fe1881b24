"""Kinds that judge how a piece of text looks: ``capitals``, ``punctuation`` and ``count``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar, Literal

from pydantic import Field

from soulpost.lint.draft import Draft, Segment, ascii_table, translate_ascii
from soulpost.lint.kinds import capnames as _caps
from soulpost.lint.kinds.capnames import SPELT_NAMES, kicker, name_token, named, source_named
from soulpost.lint.rule import Hit, RuleOptions, SegmentRule
from soulpost.text.lazyre import lazy, module_getattr

# Acronyms of four letters or more written in capitals on purpose (shorter ones: capnames).
_DEFAULT_ACRONYMS = (
    "NASA",
    "HTML",
    "HTTP",
    "HTTPS",
    "JSON",
    "YAML",
    "TOML",
    "RSVP",
    "GDPR",
    "NATO",
    "UNESCO",
    "UNICEF",
    "ASCII",
    "IBAN",
    "TLDR",
    "README",
    "LGTM",
    "WCAG",
    "ARIA",
    "WIFI",
    "NASDAQ",
    "NYSE",
    "UNHCR",
    "AIDS",
    "COVID",
    "FIFA",
    "UEFA",
    "IKEA",
    "LEGO",
    "ISBN",
    "JPEG",
    "MPEG",
    "NOAA",
    "CERN",
    "IEEE",
    "ANSI",
    "OECD",
    "OPEC",
    "UNIX",
    "POSIX",
    "SARIF",
    "CSRF",
    "CORS",
    "REST",
    "CRUD",
    "SAML",
    "LDAP",
    "OAUTH",
    # Short ones that are also words, so two in a row ("US FAA", "TÜV SÜD") do not shout.
    "TÜV",
    "US",
    "UK",
    "EU",
    "UN",
    "USA",
)


# Words after which a lone word in capitals is something to type or a code, in the four
# pack languages: "Comment GUIDE", "Reply GO", "code WINTER", "Kommentiere LEITFADEN".
_KEYWORD_CUES = (
    "comment",
    "reply",
    "type",
    "write",
    "text",
    "code",
    "dm",
    "send",
    "say",
    "word",
    "kommentiere",
    "kommentiert",
    "schreib",
    "schreibt",
    "tippe",
    "antworte",
    "wort",
    "commente",
    "commentez",
    "écris",
    "écrivez",
    "tape",
    "tapez",
    "réponds",
    "mot",
    "comenta",
    "comentad",
    "escribe",
    "escribid",
    "pon",
    "responde",
    "palabra",
    "código",
)


class CapitalsOptions(RuleOptions):
    min_length: int = Field(
        4, ge=2, description="a lone word shorter than this is never shouting (CEO, API, OK)"
    )
    min_words: int = Field(1, ge=1, description="fire when at least this many words shout")
    allow: list[str] = Field(
        default_factory=lambda: list(_DEFAULT_ACRONYMS),
        description="acronyms written in capitals on purpose; [lint] allow adds to it",
    )
    keywords_after: list[str] = Field(
        default_factory=lambda: list(_KEYWORD_CUES),
        description="words after which one word in capitals is a keyword to type or a code "
        "(Comment GUIDE, promo code WINTER), not a raised voice",
    )
    dictionary: bool = Field(
        True,
        description="shout only with ordinary words of the post's language (a word-frequency "
        "list decides); False: every word in capitals not allowed counts",
    )


# A word: letters, perhaps joined by an apostrophe or a hyphen (YOU'RE, MIND-BLOWING).
_token = lazy(r"(?<![\w#@＃＠/.])(?<!\d-)[^\W\d_]+(?:['’-][^\W\d_]+)*(?![\w/])(?!-\d)")
# What may stand between two capital words of one shouted stretch: no letter in lower case.
_gap = lazy(r"[^\w]*")
_VOWELS = frozenset("aeiouyàáâäæèéêëìíîïòóôöœùúûüÿ")
# Three consonants can begin a word of these languages only in a few ways.
_ONSETS = frozenset(["sch", "str", "spr", "scr", "spl", "thr", "chr", "phr", "shr", "squ"])


# The Zipf frequency a lone word in capitals needs to count as ordinary: four letters or
# fewer, and longer (see Capitals._ordinary). Words of a shouted stretch need only be in
# the list (lexicon.ORDINARY).
LONE_SHORT = 4.5
LONE = 3.4
# The Zipf frequency of a language's most common words (this, that, not: 1 in 10,000 or more).
COMMON = 6.0


def _dictionaries(lang: str | None) -> tuple[str, ...]:
    from soulpost.text.lexicon import LISTS

    return (lang,) if lang in LISTS else LISTS


def acronym_shaped(word: str) -> bool:
    """Whether *word* cannot be read as a word: no vowel (SNCF), only vowels (EEUU), or a
    start no word has (GCSE). A y before a vowel is a consonant (YOU, YA, YES)."""
    letters = [c for c in word.lower() if c.isalpha()]
    vowels = sum(c in _VOWELS for c in letters) - (letters[:1] == ["y"] and len(letters) > 1)
    if vowels in (0, len(letters)):
        return True
    head = "".join(letters[:3])
    return len(head) == 3 and not (_VOWELS & set(head)) and head not in _ONSETS


# Both branches of Capitals.gate start with two capitals in a row (min_length is at least
# 2): this simpler search, which re runs about twice as fast, turns away most texts first.
_capital_pair = lazy(r"[^\W\da-z_]{2}")
# On ASCII text the characters _capital_pair looks for are A-Z: mapped to "A" and all
# else to a space, a pair is "AA" in the result (bytes.translate: a table look-up per
# character, five times faster than the search).
_CAPITALS_ONLY = ascii_table({c: "A" if "A" <= chr(c) <= "Z" else " " for c in range(128)})


def has_capital_pair(text: str) -> bool:
    """Whether ``_capital_pair`` finds something in *text*."""
    if text.isascii():
        return "AA" in translate_ascii(text, _CAPITALS_ONLY)
    return _capital_pair().search(text) is not None


# A word in title case: one capital, then small letters (Jersey, Alerts, Mobile).
_title_case = lazy(r"[^\W\d_][^\W\d_A-Z]+")
# What ends a sentence or a heading, so that the next word's capital says nothing.
_sentence_end = lazy(r"(?:^|[.!?:;\n…\"“”«»()\[\]]|\s[-–—|]|[^\w\s,'’-])\s*$")


def _title(word: str, shortest: int = 2) -> bool:
    return (
        len(word) >= shortest
        and word[:1].isupper()
        and word[1:].islower()
        and _title_case().fullmatch(word) is not None
    )


def _in_name(text: str, m: re.Match[str], nouns_capitalised: bool) -> bool:
    """Whether the word in capitals at *m* stands inside a name, next to a word in title
    case that is not just the first word of a sentence: New Jersey PATH train, AMBER
    Alerts, WIND Mobile, 2008 IDEAS Show. Emphasis sits among small words (the BIGGEST
    update), and a name's own capitals are how it is spelt, not a raised voice. Where
    every noun has a capital (German: das WICHTIGSTE Update, den Bart NICHT), neighbours say
    nothing."""
    if nouns_capitalised:
        return False
    after = re.match(r"[ \t]+(\S+)", text[m.end() : m.end() + 40])
    if after and _title(after.group(1).rstrip(".,;:!?")):
        return True
    before = re.search(r"(\S+)[ \t]+$", text[max(0, m.start() - 40) : m.start()])
    if not before or not _title(before.group(1), shortest=3):  # not "3 Gb JAJAJA"
        return False
    head = text[: m.start() - len(before.group(0))]
    return _sentence_end().search(head) is None


# Marks that set a label off from a headline the way a bar does: "PATRIMOINE • …", "… · VIDÉO".
_BARS = frozenset("|•·")
_STOPS = frozenset("|•·[]().!?:;,\n\"'«»“”‘’")


def _edge(text: str, start: int, end: int) -> tuple[str, str]:
    """The character before *start* and after *end*, skipping spaces and symbols such as
    emoji ("" at either end of the text); a bullet counts as a bar."""
    i = start - 1
    while i >= 0 and not (text[i].isalnum() or text[i] in _STOPS):
        i -= 1
    j = end
    while j < len(text) and not (text[j].isalnum() or text[j] in _STOPS):
        j += 1
    before = text[i] if i >= 0 else ""
    after = text[j] if j < len(text) else ""
    return ("|" if before in _BARS else before), ("|" if after in _BARS else after)


def _label(text: str, start: int, end: int) -> bool:
    """Whether the capitals from *start* to *end* are a label set off from the text, the
    way news posts mark a section: "OPINIÓN | …", "… | FOTOS", "POLITIK • …", "(VIDEO)",
    "🔴 ÚLTIMA HORA | …"; or one word heading a line before a colon ("VIDEO: …"). A
    label is a field of the layout, not a sentence said loudly."""
    before, after = _edge(text, start, end)
    if kicker(text, start, end, before, after):
        return True
    if before in "([" and before and after in ")]" and after:
        return True
    if after == "|":
        return before in ("", "\n", ".", "!", "?", "|")
    return before == "|" and after in ("", "\n", "|")


class Capitals(SegmentRule):
    """Fires when ordinary words are written in capitals (shouting).

    What is not the author raising their voice is left alone: acronyms and names (a token
    that is not an ordinary word of the post's language, by a word-frequency list: UNHCR,
    ASML, SNCF, KRAFTKLUB), text in quotes (a protest sign, a text message), code in
    backticks, links, hashtags and handles, the words in ``allow``, and names and kickers
    told by where they stand (:mod:`.capnames`: VIDEO: …, RP ONLINE, the band MAREA,
    NASCAR driver Kyle Busch). Two or more ordinary words in capitals in a row shout
    whatever their length (WE ARE OPEN); a lone one from ``min_length`` letters (the
    BIGGEST update), or a short one stressed among small letters (clears ANY blockage).
    """

    kind: ClassVar[str] = "capitals"
    Options = CapitalsOptions
    message: ClassVar[str] = "{words} in capitals reads as shouting"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, CapitalsOptions)
        self.allowed = {w.upper() for w in opts.allow} | {w.upper() for w in self.allow}
        self.allowed |= SPELT_NAMES
        self.min_length = opts.min_length
        self.min_words = opts.min_words
        self.dictionary = opts.dictionary
        self.cues = frozenset(w.lower() for w in opts.keywords_after)
        # Shouting needs a word of min_length capitals, or two capital words in a row: one
        # search (compiled when a text first needs it) rules out most texts after has_capital_pair.
        self.gate = lazy(
            rf"[^\W\da-z_]{{{self.min_length}}}|[^\W\da-z_]{{2}}[ ,'’-]+[^\W\da-z_]{{2}}"
            rf"|\b(?:{'|'.join(sorted(_caps.ALL_STRESSED))})\b"
        )

    def _ordinary(self, word: str, draft: Draft, alone: bool) -> bool:
        """Whether *word* (in capitals) is an ordinary word, so that writing it in capitals
        raises the voice. A word *alone* needs to be clearly ordinary: many acronyms and
        names of four letters are frequent words of their language too (PSOE, ADAC, RATP,
        NATO), so a lone four-letter word must be very frequent (LEFT, SALE, FREE)."""
        if word in self.allowed or word.replace("’", "'") in self.allowed:
            return False
        if acronym_shaped(word):
            return False
        if not self.dictionary:
            return True
        from soulpost.text.lexicon import ORDINARY

        lang = draft.language_hint
        parts = [part for part in re.split(r"[-]", word) if part]
        if any(len(part) < 2 for part in parts):
            return False  # USB-C, A-Z: a code, not a word
        if len(parts) > 1 and all(len(part) <= 3 for part in parts):
            return False  # EU-IMF, H-IIA: acronyms joined, not words
        need = ORDINARY if not alone else LONE_SHORT if len(word) <= 4 else LONE
        # Every part ordinary in some dictionary. Asked one dictionary at a time, English
        # first, so a post whose language nothing tells loads the others only for a word
        # English does not know (each list costs about 25 ms to load).
        langs = _dictionaries(lang)
        return all(_caps.known_part(part, langs, need, lang) for part in parts)

    def _shouted(self, text: str, draft: Draft) -> list[re.Match[str]]:
        """The words of *text* that shout, in order."""
        groups: list[list[re.Match[str]]] = []
        last_end = -1
        for match in _token().finditer(text):
            word = match.group(0)
            if len(word) < 2 or not word.isupper() or _caps.unit(text, match.start(), word):
                continue
            joined = groups and _gap().fullmatch(text, last_end, match.start()) is not None
            if joined and text[last_end : match.start()].count("\n") < 2:
                groups[-1].append(match)
            else:
                groups.append([match])
            last_end = match.end()
        shouted = []
        for group in groups:
            if _label(text, group[0].start(), group[-1].end()) or _caps.code_list(text, group):
                continue  # a label (VIDEO:), or codes listed (DE, AT oder CH)
            if (
                self.dictionary
                and len(group) <= 3
                and source_named(text, group[0].start(), group[-1].end())
            ):
                continue  # Laut DIE ZEIT, the band THE CURE: a name
            ordinary = [m for m in group if self._ordinary(m.group(0), draft, alone=False)]
            if len(ordinary) >= 2:
                shouted += ordinary  # WE ARE OPEN, DO IT
                continue
            if len(ordinary) == 1 and self._beside_name(group, ordinary[0], draft):
                continue  # beside an acronym or a name in capitals, part of it: RP ONLINE
            for m in ordinary:
                word = m.group(0)
                if len(group) == 1 and _caps.stressed(text, m, draft.language_hint):
                    shouted.append(m)  # clears ANY blockage: a short word stressed
                    continue
                if len(word) < self.min_length or self._keyword(text, m.start()):
                    continue
                if _in_name(text, m, draft.language_hint == "de") and not self._common(word, draft):
                    continue
                if self.dictionary and named(text, m.start(), m.end(), draft.language_hint):
                    continue
                if self._ordinary(word, draft, alone=True):
                    shouted.append(m)
        return shouted

    def _beside_name(self, group: list[re.Match[str]], word: re.Match[str], draft: Draft) -> bool:
        """Whether another word of *group* (capitals in a row) is an acronym or a name, so
        that *word* is part of it; not one of the most common words (THIS, THAT). Without
        the dictionary nothing tells a name, so nothing is one."""
        if not self.dictionary or self._common(word.group(0), draft):
            return False
        # Not the words of ``allow``: allowing LAST keeps CHANCE shouting in LAST CHANCE.
        return any(name_token(m.group(0), draft.language_hint) for m in group if m is not word)

    def _common(self, word: str, draft: Draft) -> bool:
        """Whether *word* is one of the most common words (this, that, never), which no
        name is made of: Scott Walker THIS? is a raised voice after a name."""
        from soulpost.text.lexicon import zipf

        return any(zipf(word, one) >= COMMON for one in _dictionaries(draft.language_hint))

    def _keyword(self, text: str, start: int) -> bool:
        """Whether the word at *start* follows a cue such as "Comment" or "code"."""
        before = _token().findall(text, max(0, start - 30), start)
        return bool(before) and before[-1].lower() in self.cues

    def check_segment(self, segment: Segment, draft: Draft) -> Iterator[Hit]:
        text = segment.text
        if not has_capital_pair(text) or not self.gate().search(text):
            return
        shouted = self._shouted(segment.quiet, draft)
        if len(shouted) < self.min_words:
            return
        words = list(dict.fromkeys(m.group(0) for m in shouted))
        shown = ", ".join(words[:5]) + (", ..." if len(words) > 5 else "")
        yield Hit(
            self.say(words=shown, count=len(shouted), first=words[0]),
            segment.loc,
            shouted[0].start(),
            segment.text,
            hint="write it in normal case; for emphasis, say why it matters instead",
        )


class PunctuationOptions(RuleOptions):
    max_run: int = Field(
        1, ge=1, description="longest allowed run of ! (with or without ?), e.g. 1 allows '!'"
    )
    max_question_run: int = Field(2, ge=1, description="longest allowed run of ? alone")


_run = lazy(r"[!?！？‼⁉]{2,}")
# The marks beyond ASCII a run may hold, tested as substrings: a class of them compiled
# to a 64 k-character bitmap, about 0.3 % of a one-draft lint, to answer the same.
_FULLWIDTH = ("！", "？", "‼", "⁉")


class Punctuation(SegmentRule):
    """Fires on runs of exclamation and question marks."""

    kind: ClassVar[str] = "punctuation"
    Options = PunctuationOptions
    message: ClassVar[str] = "{run!r}: runs of ! and ? read as yelling ({count} in this text)"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, PunctuationOptions)
        self.max_run = opts.max_run
        self.max_question_run = opts.max_question_run

    def check_segment(self, segment: Segment, draft: Draft) -> Iterator[Hit]:
        text = segment.text
        if "!" not in text and "?" not in text and not any(m in text for m in _FULLWIDTH):
            return
        text = segment.quiet  # a quoted "why?!" is someone else's voice, not ours
        runs = []
        for match in _run().finditer(text):
            run = match.group(0)
            loud = any(c in "!！‼⁉" for c in run)
            if (loud and len(run) > self.max_run) or (
                not loud and len(run) > self.max_question_run
            ):
                runs.append(match)
        if runs:
            yield Hit(
                self.say(run=runs[0].group(0), count=len(runs)),
                segment.loc,
                runs[0].start(),
                segment.text,
                hint="one mark is enough; let the words carry the feeling",
            )


Countable = Literal["hashtags", "exclamations", "emoji", "links", "mentions"]


class CountOptions(RuleOptions):
    what: Countable = Field("hashtags", description="what to count")
    max: int = Field(3, ge=0, description="the most allowed in one piece of text")


class Count(SegmentRule):
    """Fires when a piece of text has more of something than allowed."""

    kind: ClassVar[str] = "count"
    Options = CountOptions
    message: ClassVar[str] = "{count} {what} (at most {max})"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, CountOptions)
        self.what = opts.what
        self.max = opts.max

    def _items(self, text: str) -> list[int]:
        """Start offsets of the counted things."""
        if self.what == "exclamations":
            return [i for i, c in enumerate(text) if c in "!！"]
        from soulpost import text as textutil

        if self.what == "hashtags":
            return [start for start, _end, _tag in textutil.find_hashtags(text)]
        if self.what == "links":
            return [start for start, _end, _url in textutil.find_urls(text)]
        if self.what == "mentions":
            return [start for start, _end, _m in textutil.find_mentions(text)]
        return [start for start, _end, _e in textutil.find_emoji(text)]

    def check_segment(self, segment: Segment, draft: Draft) -> Iterator[Hit]:
        text = segment.text
        if self.what == "hashtags" and text.count("#") <= self.max:
            return
        if self.what == "exclamations" and text.count("!") + text.count("！") <= self.max:
            return
        items = self._items(text)
        if len(items) > self.max:
            yield Hit(
                self.say(count=len(items), what=self.what, max=self.max),
                segment.loc,
                items[self.max],
                text,
            )


# For the tests, which compare has_capital_pair with the pattern itself.
__getattr__ = module_getattr(__name__, {"_CAPITAL_PAIR": _capital_pair})
