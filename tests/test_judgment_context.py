"""Context that keeps ordinary writing quiet: news headlines, names, labels, sums (issue 9).

Each clean text below has the shape of something that fired on real news headlines or
news-outlet posts (bench/headlines.py), written here; each flawed one is the nearby
case that must still fire.
"""

from __future__ import annotations

import json

import pytest

from soulpost.lint.examples import EXAMPLE_NOW, example_posts, example_settings
from soulpost.lint.registry import load_registry


def codes(text: str, languages: list[str] | None = None) -> list[str]:
    from soulpost.lint.engine import lint_posts
    from soulpost.lint.select import configure

    settings = example_settings()
    if languages:
        settings.lint.languages = languages
    # One post, read as bench/judgment.py reads it: does this post sell? (the 80/20 rule
    # with no share allowed over a one-post window)
    settings.lint.options["promo-share"] = {"max_share": 0.0, "min_posts": 1, "window": "1d"}
    ruleset = configure(load_registry(None), settings.lint)
    draft = f"text = {json.dumps(text, ensure_ascii=False)}\nat = 2027-01-04T09:00:00\n"
    report = lint_posts(example_posts(draft, settings), settings, now=EXAMPLE_NOW, ruleset=ruleset)
    return sorted({f.code for f in report.findings if f.lesson != "platform"})


@pytest.mark.parametrize(
    "text",
    [
        "Commuters stuck for an hour on a New Jersey PATH train after a signal fault",
        "Radio stations in Ohio to carry AMBER Alerts from next month",
        "US, UK officials meet in Geneva over shipping lanes",
        "Greece asks for fresh EU-IMF loans",
        "US FAA grounds a fleet of regional jets for checks",
        "Drug maker to buy rival for $1.75 billion",
        "Port authority raises €40m to rebuild the north quay",
        "Actor wins award for a role in an award-winning film",
        "Violence in the capital ends in 30 arrests",
        "Lawmakers move quickly on a flood relief bill",
        "Retailer shuts stores at a loss; Sale branch stays open",
        "Last code talker of the regiment dies aged 97",
    ],
)
def test_headline_shapes_stay_quiet(text: str) -> None:
    assert codes(text) == [], text


@pytest.mark.parametrize(
    ("text", "languages"),
    [
        ("🔴 ÚLTIMA HORA | El Congreso aprueba los presupuestos", ["es"]),
        ("[OPINIÓN] Lo que la sequía nos enseña | Por Ana Ruiz", ["es"]),
        ("Inundaciones en el norte: los vecinos sacan el agua a cubos | FOTOS", ["es"]),
        ("PATRIMOINE • La cathédrale rouvre ses portes après cinq ans de travaux", ["fr"]),
        ("Les vendanges commencent dans le Bordelais · VIDÉO", ["fr"]),
        ("POLITIK • Der Landtag stimmt über den Haushalt ab", ["de"]),
        ("La historia demuestra que las crisis alimentan los extremismos.", ["es"]),
        ("Un móvil que demuestra que las segundas partes pueden ser buenas.", ["es"]),
        ("El volcán aumentó su actividad en las últimas horas.", ["es"]),
        ("La poeta fue galardonada por su libro de sonetos.", ["es"]),
        ("Hier j'ai écris « à bientôt » sur la carte de ma grand-mère.", ["fr"]),
        ("L'équipe primée l'an dernier revient au festival.", ["fr"]),
        ("Der preisgekrönte Film läuft ab Donnerstag im Kino am Markt.", ["de"]),
    ],
)
def test_news_layout_and_reported_words_stay_quiet(text: str, languages: list[str]) -> None:
    assert codes(text, languages) == [], text


@pytest.mark.parametrize(
    ("text", "code", "languages"),
    [
        ("This is the BIGGEST update we have ever shipped.", "SP101", None),
        ("Big NEWS today: we ship the new editor.", "SP101", None),
        ("FLASH SALE on all plans this weekend.", "SP101", None),
        ("Das ist das WICHTIGSTE Update des Jahres.", "SP101", ["de"]),
        ("Offer ends in 3 hours, move fast.", "SP104", None),
        ("Our award-winning team delivers results others only dream of.", "SP401", None),
        ("Nuestro galardonado equipo consigue resultados.", "SP401", ["es"]),
        ("Demuestra que te importa: compártelo antes de cerrar la app.", "SP241", ["es"]),
        ("Écris « OUI » en commentaire et je t'envoie le guide.", "SP231", ["fr"]),
        ("Use code WINTER for 20% off at the link.", "SP401", None),
    ],
)
def test_the_nearby_flawed_posts_still_fire(
    text: str, code: str, languages: list[str] | None
) -> None:
    assert code in codes(text, languages), text
