"""Clean posts that look risky stay quiet, in four languages (issue 9): the fresh batches of
branches judgefa2, judgefa3, judgefa4, judgefa5 and judgefa6, one regression test over all of
them.

Each batch was linted once before any rule was changed for it; those first figures
(bench/README.md, "judgefa2" and "judgefa3") are the honest estimate of false alarms on
new wordings. The rules were then widened by general constructions, never by sentence.
The posts are not part of corpus/judgment: every one was seen while tuning. Here they
guard the constructions: a clean post must stay quiet, a flawed one must get its lessons.
A post marked ``known`` is one the rules still get wrong (the mark says how and why); it
counts only towards the floors below. Each set is linted in one workspace by the real CLI,
with the language detected as bench/judgment.py does.

judgefa2: tests/data/judgment_fresh_fa2.jsonl holds 921 posts written for this purpose by a project
session in nine batches, German first: news, sport, civic notices, consumer advice, shop
and club small talk, quotes, acronyms and names in capitals, using pressure, urgency and
selling words and superlatives in their ordinary senses (a countdown to the holidays,
"the mayor says it is the last chance for the pool", a charge the council sets, "the
best chips in town, say readers in our poll", "Laut DIE ZEIT"); the fifth, calls to act
from councils, surgeries, libraries and clubs ("Get your flu jab today", "Meldet euch
jetzt beim Bürgeramt um"); the sixth, words of selling and pressure in their plain
senses ("Nie wieder ist jetzt", "Im SPIEGEL steht", "Weltklasse-Parade"); the seventh,
shop and club small talk that sells nothing ("Meet Sam, our new apprentice"); the eighth,
haste and scarcity told, not urged ("Meine Oma sagte immer: Eile mit Weile"); the ninth,
a last mixed batch. Beside them, flawed posts that say the same things to push, bait or sell.

judgefa3: tests/data/judgment_fresh_fa3.jsonl holds posts written for this purpose by a project
session in twelve batches, German first, none a paraphrase of the corpus: libraries,
surgeries, vets, councils, clubs, bands, shops and start-ups posting normally; job posts
with the pay; countdowns and closures with their dates; consumer news of prices someone else
changes ("Thames Water is putting bills up by 9%", "Der Kreistag hat beschlossen: … 29 Euro
im Monat", "la luz subirá un 6 %"); scam texts and chain letters quoted to warn ("«Comparte
esto y Amazon te regalará 300 euros»", "don't tap the link"); bodies named in capitals as
they call for something ("Der BUND ruft zur Stunde der Wintervögel auf"); self-deprecating
work in progress; job posts that ask people to apply ("Apply today on NHS Jobs", "Bewirb
dich jetzt für ein FÖJ"); bodies and parties that spell their name in capitals (BUND,
ELSTER, die GRÜNEN); calls to click quoted to warn of them ("„Klick hier und gewinne ein
iPhone“ – solche Nachrichten…"); things a council gives away free "while stocks last"; a
cost an insurer pays ("Die Krankenkasse zahlt ab Juli…"); a paper telling what "72% of our
readers" want; a fridge given away "per PN"; the last batch, linted once on the rules of the
others, had no false alarm. Beside them, flawed posts that bait, push, hype, sell hard or
tease. Each batch was linted once before any rule was changed for it; those first figures
(bench/README.md, "judgefa3") are the honest estimate of false alarms on new wordings. The
rules were then widened by general constructions, never by sentence.

Six posts first labelled clean were relabelled (each says so in ``note``): four to ``give``,
as a shop's own product or paid course with its price sells by the corpus's rule; one to
``listen``, as a kicker that calls out in capitals (URGENT:) is a raised voice; one to
``give`` and ``relate``, as "Jetzt anmelden" is a call to sign up now. Batch 7 ends with
three posts written after its fix, to carry it to the other languages. A post marked
``known`` is one the rules still get wrong (the mark says how and why); it counts only
towards the floors below. All posts are linted in one workspace by the real CLI, with the
language detected as bench/judgment.py does.

judgefa4: tests/data/judgment_fresh_fa4.jsonl holds posts written for this purpose by a project
session in batches, German and English first, in voices the earlier sets did not use:
public transport operators, software release notes and security fixes, universities and
researchers, hospitals, museums, churches, synagogues and mosques, honest product reviews,
recruiters, local papers, charities, venues and bands, sports clubs, giveaways with their
rules, cinemas, car clubs, pharmacies, allotments, hospices, student unions, radio
stations, influencers, podcasts, unions, petitions, civic services, corrections and
results. The constructions they guard: a tax allowance or a benefit named before its sum
("die Homeoffice-Pauschale beträgt 6 Euro pro Tag"), a yearly wage ("24.000 € brutos al
año"), a fee a body has fixed ("hat … festgelegt"), parking by the hour, "cada miércoles"
(every Wednesday, not a unit price), "please upgrade today" after a security fix, words in
capitals inside single quotes (the sign reads 'DANGER: DEEP WATER'), answers gathered in the
comments for a stated use ("… and we'll send the list to the highways team"), a price
change told with a price or a time (no we-not-you); and on the flawed side a bare
"Guaranteed." or ", garantizado,", "…, no question.", "every mum who comes here agrees",
"once you've been, you'll never…", "the only one where you'll see results", money back in
four languages, own superlatives ("Unser Weinfest ist einfach das schönste…", "notre fête
est tout simplement la meilleure"), "Jetzt Erstgespräch buchen.", "give us a like",
"Folge uns und verpasse nie…", "Nur die echten Fans erkennen…", "everyone, no exceptions",
"share this so we hit 1,000", "Share, share, share!", prices per piece, "always …, no
matter how old", "Stay tuned 👀" after "version 5". Labels
changed after a first look say so in ``note`` (capitals of ordinary words relabelled
listen, a venue's or a college's own priced offer relabelled give, a purposeful share
relabelled clean, calls to sign up now completed with give and relate). On main's rules
73 of the set's cases fail.

judgefa5: tests/data/judgment_fresh_fa5.jsonl holds posts written for this purpose by a project
session in batches, German and English first: replies to customers, threads, post-mortems of
outages, live blogs, airports and strikes, admissions deadlines, creators' reviews,
petitions, police appeals, scam warnings, choirs, shelters, parking charges, job posts,
volunteers wanted, price rises told to customers, things given away "while stocks last".
The constructions they guard: a post that owns up (we got it wrong, we couldn't, the lesson
we keep relearning) is not we-not-you; "Meinung" is not the seller's "mein"; a saving told
"laut Verwaltung" is reported; a scam's ask ("piden 1,99 €") and a public ticket
("Deutschlandticket: 49 Euro im Monat") are not the poster's price; parking "am Tag";
volunteers wanted and grants applied for are not sales; an order number asked for "per DM"
is customer service; an animal to rehome is not sold; a decimal rate ("0,9 % billiger") is a
statistic. On the flawed side: "Bist du schlau genug?", "Wer unseren Verein wirklich
unterstützt, teilt…", "Quien no comparta esto…", "If you're seeing this… share it",
"Tag the person you'd…", "Stürzt nie ab. Nie.", "never lost a case. Ever.", "…. Punkt." and
"…. Period." mid-post, "works for literally everyone", "We're the only firm that actually…",
"Nobody in Leeds cuts hair like we do", "Bestellen Sie jetzt", "Jetzt Termin vereinbaren
unter…", a free strategy call with me, "HUGE SALE", "Prices from £19", "OFERTA … SOLO HOY";
later batches: "Who else? 🙋", a quiz answered in the comments, "the cutest photo wins",
"find the mistake in this picture", sealed claims ("Always has.", "Every single one.",
"no ifs, no buts", ", ask anyone."), teasers ("🔜", "🥁", "Psst… 😉", a countdown of days),
"für 199 € statt 299 €" (not a reported price change), "streamed live on our website"
(not a shop), "a guaranteed 30 hours of childcare" (an entitlement). Ten batches, each linted
once before the rules were changed for it (bench/README.md, "judgefa5"); labels changed
after a first look say so in ``note``.

judgefa6: tests/data/judgment_fresh_fa6.jsonl holds 700 posts (342 clean, 358 flawed) written
for this purpose by a project session in eight batches, recall first: realistic posts of
brands, creators, shops, NGOs, councils and recruiters, the flawed ones carrying the five
lessons' faults in everyday wordings. The constructions they guard: a forced choice after a
question ("Pancakes or waffles? Only one answer allowed.", "Eins von beiden müsst ihr
nehmen", "Un seul choix possible", "Solo vale una respuesta"), an emoji to leave ("leave a
🔥", "Sagt uns mit einem 👍"), a quiz counted on the reader, "Drop the number!", "Wrong
answers only", save-bait, picture quizzes ("Find the cat in this picture"), guilt ("Ignore
this if you don't care about…", "If you can afford a coffee, you can afford to give", "Lasst
uns nicht hängen"), shares counted for a forfeit; hard sells ("What are you waiting for?",
"claim your slot", "This is your sign to book…", "Ruft heute noch an", "Pásate hoy a…",
"get booked in"); awards and superlatives in our own voice ("Voted Best Hair Salon",
"Zum besten Friseursalon gewählt", "Élu meilleur salon", "as voted by you"); sealed claims
("Every. Single. One.", "Once you try…, you'll never…", "the last … you'll ever buy",
"Nobody comes close", "Not once in 20 years", "Widerspruch zwecklos"); teasers ("New chapter
loading…", "You'll want to be here" after a clock time, "Plot twist incoming"); and a
boasting German post, or an author's own award told with pride, that never speaks to the
reader. Batches 1 to 6 were linted once on main's rules, 7 and 8 on the rules as fixed for
1 to 6 (bench/README.md, "judgefa6"). On main's rules 167 of the set's 704 cases fail (163
posts and the floors of all four languages).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest

from tests.wordings import lint_lessons, read_rows

DATA = Path(__file__).resolve().parent / "data"
LANGS = ("de", "en", "fr", "es")
LESSONS = {"listen", "relate", "give", "experiment", "useful"}


@dataclass(frozen=True)
class FreshSet:
    """One branch's batches and the floors they hold: recall of (post, lesson) pairs a
    little under what the rules reach now, and the share of clean posts with any soul
    finding (one in a hundred allowed)."""

    file: str
    batches: int
    min_recall: dict[str, float]
    max_false_alarms: float = 0.01


SETS = {
    "fa2": FreshSet(
        "judgment_fresh_fa2.jsonl", 9, {"de": 0.93, "en": 0.89, "fr": 0.92, "es": 0.87}
    ),
    # one known false alarm of 378 German and one of 196 English posts now
    "fa3": FreshSet(
        "judgment_fresh_fa3.jsonl", 12, {"de": 0.93, "en": 0.97, "fr": 0.95, "es": 0.95}
    ),
    # one known miss each in German (give) and English (listen) now
    "fa4": FreshSet(
        "judgment_fresh_fa4.jsonl", 8, {"de": 0.95, "en": 0.95, "fr": 0.95, "es": 0.95}
    ),
    "fa5": FreshSet(
        "judgment_fresh_fa5.jsonl", 10, {"de": 0.95, "en": 0.95, "fr": 0.95, "es": 0.95}
    ),
    # one known miss in Spanish (experiment) now
    "fa6": FreshSet(
        "judgment_fresh_fa6.jsonl", 8, {"de": 0.95, "en": 0.95, "fr": 0.95, "es": 0.95}
    ),
}
_ROWS = {name: read_rows(DATA / s.file) for name, s in SETS.items()}


def labels(row: dict[str, object]) -> set[str]:
    return set(cast("list[str]", row["labels"]))


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, set[str]]]:
    """Set name -> text -> the soul lessons soulpost's findings name for it."""
    return {name: lint_lessons(tmp_path_factory.mktemp(name), rows) for name, rows in _ROWS.items()}


