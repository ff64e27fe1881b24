"""Is a word an ordinary word of a language? Word frequencies from ``wordfreq``'s data.

The shouting rule needs to tell an ordinary word written in capitals (``BIGGEST``,
``WICHTIGSTE``: someone raising their voice) from a token that is not a word of the language
(``UNHCR``, ``ASML``, ``SNCF``: an acronym or a name, written in capitals because that is
how it is written). A word-frequency list answers that: ordinary words are frequent.

``wordfreq`` ships its lists inside the package (about 25 MB for many languages; its
"small" lists, the ~30,000 most frequent words of a language with a Zipf frequency of at
least 3, weigh 120-190 KB each for English, German, French and Spanish). Importing the
``wordfreq`` module itself costs about 0.3 s (it pulls in ``ftfy`` and its character
tables to normalise raw text, which the linter does not need: it looks words up one by
one, already split). So this module reads the shipped small list directly, once per
language and process, on first use: about 25 ms. The list format (``cB`` version 1, a
header then one list of words per centibel of frequency) is checked, and a wordfreq whose
format differs falls back to its public ``zipf_frequency`` function.

Nothing is loaded until a rule asks about a word: a post without capitals never pays.
"""

from __future__ import annotations

import gzip
import importlib.util
from functools import cache
from pathlib import Path

# Languages with a shipped list that the linter uses (the languages of its rule packs).
LISTS = ("en", "de", "fr", "es")

# The Zipf frequency (log10 of occurrences per billion words) at or above which a word is
# ordinary: once per million words or more. The small lists stop here.
ORDINARY = 3.0


def _data_dir() -> Path | None:
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@cache
def _frequencies(lang: str) -> dict[str, float]:
    """Word -> Zipf frequency for *lang*'s small list; empty when none is installed."""
    folder = _data_dir()
    path = folder / f"small_{lang}.msgpack.gz" if folder is not None else None
    if path is None or not path.is_file():
        return {}
    import msgpack

    data = msgpack.unpackb(gzip.decompress(path.read_bytes()), raw=False)
    header = data[0] if data else None
    if not (isinstance(header, dict) and header.get("format") == "cB"):
        return _via_wordfreq(lang)
    out: dict[str, float] = {}
    for index, bucket in enumerate(data[1:]):
        zipf = (900 - index) / 100  # bucket i holds the words at -i centibels, i.e. Zipf 9 - i/100
        for word in bucket:
            out.setdefault(word, zipf)
    return out


def _via_wordfreq(lang: str) -> dict[str, float]:  # pragma: no cover - another data format
    import wordfreq

    words = wordfreq.top_n_list(lang, 30_000, wordlist="small")
    return {w: wordfreq.zipf_frequency(w, lang, wordlist="small") for w in words}


def zipf(word: str, lang: str) -> float:
    """The Zipf frequency of *word* (any case) in *lang*; 0 when it is not a frequent word."""
    return _frequencies(lang).get(word.lower().replace("’", "'"), 0.0)


def is_ordinary(word: str, lang: str | None) -> bool:
    """Whether *word* is an ordinary word of *lang* (of any shipped language when None)."""
    langs = (lang,) if lang in LISTS else LISTS
    return any(zipf(word, one) >= ORDINARY for one in langs)


def available() -> bool:
    """Whether word lists are installed (soulpost depends on wordfreq, so normally yes)."""
    return bool(_frequencies("en"))


__all__ = ["LISTS", "ORDINARY", "available", "is_ordinary", "zipf"]
