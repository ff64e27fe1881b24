"""Setting rules up for one draft costs less, and finds the same (branch onedraft).

Each cheaper step is checked against the slower way it replaced, on the shipped packs'
own patterns and on awkward strings, so that what the rules find cannot change.
"""

from __future__ import annotations

import random
from dataclasses import replace

import tomli
from pytest import MonkeyPatch

from soulpost.lint.kinds import gatewords as patterns_module
from soulpost.lint.kinds.gatewords import _alternatives, pattern_words
from soulpost.lint.registry import shipped_packs
from soulpost.lint.rule import RuleSpec


def _alternatives_by_character(body: str) -> list[str]:
    """The character-by-character reading that _alternatives replaced (the reference)."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i += 1
            while i < len(body) and body[i] != "]":
                i += 2 if body[i] == "\\" else 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            out.append(body[start:i])
            start = i + 1
        i += 1
    out.append(body[start:])
    return out


def _shipped_patterns() -> list[str]:
    found = []
    for path in shipped_packs():
        for rule in tomli.loads(path.read_text(encoding="utf-8")).get("rule", []):
            options = rule.get("options", {})
            unless = options.get("unless", [])  # by language (a dict) for queue-share
            found += options.get("patterns", [])
            found += (
                unless if isinstance(unless, list) else [p for ps in unless.values() for p in ps]
            )
    return found


def test_alternatives_split_the_shipped_patterns_as_before(monkeypatch: MonkeyPatch) -> None:
    patterns = _shipped_patterns()
    assert len(patterns) > 100
    words = [pattern_words(p) for p in patterns]
    for pattern in patterns:
        assert _alternatives(pattern) == _alternatives_by_character(pattern), pattern
    monkeypatch.setattr(patterns_module, "_alternatives", _alternatives_by_character)
    assert [pattern_words(p) for p in patterns] == words


def test_alternatives_agree_on_awkward_strings() -> None:
    awkward = [
        "",
        "a|b",
        "\\",
        "a\\",
        "[",
        "[a|b",
        "[]a|b]|c",
        "[^]|]|x",
        "(a|b)|c",
        "a\\|b|c",
        "[\\]|]|d",
        "(?:x|[|])|y)|z",
        "a|\n|b",
        "\\\n|c",
        "[\\",
    ]
    rng = random.Random(9)
    alphabet = "ab|()[]\\^\n"
    awkward += [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(5000)
    ]
    for body in awkward:
        assert _alternatives(body) == _alternatives_by_character(body), repr(body)


def test_the_packs_snapshot_is_current() -> None:
    """Regenerate with `python -m soulpost.lint.packsnap` after editing rules/*.toml."""
    from soulpost.lint.packsnap import SNAPSHOT, build

    assert SNAPSHOT.read_text(encoding="utf-8") == build(shipped_packs())


def test_the_snapshot_holds_what_parsing_the_toml_gives() -> None:
    from soulpost.lint.packsnap import parsed

    for path in shipped_packs():
        raw = path.read_bytes()
        assert parsed(path.name, raw) == tomli.loads(path.read_text(encoding="utf-8"))
        # Bytes it was not made from (an edited pack): parsed from the TOML instead.
        assert parsed(path.name, raw + b"\n# edited\n") is None
        assert parsed(path.name, raw.replace(b"SP1", b"SP9", 1)) is None


def test_the_registry_is_the_same_with_and_without_the_snapshot(
    monkeypatch: MonkeyPatch,
) -> None:
    from soulpost.lint import packsnap, registry

    def specs() -> list[RuleSpec]:
        """The specs, but for whether their options came checked from the snapshot."""
        registry._CACHE.clear()
        return [replace(s, checked=False) for s in registry.load_registry(plugins=False).specs]

    fast = specs()
    assert len(fast) > 50
    monkeypatch.setattr(packsnap, "parsed", lambda name, raw: None)
    assert specs() == fast
    registry._CACHE.clear()


def test_options_made_without_validating_are_what_validating_gives() -> None:
    """Every shipped rule's options, made as a run makes them, equal validation's."""
    from soulpost.lint import registry

    registry._CACHE.clear()
    specs = registry.load_registry(plugins=False).specs
    assert any(spec.checked for spec in specs)
    for spec in specs:
        made = spec.options()
        valid = spec.cls.Options.model_validate(dict(spec.defaults))
        assert repr(made) == repr(valid), spec.code
        assert made.model_fields_set == valid.model_fields_set, spec.code
        assert made.model_dump(mode="json") == valid.model_dump(mode="json"), spec.code


def test_a_plugin_options_class_with_a_model_validator_is_still_validated() -> None:
    from pydantic import model_validator

    from soulpost.lint.rule import PostRule, RuleOptions

    class Shouted(RuleOptions):
        word: str = "hello"

        @model_validator(mode="after")
        def _loud(self) -> Shouted:
            object.__setattr__(self, "word", self.word.upper())
            return self

    class Loud(PostRule):
        code, name, lesson, summary = "XP101", "loud", "listen", "A plugin rule."
        Options = Shouted

    assert RuleSpec.from_class(Loud).options().word == "HELLO"  # type: ignore[attr-defined]
