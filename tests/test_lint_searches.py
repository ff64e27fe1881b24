"""The linter's fast paths find exactly what the plain searches they replace find.

Each fast path is a shortcut around a regular expression (try it only where a match can
begin, share one lower-casing, skip what a gate rules out); a finding that moved by one
character would change the output. So each is compared with the plain search on real
posts (the development part of the judgment corpus) and on random texts built from the
pieces that matter to the pattern.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from soulpost.lint.draft import PRICE, price_in

ROOT = Path(__file__).resolve().parent.parent


def corpus_texts() -> list[str]:
    """The development part's texts (the held-out part is never used to tune anything)."""
    path = ROOT / "corpus" / "judgment" / "dev.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]


def random_texts(pieces: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(pieces, k=rng.randint(0, 12))) for _ in range(count)]


PRICE_PIECES = [
    *"$€£¥0123456789 .,/-",
    "٣",  # an Arabic-Indic digit: \d matches it
    "from ",
    "to ",
    "by ",
    "a ",
    "bis ",
    " eur",
    " euros",
    "EUR",
    " dollars",
    " billion",
    " cash",
    "k ",
    "\n",
    "Ab",
]


def _span(match: object) -> tuple[int, int] | None:
    return None if match is None else match.span()  # type: ignore[attr-defined]


def test_price_in_finds_what_price_search_finds() -> None:
    texts = corpus_texts() + random_texts(PRICE_PIECES, 20000, seed=1)
    texts += ["Now £96 a year", "from £5 to £9", "by 12 €", "5 eur and 10 eur", "x$5"]
    for text in texts:
        assert _span(price_in(text)) == _span(PRICE.search(text)), text


def shipped_patterns() -> list[str]:
    """Every regular expression of the shipped packs: patterns, unless, signals."""
    import tomllib

    found: list[str] = []
    for pack in sorted((ROOT / "soulpost" / "lint" / "packs").glob("*.toml")):
        for rule in tomllib.loads(pack.read_text(encoding="utf-8")).get("rule", []):
            options = rule.get("options", {})
            unless = options.get("unless", [])  # by language (a dict) for queue-share
            found += options.get("patterns", [])
            found += (
                unless if isinstance(unless, list) else [p for ps in unless.values() for p in ps]
            )
            found += [p for ps in options.get("signals", {}).values() for p in ps]
    return found


def test_boundary_first_matches_the_same() -> None:
    import re

    from soulpost.lint.kinds.patterns import boundary_first

    patterns = shipped_patterns()
    moved = [p for p in patterns if boundary_first(p) != p]
    assert len(moved) > 100  # the shipped packs' bait patterns begin so
    texts = [*corpus_texts(), "Comment YES if you agree!", "so, like this if you're an Aries"]
    texts += [t.upper() for t in texts]
    for source in moved:
        before = re.compile(source, re.IGNORECASE)
        after = re.compile(boundary_first(source), re.IGNORECASE)
        assert after.pattern.startswith(("\\b", "(?#")), source
        for text in texts:
            assert [m.span() for m in after.finditer(text)] == [
                m.span() for m in before.finditer(text)
            ], (source, text)


def test_phrase_gate_never_turns_away_a_text_a_phrase_matches() -> None:
    """Texts with a phrase's longest word but not all its words skip the phrase search,
    and must be texts on which it finds nothing."""
    from soulpost.lint.draft import Segment
    from soulpost.lint.examples import example_settings
    from soulpost.lint.kinds.phrases import Phrases
    from soulpost.lint.registry import load_registry
    from soulpost.lint.select import configure

    ruleset = configure(load_registry(None), example_settings().lint, select=["ALL"])
    rules = [rule for rule in ruleset.post_rules if isinstance(rule, Phrases)]
    phrases = [p for rule in rules for p in rule.options.phrases]  # type: ignore[attr-defined]
    texts = [*corpus_texts(), *phrases, *(f"«{p}» and “{p}”" for p in phrases)]
    texts += [f"_{p}_ x{p}x {p}!" for p in phrases]
    texts += [t.upper() for t in texts] + [t.replace("i", "İ").replace("s", "ſ") for t in texts]
    turned_away = 0
    for text in texts:
        segment = Segment(("text",), text, ("x",))
        for rule in rules:
            rule.set_up()
            if not rule.source or rule.always:
                continue
            quiet = segment.quiet if rule.skip_quoted else segment.plain
            lower = quiet.lower() if segment.lower is not None else None
            pattern = rule.literal if lower is not None else rule.literal_any_case
            assert pattern is not None
            found = pattern.search(lower if lower is not None else quiet)
            if rule._phrase_may_match(segment) or rule.triggers.isdisjoint(segment.runs):
                continue  # the longest word alone turned it away before: still the same
            turned_away += 1
            assert found is None, (rule.spec.code, text, found)
    assert turned_away > 1000  # texts whose longest words were there, without the others


