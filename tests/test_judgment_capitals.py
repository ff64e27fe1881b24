"""Names and kickers in capitals are not shouting; a raised voice still is (issue 9).

The capitals rule (SP101) fired on clean posts where the capitals are how a name is
written or where a one-word kicker heads the post, the way news and club posts mark a
section. Each clean text below is one such general case, written here (not taken from any
corpus part or data set); each flawed one is the nearby raised voice that must still fire.
"""

from __future__ import annotations

import pytest

from tests.test_judgment_context import codes


@pytest.mark.parametrize(
    ("text", "languages"),
    [
        # a one-word kicker at the start of a line, set off by a colon
        ("RALLY: Ana Ruiz takes the stage in Ourense by nine seconds", None),
        ("PHOTOS: the new footbridge over the canal opens to walkers", None),
        ("Club notes\nRESULTS: under-12s won 3-1 at home on Saturday", None),
        ("KULTUR: Das Stadtmuseum zeigt Plakate aus den Fünfzigern", ["de"]),
        ("DEPORTES: el equipo juvenil gana la liga provincial", ["es"]),
        ("SPORT : le club de rugby monte en deuxième division", ["fr"]),
        # a word in capitals beside an acronym or a name in capitals: one name
        ("Interview with the editor of KRZ ONLINE about local news", None),
        ("Watch the TCB LIVE broadcast from the harbour this evening", None),
        # a word in capitals after a word that names it: a band, a group, "los de"
        ("Los de TORMENTA presentan su disco en la sala del puerto.", ["es"]),
        ("Tonight the band HORIZON plays the old town hall.", None),
        # beside a title-case word that is no word of the language: a name
        ("Velotex WINDS reaches the final of the regional cup", None),
        # a word in capitals naming the body a person works for: a name
        ("RALLY driver Ana Ruiz moves to a new team for next season", None),
    ],
)
def test_names_and_kickers_in_capitals_stay_quiet(text: str, languages: list[str] | None) -> None:
    assert "SP101" not in codes(text, languages), text


@pytest.mark.parametrize(
    ("text", "languages"),
    [
        # more than one word before the colon: a sentence shouted, not a kicker
        ("BOOK YOUR SEAT NOW: the workshop starts on Friday", None),
        # a kicker elsewhere than the start of a line, or not followed by a colon
        ("The workshop is great. AMAZING: three days of lathes", None),
        ("AMAZING news from the workshop today", None),
        # a kicker that calls out to the reader (attention, a contest, a deal) is the voice
        ("URGENT: read this before you update the app", None),
        ("CONCURSO: comenta y sigue la cuenta para participar", ["es"]),
        ("ACHTUNG: Morgen bleibt das Büro geschlossen", ["de"]),
        # a colon that starts a smiley is no kicker
        ("LOVELY :) see you all next week", None),
        # a lone word shouted in a sentence, beside small words
        ("Our new editor is AWESOME and you should try it.", None),
        ("Esta actualización es ENORME y llega hoy.", ["es"]),
        ("Das ist das WICHTIGSTE Update des Jahres.", ["de"]),
        # ordinary words in capitals together, even beside an acronym
        ("WE LOVE OUR NHS STAFF", None),
        # YOU is a word, not a name: the word beside it still shouts
        ("I LOVE YOU all, thanks for coming", None),
        # "de" alone does not make a name: a word shouted after it still shouts
        ("Es un concierto de LOCOS, no os lo perdáis.", ["es"]),
        # a title-case word that is an ordinary word at the start, then a raised voice
        ("Seriously AMAZING work from the team today", None),
    ],
)
def test_shouting_still_fires(text: str, languages: list[str] | None) -> None:
    assert "SP101" in codes(text, languages), text


def test_without_the_dictionary_a_name_slot_says_nothing() -> None:
    """``dictionary = false``: every word in capitals outside ``allow`` counts, so the
    readings that need the word list to tell a name (the band HORIZON, RP ONLINE) are off;
    a kicker is layout and stays quiet."""
    import json

    from soulpost.lint.engine import lint_posts
    from soulpost.lint.examples import EXAMPLE_NOW, example_posts, example_settings
    from soulpost.lint.registry import load_registry
    from soulpost.lint.select import configure

    def shouting(text: str) -> bool:
        settings = example_settings()
        settings.lint.options["shouting"] = {"dictionary": False}
        ruleset = configure(load_registry(None), settings.lint)
        draft = f"text = {json.dumps(text)}\nat = 2027-01-04T09:00:00\n"
        posts = example_posts(draft, settings)
        report = lint_posts(posts, settings, now=EXAMPLE_NOW, ruleset=ruleset)
        return any(f.code == "SP101" for f in report.findings)

    assert shouting("Tonight the band HORIZON plays the old town hall.")
    assert shouting("Interview with the editor of KRZ ONLINE about local news")
    assert not shouting("PHOTOS: the new footbridge over the canal opens to walkers")


@pytest.mark.parametrize(
    ("text", "stressed"),
    [
        # the language's own short words stressed among small letters: an article or an
        # intensifier raised ("this ONE thing", "DER Leitfaden", "c'est LA solution")
        ("Most couples forget this ONE thing on the day, and it is the rings.", True),
        ("Honestly we are SO proud of everyone who ran on Sunday.", True),
        ("Das ist DER Leitfaden für alle, die ihren ersten Antrag stellen.", True),
        ("La lecture à voix haute, c'est LA solution pour les petits lecteurs.", True),
        ("Somos EL taller de referencia para bicis antiguas en la zona.", True),
        # the same letters as a name or a code: Los Angeles after a preposition, a name
        # in title case after the word, another language's word (LA in English)
        ("Nous partons à LA demain pour le salon du design.", False),
        ("Read the ONE Campaign report on aid budgets.", False),
        ("We flew to LA last week for the expo.", False),
        ("Breaking News In My Town SO Many Roads Closed Today", False),
        # asked about, not claimed: a doubt
        ("Is it THE answer to damp walls? We will know after the winter.", False),
    ],
)
def test_a_short_word_of_the_language_stressed(text: str, stressed: bool) -> None:
    assert ("SP101" in codes(text)) is stressed, text