def cases() -> list[object]:
    return [
        pytest.param(name, row, id=f"{name}-{row['lang']}{row['batch']}-{str(row['text'])[:40]}")
        for name, rows in _ROWS.items()
        for row in rows
        if "known" not in row
    ]


@pytest.mark.parametrize("name", SETS)
def test_the_data_is_well_formed(name: str) -> None:
    rows = _ROWS[name]
    texts = [str(row["text"]) for row in rows]
    assert len(texts) == len(set(texts)), "a post appears twice"
    for row in rows:
        assert row["lang"] in LANGS and row["batch"] in range(1, SETS[name].batches + 1), row
        assert labels(row) <= LESSONS, row
        assert "known" not in row or str(row["known"]).strip(), row  # says why


@pytest.mark.parametrize(("name", "row"), cases())
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    name: str, row: dict[str, object], lessons_of: dict[str, dict[str, set[str]]]
) -> None:
    got = lessons_of[name][str(row["text"])]
    wanted = labels(row)
    if wanted:
        assert wanted <= got, f"missed {sorted(wanted - got)}"
    else:
        assert got == set(), f"a clean post got {sorted(got)}"


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("lang", LANGS)
def test_recall_and_false_alarms_hold_their_floors(
    name: str, lang: str, lessons_of: dict[str, dict[str, set[str]]]
) -> None:
    got, floors = lessons_of[name], SETS[name]
    mine = [row for row in _ROWS[name] if row["lang"] == lang]
    pairs = [(str(r["text"]), label) for r in mine for label in labels(r)]
    hit = sum(label in got[text] for text, label in pairs)
    clean = [str(r["text"]) for r in mine if not labels(r)]
    alarms = sum(bool(got[text]) for text in clean)
    assert hit / len(pairs) >= floors.min_recall[lang]
    assert alarms / len(clean) <= floors.max_false_alarms
    # every flawed post is caught with at least one of its lessons (a known miss says why not)
    flawed = [r for r in mine if labels(r) and "known" not in r]
    assert all(labels(r) & got[str(r["text"])] for r in flawed)