def test_word_gates_never_turn_away_a_text_a_pattern_matches() -> None:
    """Where a shipped pattern matches a text whose words line up, its word gate lets the
    text through; and the gates do turn texts away."""
    import re

    from soulpost.lint.draft import Segment
    from soulpost.lint.kinds.wordgates import word_gate, word_passes, words_line_up

    gates = [(source, word_gate(source)) for source in shipped_patterns()]
    gated = [(re.compile(source, re.IGNORECASE), gate) for source, gate in gates if gate]
    assert len(gated) > 300
    texts = corpus_texts()
    texts += [t.upper() for t in texts] + [f"«{t}» x_{t}_x" for t in texts[:100]]
    texts += [t.replace("s", "ſ").replace("i", "ı") for t in texts[:200]]
    turned_away = 0
    for text in texts:
        segment = Segment(("text",), text, ("x",))
        if not words_line_up(segment):
            continue
        for plain in {segment.plain, segment.quiet}:
            for pattern, gate in gated:
                if word_passes(gate, segment.runs):
                    continue
                turned_away += 1
                assert pattern.search(plain) is None, (pattern.pattern, text)
    assert turned_away > 100000


def test_capital_pair_fast_path_agrees_with_the_search() -> None:
    from soulpost.lint.kinds.style import _CAPITAL_PAIR, has_capital_pair

    texts = [*corpus_texts(), *random_texts([*"aAbZz_0 9-'", "É", "ß", "\n"], 20000, 2)]
    texts += ["".join(map(chr, range(128))), "AB", "A B", "aB", "Ab", "A_B", "ÉA"]
    for text in texts:
        assert has_capital_pair(text) == (_CAPITAL_PAIR.search(text) is not None), text


def test_language_votes_count_each_function_word_each_time() -> None:
    from collections import Counter

    from soulpost.text import language

    def counted(text: str, langs: tuple[str, ...]) -> dict[str, int]:
        """The votes as the words' counts give them (how they were first computed)."""
        lowered = text.lower().replace("’", "'")
        counts = Counter(language._words_of(lowered))
        votes = dict.fromkeys(langs, 0)
        for word, count in counts.items():
            for lang in language._OWNERS.get(word, ()):
                if lang in votes:
                    votes[lang] += count
        if not lowered.isascii():
            for lang in votes:
                votes[lang] += sum(lowered.count(ch) for ch in language._LETTERS.get(lang, ""))
        return votes

    texts = [*corpus_texts(), "the the THE der und und", "c'est l’été"]
    for langs in (language.PACK_LANGUAGES, ("de", "en")):
        for text in texts:
            assert language._votes(text, langs) == counted(text, langs), text


def test_a_word_gate_is_the_same_in_every_process() -> None:
    """The code cache keeps word gates between runs, so a gate must not depend on the hash
    seed of the process that worked it out: groups of words of one size in a fixed order."""
    import os
    import subprocess
    import sys

    source = (
        r"\b(?:only|just)\s+\d+\s+(?:left|remaining)\b[^\n]{0,60}?"
        r"\b(?:apply|join)\s+(?:now|today)\b"
    )
    code = (
        "import sys; from soulpost.lint.kinds.wordgates import word_gate; "
        "print(repr([[sorted(w) for w in a] for a in word_gate(sys.argv[1])]))"
    )
    seen = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code, source],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        seen.add(done.stdout)
    assert len(seen) == 1, seen
