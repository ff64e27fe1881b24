"""Word lists load only when a rule needs them, and no more of them than it needs.

Each word list costs about 25 ms to load: a post without capitals never loads a list,
and shouting in English loads the English one only, even when the post's language is not
told by its function words.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from soulpost.lint.engine import lint_posts
from soulpost.lint.examples import EXAMPLE_NOW, example_posts, example_settings
from soulpost.text import lexicon


@pytest.fixture
def fresh_lists() -> Iterator[None]:
    lexicon._frequencies.cache_clear()
    yield
    lexicon._frequencies.cache_clear()


def _codes(text: str) -> list[str]:
    settings = example_settings()
    report = lint_posts(example_posts(text, settings), settings, now=EXAMPLE_NOW)
    return [f.code for f in report.findings]


def _loaded() -> int:
    return lexicon._frequencies.cache_info().currsize


def test_a_calm_post_loads_no_list(fresh_lists: None) -> None:
    assert _codes("We talked to 40 of you about onboarding. What did we miss?") == []
    assert _loaded() == 0


def test_english_shouting_of_unknown_language_loads_only_english(fresh_lists: None) -> None:
    # No function word says which language this is: every dictionary may be asked, but
    # English knows these words, so the other three are never loaded.
    assert "SP101" in _codes("FLASH SALE!!! ACT NOW!!!")
    assert _loaded() == 1


def test_a_word_english_does_not_know_asks_the_other_lists(fresh_lists: None) -> None:
    # No umlaut or function word tells German here either; English does not know the words.
    assert "SP101" in _codes("WUNDERBAR ANGEBOT!!!")
    assert _loaded() > 1
