"""The URL finder's ASCII tail grammar gives what the full one gives (soulpost.text.urls).

A link whose rest, up to the next space, is ASCII has its port, path and query read with
the grammar's ASCII-only copy, which compiles in a fraction of the time (issue 9's one
draft). These tests compare both grammars on many texts, and the finder with and without
the copy, so a difference in what is found shows up here.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from soulpost.text import urls

# Pieces a path, query or its end may be made of, ASCII and not.
ASCII_BITS = [*"abcXYZ019!*';:=+,.$/%#[]-_~&|@?()^\"<>{}`\\", "/", "//", "..", "(x)", "@a/"]
OTHER_BITS = ["ж", "é", "ő", "–", "—", "ß", "日本", "ｘ", "\u0301", "ǅ", "İ"]


def texts(seed: int, count: int, *, ascii_only: bool) -> list[str]:
    rng = random.Random(seed)
    bits = ASCII_BITS if ascii_only else ASCII_BITS + OTHER_BITS
    out = []
    for _ in range(count):
        rest = "".join(rng.choice(bits) for _ in range(rng.randint(0, 14)))
        end = rng.choice(["", " more", "\nnext", ". Done", " ж"])
        out.append(rng.choice([":8080", "", ":x"]) + rng.choice(["/", "?", ""]) + rest + end)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_on_ascii_up_to_a_space_both_grammars_match_alike(seed: int) -> None:
    full, short = urls._TAIL(), urls._ASCII_TAIL()
    checked = 0
    for text in texts(seed, 3000, ascii_only=True):
        space = text.find(" ")
        if not (text[:space] if space >= 0 else text).isascii():
            continue
        a, b = full.match(text), short.match(text)
        assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), text
        checked += 1
    assert checked > 2000


def test_the_copy_takes_no_character_beyond_ascii() -> None:
    assert "\\u" not in urls._ASCII_TAIL().pattern
    for char in "жéő–ǅ":
        assert urls._TAIL().match(f"/a{char}b").end() == 4  # the full grammar reads on
        assert urls._ASCII_TAIL().match(f"/a{char}b").end() == 2


def test_a_path_with_letters_beyond_ascii_is_read_with_the_full_grammar() -> None:
    for text, url in [
        ("see example.com/путь/далее now", "example.com/путь/далее"),
        ("read https://example.org/café-crème?x=1 today", "https://example.org/café-crème?x=1"),
        ("dash example.com/a–b here", "example.com/a–b"),
    ]:
        assert [found for _s, _e, found in urls.find_urls(text)] == [url]


@pytest.mark.parametrize("seed", range(3))
def test_the_finder_finds_the_same_urls_with_and_without_the_copy(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    hosts = ["example.com", "https://example.org", "http://sub.example.co.uk", "t.co", "日本.jp"]
    samples = [
        f"{rng.choice(['', 'Read ', 'x '])}{rng.choice(hosts)}{tail}"
        for tail in texts(seed, 1500, ascii_only=False)
    ]
    with_copy = [urls.find_urls(text) for text in samples]
    monkeypatch.setattr(urls, "_ASCII_TAIL", urls._TAIL)  # the full grammar everywhere
    urls._find_urls.cache_clear()
    try:
        assert [urls.find_urls(text) for text in samples] == with_copy
    finally:
        urls._find_urls.cache_clear()


def test_an_ascii_link_does_not_compile_the_full_grammar() -> None:
    script = (
        "from soulpost.text import urls\n"
        "print(urls.find_urls('Details: https://example.com/notes/a-1?x=2 Replies welcome'))\n"
        "print(urls._TAIL.cache_info().currsize, urls._ASCII_TAIL.cache_info().currsize)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines() == [
        "[(9, 42, 'https://example.com/notes/a-1?x=2')]",
        "0 1",
    ]
