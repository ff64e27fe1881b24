"""Key positions in TOML files: the full scan and the quick top-level lookup agree."""

from __future__ import annotations

import pytest

from soulpost.tomlpos import SourceMap, top_level_line

DOC = """\
# a comment
id = "x"

text = \"\"\"
A multi-line text
\"\"\"
platforms = ["mastodon"]

[variants.x]
text = "short"
"""


def test_quick_lookup_matches_the_scan() -> None:
    assert top_level_line(DOC, "id") == SourceMap.scan(DOC).line_of(("id",)) == 2
    assert top_level_line(DOC, "text") == SourceMap.scan(DOC).line_of(("text",)) == 4


@pytest.mark.parametrize(
    ("doc", "key"),
    [
        (DOC, "platforms"),  # a multi-line string comes first: a look-alike could hide in it
        ("[lint]\nignore = []\n\n", "ignore"),  # under a table: not a top-level key
        ('id = "x"\n', "text"),  # absent
    ],
)
def test_quick_lookup_declines_when_unsure(doc: str, key: str) -> None:
    assert top_level_line(doc, key) is None


def test_scan_positions_inside_strings() -> None:
    smap = SourceMap.scan(DOC)
    value = "A multi-line text\n"
    assert smap.position(("text",), value.index("text"), value) == (5, 14)
    assert smap.position(("variants", "x", "text"), 2, "short") == (10, 11)
