"""Languages: detection, the word-frequency dictionary, packs that declare languages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from soulpost.text.language import detect
from soulpost.text.lexicon import is_ordinary
from tests.conftest import Result

CLI = Callable[..., Result]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Which time works better for the online meetup, 12:30 or 18:00?", "en"),
        ("Die Stadtbibliothek verlängert ab Januar die Öffnungszeiten am Donnerstag.", "de"),
        (
            "La conférence à la médiathèque est limitée à 60 places pour des raisons de sécurité.",
            "fr",
        ),
        ("El museo nunca ha cobrado la entrada, y el patronato quiere que siga así.", "es"),
        ("Abonne-toi si tu en veux encore.", "fr"),  # few function words: the model decides
        ("FLASH SALE!!! ACT NOW!!!", "en"),  # no sign at all: the model, when asked
        ("Il museo non ha mai fatto pagare l'ingresso e vuole continuare così.", "it"),
        ("🔥🔥🙌", None),
    ],
)
def test_detects_the_language_of_short_posts(text: str, lang: str | None) -> None:
    assert detect(text) == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Bitte teilen, damit es alle erfahren!", "de"),  # "es" alone once said Spanish
        ("Teilt es bitte!", "de"),
        ("Partagez svp", "fr"),
        ("Comparte porfa", "es"),
        ("Please share", "en"),
        ("Es importante: hoy cerramos a las 14:00.", "es"),
    ],
)
def test_function_words_alone_tell_short_pleas(text: str, lang: str) -> None:
    """The hint the shouting rule and the sale signals use, without the model."""
    assert detect(text, use_model=False) == lang


def test_ordinary_words_and_acronyms() -> None:
    assert is_ordinary("BIGGEST", "en") and is_ordinary("WICHTIGSTE", "de")
    assert not is_ordinary("UNHCR", "en") and not is_ordinary("ASML", "en")
    assert not is_ordinary("PSOE", "en")  # a Spanish party in an English post


def test_a_pack_rule_speaks_only_for_its_language(cli: CLI, tmp_path: Path) -> None:
    """The German bait rule fires on German, not on the same words in an English post;
    [lint] languages pins the language."""
    root = tmp_path / "ws"
    (root / "queue").mkdir(parents=True)
    config = 'timezone = "UTC"\ndefault_platforms = ["mastodon"]\n'
    (root / "config.toml").write_text(config, encoding="utf-8")
    post = 'text = "Markiere jemanden, der das unbedingt sehen muss!"\n'
    (root / "queue" / "a.toml").write_text(post, encoding="utf-8")
    assert "SP221" in cli("-C", root, "lint").out
    (root / "config.toml").write_text(config + '[lint]\nlanguages = ["en"]\n', encoding="utf-8")
    assert "SP221" not in cli("-C", root, "lint").out


def test_capitals_skip_quotes_code_and_acronyms(cli: CLI, tmp_path: Path) -> None:
    calm = [
        "Outside the town hall, students held signs reading “STOP THE CUTS”.",
        "Set `MAX_RETRIES` to 3 in the config.",
        "UNHCR says 1.2 million people have fled; ASML shares rose 4%.",
        "El PSOE y el PP no llegaron a un acuerdo.",
        "Comment GUIDE and I'll send you the link.",
    ]
    for i, text in enumerate(calm):
        (tmp_path / f"c{i}.txt").write_text(text, encoding="utf-8")
        assert "SP101" not in cli("lint", f"c{i}.txt", cwd=tmp_path).out, text
    (tmp_path / "loud.txt").write_text("WE ARE OPEN AGAIN FROM MONDAY", encoding="utf-8")
    assert "SP101" in cli("lint", "loud.txt", cwd=tmp_path).out


def test_explain_shows_the_rules_languages_and_examples(cli: CLI, tmp_path: Path) -> None:
    german = cli("explain", "SP221", cwd=tmp_path)
    assert german.code == 0 and "languages: de" in german.out
    assert "Markiere jemanden" in german.out and "-> " in german.out
    assert "languages: any" in cli("explain", "SP101", cwd=tmp_path).out
    assert "languages: en" in cli("explain", "engagement-bait", cwd=tmp_path).out


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Bleibt gespannt… 👀🐾", "SP321"),  # the German teaser rule, not four packs' rules
        ("Restez connectés… 👀", "SP331"),
        ("👀👀👀", "SP301"),  # no words: the first pack (English) speaks
    ],
)
def test_one_pack_speaks_when_the_language_is_unknown(
    cli: CLI, tmp_path: Path, text: str, code: str
) -> None:
    """A post whose language nothing tells is judged by every pack, but the same rule of
    several packs reports it once, in the language its words belong to."""
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    result = cli("lint", "--format", "json", "t.txt", cwd=tmp_path)
    found = [f["code"] for f in json.loads(result.out)["findings"] if f["lesson"] == "useful"]
    hype = [c for c in found if c in {"SP301", "SP321", "SP331", "SP341"}]
    assert hype == [code], found


def test_a_known_language_still_keeps_its_own_packs_findings(cli: CLI, tmp_path: Path) -> None:
    """Families are merged only for posts of unknown language: a German post's German
    rules and the language-free rules all still speak."""
    text = "BLEIBT GESPANNT!!! Morgen gibt es etwas Großes für euch 👀 Teilt es mit allen!"
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    found = {
        f["code"]
        for f in json.loads(cli("lint", "--format", "json", "t.txt", cwd=tmp_path).out)["findings"]
    }
    assert {"SP101", "SP102", "SP321"} <= found, found
    assert not found & {"SP301", "SP331", "SP341"}, found
