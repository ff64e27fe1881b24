"""Where a word in capitals is a name or a kicker, not a raised voice (the capitals rule).

A word-frequency list tells an acronym (SNCF) from an ordinary word (BIGGEST), but many
names are spelt with ordinary words: a band (MAREA, "tide"), a sports body (NASCAR, ONCE,
"eleven"), a paper (RP ONLINE). What gives them away is where they stand, and that is
what this module reads, in general terms a reader would give:

- a **kicker**: one word alone at the start of a line, set off by a colon, heading what
  follows the way a news or club post marks its section ("NASCAR: Busch wins", "VIDEO:
  …", "BREAKING: …"); the post's words after it are the post, the kicker is layout. A
  kicker that calls the reader to attention or to a contest or a deal (ACHTUNG:,
  URGENT:, GIVEAWAY:, CONCOURS:, SALE:) is no section: it is the raised voice itself,
  and still shouts;
- **beside a name in capitals**: an ordinary word next to an acronym or a name in
  capitals is part of that name (RP ONLINE, WWE RAW, PETER HITCHENS), while two ordinary
  words in capitals together still shout (WE LOVE OUR NHS STAFF);
- **named by the word before it**: after a word that says a name follows (the band
  MAREA, el grupo …, "los de MAREA": "the ones of MAREA" is said of a band or a team);
- **beside a title-case word that is no word of the language** (Fundosa ONCE, Velotex
  WINDS): that neighbour is a name even at the start of a sentence, so this word is
  part of it;
- **before a role and a name** (NASCAR driver Kyle Busch): the word names the body
  the person belongs to;
- **the words on a sign, a button or a label**: right before the thing that bears them
  in English (SALE signs, the STOP sign, an EXIT light; not "a BIG sign of hope"), or
  right after it, or after "the word", in the other languages (le bouton ENVOYER, die
  Taste ENTF, das Wort SALE, el cartel SE VENDE).

A plain "de", "von" or "by" is not enough: "un concierto de LOCOS" is a raised voice.
"""

from __future__ import annotations

import re

from soulpost.text.lazyre import lazy

# Bodies and parties whose name is an ordinary word spelt in capitals, and that write it so
# themselves: the environmental association BUND, the tax portal ELSTER, the parties (DIE)
# LINKE and (DIE) GRÜNEN. Nothing around them need say they are names.
SPELT_NAMES = frozenset(["BUND", "ELSTER", "LINKE", "GRÜNE", "GRÜNEN"])

