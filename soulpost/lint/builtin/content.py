"""Posts with nothing to say, and posts that talk only about ourselves.

These look at the words left once links, hashtags, mentions and emoji are set aside, so
they need a little more than a phrase list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from soulpost.lint.draft import word_pattern
from soulpost.lint.rule import Hit, PostRule, RuleOptions, SegmentRule
from soulpost.text.lazyre import lazy, module_getattr

if TYPE_CHECKING:
    from soulpost.lint.draft import Draft, Segment

_tags = lazy(r"(?<![\w&])[#＃@＠][\w.@-]+")


def _prose(segment: Segment) -> list[re.Match[str]]:
    """Words of the text with links, hashtags and mentions set aside."""
    plain = segment.plain
    if "#" in plain or "@" in plain or "＃" in plain or "＠" in plain:
        plain = _tags().sub(lambda m: " " * len(m.group(0)), plain)
    return list(word_pattern().finditer(plain))


def _urls(segment: Segment) -> list[tuple[int, int, str]]:
    from soulpost.text import find_urls

    return find_urls(segment.text) if "." in segment.text else []


def _only_hashtags(segment: Segment) -> bool:
    """Whether the text is three or more hashtags and nothing else: a tag list, not a message."""
    plain = segment.plain
    if plain.count("#") + plain.count("＃") < 3 or segment.words > 8:
        return False
    tags = _tags().findall(plain)
    return len(tags) >= 3 and all(tag[0] in "#＃" for tag in tags)


class EmojiOnly(SegmentRule):
    code = "SP303"
    name = "emoji-only"
    severity = "warning"
    lesson = "useful"
    summary = "The post is only emoji or hashtags, with no words."
    why = (
        "A row of emoji can decorate a message but cannot be one: it gives people nothing "
        "they can use, and screen readers read every symbol aloud."
    )
    bad = ("🔥🔥🔥", "🎉🎉 #launch", "#tbt #throwback #memories")
    good = ("We shipped dark mode today 🎉", "🌙", "Tips for readable posts #accessibility #a11y")
    parts: ClassVar = "lead"
    message = "only emoji, no words"

    def check_segment(self, segment: Segment, draft: Draft) -> Iterator[Hit]:
        if _only_hashtags(segment) and not _prose(segment):
            yield Hit("only hashtags, no words", segment.loc, 0, segment.text)
            return
        if segment.text.isascii() or _prose(segment):
            return
        from soulpost.text import find_emoji

        emoji = find_emoji(segment.text)
        if len(emoji) >= 2:
            yield Hit(self.say(), segment.loc, emoji[0][0], segment.text)


class LinkOnly(SegmentRule):
    code = "SP304"
    name = "link-only"
    severity = "warning"
    lesson = "useful"
    summary = "The post is only a link, with no words."
    why = (
        "A bare link asks people to click before they know why. Say what is behind it and "
        "who it helps; the post itself should already be worth reading."
    )
    bad = ("https://example.com/blog/new-feature", "👉 https://example.com/sale #deal")
    good = ("How we cut our build time in half: https://example.com/blog/builds",)
    parts: ClassVar = "lead"
    message = "only a link, no words of context"

    def check_segment(self, segment: Segment, draft: Draft) -> Iterator[Hit]:
        if segment.plain is segment.text or _prose(segment):
            return  # no link (plain text is the very same string), or words besides it
        urls = _urls(segment)
        if urls:
            yield Hit(self.say(), segment.loc, urls[0][0], segment.text)


class BareLinkOptions(RuleOptions):
    min_words: int = Field(4, ge=1, description="words of context a link needs at least")


class BareLink(SegmentRule):
    code = "SP305"
    name = "bare-link"
    severity = "warning"
    lesson = "useful"
    summary = "A link comes with too few words to say what it is or why it matters."
    why = (
        "People decide from the words around a link whether it is worth their time. One or "
        "two words ('Check this out') do not tell them."
    )
    bad = ("Check this out https://example.com/post", "New post! https://example.com/p/42")
    good = ("Our guide to writing alt text, with ten examples: https://example.com/alt-text",)
    parts: ClassVar = "lead"
    Options = BareLinkOptions
    message = "a link with only {count} word(s) of context (at least {min} help people decide)"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, BareLinkOptions)
        self.min_words = opts.min_words

    def check_segment(self, segment: Segment, draft: Draft) -> Iterator[Hit]:
        if segment.plain is segment.text or segment.words >= self.min_words + 6:
            return  # no link, or plenty of words even if some are hashtags
        words = _prose(segment)
        if not words or len(words) >= self.min_words:
            return
        urls = _urls(segment)
        if urls:
            yield Hit(
                self.say(count=len(words), min=self.min_words),
                segment.loc,
                urls[0][0],
                segment.text,
                hint="say what is behind the link and who it is for",
            )


class WeNotYouOptions(RuleOptions):
    min_we: int = Field(3, ge=1, description="fire only when we/our/us appear this often")


_we = lazy(r"\b(?:we|we're|we've|we'll|we'd|our|ours|us)\b", re.IGNORECASE)
# The reader named in the third person counts as the reader: "72% of our readers want…"
# Both behind a look-ahead for the characters their matches begin with (see
# soulpost.lint.kinds.firstchars, whose first_class gives it): the same spans, faster.
_you = lazy(
    r"(?=[opy])(?:"
    r"\b(?:you|your|yours|yourself|you're|you've|you'll|you'd|y'all|please)\b"
    r"|\bour\s+(?:readers|customers|members|listeners|viewers|followers|patients|pupils|students"
    r"|guests|neighbours|neighbors|community|supporters|volunteers|donors|subscribers)\b)",
    re.I,
)
# _we for lower-cased ASCII text: case-sensitive, behind a look-ahead, the same spans faster.
_we_ascii_lower = lazy(r"(?=[wou])\b(?:we|we're|we've|we'll|we'd|our|ours|us)\b")
# A head count ("there are five of us", "all of us"): people counted, not the brand's voice.
_counted_us = lazy(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a few|all|both|some|most|many|none"
    r"|each|one|few) of us\b",
    re.IGNORECASE,
)

# A price, a clock time or a day is what the notice means for the reader, said as a fact to
# act on: "We've put the price of a loaf up by 20p, to £3.60", "from next week we open at 8",
# "the new IPA goes on tap Friday". So is a measured quantity: a report, not a brochure
# ("three of our jobs have waited 11 weeks", "we tested our beds: pH 6.8, 7.1 and 7.4").
_service_fact = lazy(
    r"(?=[\$\dabfmpstuw£€])(?:"
    r"[$£€]\s?\d|\d\s?(?:p|€)(?!\w)|\b\d{1,2}(?::\d\d)?\s?(?:am|pm)\b|\b\d{1,2}:\d\d\b"
    r"|\b\d+(?:[.,]\d+)?\s?(?:weeks?|days?|hours?|hrs|minutes?|mins|months|kg|km|cm|mm|litres?"
    r"|liters?|tonnes?|brix)\b|\bph\s?\d"
    r"|\b(?:at|from|until|till|by)\s+\d{1,2}\b(?![:.,]?\d)"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)",
    re.IGNORECASE,
)

# Owning up to a mistake, a loss or a limit is not brochure talk: "three things we got
# wrong", "we couldn't interview everyone", "we lost our sponsor", "the lesson we keep
# relearning", "we don't know yet if it works; we're testing", "we have mixed feelings
# about it", "we take the allegations
# very seriously", a post that opens by explaining "why we're changing our name", a
# warning about a fake account or a scam; what we asked people and are not sure of yet,
# and a trade-off we chose ("we'd rather ship late than crunch the team again"); a trial
# still being watched ("so we're sowing a week earlier and keeping an eye on it", "we'll see
# how it goes", "early days"). Not
# "we can't wait" or "we couldn't be prouder", which are brochure talk. Sad news ("we're
# not at the fair this year") and an answer to someone's quoted words ("“We must act now,”
# the minister told us. We agree…") are not a brochure either.
_owning_up = lazy(
    r"\bwe(?:'ve|'re|'d)?\s+(?:\w+\s+)?(?:didn't|did not|couldn't(?! be\b)|could not(?! be\b)"
    r"|can't(?! wait\b)|cannot(?! wait\b)|weren't|haven't|hadn't|failed|lost|were wrong"
    r"|got\s+(?:\w+\s+){0,3}?wrong|made\s+(?:a\s+|some\s+)?mistakes?|messed up|underestimated"
    r"|keep (?:re)?learning|(?:re)?learned|learnt|don't (?:yet )?know|do not (?:yet )?know"
    r"|(?:'re|are) not sure|(?:have )?mixed feelings|in two minds"
    r"|(?:'re|are) (?:still )?(?:testing|trying out|experimenting)|(?:still )?not sure|rather"
    r"|did (?:that|this|it) (?:last time|before)|asked (?:\d+|our|you|customers|readers|users))\b"
    r"|\b(?:our|my) (?:mistake|fault|error)\b|\b(?:wasn't|was not|isn't|not) an easy decision\b"
    r"|\blessons? (?:we|learned|learnt)\b"
    r"|\btake (?:the|these|this|your|all|every) (?:\w+ )?"
    r"(?:allegations?|complaints?|concerns?|reports?)\b[^.!?\n]{0,40}? seriously\b"
    r"|\A\W*why we(?:'re| are|'ve| have)\b"
    r"|\b(?:fake|scam|scammers?|fraud\w*|phishing|impersonat\w*|pretending to be)\b"
    r"|\b(?:still learning|not sure yet|no idea yet)\b"
    r"|\b(?:keeping|keep|kept) an eye on\b|\bwe(?:'ll| will) (?:see how|report back)\b"
    r"|\b(?:early days|time will tell|fingers crossed)\b"
    r"|\b(?:surprised|caught) us(?: out)?(?: too| as well)?\b|\bto our (?:own )?surprise\b"
    r"|\b(?:sad|bad) news\b|\b(?:sadly|unfortunately)\b|\bwe(?:'re| are) not (?:at|going)\b"
    r"|\A\W*[\"“][^\"“”\n]{3,200}[\"”],?\s+(?:[\w'-]+\s+){0,6}?(?:said|says|told|wrote|asked)\b"
    # gen7relate: a rationing notice, what we have is short and we will say more when we know
    # ("our allocation is down by about a third … we'll post when we know the final numbers")
    r"|\b(?:when|once|as soon as) we know\b"
    r"|\bdown by (?:about |around |nearly |roughly )?(?:a (?:third|quarter|half|fifth)|\d)",
    re.IGNORECASE,
)


# German: wir, uns, unser… against du, ihr, euch, Sie (judgefa6), only in a post that boasts
# (stolz, stärker denn je, die Nummer eins): a German post about ourselves is as often a
# farewell, a thank-you or a statement. "ihr" and "Ihr" may also mean her or their, and
# count as the reader all the same. Owning up, a price and a clock time count as in English.
_wir = lazy(r"\b(?:wir|uns|unser|unsere|unserer|unseren|unserem|unseres)\b", re.IGNORECASE)
_du = lazy(
    r"\b(?:du|dich|dir|dein\w*|ihr|euch|euer|eure\w*)\b|\b(?-i:Sie|Ihnen|Ihr\w*)\b", re.IGNORECASE
)
# Praise quoted from an outside judge (a guide, a paper, a jury) is news the reader can
# weigh, not a brochure: "Der Falstaff nennt ihn „einen der präzisesten an der Mosel“".
# Not a name we give ourselves ("wir nennen es „…“").
_de_quoted_judge = lazy(
    r"(?<!\bwir )\b(?:nennt|nannte|nennen|lobt|lobte|loben|kürt|kürte|beschreibt|beschrieb"
    r"|urteilt|urteilte|schreibt|schrieb)\b(?!\s+wir\b)[^\n„“\"«»]{0,60}[„“\"«»]",
    re.IGNORECASE,
)
_de_owning_up = lazy(
    r"\b(?:leider|nicht geschafft|fehler\w*|falsch|entschuldig\w*|sorry|verloren"
    r"|wissen (?:noch )?nicht|nicht sicher|noch unklar|geirrt|betrug\w*|fälschung\w*"
    r"|gefälscht\w*|warnen|achtung|ehrlich)\b"
    r"|\d\s?(?:uhr|euro)\b",
    re.IGNORECASE,
)
_de_boast = lazy(
    r"\b(?:stolz|freuen uns (?:riesig|sehr|wahnsinnig|unglaublich|mega|total)|stärker denn je"
    r"|nummer eins|besten|erfolgreichsten?|rekordjahr|meilenstein|auf uns)\b",
    re.IGNORECASE,
)
# Me, me, me: an author's own award or title, told with pride and nothing for the reader
# ("Humbled to announce that I've been named one of the Top 50…").
_me = lazy(r"\b(?:i|i'm|i've|i'd|my|me|ich|mich|mir|mein\w*)\b", re.IGNORECASE)
_brag = lazy(
    r"\b(?:humbled|honou?red|proud|thrilled|delighted|stolz|freue mich|geehrt)\b"
    r"[^\n]{0,80}?\b(?:named|awarded|shortlisted|selected|nominated|recogni[sz]ed|top \d+"
    r"|gewählt|ausgezeichnet|ernannt|nominiert)\b",
    re.IGNORECASE,
)


# Words without which neither _de_boast nor _brag can match, looked for in the
# case-folded text (a dotless or dotted i folded to i, as re.IGNORECASE matches them): most
# posts then cost a few substring scans instead of two case-blind searches.
_BOAST_WORDS = (
    *("stolz", "freuen uns", "stärker denn je", "nummer eins", "besten", "erfolgreich"),
    *("rekordjahr", "meilenstein", "auf uns", "humbled", "honored", "honoured", "proud"),
    *("thrilled", "delighted", "freue mich", "geehrt"),
)


def _may_boast(text: str) -> bool:
    folded = text.casefold()
    if not text.isascii():
        folded = folded.replace("\u0131", "i").replace("\u0307", "")
    return any(word in folded for word in _BOAST_WORDS)


def _talks_only_about_us(text: str, min_we: int) -> int:
    """How often a German post says wir/uns/unser, or a boasting one I/my, when it never
    speaks to the reader (0 when it does, or owns up, or says too little)."""
    if not _may_boast(text):
        return 0
    boast = _de_boast().search(text) is not None
    if not boast and not _brag().search(text):
        return 0  # most posts: nothing boasted, nothing more to look at
    if "?" in text or _du().search(text) or _de_owning_up().search(text):
        return 0
    if boast and _de_quoted_judge().search(text):
        return 0
    if _you().search(text) or _owning_up().search(text) or _service_fact().search(text):
        return 0
    found = len(_wir().findall(text)) if boast else 0
    if found < min_we and (not boast or _brag().search(text)):  # not boast: it bragged
        found = len(_me().findall(text))
    return found if found >= min_we else 0


class WeNotYou(PostRule):
    code = "SP205"
    name = "we-not-you"
    severity = "info"
    lesson = "relate"
    summary = "The post talks only about us (we, our) and never to the reader (you)."
    why = (
        "A relationship has two sides. A post about nothing but ourselves reads as a "
        "brochure; one sentence about what it means for the reader makes it a conversation."
    )
    bad = ("We are proud to announce that our team has shipped our biggest release yet.",)
    good = ("We shipped our biggest release yet. What would you like us to build next?",)
    Options = WeNotYouOptions
    message = "talks about us {count} times and never to you"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, WeNotYouOptions)
        self.min_we = opts.min_we

    def check(self, draft: Draft) -> Iterator[Hit]:
        for segment in draft.segments:
            if not segment.lead:
                continue
            text = segment.plain.replace("’", "'")
            we, target = (_we_ascii_lower(), text.lower()) if text.isascii() else (_we(), text)
            if " of us" in target:
                target = _counted_us().sub(lambda m: " " * len(m.group(0)), target)
            found = we.findall(target)
            # A question asks the reader something: it is already a conversation; a price
            # or a time tells them what changes for them; owning up is not a brochure.
            if (
                len(found) >= self.min_we
                and "?" not in text
                and not _you().search(text)
                and not _service_fact().search(text)
                and not _owning_up().search(text)
            ):
                first = we.search(target)
                yield Hit(
                    self.say(count=len(found)),
                    segment.loc,
                    first.start() if first else 0,
                    segment.text,
                    hint="add what it means for the reader, or ask them something",
                )
            elif len(found) < self.min_we and (count := _talks_only_about_us(text, self.min_we)):
                yield Hit(
                    self.say(count=count),
                    segment.loc,
                    0,
                    segment.text,
                    hint="add what it means for the reader, or ask them something",
                )


RULES: tuple[type[PostRule], ...] = (EmojiOnly, LinkOnly, BareLink, WeNotYou)


# For the tests, which compare the ASCII fast path with the general pattern.
__getattr__ = module_getattr(
    __name__,
    {"_WE": _we, "_WE_ASCII_LOWER": _we_ascii_lower, "_YOU": _you, "_SERVICE_FACT": _service_fact},
)
