"""German constructions of four independent writers, in words they did not use (issue 9).

Session 13 tuned the German rules on four writers' labelled posts at once (``/work/fresh9``
to ``fresh12``, kept outside the repository) and is judged on writers nobody tuned on. So
each construction found in those posts was first written again here, in other words and
other settings, with clean posts beside it that use the same words in their ordinary
sense, a reported quote or a fact: a call for opinions with nothing to answer after a
statement, a quiz most people fail thrown at the reader, scroll guilt with its subject,
following for a reward, an emoji vote sent to the comments, sharing for a prize, tagging
the person a clause describes, an announcement of what will be revealed, a notice that
only asks to be read, a closing line that dismisses whoever disagrees, exactly one right
way, nobody else faster or better than us, never failed and never will, our product
pleasing everyone, our superlative in a place or on the market, "bekannt aus" a
broadcaster, money back when not satisfied, "jetzt anfragen", "Interesse? Schreib uns.",
our goods about to run out, whoever hesitates losing out, "solange wir noch … haben" in a
post that sells, "…? Dann aber flott!", "danach war's das", a sign-up call pushed by
scarcity, a rhetorical want before a DM; and prices that are not the poster's (a cost
already paid, a fare rise said against the old fare, money we pay to others, a piece that
stands in our shop). Later rows come from six probe batches the helper wrote in new voices
after each round, each linted once before the rules were changed for it (bench/README.md,
"judge13de"): their misses, written again in other words, with clean posts beside them.
On the rules before branch judge13de 281 of the 496 posts fail: 270 of the 299 flawed ones
(the other 29 are wordings an older construction already caught) and 11 of the 197 clean
ones (old false alarms fixed by conditions: a cost already paid, a fare rise, money we pay,
a reported sell-out, "Markiert sie … im Kalender", "Schreibt uns, wenn ihr Fragen habt",
"Nicht alle Experten sind sich einig").

Round 2 (branch judge13de2) added the constructions of four more writers' German misses
(``/work/fresh17`` to ``fresh20``), again in wordings of the helper's own: nothing better
to be had anywhere, the only one you will ever need, "nicht heute, nicht morgen, niemals",
our product against every ill, success for every customer with us, a universal claim
sealed by a universal fragment, everything there is to say on a subject, a vote by
letters sent to the comments, a bet that hardly anyone manages, a like as a lottery
ticket, a noun question before a DM call, the goods named before "jetzt bestellen",
whoever hesitates now, an order sealed by "Sofort.", a capital alarm with a tease, a
post that is only "Bald.", "something" told later, a DM that is to hold everything; and three false alarms fixed ("Schreibt
uns mit Rechnung, wenn …" is service, not a comment call; praise quoted from an outside
judge, "Die Lokalzeitung nennt unsere Werkstatt „…“. Wir sind stolz …", is news, not a
post only about us; two-letter codes listed, "Wohnsitz in DE, AT oder CH", are not
shouting). On the rules before, 55 of its 70 flawed rows fail (the rest an
older construction caught) and 7 of its 50 clean ones.

Round 3 (session 14, branch j14de) was tuned on /work/fresh/tune, German posts of writers
25-28, and its constructions are in ``tests/data/judgment_j14de.jsonl``, again in the
helper's own words with clean posts beside each: goods about to go, regret for whoever
misses it, scroll guilt told of nobody, an opinion question with the order to answer
below, guilt for not helping, tagging a counted number of people, a failing stat thrown at
the reader, whoever wants something sharing this, „am besten gleich heute bestellen“, a
call with its price or year, a clearance pushed by haste, GROSSE NEUIGKEITEN, posts that
are only a call or „Link in Bio“, „ausnahmslos immer“, fixing every case however bad,
goods that never fail said flat, „Mehr braucht kein …“, guaranteed no risk, nothing better
than ours, no discussion, an offer under the old price, an order with its link, money
back when it does not taste or fit, Kund:innen praising us, the best prices around, the
last places of a group we sell, „bekannt aus dem Regionalfernsehen“; and three false
alarms fixed („Neu im Laden:“ heading product news, „nur bei uns so?“, „Wir können nur
eins davon …“).

Round 4 (session 15, branch j15de) was tuned on /work/fresh/tune4, German posts of
writers 29-32; its constructions are in ``tests/data/judgment_j15de.jsonl``, in the
helper's own words with clean posts beside each: regret foretold to whoever stays away, a
sequel only for followers, „ihr wisst, was zu tun ist“ ending a post about following, a
yes/no for agreement with the finger, a vote by emoji, the bell in the infinitive, a sale
pushed by haste or loss, a reward for whoever books, „bestellt ihn“ in one's own voice, my
work on sale from today, inquiries by mail in our voice, ours the best in the region,
„Lust auf eine Zusammenarbeit?“, not pleased and pay nothing, the percentage on an item
still to be had, a guarantee whatever the case, a superlative nobody disputes, and full
protection by a product.

Round 5 (session 14, branch j16de) was tuned on /work/fresh/tune5, German posts of
writers 33-36; its constructions are in ``tests/data/judgment_j16de.jsonl``: today's call
against tomorrow's loss, loyalty as the condition of sharing, a sale's clock running out,
„Jetzt oder nie:“, securing before it is too late or gone, a hurry while few are left, news
kept for later, „garantiert doppelte …“, „das sind wir“ after a superlative, a pre-sale
with haste and a hyphenated sale; and clean beside them: TÜV as an acronym, a sign that
„sagt“ something in capitals, a price that stays, a shop's news with „kommt gern vorbei“.

Round 6 (session 15, branch j17de) was tuned on /work/fresh/tune6, German posts of
writers 37-40; its constructions are in ``tests/data/judgment_j17de.jsonl``: scarcity of
booked places tacked on („solange die Termine reichen“, „sonst sind die Plätze weg“, „die
Plätze sind knapp!“), whoever does not act now told to blame themselves, a vote by
reaction emojis, a capital word ordered below the post, giveaway verbs as a list, an
offer called „Aktion“ pushed by haste, „jetzt … sichern 👉“, the last free places pushed
by haste, „nix wie hin“ after a price, regret for missing our course, a verb of success
sealed by „Immer.“, dismissing whoever never tried, a universal echoed („Auf jedem.“), no
other needed after ours, slogan strings of buzzwords, „Neu im Blog“ with only a link, the
best in a named place with a price, a booking asked as a question, a price about to rise,
money back for our buyers; and clean beside them: „Heute:“ as a heading, a wink after a
real notice, a call for helpers or partners, dated product news with a price and no push.

The files are ``tests/data/judgment_constructions_de13.jsonl``,
``tests/data/judgment_j14de.jsonl``, ``tests/data/judgment_j15de.jsonl``,
``tests/data/judgment_j16de.jsonl`` and ``tests/data/judgment_j17de.jsonl``; all posts
are linted in one workspace by the real CLI, with the language detected as
bench/judgment.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wordings import LESSONS, assert_lessons, constructions, labels, lint_lessons, read_rows

# rounds 1 and 2 (judge13de, judge13de2), round 3 (session 14, j14de), round 4 (session
# 15, j15de), round 5 (j16de) and round 6 (j17de): the same kind of data
DATA = [
    Path(__file__).resolve().parent / "data" / f"judgment_{name}.jsonl"
    for name in ("constructions_de13", "j14de", "j15de", "j16de", "j17de")
]
ROWS = [row for path in DATA for row in read_rows(path)]


@pytest.fixture(scope="module")
def lessons_of(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    return lint_lessons(tmp_path_factory.mktemp("de13"), ROWS)


def test_the_data_is_well_formed() -> None:
    for row in ROWS:
        assert row["lang"] == "de" and labels(row) <= LESSONS, row
    for name, rows in constructions(ROWS).items():
        flawed = [row for row in rows if labels(row)]
        clean = [row for row in rows if not labels(row)]
        # three new wordings of each construction, two clean posts in the same words
        assert len(flawed) >= 3 or name == "not-a-sale", name
        assert len(clean) >= 2, name


@pytest.mark.parametrize(
    "row",
    [pytest.param(row, id=f"{row['construction']}-{str(row['text'])[:40]}") for row in ROWS],
)
def test_each_post_gets_its_lessons_and_a_clean_one_none(
    row: dict[str, object], lessons_of: dict[str, set[str]]
) -> None:
    assert_lessons(row, lessons_of[str(row["text"])])
