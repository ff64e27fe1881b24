"""Patterns compiled on first use (soulpost.text.lazyre), and errors that stay at load.

Module-level patterns most runs never use are compiled when a text first needs them; a
one-draft lint then compiles a third fewer regular expressions. A pack author's pattern,
though, must still fail when the pack loads, naming the file and the key, whatever the
drafts hold: laziness must not turn a bad pattern into a traceback in the middle of a run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from soulpost.lint import draft
from soulpost.lint.builtin import content
from soulpost.lint.engine import lint_posts
from soulpost.lint.examples import EXAMPLE_NOW, example_posts, example_settings
from soulpost.text.lazyre import lazy

NOW = "2026-11-20T12:00:00+00:00"
CONFIG = """\
timezone = "Europe/Berlin"
default_platforms = ["mastodon"]

[platforms.mastodon]
adapter = "outbox"
"""


def _pack(options: str, languages: str = "") -> str:
    return (
        '[[rule]]\ncode = "ACME201"\nname = "bad-pattern"\nkind = "phrases"\n'
        'severity = "info"\nlesson = "listen"\nsummary = "A pattern that does not compile."\n'
        f'message = "{{match!r}} found"\n{languages}options = {{ {options} }}\n'
    )


def _workspace(root: Path, pack: str) -> Path:
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    (root / "rules").mkdir()
    (root / "rules" / "bad.toml").write_text(pack, encoding="utf-8")
    (root / "queue").mkdir()
    # Plain English with no word any pattern could need: nothing reaches the rule.
    post = 'text = "The library opens at nine."\nat = 2026-12-01T10:00:00\n'
    (root / "queue" / "a.toml").write_text(post, encoding="utf-8")
    return root


def _lint(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "soulpost", "lint", "--now", NOW, *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("options", "languages"),
    [
        ("patterns = ['(unclosed']", ""),
        ("patterns = ['fine'], unless = ['[unclosed']", ""),
        # A German rule and an English draft: the rule never runs, the error still shows.
        ("patterns = ['(offen']", 'languages = ["de"]\n'),
    ],
)
def test_a_pack_pattern_that_does_not_compile_fails_at_load(
    tmp_path: Path, options: str, languages: str
) -> None:
    root = _workspace(tmp_path, _pack(options, languages))
    for args in ((), ("queue/a.toml",)):
        result = _lint(root, *args)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert "bad.toml" in result.stderr, result.stderr
        assert "rule[0].options" in result.stderr, result.stderr


def test_the_same_pack_with_a_valid_pattern_lints(tmp_path: Path) -> None:
    root = _workspace(tmp_path, _pack("patterns = ['opens at']"))
    result = _lint(root, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    assert "ACME201" in result.stdout


def test_a_lazy_pattern_is_compiled_once_and_only_when_asked() -> None:
    found = lazy(r"\bword\b")
    assert found.cache_info().currsize == 0  # type: ignore[attr-defined]
    assert found() is found()
    assert found().search("a word here")
    assert found.cache_info().currsize == 1  # type: ignore[attr-defined]


def test_a_draft_without_prices_never_compiles_the_price_patterns() -> None:
    """Run in a fresh interpreter: another test may already have compiled them here."""
    code = (
        "from soulpost.lint import charges, draft\n"
        "from soulpost.lint.engine import lint_posts\n"
        "from soulpost.lint.examples import EXAMPLE_NOW, example_posts, example_settings\n"
        "s = example_settings()\n"
        "posts = example_posts('The library opens at nine on Monday.', s)\n"
        "lint_posts(posts, s, now=EXAMPLE_NOW)\n"
        "lazies = (draft._price, draft._price_with, draft._quoted, charges._charge_before)\n"
        "print([f.cache_info().currsize for f in lazies])\n"
        "assert draft.selling_price('Our fee is £96 a year') is not None\n"
        "print([f.cache_info().currsize for f in lazies])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    before, after = result.stdout.splitlines()
    assert before == "[0, 0, 0, 0]"
    assert after == "[1, 0, 0, 1]", after  # asked for a price: compiled then, once


def test_the_exported_names_still_give_the_patterns() -> None:
    assert draft.PRICE is draft._price()
    assert draft.PROMOTIONAL.flags & 2  # IGNORECASE, as before
    assert content._WE.search("we") and content._WE_ASCII_LOWER.search("our")
    with pytest.raises(AttributeError, match="NO_SUCH"):
        draft.NO_SUCH  # noqa: B018


def test_linting_with_lazy_patterns_still_finds_what_they_match() -> None:
    settings = example_settings()
    text = 'Buy now: only $9 a month! We think "our" plan is the best. We, we, we.'
    report = lint_posts(example_posts(text, settings), settings, now=EXAMPLE_NOW)
    assert report.findings


def _shipped_unless() -> list[list[str]]:
    import json
    from importlib.resources import files

    packs = json.loads(files("soulpost.lint.packs").joinpath("shipped.json").read_text("utf-8"))
    found: list[list[str]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "unless" and isinstance(value, list):
                    found.append(value)
                elif key == "unless" and isinstance(value, dict):
                    found.extend(value.values())
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(packs)
    return [group for group in found if group]


def _example_texts() -> list[str]:
    import json
    from importlib.resources import files

    raw = files("soulpost.lint.packs").joinpath("shipped.json").read_text("utf-8")
    texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("bad", "good") and isinstance(value, list):
                    texts.extend(v for v in value if isinstance(v, str))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(raw))
    return texts


def test_shipped_unless_patterns_hold_no_back_references() -> None:
    """any_search asks shipped patterns one by one; joined, a back-reference or a named
    group would have meant another group (and global flags are allowed only first)."""
    import re

    groups = _shipped_unless()
    assert len(groups) > 10
    for group in groups:
        for pattern in group:
            assert not re.search(r"\\[1-9]|\(\?P[=<]|\(\?[aiLmsux]+\)", pattern), pattern


def test_any_search_answers_as_the_joined_pattern_did() -> None:
    import re

    from soulpost.lint.kinds.patterns import any_search

    texts = _example_texts()
    texts += ["It's free of charge.", "Free delivery on our plan: £5.", "Entry is free!", ""]
    assert len(texts) > 100
    for group in _shipped_unless():
        joined = re.compile("|".join(f"(?:{p})" for p in group), re.IGNORECASE)
        search = any_search(group, timed=False)
        for text in texts:
            assert bool(search(text)) == bool(joined.search(text)), (group, text)


def test_a_foldable_character_is_told_without_the_pattern() -> None:
    """wordgates asks ``ord(low) in _FOLD`` of one character where it matched _foldable."""
    from soulpost.lint.kinds.literals import _FOLD, _foldable

    pattern = _foldable()
    assert max(_FOLD) < 0x10000  # re's folding classes are all in the BMP
    for code in range(0x10000):
        assert (pattern.match(chr(code)) is not None) == (code in _FOLD), hex(code)
