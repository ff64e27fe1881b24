"""Line breaks: a line break in a draft is a line break in the post.

soulpost sends text exactly as written (only the ends are trimmed), because on most
networks a line break is content: poems, lists, a punchline on its own line. So a paragraph
hard-wrapped in the editor (line breaks inside sentences, as a TOML editor or ``fmt``
leaves them) would reach readers broken into ragged lines. This rule finds those breaks so
a person joins the lines before the post goes out; a blank line starts a paragraph.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import TYPE_CHECKING

from pydantic import Field

from soulpost.lint.rule import Hit, RuleOptions, SegmentRule
from soulpost.text.lazyre import lazy

if TYPE_CHECKING:
    from soulpost.lint.draft import Draft, Segment

# A line that ends a sentence or a clause on purpose: punctuation (with closing quotes or
# brackets after it), or a symbol/emoji, which people put at the end of a deliberate line.
_ends = lazy(r"""[.!?:;…‼⁉。！？]["'”’»)\]]*$|[^\w\s,("'“‘«\[-]$|https?://\S+$""")
# A next line that starts something of its own: a list item, a hashtag or mention line, a
# link, a quote.
_starts = lazy(r"""^(?:[-*•·–—>]\s|\d{1,2}[.)]\s|[#@＃＠]|https?://|["'“‘«(\[])""")


class HardWrapOptions(RuleOptions):
    min_length: int = Field(
        40, ge=10, description="a broken line at least this long counts as wrapped"
    )


class HardWrap(SegmentRule):
    code = "SP610"
    name = "hard-wrap"
    severity = "warning"
    lesson = "platform"
    summary = "A paragraph is hard-wrapped: a line break falls inside a sentence."
    why = (
        "A line break in a draft is a line break in the post. Text wrapped at a column in "
        "the editor reaches readers as ragged half-lines on a phone, and nothing before "
        "publishing shows it. Keep each paragraph on one line and separate paragraphs with "
        "a blank line; `soulpost preview` shows the text exactly as it will be sent."
    )
    bad = (
        "We interviewed 40 customers about their first week with our app, and\n"
        "three things stood out. What would you add?",
        "We interviewed 40 customers. Three things stood out:\npeople skim the welcome email.",
    )
    good = (
        "We interviewed 40 customers about their first week.\n\nThree things stood out.",
        "Three things stood out:\n- people skim the welcome email\n- they want one next step",
        "Roses are red\nviolets are blue",
        "Our new guide is out today, with ten worked examples 🎉\nhttps://example.com/guide",
    )
    Options = HardWrapOptions
    message = "a line break inside a sentence ({count} in this text); it is sent as is"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, HardWrapOptions)
        self.min_length = opts.min_length

    def check_segment(self, segment: Segment, draft: Draft) -> Iterator[Hit]:
        text = segment.text
        if "\n" not in text.strip():
            return
        breaks = list(self.wraps(text))
        if breaks:
            yield Hit(
                self.say(count=len(breaks)),
                segment.loc,
                breaks[0],
                text,
                hint="join the wrapped lines; a blank line separates paragraphs",
            )

    def wraps(self, text: str) -> Iterator[int]:
        """Offsets of the line breaks that fall inside a sentence."""
        offset = 0
        lines = text.split("\n")
        for line, following in pairwise(lines):
            end = offset + len(line)
            offset = end + 1
            current, nxt = line.rstrip(), following.strip()
            if len(current.strip()) < self.min_length or not nxt or _starts().match(nxt):
                continue
            clause = current.endswith((":", ",")) and nxt[0].islower()
            if clause or not _ends().search(current):
                yield end


RULES = (HardWrap,)
