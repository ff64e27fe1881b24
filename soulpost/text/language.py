"""Which language a post is written in, for rule packs that judge one language.

Two steps, both deterministic and local:

1. **Function words.** Most posts carry a few words that only one of the pack languages
   uses (``the``/``you``, ``und``/``nicht``, ``vous``/``est``, ``los``/``para``) or letters
   only one of them writes (ß, ñ, ¿). When one language clearly leads (at least
   :data:`MIN_VOTES` such signs and :data:`LEAD` times as many as the next), that is the
   answer. This settles almost every post at the cost of one pass over its words.
2. **py3langid** (a maintained fork of langid.py, Lui & Baldwin 2012: a naive Bayes model
   of byte n-grams trained on 97 languages, shipped inside the package, BSD licence) for
   the rest: short or mixed posts. Loading its model costs about a second, so it is
   imported only when a post needs it, once per process. It is asked to choose among the
   pack languages and their close neighbours (Italian, Portuguese, Dutch...), so that a
   post in a language without a pack is recognised as such and gets only the rules that
   do not depend on language.

A text without letters (emoji, a link) has no language: ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from soulpost.text.lazyre import lazy, module_getattr


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that are frequent in one of the pack languages and rare or absent in the others,
# and the pleas of short posts ("bitte", "svp", "porfa"). A word of two languages ("es")
# votes for both, so that it does not decide a post on its own.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and you your you're is are was this that with for of it's we our what "
        "if be have not will can don't i'm they their there from just about would "
        "how who which when all my me it to on at by something soon tomorrow been "
        "has had were should could them these those because please thanks"
    ),
    "de": _words(
        "der die das und ist nicht ich du wir ihr mit für auf ein eine einen einem dem "
        "den zu von wenn auch noch bei wird sind sich uns euch dein deine unser unsere "
        "wie was wer schon mehr oder aber nur im vom zum zur ab jetzt heute etwas "
        "nichts morgen bald immer sehr kann muss hat haben dass weil gibt geht ihr "
        "euer eure keine kein es alle damit bitte danke euren eurem dir dich mir mich"
    ),
    "fr": _words(
        "le les et est une des du pour pas vous nous je ce cette qui dans sur avec au "
        "aux il elle c'est votre vos notre nos mais ou où très plus sont être avoir "
        "qu'il aujourd'hui j'ai ça ne n'est d'un d'une d'accord aussi encore rien tout "
        "toi moi ton mon mes ici quelque chose demain bientôt alors chez sans leur "
        "leurs ces cet ses comme donc déjà après avant toujours jamais fait faire "
        "peut svp stp merci"
    ),
    "es": _words(
        "el los las y es una por para con del al se lo su sus mi muy más pero este "
        "esta estos hoy ya nuestro nuestra cuando como qué cómo donde "
        "también está están hay todo todos tú yo vosotros algo nada mañana ahora "
        "siempre nunca aquí tiene tienen puede eso esto porque desde hasta quién "
        "vuestro vuestra os porfa gracias"
    ),
}
# Word -> the languages it is a function word of (one pass over a post's words).
_OWNERS: dict[str, tuple[str, ...]] = {}
for _lang, _vocab in _FUNCTION_WORDS.items():
    for _word in _vocab:
        _OWNERS[_word] = (*_OWNERS.get(_word, ()), _lang)


_LETTERS: dict[str, str] = {"de": "ßäöü", "fr": "çèêàùœâîôë«»", "es": "ñ¿¡áíóú«»"}

# The languages soulpost ships rule packs for.
PACK_LANGUAGES = ("en", "de", "fr", "es")

MIN_VOTES = 2
LEAD = 2.0

# What py3langid chooses among when function words do not settle it: the pack languages
# and the languages most often confused with them.
NEIGHBOURS = ("it", "pt", "nl", "ca", "sv", "da", "no", "pl", "ro")

SHORT = 6  # words; below this, only the pack languages are considered

_word_re = lazy(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


# Every ASCII character but letters and the apostrophe, as a space: on ASCII text the
# words _word_re finds are the pieces this leaves, once pieces with an apostrophe go
# through _word_re themselves (it keeps at most one, between letters).
_ASCII_NON_WORD = bytes(
    ord(" ") if not (chr(i).isalpha() or chr(i) == "'") else i for i in range(128)
) + bytes(range(128, 256))  # for bytes.translate: a plain table look-up per character


def _words_of(lowered: str) -> list[str]:
    """``_word_re().findall(lowered)``, several times faster on ASCII text."""
    if not lowered.isascii():
        return _word_re().findall(lowered)
    pieces = lowered.encode("ascii").translate(_ASCII_NON_WORD).decode("ascii").split()
    if "'" not in lowered:
        return pieces
    out: list[str] = []
    for piece in pieces:
        if "'" in piece:
            out += _word_re().findall(piece)
        else:
            out.append(piece)
    return out


def _votes(text: str, langs: Iterable[str]) -> dict[str, int]:
    lowered = text.lower().replace("’", "'")
    votes = dict.fromkeys(langs, 0)
    # Each function word votes for its languages each time it occurs: one look-up per
    # word costs less than counting the words first (a post has a few dozen).
    owners = _OWNERS
    for word in _words_of(lowered):
        found = owners.get(word)
        if found is not None:
            for lang in found:
                if lang in votes:
                    votes[lang] += 1
    if not lowered.isascii():
        for lang in votes:
            letters = _LETTERS.get(lang, "")
            votes[lang] += sum(lowered.count(ch) for ch in letters)
    return votes


def detect(
    text: str,
    langs: tuple[str, ...] = PACK_LANGUAGES,
    *,
    model_when_silent: bool = True,
    use_model: bool = True,
) -> str | None:
    """The language of *text* (an ISO 639-1 code), or None when it has no words.

    *langs* are the languages worth telling apart (those with rule packs, or the ones
    ``[lint] languages`` names); the answer may be another language when the text is
    clearly in one (then no pack rule applies to it). With *model_when_silent* False, a
    text that has no function word of any of them is None instead of going to the model;
    with *use_model* False, every text the function words do not settle is None.
    """
    if not any(ch.isalpha() for ch in text):
        return None
    if len(langs) == 1:
        return langs[0]
    votes = _votes(text, langs)
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    top, top_votes = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    if top_votes >= MIN_VOTES and top_votes >= LEAD * second:
        return top
    if top_votes and not second and (not use_model or len(_word_re().findall(text)) < SHORT):
        # "FLASH SALE! Act now": one sign and none against. In a longer text that may be
        # a loan word in another language, so the model is asked when it may be.
        return top
    if not use_model:
        return None
    if top_votes == 0 and not model_when_silent:
        # Nothing says which language this is ("FLASH SALE!!! ACT NOW!!!"): rather than
        # load a model for a few words, say so; the caller decides what unknown means.
        return None
    # Short texts say too little to be told from a neighbouring language ("Link in bio"
    # reads as Dutch): among the pack languages only, then.
    neighbours = len(_word_re().findall(text)) >= SHORT
    return _model(tuple(sorted(langs)), neighbours)(text)


@cache
def _model(langs: tuple[str, ...], neighbours: bool) -> _Classifier:
    return _Classifier(langs + NEIGHBOURS if neighbours else langs)


class _Classifier:
    """py3langid restricted to *langs* and their neighbours, loaded on first call."""

    def __init__(self, langs: tuple[str, ...]) -> None:
        self.langs = langs
        self.identifier: Any = None

    def __call__(self, text: str) -> str | None:
        if self.identifier is None:
            from py3langid import langid

            ident = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
            known = set(ident.labels)
            ident.set_languages([c for c in self.langs if c in known])
            self.identifier = ident
        lang, _score = self.identifier.classify(text)
        return str(lang)


__all__ = ["PACK_LANGUAGES", "detect"]


# For the tests, which compare _words_of with the pattern itself.
__getattr__ = module_getattr(__name__, {"_WORDS": _word_re})
