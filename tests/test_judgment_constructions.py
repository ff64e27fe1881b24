"""Bait, pressure, teasers and promotion in new wordings, in all four languages (issue 9).

Written for this test, after the corpus: each post says the same thing as a corpus case
in words the first rules did not know (a keyword in capitals to type on its own, "every
share counts", sharing "with everyone you know", subscribe-and-ring-the-bell, a vote by
heart and thumb, a sales call), so that the constructions, not the corpus's sentences,
are what is tested. The clean posts beside them use the same words for ordinary things.
"""

from __future__ import annotations

import json

import pytest

from soulpost.lint.examples import EXAMPLE_NOW, example_posts, example_settings
from soulpost.lint.registry import load_registry

FLAWED = {
    "en": [
        ("relate", "Who agrees? Comment YES!"),
        ("relate", "Share this with everyone you know, every share counts!"),
        ("relate", "Only true fans recognise this stadium. Do you?"),
        ("relate", "Who scrolls past without saying thank you?"),
        ("give", "Book a free discovery call with our sales team."),
        ("give", "Use code AUTUMN20 to save 20% on everything."),
        ("listen", "Don't leave it till tomorrow, they're nearly gone."),
        ("useful", "Tomorrow we reveal the secret. Don't go anywhere!"),
        ("give", "Upgrade to Pro and unlock unlimited projects."),
        ("give", "Trusted by 10,000 happy customers. Try it free for 30 days."),
        ("give", "Our clients love us: 5 stars on Google for three years running!"),
        ("give", "Looking for an accountant? We have helped 500 firms. Get in touch today."),
        ("give", "New in: hand-thrown mugs, £18 each. Order via our website."),
        ("useful", "You're not ready for what's coming."),
        ("useful", "Announcement coming Monday. That's all for now."),
        ("useful", "Something new is on the way..."),
        ("relate", "URGENT! Txt the word: CLAIM to No: 81010"),
        ("relate", "Call us now on 0800 123 456 to claim your discount."),
        ("listen", "Last chance to join the beta!"),
    ],
    "de": [
        ("relate", "Lass ein ❤️ da, wenn du auch Montage hasst!"),
        ("relate", "Wer stimmt zu? Einfach mit JA kommentieren!"),
        ("relate", "Teilt diesen Beitrag mit allen, die ihr kennt – es zählt jede Weitergabe!"),
        ("relate", "Markiert eure beste Freundin, die immer zu spät kommt 😂"),
        ("relate", "Abonnieren und Glocke aktivieren, um nichts zu verpassen!"),
        ("relate", "Wer scrollt hier einfach vorbei, ohne Danke zu sagen?"),
        ("relate", "Gib mir ein Herz, wenn du Team Kaffee bist, und einen Daumen für Team Tee."),
        ("give", "Vereinbare ein kostenloses Beratungsgespräch mit unserem Vertriebsteam."),
        ("listen", "Wer zu spät kommt, geht leer aus – die Plätze sind fast vergriffen."),
        ("useful", "Bald gibt es Neuigkeiten … mehr verraten wir noch nicht 👀"),
        ("give", "Über 10.000 zufriedene Kunden. 30 Tage kostenlos testen."),
        ("give", "Jetzt anmelden für den Herbstkurs, Frühbucherpreis bis Freitag."),
        ("give", "Neu im Sortiment: handgemachte Tassen. Bestellung über unsere Website."),
        ("useful", "Morgen wird ein großer Tag 👀"),
        ("useful", "Etwas Neues ist unterwegs …"),
        ("give", "Noch kein Weihnachtsgeschenk? Unsere Gutscheine gibt es online und im Laden."),
        ("give", "Lust auf frische Pasta? Bestell bis 11 Uhr, wir liefern noch am selben Tag."),
        ("give", "Wir sind die Nummer 1 für Fenster in der Region."),
        ("give", "Teste unser Premium-Paket 14 Tage kostenlos."),
        ("relate", "Zeig das deiner Freundin, die immer zu spät kommt 😂"),
        ("relate", "Nur wer bis zum Ende schaut, versteht den Witz."),
        ("relate", "Ja oder nein? Stimmt in den Kommentaren ab 👇"),
    ],
    "es": [
        ("relate", "¿Quién está de acuerdo? ¡Comenta SÍ!"),
        ("relate", "Comparte esta publicación con todos tus contactos, ¡cada compartido cuenta!"),
        ("relate", "Dale a seguir para no perderte ningún truco."),
        ("relate", "Suscríbete y activa la campanita para no perderte nada."),
        ("relate", "¿Quién pasa de largo sin dar las gracias?"),
        ("relate", "Dame un corazón si eres de café y un pulgar si eres de té."),
        ("give", "Agenda una llamada gratuita con nuestro equipo comercial."),
        ("give", "Anunciado en televisión: nuestra mezcla de especias original."),
        ("listen", "¡Solo por hoy! Después, la oferta desaparece."),
        ("listen", "No lo dejes para mañana, que se acaban."),
        ("useful", "Mañana desvelamos el secreto. ¡No os vayáis!"),
        ("give", "Más de 10.000 clientes satisfechos. Pruébalo gratis 30 días."),
        ("give", "Pásate a Pro y desbloquea proyectos ilimitados."),
        ("give", "Ya está aquí nuestra carta de primavera. Reserva mesa en el enlace de la bio."),
        ("useful", "Anuncio el lunes. Por ahora, eso es todo."),
        ("useful", "Os leo abajo 👇"),
        ("give", "¿Todavía sin regalo? Nuestras tarjetas regalo están en la web y en la tienda."),
        ("give", "¿Te apetece pasta fresca? Pide antes de las 11 y te la llevamos el mismo día."),
        ("give", "Envío gratis a partir de 30 €, solo hasta el domingo."),
        ("relate", "Like si tú también estás deseando que llegue la primavera 🌷"),
        ("relate", "Enséñaselo a tu amiga que siempre llega tarde 😂"),
        ("relate", "Comparte esta publicación para que llegue a más gente, ¡cada clic cuenta!"),
        ("relate", "¿Sí o no? Votad en los comentarios 👇"),
    ],
    "fr": [
        ("relate", "Qui est d'accord ? Commentez OUI !"),
        ("relate", "Partagez cette publication à tous vos contacts, chaque partage compte !"),
        ("relate", "Si ça t'a plu, partage-le à tes amis !"),
        ("relate", "Abonnez-vous et activez la cloche pour ne rien manquer."),
        ("useful", "Demain, on dévoile le secret. Ne partez pas !"),
        ("give", "Nos clients nous adorent : 5 étoiles sur Google trois ans de suite !"),
        ("give", "Passez à Pro et débloquez des projets illimités."),
        ("give", "Le cadeau idéal pour les amoureux du café ☕ En vente sur notre boutique."),
        ("useful", "Quelque chose de nouveau se prépare…"),
        ("useful", "Dites-moi en bas 👇"),
    ],
}