# Words after which the next word names a band, a group or a side ("los de" in Spanish:
# the ones of a band or team). Matched at the end of the text before the word in capitals.
_named_by = lazy(
    r"(?:\b(?:band|group|groupe|grupo|banda|Band|Gruppe|duo|dúo|trio|trío)"
    r"|(?:^|[\s¡¿])(?:[Ll]os|[Ll]as) de)[ \t]+$"
)
# Words after which a source is named, one to three words in capitals being its name:
# "Laut DIE ZEIT", "according to BILD", "selon LE MONDE", "la portada del PAÍS", "die
# Schlagzeile der BILD". German "laut" is also "loud", so only as a sentence's first word
# or after a comma or a bracket.
_source_by = lazy(
    r"(?:\bLaut|[,;(–-][ \t]*laut|\baccording to|\b[Ss]elon|\bd['’]après|\b[Ss]egún"
    r"|\b(?:Zeitung|Zeitschrift|Magazin|Sender|Schlagzeile|Titelseite|Ausgabe|Chefredakteur\w*"
    r"|newspaper|paper|magazine|tabloid|journal|revista|periódico|diario|portada)"
    r"(?:[ \t]+(?:der|des|die|the|du|de la|del|de|la|le))?)[ \t]+$"
)
# Read in a paper ("las ich in der ZEIT", "stand in der BILD"), and a paper or a
# broadcaster reporting ("BILD berichtet", "Im SPIEGEL steht", "the SUN reports").
_read_in = lazy(
    r"\b(?:steht|stand|stehen|standen|las|liest|lese|lesen|gelesen)[ \t]+(?:\w+[ \t]+){0,2}?"
    r"(?:im|in der|in)[ \t]+$"
)
_reports = lazy(
    r"[ \t]+(?:berichtet|berichtete|berichten|schreibt|schrieb|meldet|meldete|titelt|titelte"
    r"|steht|stand|heißt es|hieß es"
    r"|reports|reported|writes|wrote|rapporte|écrit|informa|publica"
    # a body calling for, demanding or warning: "Der BUND fordert", "UNITE urges"
    r"|fordert|forderte|fordern|ruft|rief|rufen|warnt|warnte|warnen|kritisiert|kritisierte"
    r"|appelliert|mahnt|verlangt|urges|urged|warns|warned|demands|demanded|calls on|calls for"
    r"|appelle|exige|réclame|dénonce|alerte|avertit|reclama|denuncia|advierte|pide|exigen)\b"
)
# Roles that stand between a body and a person's name: NASCAR driver Kyle Busch.
_ROLES = frozenset(
    [
        "driver",
        "drivers",
        "rider",
        "riders",
        "player",
        "players",
        "coach",
        "manager",
        "singer",
        "striker",
        "captain",
        "champion",
        "star",
        "fahrer",
        "spieler",
        "trainer",
        "sänger",
        "pilote",
        "joueur",
        "joueuse",
        "entraîneur",
        "chanteur",
        "chanteuse",
        "piloto",
        "jugador",
        "jugadora",
        "entrenador",
        "cantante",
    ]
)
# The thing a word in capitals is written on, after it (English) or before it (German,
# French, Spanish; also "the word …" in each language).
_bearer_after = lazy(
    r"[ \t]+(?:signs?|stickers?|labels?|buttons?|banners?|placards?|posters?|stamps?|tape"
    r"|key|lights?|notices?)\b(?![ \t]+of\b)"
)
_bearer_before = lazy(
    r"(?:\b(?-i:das Wort|Schild|Schilder|Aufschrift|Taste|Knopf|Aufkleber|Plakate?)"
    r"|\b(?:the word|le mot|la palabra|bouton|panneaux?|pancartes?|affiches?|étiquettes?"
    r"|touche|botón|cartel(?:es)?|letreros?|pegatinas?|tecla|rótulo))[ \t]+$",
    re.IGNORECASE,
)
_title_word = lazy(r"[^\W\d_][^\W\d_A-Z]+")
_role_and_name = lazy(r"[ \t]+([^\W\d_]+)[ \t]+([^\W\d_]+)")
_word_before = lazy(r"(?:^|[\s\"“«(])([^\W\d_]+)[ \t]+$")


# What follows a kicker's colon: a space, then at least two words (not ":)" or ":3").
_kicker_rest = lazy(r"[ \t]*:[ \t]+\W*\w[^\s]*\s+\W*\w")


# Kickers that call out to the reader rather than name a section: attention and alarm,
# contests, deals (English, German, French, Spanish).
_CALL_OUTS = frozenset(
    [
        "ATTENTION",
        "ACHTUNG",
        "ATENCIÓN",
        "ATENCION",
        "WARNING",
        "WARNUNG",
        "AVERTISSEMENT",
        "AVISO",
        "ALERT",
        "ALARM",
        "ALERTE",
        "ALERTA",
        "URGENT",
        "DRINGEND",
        "URGENTE",
        "IMPORTANT",
        "WICHTIG",
        "IMPORTANTE",
        "REMINDER",
        "LOOK",
        "LISTEN",
        "HEY",
        "GIVEAWAY",
        "CONTEST",
        "COMPETITION",
        "GEWINNSPIEL",
        "VERLOSUNG",
        "CONCOURS",
        "SORTEO",
        "CONCURSO",
        "WIN",
        "GEWINNEN",
        "GAGNEZ",
        "GANA",
        "SALE",
        "DEAL",
        "DEALS",
        "OFFER",
        "ANGEBOT",
        "AKTION",
        "SOLDES",
        "OFFRE",
        "PROMO",
        "REBAJAS",
        "OFERTA",
        "OFERTAS",
        "FREE",
        "GRATIS",
        "GRATUIT",
    ]
)


