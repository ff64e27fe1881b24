"""Urgency and selling described are not urgency and selling aimed at the reader (issue 9).

False alarms on clean posts came mostly from pressure, hard-sell and promotion phrases
that also describe the world: someone else's last chance, a deadline in a news report,
a question about whether to buy now, a price of a thing in the news. Each clean text
below is one such general case, written here (not taken from any corpus part or data
set), in the four languages with packs; each flawed one is the nearby call to the reader
that must still fire.
"""

from __future__ import annotations

import pytest

from tests.test_judgment_context import codes

PRESSURE = {"en": "SP104", "de": "SP124", "fr": "SP134", "es": "SP144"}
HARD_SELL = {"en": "SP202", "de": "SP222"}

# (language, text): clean, nothing of the soul rules may fire.
DESCRIBED = [
    # someone else's last chance: a possessive, an article, a genitive, past narration
    ("en", "Saturday's derby is Rovers' last chance to avoid the drop."),
    ("en", "The committee gave the applicants a last chance to send their papers."),
    ("en", "For the visitors it was the final chance of the night, and it hit the post."),
    ("de", "Für die Gäste war es die letzte Chance, und der Ball ging an den Pfosten."),
    ("de", "Der Ausschuss gab den Antragstellern eine letzte Chance für ihre Unterlagen."),
    ("de", "Das Derby am Samstag ist Bochums letzte Chance gegen den Abstieg."),
    ("fr", "Le comité a laissé une dernière chance aux candidats d'envoyer leur dossier."),
    (
        "fr",
        "Pour les visiteurs, c'était la dernière chance de la soirée, et elle a fini sur le poteau.",
    ),
    ("es", "El comité dio una última oportunidad a los aspirantes para enviar sus papeles."),
    ("es", "Para los visitantes era la última oportunidad de la noche, y acabó en el poste."),
    # asked, not ordered
    ("en", "Is this the last chance to save the old pier? We asked three engineers."),
    ("de", "Ist das die letzte Chance für die alte Seebrücke? Wir haben drei Fachleute gefragt."),
    ("fr", "Est-ce la dernière chance de sauver la vieille jetée ? Trois ingénieurs répondent."),
    ("es", "¿Es la última oportunidad de salvar el viejo muelle? Preguntamos a tres ingenieras."),
    ("en", "Now or never for the cross-town tram? The council votes on Thursday."),
    ("de", "Jetzt oder nie für die Stadtbahn? Der Rat stimmt am Donnerstag ab."),
    ("fr", "Maintenant ou jamais pour le tramway ? Le conseil vote jeudi."),
    ("es", "¿Ahora o nunca para el tranvía? El pleno vota el jueves."),
    # reported speech: the urgency is someone else's, told as news
    ("en", "Time is short for the coral, marine biologists said after the survey."),
    ("en", "Act now on damp, the housing ombudsman told landlords in a report on Monday."),
    ("de", "Die Zeit drängt beim Artenschutz, erklärten die Forschenden nach der Zählung."),
    ("fr", "Le temps presse pour les coraux, ont expliqué les biologistes après l'inventaire."),
    ("es", "El tiempo se acaba para los corales, explicaron las biólogas tras el recuento."),
    ("en", "The regulator urged lenders to act fast on the new affordability rules."),
    # the thing described, not the reader pushed
    ("en", "Buy now, pay later loans will be regulated like credit cards from next year."),
    ("en", "Ticket prices going up was the main complaint at the residents' meeting."),
    ("en", "Spots are disappearing from the old wallpaper as it fades in the sun."),
    ("en", "Talks went on through the final hours of the summit without a deal."),
    ("en", "The last tickets for the cup final were returned and resold at face value."),
    ("en", "The museum's winter show ends tomorrow after drawing a record crowd."),
    ("en", "He ran down the platform in a hurry and caught the 8:02 by a second."),
    ("en", "Places on the course are limited to ten so that everyone gets a lathe."),
    ("en", "The council has only 3 days to answer under the new rules, and it usually does."),
    ("de", "Nur noch wenige Zeitzeugen können von der Sturmflut erzählen; wir haben zwei besucht."),
    ("de", "Viele fühlen sich unter Druck, jetzt handeln zu müssen, zeigt die Umfrage."),
    # a concrete date makes urgency informative
    ("en", "Last chance to hand in old batteries at the depot: the collection ends on 14/03."),
    ("fr", "Dernière chance pour rapporter vos piles : la collecte s'arrête le 14/03."),
    ("es", "Última oportunidad para llevar las pilas: la recogida termina el 14/03."),
    # buying talked about, not a call to buy
    ("en", "Should you buy now or wait for the spring sales? Our consumer desk compares."),
    ("en", "Economists say households who buy now are betting that rates fall."),
    ("en", "No need to book now: the guided walk is free and you can just turn up."),
    ("en", "She told the paper she would sign up today for the night course."),
    ("de", "Jetzt kaufen oder auf den Schlussverkauf warten? Unsere Verbraucherseite rechnet."),
    ("de", "Kann ich heute noch bestellen und es kommt vor Ostern an? Die Fristen stehen unten."),
    ("fr", "Prenez votre temps pour choisir, la formule se change à tout moment."),
    ("fr", "Faut-il acheter son vélo maintenant ou attendre les soldes ? On a comparé."),
    ("es", "¿Comprar la bici ya o esperar a las rebajas? Hemos comparado."),
    # things going on sale, as news
    ("en", "Stamps for the coronation go on sale at post offices on 6 May."),
    ("en", "Recalled baby monitors were still on sale online a month later, the watchdog found."),
    # praise of someone else is not self-praise
    ("en", "Our neighbour swears the corner café makes the best scones in town, and he is right."),
    # a contact line is not a keyword vote; animals that stay close are not a teaser
    ("en", "Two spare seats on the choir coach on Sunday. Text me if you want one."),
    ("en", "Young elephants stay close to their mothers for the first ten years."),
]

