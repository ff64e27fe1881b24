"""Generate tests/data/length_corpus.json: 240 realistic posts for the length conformance test.

Posts as a team writes them: a sentence or two, a link (ASCII or with a non-ASCII path, an
internationalised domain, a gemini:// or ipfs:// address, a bare domain), hashtags, mentions
and emoji from every Emoji version up to the newest (families, skin tones, flags, keycaps,
ZWJ sequences X's twitter-text 3.1.0 predates), in several scripts. A fixed seed keeps the
file stable; the expected counts come from the official implementations at test time
(tests/test_length_conformance.py), never from this script.

    python scripts/gen_length_corpus.py > tests/data/length_corpus.json
"""

from __future__ import annotations

import json
import random

OPENERS = [
    "Shipped the new onboarding flow today",
    "We rewrote our CSV export after forty interviews",
    "Quick question for the folks running small teams",
    "Notes from this morning's accessibility workshop",
    "Our spring release is out",
    "A thread on what went wrong with last week's outage",
    "Three things we learned moving the docs to plain text",
    "Heute haben wir die neue Exportfunktion veröffentlicht",
    "Nous avons enfin publié le guide d'accessibilité",
    "新しいオンボーディングを公開しました",
    "我们今天发布了新的导出功能",
    "Сегодня мы выпустили новую версию",
    "أطلقنا اليوم ميزة التصدير الجديدة",
    "היום השקנו את תכונת הייצוא החדשה",
    "नमस्ते! आज हमने नया संस्करण जारी किया",
    "오늘 새로운 기능을 출시했습니다",
    "Pequeña pregunta para equipos pequeños",
]
MIDDLES = [
    "What would you add?",
    "It took longer than planned, and that is fine.",
    "Feedback welcome, especially the critical kind.",
    "Thanks to everyone who tested the beta!",
    "Was fehlt euch noch?",
    "Qu'en pensez-vous ?",
    "皆さんの意見を聞かせてください。",
    "Пишите, что думаете.",
    "Work in progress: expect rough edges.",
    "The numbers surprised us: 3 of 5 people skim first.",
    "",
]
LINKS = [
    "https://example.com/blog/2026/12/onboarding-lessons",
    "https://docs.example.org/guides/csv-export?format=long&lang=en",
    "https://example.com/über/straße/ergebnisse",
    "https://example.jp/記事/新機能のお知らせ",
    "https://example.ru/новости/релиз-2026",
    "https://例え.jp/パス?q=値",
    "https://bücher.example.de/neu",
    "https://example.com/path_(with_parens)/end",
    "https://example.com/search?q=日本語&page=2",
    "gemini://gemini.example.org/journal/2026-12-01.gmi",
    "gopher://gopher.example.net/1/phlog",
    "ipfs://docs.example.com/guide",
    "dat://archive.example.org/notes",
    "xmpp:team@chat.example.org",
    "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a",
    "example.com/roadmap",
    "www.example.org/events/2026",
    "http://t.co/abc123XYZ",
    "https://example.com/a.b.c/d,e;f",
    "https://sub.domain.example.co.uk:8443/status/200",
    "",
    "",
]
TAGS = ["#accessibility", "#OpenSource", "#WritingTips", "#データ", "#Barrierefreiheit",
        "#100DaysOfCode", "#día_uno", "", "", ""]  # fmt: skip
MENTIONS = ["@alice", "@bob@mastodon.example", "@team_docs", "@zoë@example.social", "", "", ""]
EMOJI = [
    "🎉", "🚀", "❤️", "❤", "👍🏽", "👩🏾‍💻", "👨‍👩‍👧‍👦", "🇩🇪", "🇯🇵", "🏳️‍🌈", "🏴‍☠️",
    "1️⃣", "#️⃣", "©", "™", "↔️", "☺️", "🧵", "🥲", "🫠", "🫶🏼", "🧑‍🤝‍🧑", "🧑🏽‍🦰",
    "🫨", "🩷", "🐦‍⬛", "🪿", "🐦‍🔥", "🍋‍🟩", "🍄‍🟫", "⛓️‍💥", "🙂‍↔️", "🧑‍🧑‍🧒", "🫩",
    "🫆", "🪾", "🏃‍➡️", "👩‍🦯‍➡️", "🧔‍♀️", "❤️‍🔥", "❤️‍🩹", "😮‍💨", "😵‍💫", "🫱🏻‍🫲🏿",
    "♾️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "👁️‍🗨️", "🧑‍🎄", "🥱", "🦩", "🪐", "🫡", "", "", "",
]  # fmt: skip


def post(rng: random.Random) -> str:
    pieces = [rng.choice(OPENERS)]
    for _ in range(rng.randint(0, 3)):
        pieces.append(rng.choice(EMOJI))
    pieces.append(rng.choice(MIDDLES))
    link = rng.choice(LINKS)
    if link:
        pieces.append(rng.choice(["", "Read more:", "Details:", "→", "Mehr:"]) + " " + link)
    pieces += [rng.choice(TAGS), rng.choice(MENTIONS)]
    for _ in range(rng.randint(0, 2)):
        pieces.insert(rng.randint(1, len(pieces)), rng.choice(EMOJI))
    text = " ".join(p for p in pieces if p.strip())
    if rng.random() < 0.25:
        text = text.replace(". ", ".\n\n", 1)
    if rng.random() < 0.1:
        text = " ".join([text] * rng.randint(2, 4))  # some near or over the limits
    return text


def main() -> None:
    rng = random.Random(20261201)
    posts = [post(rng) for _ in range(240)]
    print(json.dumps(posts, ensure_ascii=False, indent=0))


if __name__ == "__main__":
    main()