def kicker(text: str, start: int, end: int, before: str, after: str) -> bool:
    """Whether the capitals from *start* to *end* are one word heading a line and set off
    by a colon, naming a section rather than calling out; *before* and *after* are the
    marks around them (see style._edge)."""
    return (
        after == ":"
        and text[start:end] not in _CALL_OUTS
        and before in ("", "\n")
        and not any(c.isspace() for c in text[start:end])
        and _kicker_rest().match(text, end) is not None
    )


def name_token(word: str, lang: str | None) -> bool:
    """Whether *word*, in capitals, is spelt like a name or an acronym rather than a word:
    no vowel at all (RP, WWE, NHS) or no word of the language (HITCHENS, KRZ). YOU and
    EEUU-like words of vowels alone are words here, unlike in style.acronym_shaped."""
    from soulpost.text.lexicon import LISTS

    if not any(c.lower() in "aeiouyàáâäèéêëìíîïòóôöùúûü" for c in word):
        return True
    return not _known(word, (lang,) if lang in LISTS else LISTS)


def _known(word: str, langs: tuple[str, ...]) -> bool:
    from soulpost.text.lexicon import ORDINARY, zipf

    return any(zipf(word, one) >= ORDINARY for one in langs)


# The last words of German compounds that say what a thing must be or have (FROSTFREI,
# KINDERSICHER, WASSERDICHT, GEBÜHRENPFLICHTIG): in capitals, the point of an instruction
# raised, where a compound name (KANTENHOCKER, ERSTBEZUG) is no such word.
_PROPERTY_TAILS = ("frei", "sicher", "fest", "dicht", "los", "pflichtig", "bereit", "gerecht")


def known_part(part: str, langs: tuple[str, ...], need: float, lang: str | None) -> bool:
    """Whether *part* of a word in capitals is a word of *langs* at Zipf frequency *need*.
    Given *lang* "de", a compound of a word and a property (FROSTFREI, perhaps joined by an
    s) is one too: the raised voice of "muss im Winter FROSTFREI bleiben". A kicker that
    calls out (VERLOSUNG) needs only to be in the list."""
    from soulpost.text.lexicon import ORDINARY, zipf

    if part in _CALL_OUTS:
        need = min(need, ORDINARY)
    if any(zipf(part, one) >= need for one in langs):
        return True
    if lang != "de" or len(part) < 7:
        return False
    low = part.lower()
    tail = next((t for t in _PROPERTY_TAILS if low.endswith(t)), "")
    head = low[: len(low) - len(tail)] if tail else ""
    heads = (head, head[:-1]) if head.endswith("s") else (head,)
    return len(head) >= 4 and any(zipf(h, "de") >= need for h in heads)


def source_named(text: str, start: int, end: int) -> bool:
    """Whether the capitals from *start* to *end* are named as a source or a band: after
    a word that says a name comes (laut, according to, selon, según, a paper's headline,
    the band), after reading in it ("steht im SPIEGEL"), or before a verb of reporting,
    calling for or warning ("BILD berichtet", "Der BUND fordert"), or joined by an ampersand
    to a word that is none of a language (KALLE & DIE KANTENHOCKER). Up to three words in
    capitals there are that name, not a raised voice."""
    head = text[max(0, start - 40) : start]
    words = re.findall(r"[^\W\d_]+", text[start:end])
    return (
        ("&" in text[start:end] and any(name_token(word, None) for word in words))
        or _source_by().search(head) is not None
        or _named_by().search(head) is not None
        or _read_in().search(head) is not None
        or _reports().match(text, end) is not None
    )


