"""Regular expressions whose assembled code is kept between runs (codecache.compiled_regex).

What is checked: a pattern built from the kept code matches exactly as ``re.compile``'s
(spans, groups, group names, flags) on the first run, which assembles and keeps it, and on
the second, which reads it from the file; a pattern re rejects raises as re raises; without
the command line's install it is ``re.compile`` itself; and the kept code is plain data.
"""

from __future__ import annotations

import json
import marshal
import re
import textwrap
from pathlib import Path

import pytest

from soulpost import codecache
from tests.test_codecache import run_script

PATTERNS = [
    (r"\b(?:promo|discount|coupon)[- ]codes?\b", re.IGNORECASE),
    (r"(?P<word>[^\W\d_]+)\s+(?P=word)", 0),
    (r"(?<![^\W\d_] )\bsale\b(?!\s+of\b)", re.IGNORECASE),
    (r"[\u2600-\u27bf\U0001f300-\U0001faff]\ufe0f?", 0),
    (r"^\s*(\d+)[.)]\s", re.MULTILINE),
    (r"(?=[ſs])(?:stra(ß|ss)e)", re.IGNORECASE),
]
TEXTS = [
    "Use promo code SAVE10, or the Discount-Codes page.",
    "that that is the the question",
    "Our SALE of the century: a sale today 🔥🔥 ✨",
    "1. one\n2) two\n 3. three",
    "Hauptſtraße and HAUPTSTRASSE",
]

PROBE = textwrap.dedent(
    """
    import json, re, sys
    from soulpost import codecache

    codecache.install("probe")
    out = []
    for source, flags in json.loads(sys.argv[1]):
        mine, theirs = codecache.compiled_regex(source, flags), re.compile(source, flags)
        assert mine is not theirs
        row = [mine.pattern == theirs.pattern, mine.flags == theirs.flags,
               mine.groups == theirs.groups, mine.groupindex == theirs.groupindex]
        for text in json.loads(sys.argv[2]):
            row.append([m.span() for m in mine.finditer(text)]
                       == [m.span() for m in theirs.finditer(text)])
            row.append([m.groups() for m in mine.finditer(text)]
                       == [m.groups() for m in theirs.finditer(text)])
        out.append(all(row))
    try:
        codecache.compiled_regex("(unclosed", 0)
    except re.error as exc:
        out.append(str(exc))
    loaded = len(codecache._kept.loaded.get("regex", {}))
    codecache.save()
    print(json.dumps([out, loaded]))
    """
)


def probe(tmp_path: Path) -> tuple[list[object], int]:
    out = run_script(tmp_path, PROBE, json.dumps(PATTERNS), json.dumps(TEXTS))
    found, loaded = json.loads(out)
    return found, loaded


def test_a_kept_pattern_matches_as_re_compiles_it_in_both_runs(tmp_path: Path) -> None:
    error = "missing ), unterminated subpattern at position 0"
    assert probe(tmp_path) == ([True] * len(PATTERNS) + [error], 0)  # assembled and kept
    assert probe(tmp_path) == ([True] * len(PATTERNS) + [error], len(PATTERNS))  # from the file
    kept = next((tmp_path / "pyc").rglob("codecache.probe.*.code"))
    _version, codes = marshal.loads(kept.read_bytes())
    assert sorted(codes["regex"]) == sorted((source, int(flags)) for source, flags in PATTERNS)


def test_without_the_command_lines_install_it_is_re_compile() -> None:
    source, flags = PATTERNS[0]
    assert codecache.compiled_regex(source, flags) is re.compile(source, flags)
    with pytest.raises(re.error):
        codecache.compiled_regex("(unclosed")
