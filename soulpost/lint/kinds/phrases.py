"""The ``phrases`` kind: listed phrases or regular expressions appear in a piece of text."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import Any, ClassVar

from pydantic import Field, field_validator

from soulpost.codecache import compiled_regex
from soulpost.lint.draft import Draft, Segment, alnum_pattern
from soulpost.lint.kinds.gatewords import pattern_words
from soulpost.lint.kinds.literals import LiteralIndex, gate_of
from soulpost.lint.kinds.patterns import (
    PATTERN_TIMEOUT,
    STRIKES,
    FindIter,
    Search,
    WordIndex,
    any_search,
    checked_patterns,
    compiled,
    lazy_compiled,
    lazy_search,
    phrase_regex,
)
from soulpost.lint.kinds.wordgates import (
    UNSET,
    WordGate,
    word_gate,
    word_passes,
    words_line_up,
)
from soulpost.lint.rule import Hit, RuleOptions, SegmentRule


def _span(match: re.Match[str]) -> tuple[int, int]:
    """Where *match* is, or its group ``at`` when the pattern names one: a pattern that
    must look at the whole text first (``\\A(?=…)[\\s\\S]*?``) reports only its words."""
    return match.span("at") if "at" in match.re.groupindex else match.span()


class PhrasesOptions(RuleOptions):
    phrases: list[str] = Field(default_factory=list, description="phrases to look for")
    patterns: list[str] = Field(
        default_factory=list, description="regular expressions to look for (case-insensitive)"
    )
    min_count: int = Field(1, ge=1, description="fire only when this many distinct ones appear")
    max_words: int | None = Field(
        None, ge=1, description="check only texts of at most this many words (None: all)"
    )
    lead_only: bool = Field(
        False, description="check only the text people see first, not the parts of a thread"
    )
    skip_quoted: bool = Field(
        False,
        description="ignore text in quotes and code spans (someone else's words, "
        "or bait being criticised)",
    )
    words: list[str] = Field(
        default_factory=list,
        description="look only at texts that hold one of these words (a fast gate in front "
        "of the patterns); empty: worked out from the phrases and patterns",
    )
    unless: list[str] = Field(
        default_factory=list,
        description="regular expressions that, found in the same text, make it fine "
        "(a concrete date or price turns urgency into information)",
    )
    despite: list[str] = Field(
        default_factory=list,
        description="regular expressions that, found in the same text, keep a finding "
        "that an unless would excuse (a threat of regret is pressure whatever the date)",
    )

    _patterns = field_validator("patterns", "unless", "despite")(checked_patterns)


# A pattern as the rule runs it: its source, search and finditer, and the words that gate it.
_Pattern = tuple[str, Search, FindIter, frozenset[str] | None]


class Phrases(SegmentRule):
    """Fires when listed phrases appear in a piece of text."""

    kind: ClassVar[str] = "phrases"
    Options = PhrasesOptions
    message: ClassVar[str] = "{match!r}"

    def setup(self) -> None:
        opts = self.options
        assert isinstance(opts, PhrasesOptions)
        phrases = [" ".join(p.lower().split()) for p in opts.phrases if p.strip()]
        # Built and compiled on first use: a calm post often never needs the regex at all,
        # and building the trie of fifty phrases alone costs more than linting one post.
        self.phrases = phrases
        self.has_phrases = bool(phrases)  # the same as bool(self.source), without the trie
        # A phrase can only match when every word in it is a word of the text; checking one
        # (the longest) against the text's words skips most texts without running a regex,
        # and the phrases that word belongs to, each as the set of its words, settle most
        # of the rest (see _phrase_may_match).
        self.triggers: frozenset[str] = frozenset()
        self.phrase_words: dict[str, list[frozenset[str]]] = {}
        self.always = False
        for phrase in phrases:
            runs = alnum_pattern().findall(phrase)
            if runs:
                trigger = max(runs, key=len)
                self.triggers |= {trigger}
                self.phrase_words.setdefault(trigger, []).append(frozenset(runs))
            else:
                self.always = True
        gate = frozenset(w.lower() for w in opts.words)
        self.pattern_sources = [(p, None if gate else pattern_words(p)) for p in opts.patterns]
        self.skip_quoted = opts.skip_quoted
        self.unless_source = "|".join(f"(?:{p})" for p in opts.unless)
        self.despite_source = "|".join(f"(?:{p})" for p in opts.despite)
        self.min_count = opts.min_count
        self.max_words = opts.max_words
        self.lead_only = opts.lead_only or self.parts == "lead"
        # The words of which a text needs one for _matches to find anything (phrases and
        # patterns together). Patterns without such words (``[⏰⏳]``) get one combined
        # search instead; only a phrase without letters or digits opens the gate for all.
        self.gate_open = self.has_phrases and self.always
        self.gate_words = (self.triggers if self.has_phrases else frozenset()).union(
            *(words for _p, words in self.pattern_sources if words is not None)
        )
        self.free_source = "|".join(
            f"(?:{p})" for p, words in self.pattern_sources if words is None and not gate
        )
        if gate:
            self.gate_words = self.gate_words | gate
        # Only the shipped pack's own patterns, unchanged by [lint] options, run untimed
        # (see soulpost.lint.kinds.patterns); the others are compiled now, so that one
        # the regex module rejects is a configuration error, not a failure mid-run.
        self.pack_patterns = frozenset(self.spec.defaults.get("patterns", ()))
        self.pack_patterns |= frozenset(self.spec.defaults.get("unless", ()))
        self.pack_patterns |= frozenset(self.spec.defaults.get("despite", ()))
        vetted = self.pack_patterns if self.spec.vetted else frozenset()
        every = [*opts.patterns, *opts.unless, *opts.despite]
        self.timed = frozenset(p for p in every if p not in vetted)
        self.strikes: dict[str, int] = {}  # stops per pattern in this process
        if self.timed:
            _ = self.patterns, self.free, self.unless, self.despite

    @cached_property
    def free(self) -> Search | None:
        """The rule's patterns that no word gates, as one case-insensitive search."""
        if not self.free_source:
            return None
        free = [p for p, words in self.pattern_sources if words is None]
        if any(p in self.timed for p in free):
            return compiled(self.free_source, timed=True)[0]
        # Untimed, each on its own behind its substring gate: a text that passes one
        # pattern's gate runs that pattern only, not one search over all of them; each is
        # compiled when a text first passes its gate (most never do in a short queue).
        if len(free) == 1:
            return compiled(free[0], timed=False)[0]
        searches = [lazy_search(p, timed=False) for p in free]
        index = LiteralIndex([gate_of(p) for p in free])

        def search_each(text: str) -> Any:
            for i in index.select(text):
                found = searches[i](text)
                if found:
                    return found
            return None

        return search_each

    def candidates(self, drafts: Sequence[Draft], indexes: Sequence[int]) -> Sequence[int]:
        """The drafts with a piece of text that holds one of the rule's words, or that
        the patterns no word gates find something in: what :meth:`check` looks at."""
        if self.gate_open or self.timed:
            return indexes  # a timed pattern is searched once per text, in check()
        gate_words, lead_only, free = self.gate_words, self.lead_only, self.free
        out = []
        for k in indexes:
            for segment in drafts[k].segments:
                if lead_only and not segment.lead:
                    continue
                if not gate_words.isdisjoint(segment.runs) or (
                    free is not None and free(segment.plain)
                ):
                    out.append(k)
                    break
        return out

    def check(self, draft: Draft) -> Iterator[Hit]:
        # Most texts hold none of the rule's words: settle them here, in one loop per post,
        # rather than with a generator and a call per piece of text.
        gate_open, gate_words, lead_only = self.gate_open, self.gate_words, self.lead_only
        free = self.free
        for segment in draft.segments:
            if lead_only and not segment.lead:
                continue
            if gate_open or not gate_words.isdisjoint(segment.runs):
                yield from self.check_segment(segment, draft)
            elif free is not None:
                try:
                    found = free(segment.plain)
                except TimeoutError:
                    # One of the ungated patterns is too slow on this text. From now on
                    # each runs on its own, with its own time bound and strikes, so that
                    # the finding can name the one to blame.
                    found = True
                    free = self.free = None
                    gate_open = self.gate_open = True
                if found:
                    yield from self.check_segment(segment, draft)

    def _one_search(self, patterns: list[str], source: str) -> Search | None:
        """*patterns* (joined as *source*) as one case-insensitive search, or None."""
        if not source:
            return None
        if any(p in self.timed for p in patterns):
            # compiled now, so that a pattern the regex module rejects fails set-up
            return compiled(source, timed=True)[0]
        return any_search(patterns, timed=False)

    @cached_property
    def unless(self) -> Search | None:
        """The rule's ``unless`` patterns as one case-insensitive search."""
        return self._one_search(self.options.unless, self.unless_source)  # type: ignore[attr-defined]

    @cached_property
    def despite(self) -> Search | None:
        """The rule's ``despite`` patterns as one case-insensitive search: asked only of a
        text that an ``unless`` has excused."""
        return self._one_search(self.options.despite, self.despite_source)  # type: ignore[attr-defined]

    @cached_property
    def source(self) -> str:
        """The phrases as one regex source, a trie (see :func:`phrase_regex`)."""
        return phrase_regex(self.phrases)

    @cached_property
    def literal(self) -> re.Pattern[str] | None:
        """The phrases as one regex, for lower-cased text."""
        return compiled_regex(self.source) if self.source else None

    @cached_property
    def literal_any_case(self) -> re.Pattern[str] | None:
        """The same, case-insensitive, for the rare text whose lower case changes length."""
        return compiled_regex(self.source, re.IGNORECASE) if self.source else None

    @cached_property
    def patterns(self) -> list[_Pattern]:
        """The rule's regular expressions, compiled, each with the words that gate it."""
        return [
            (p, *lazy_compiled(p, timed=p in self.timed), words)
            for p, words in self.pattern_sources
        ]

    @cached_property
    def word_gates(self) -> list[WordGate | None]:
        """Each pattern's :func:`word_gate` (UNSET until a text first reaches it; None for
        a timed pattern, which runs on every text its words let through, as before)."""
        return [UNSET] * len(self.pattern_sources)

    @cached_property
    def free_index(self) -> tuple[list[int], LiteralIndex] | None:
        """The patterns no word gates, with their substring gates together (see
        :class:`LiteralIndex`): one pass over a text settles them all, where each on its
        own was a call per text. None when one of them is timed: a timed pattern runs on
        every text, as it always did."""
        free = [i for i, (_p, words) in enumerate(self.pattern_sources) if words is None]
        if not free or any(self.pattern_sources[i][0] in self.timed for i in free):
            return None
        return free, LiteralIndex([gate_of(self.pattern_sources[i][0]) for i in free])

    @cached_property
    def pattern_index(self) -> WordIndex:
        """Which patterns a text's words let through (see :class:`WordIndex`); the
        patterns no word gates are listed for every text, unless free_index takes them."""
        if self.free_index is None:
            return WordIndex([words for _p, words in self.pattern_sources])
        return WordIndex([words or frozenset() for _p, words in self.pattern_sources])

    def _candidates(self, text: str, runs: frozenset[str]) -> list[int]:
        """The patterns *text* (whose words are *runs*) may match, in order."""
        indexes = self.pattern_index.select(runs)
        if self.free_index is not None:
            free, literals = self.free_index
            more = literals.select(text)
            if more:
                return sorted({*indexes, *(free[k] for k in more)})
        return indexes

    def _matches(
        self, segment: Segment, first_only: bool, stopped: list[tuple[str, bool]]
    ) -> list[tuple[int, int]]:
        """(start, end) of matches in the segment's plain text, in order.

        Patterns stopped on this text, or skipped after too many stops, are added to
        *stopped* as (pattern, skipped).
        """
        found: list[tuple[int, int]] = []
        runs = segment.runs
        plain = segment.quiet if self.skip_quoted else segment.plain
        if self.has_phrases and (self.always or self._phrase_may_match(segment)):
            lower = segment.lower
            if lower is not None and plain is not segment.plain:
                lower = plain.lower()
            pattern = self.literal if lower is not None else self.literal_any_case
            target = lower if lower is not None else plain
            assert pattern is not None
            if first_only:
                match = pattern.search(target)
                found += [match.span()] if match else []
            else:
                found += [m.span() for m in pattern.finditer(target)]
        patterns, word_gates = self.patterns, self.word_gates
        lined_up: bool | None = None
        for index in self._candidates(plain, runs):
            source, search, finditer, _words = patterns[index]
            gate = word_gates[index]
            if gate == UNSET:
                gate = word_gates[index] = None if source in self.timed else word_gate(source)
            if gate is not None:
                if lined_up is None:
                    lined_up = words_line_up(segment)
                if lined_up and not word_passes(gate, runs):
                    continue  # its words are not all there: it cannot match
            if self.strikes and self.strikes.get(source, 0) >= STRIKES:
                stopped.append((source, True))
                continue
            try:
                if first_only:
                    match = search(plain)
                    found += [_span(match)] if match else []
                else:
                    found += [_span(m) for m in finditer(plain)]
            except TimeoutError:
                self.strikes[source] = self.strikes.get(source, 0) + 1
                stopped.append((source, False))
        found.sort()
        return found

    def _phrase_may_match(self, segment: Segment) -> bool:
        """Whether all the words of one of the phrases are words of *segment*'s text.

        Otherwise no phrase can match: each word of a phrase is a whole word where the
        phrase matches, since a phrase that begins or ends with a letter or digit matches
        at word boundaries, and between its words stand the phrase's own spaces and marks.
        In quoted text blanked to ``_`` too: a blank stands only between quote marks.
        Phrases are matched on the lower-cased text, whose words these are; where lower
        case changes the text's length, case-insensitively on the text itself (İ matches
        i there, and lowers to two characters), so only the longest word is asked.
        """
        runs = segment.runs
        hit = self.triggers.intersection(runs)
        if not hit:
            return False
        if segment.lower is None:
            return True
        words = self.phrase_words
        return any(needed <= runs for trigger in hit for needed in words[trigger])

    def check_segment(self, segment: Segment, draft: Draft) -> Iterator[Hit]:
        if self.lead_only and not segment.lead:
            return
        stopped: list[tuple[str, bool]] = []
        spans = self._matches(segment, self.min_count == 1, stopped)
        if not spans and not stopped:
            return
        if self.max_words is not None and segment.words > self.max_words:
            return
        for source, skipped in stopped:
            yield self._stopped(source, skipped, segment)
        if not spans:
            return
        text = segment.plain
        seen = segment.quiet if self.skip_quoted else text
        unless, despite = self.unless, self.despite
        try:
            excused = unless is not None and unless(seen)
        except TimeoutError:
            yield self._stopped(self.unless_source, False, segment)
            return
        if excused:  # a despite keeps the finding all the same
            try:
                if despite is None or not despite(seen):
                    return
            except TimeoutError:
                yield self._stopped(self.despite_source, False, segment)
                return
        names = list(dict.fromkeys(" ".join(text[a:b].split()) for a, b in spans))
        if len({n.lower() for n in names}) < self.min_count:
            return
        start, end = spans[0]
        yield Hit(
            self.say(match=text[start:end], matches=", ".join(names), count=len(names)),
            segment.loc,
            start,
            segment.text,
        )

    def _stopped(self, source: str, skipped: bool, segment: Segment) -> Hit:
        """The finding for a pattern that could not check *segment* in time.

        An error whatever the rule's severity: the text was not checked by a rule the
        workspace asked for, as a pattern that does not compile stops the whole run.
        """
        spec = self.spec
        where = (
            spec.origin.removeprefix("pack:") if source in self.pack_patterns else "[lint] options"
        )
        what = (
            f"was not run on this text: it took too long on {STRIKES} texts before it"
            if skipped
            else f"took too long on this text (over {PATTERN_TIMEOUT:g} s) and was stopped"
        )
        return Hit(
            f"pattern '{source}' of rule {spec.code} ({spec.name}) in {where} {what}, "
            "so the rule did not check this text",
            segment.loc,
            0,
            segment.text,
            hint="simplify the pattern: no nested repeats such as (a+)+ or (a|aa)+, "
            "and bound the rest, e.g. [^.]{0,40} instead of .*",
            severity="error",
        )