def named(text: str, start: int, end: int, lang: str | None) -> bool:
    """Whether the word in capitals from *start* to *end* is a name by where it stands:
    after a word that says a name follows, after a title-case word that is no word of
    the language, before a role and a person's name, or on a sign or a button. (A
    title-case word after it already makes it part of a name: style._in_name.)"""
    head = text[max(0, start - 40) : start]
    if _named_by().search(head) or _bearer_before().search(head):
        return True
    if _bearer_after().match(text, end):
        return True
    from soulpost.text.lexicon import LISTS

    langs = (lang,) if lang in LISTS else LISTS
    before = _word_before().search(head)
    # Where every noun has a capital (German), a title-case word says nothing.
    if lang != "de" and before and _unknown_title(before.group(1), langs):
        return True
    after = _role_and_name().match(text, end)
    if after is None:
        return False
    first, second = after.group(1), after.group(2)
    return first in _ROLES and _title_word().fullmatch(second) is not None


def _unknown_title(word: str, langs: tuple[str, ...]) -> bool:
    """A word in title case of four letters or more that is no word of *langs*: a name."""
    return (
        len(word) >= 4
        and _title_word().fullmatch(word) is not None
        and word[0].isupper()
        and not _known(word, langs)
    )


# A list of two-letter codes closed by a conjunction and one more code ("Wohnsitz in DE, AT
# oder CH", "subtitles in EN, FR and ES"); "OH, JA, endlich" has no such close.
_code_list = lazy(r"[A-Z]{2}(?:,\s*[A-Z]{2})+,?\s+(?:und|oder|and|or|et|ou|y|o|e|u)\s+[A-Z]{2}\b")


# A short code right after a number is its unit, not a word said loudly: 10:41 UTC, 5 GB.
_after_number = lazy(r"\d[\d:.,]*\s?$")


def unit(text: str, start: int, word: str) -> bool:
    """Whether *word*, at *start*, is a code of three letters or fewer after a number."""
    return len(word) <= 3 and _after_number().search(text, max(0, start - 12), start) is not None


# Short words people stress in capitals in a sentence otherwise in small letters ("clears
# ANY blockage", "this is NOT what it looks like", "get it looked at NOW before…"): a
# raised voice, though shorter than the lone words the capitals rule counts. In any
# language, and per language the articles and intensifiers writers stress ("this ONE
# thing", "das ist DER Leitfaden", "c'est LA solution", "EL mejor", "escríbeme YA"), which
# in another language may be a name or a code (LA is Los Angeles in English, DIE an
# English word).
STRESSED = frozenset(["ANY", "ALL", "NOT", "NOW", "YOU"])
STRESSED_IN = {
    "en": frozenset(
        ["ONE", "THE", "SO", "TOO", "WAY", "NO", "DO", "BIG", "OUT", "OFF", "HOT", "NEW", "DAY"]
    ),
    "de": frozenset(["DER", "DIE", "DAS", "SO", "NIE", "NUR", "EIN"]),
    "fr": frozenset(["LA", "LE", "UN", "UNE", "PAS"]),
    "es": frozenset(["EL", "LA", "LO", "YA", "MUY", "NO", "HOY", "MÁS"]),
}
ALL_STRESSED = STRESSED.union(*STRESSED_IN.values())
_small_before = lazy(r"(?<![\w'’])([^\W\d_]+['’])?([^\W\d_]+),?[ \t]+$")
_asked = lazy(r"[^.!?\n]*\?")
_small_after = lazy(r"[ \t]+([^\W\d_]+)\b|[ \t]*[!?.]")


# Los Angeles, not a stressed article, after a preposition of place ("à LA", "desde LA").
_PLACE_BEFORE = frozenset(
    ["à", "a", "de", "en", "vers", "depuis", "desde", "hacia", "to", "in", "from"]
)


# A vote or a keyword to type, not a raised voice: "parliament says NO to …", "el NO ganó",
# "Escribe NO en los comentarios".
_VOTE_BEFORE = frozenset(
    [
        "say",
        "says",
        "said",
        "vote",
        "votes",
        "voted",
        "dice",
        "dicen",
        "dijo",
        "votó",
        "votar",
        "el",
        "un",
        "al",
        "del",
        "por",
        "type",
        "reply",
        "comment",
        "write",
        "text",
        "escribe",
        "escribid",
        "comenta",
        "comentad",
        "responde",
        "pon",
        "tapez",
        "tape",
    ]
)