# (language, text, code): flawed, the code must fire.
AIMED = [
    ("en", "This is your last chance to get 30% off everything.", "SP104"),
    ("en", "Last chance! Early-bird prices end tonight.", "SP104"),
    ("en", "Hurry, only 2 seats left for Saturday.", "SP104"),
    ("en", "Time is running out to claim your free month.", "SP104"),
    ("en", "Tickets are going fast, so don't wait.", "SP104"),
    ("en", "Sale ends tomorrow: everything must go.", "SP104"),
    ("en", "Final hours to save on the annual plan!", "SP104"),
    ("en", "These are the final hours of our winter sale!", "SP104"),
    ("de", "Das ist deine letzte Chance auf den Frühbucherpreis!", "SP124"),
    ("de", "Nur noch wenige Plätze frei, schnell sein!", "SP124"),
    ("fr", "C'est ta dernière chance d'avoir le tarif réduit !", "SP134"),
    ("es", "¡Es tu última oportunidad de conseguir el descuento!", "SP144"),
    ("en", "Buy now before the price goes up.", "SP202"),
    ("en", "Click the link and order today.", "SP202"),
    ("en", "Sign up today at the link in our bio.", "SP202"),
    ("de", "Das Angebot gilt nicht lange, also jetzt zuschlagen.", "SP222"),
    ("de", "Worauf wartest du? Jetzt bestellen!", "SP222"),
    ("en", "We're the best bakery in town, come and taste why.", "SP401"),
    ("en", "Best coffee in town, right on the harbour.", "SP401"),
    ("en", "All winter coats are on sale this weekend.", "SP401"),
    # a testimonial signed with a name is not reported news: the pressure after it counts
    ("en", "“Best workshop I've done,” says Priya. Only 3 seats left, hurry!", "SP104"),
    (
        "de",
        "„Bester Workshop überhaupt“, sagt Priya. Nur noch wenige Plätze, schnell sein!",
        "SP124",
    ),
    (
        "fr",
        "« Le meilleur atelier », dit Priya. Plus que quelques places, dépêchez-vous !",
        "SP134",
    ),
    ("es", "«El mejor taller», dice Priya. Quedan muy pocas plazas, ¡date prisa!", "SP144"),
    # a rhetorical question after the call does not make the call a question
    ("en", "Last chance to get 20% off, what are you waiting for?", "SP104"),
    ("en", "Buy now - why wait?", "SP202"),
    ("en", "It's now or never: the workshop doors close in a week!", "SP104"),
    ("de", "Jetzt oder nie: Sichert euch einen der letzten Plätze!", "SP124"),
    ("de", "Letzte Chance auf 20 % – worauf wartest du?", "SP124"),
    ("es", "Última oportunidad para el descuento, ¿a qué esperas?", "SP144"),
    ("en", "Comment ME below and I'll send the checklist.", "SP201"),
    ("en", "Stay close, something big lands next week.", "SP301"),
]


@pytest.mark.parametrize(("lang", "text"), DESCRIBED)
def test_urgency_and_selling_described_stay_quiet(lang: str, text: str) -> None:
    assert codes(text, [lang]) == [], text


@pytest.mark.parametrize(("lang", "text", "code"), AIMED)
def test_the_same_aimed_at_the_reader_still_fires(lang: str, text: str, code: str) -> None:
    assert code in codes(text, [lang]), text