CLEAN = {
    "en": [
        "Reply STOP to opt out of these texts.",
        "The council will share the report with everyone who attended the meeting.",
        "Scrolling past the ads without clicking takes practice.",
        "Every vote counts: polling stations are open until 22:00.",
        "Book a call with your GP if the cough lasts more than three weeks.",
        "How to turn on notifications for school closures in the council app.",
        "Set up a video call with your grandparents: a step-by-step guide.",
        "Comment period for the new bike lanes is open until 30 June. Read the plan at the link.",
        "Guaranteed minimum income trial starts in Wales, covering 500 care leavers.",
        "Leeds win 2-1 at Hull, and the last chance of promotion is still alive.",
        "Posts that say “like if you agree” have had less reach for years.",
        "Text her. If she does not reply, let me know.",
        "Can I call now? The train is late.",
    ],
    "de": [
        "So aktivierst du Benachrichtigungen für Unwetterwarnungen in der App.",
        "Gebt uns einen Tipp für die nächste Folge, wir lesen alles.",
        "Die Stadt teilt den Bericht mit allen, die an der Sitzung teilgenommen haben.",
        "Die Glocke der Marienkirche wird ab Montag repariert.",
        "Welches Thema soll der nächste Workshop haben? Schreibt uns, warum es euch wichtig ist.",
        "Der FC gewinnt 2:1 in Bochum, die letzte Chance auf Europa lebt.",
        "Ab 1. April kostet unser Monatsabo 9 statt 8 Euro; bestehende Jahresabos bleiben gleich.",
    ],
    "es": [
        "Cómo activar las notificaciones de alertas meteorológicas en el móvil.",
        "El ayuntamiento comparte el informe con todos los vecinos que asistieron.",
        "La campana de la catedral vuelve a sonar tras la restauración.",
        "Cada voto cuenta: los colegios abren hasta las 20:00.",
    ],
    "fr": [
        "Comment activer les notifications d'alerte météo sur votre téléphone.",
        "La mairie partage le rapport avec tous les habitants présents à la réunion.",
        "Chaque voix compte : les bureaux de vote ferment à 20 h.",
    ],
}


def lessons(text: str, lang: str) -> set[str]:
    from soulpost.lint.engine import lint_posts
    from soulpost.lint.select import configure

    settings = example_settings()
    settings.lint.languages = [lang]
    # One post, read as bench/judgment.py reads it: does this post sell?
    settings.lint.options["promo-share"] = {"max_share": 0.0, "min_posts": 1, "window": "1d"}
    ruleset = configure(load_registry(None), settings.lint)
    draft = f"text = {json.dumps(text, ensure_ascii=False)}\nat = 2027-01-04T09:00:00\n"
    report = lint_posts(example_posts(draft, settings), settings, now=EXAMPLE_NOW, ruleset=ruleset)
    return {f.lesson for f in report.findings if f.lesson != "platform"}


@pytest.mark.parametrize(
    ("lang", "lesson", "text"),
    [(lang, lesson, text) for lang, rows in FLAWED.items() for lesson, text in rows],
)
def test_new_wordings_are_caught_with_their_lesson(lang: str, lesson: str, text: str) -> None:
    assert lesson in lessons(text, lang), text


@pytest.mark.parametrize(
    ("lang", "text"), [(lang, text) for lang, rows in CLEAN.items() for text in rows]
)
def test_the_same_words_in_ordinary_posts_stay_quiet(lang: str, text: str) -> None:
    assert lessons(text, lang) == set(), text