def stressed(text: str, m: re.Match[str], lang: str | None = None) -> bool:
    """Whether the word at *m* is one of STRESSED (or of the post language's own) between
    words in small letters (the one before may open the sentence; in German the one after
    may be a noun)."""
    word = m.group(0)
    if word not in STRESSED:
        if lang is None or word not in STRESSED_IN.get(lang, ()):
            return False
        if _asked().match(text, m.end()):
            return False  # "Is it THE answer?": a stressed article asked about, a doubt
    before = _small_before().search(text, max(0, m.start() - 30), m.start())
    if before is None:
        return False
    first = before.group(2)
    opens = first.istitle() and text[: before.start()].rstrip()[-1:] in ("", ".", "!", "?", "\n")
    if not (first.islower() or opens):
        return False
    if word == "LA" and first.lower() in _PLACE_BEFORE:
        return False
    if word == "NO" and first.lower() in _VOTE_BEFORE:
        return False  # "says NO to software patents", "el NO": a vote named, not a shout
    after = _small_after().match(text, m.end())
    if after is None or after.group(1) is None:
        return after is not None
    return after.group(1).islower() or (lang == "de" and after.group(1).istitle())


# Words that a machine reads in capitals: SQL's keywords (VACUUM FULL, SELECT, JOIN), HTTP's
# methods (a POST to /orders), environment variables (DEBUG, PATH) and the files every
# repository has (README, LICENSE). In a technical post they are commands and names, not a
# raised voice; elsewhere (GET yours now, DELETE this app) the ordinary-word test decides.
_TECH = (
    "SELECT INSERT UPDATE DELETE UPSERT VACUUM ANALYZE EXPLAIN REINDEX JOIN WHERE GROUP ORDER"
    " INDEX TABLE ALTER DROP CREATE COMMIT ROLLBACK TRUNCATE MERGE UNION GRANT REVOKE LIMIT"
    " OFFSET HAVING VALUES NULL CASCADE FULL INNER OUTER DISTINCT RETURNING TRIGGER CLUSTER"
    " LOCK GET POST PUT PATCH HEAD OPTIONS PATH HOME DEBUG SHELL TERM EDITOR README LICENSE"
    " CHANGELOG CONTRIBUTING AUTHORS NOTICE MAKEFILE DOCKERFILE TODO FIXME"
)
TECH_WORDS = frozenset(_TECH.split())
# What tells a technical post: a database, a protocol, a shell or code named or written.
_technical = lazy(
    r"(?i:\b(?:sql|postgres(?:ql)?|mysql|mariadb|sqlite|redis|mongodb|database|databases|"
    r"db|query|queries|schema|tables?|indexes|cluster|endpoints?|api|apis|http|https|curl|"
    r"requests?|headers?|repo|repository|git|github|gitlab|commit|deploy\w*|runbook|"
    r"migration|scripts?|shell|bash|terminal|cli|env|docker|kubernetes|linux|python|npm|"
    r"config|server|servers|backend|cron|json|yaml)\b)|\b[A-Za-z_]+=\S|\s/\w+/?|"
    r"\b\w+\.(?:py|js|ts|md|txt|toml|ya?ml|json|sql|sh|conf)\b"
)


def code_list(text: str, group: list[re.Match[str]]) -> bool:
    """Whether *group* (words in capitals in a row) is a list of two-letter codes, or of
    words a machine reads (TECH_WORDS) in a technical post."""
    if all(m.group(0) in TECH_WORDS for m in group) and _technical().search(text):
        return True
    if len(group) < 2 or any(len(m.group(0)) != 2 for m in group):
        return False
    m = _code_list().match(text, group[0].start())
    return m is not None and m.end() > group[-1].end()
