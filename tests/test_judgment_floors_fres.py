"""French and Spanish judgment on the held-out part of the corpus stays above its floors.

The shared floors (tests/test_judgment_floors.py) are per lesson and rule over all four
languages; these are per language, for the French and Spanish packs, set a little below
what the rules measured on the held-out part after the French and Spanish rule work
(bench/README.md, "French and Spanish rule work"). Nothing was tuned on that part: the
rules were widened with the dev part and with posts written for the purpose
(tests/test_judgment_fres.py). Raise a floor when the rules get better; a lower floor
needs a reason in the commit.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.judgmentbench import heldout_scores

# language -> floors on (post, lesson) pair recall and the share of flawed posts caught,
# and the highest share of clean posts with any soul warning.
LANGUAGE_FLOORS = {
    "fr": {"recall": 0.95, "flawed_caught": 0.95, "max_false_alarms": 0.065},
    "es": {"recall": 0.89, "flawed_caught": 0.91, "max_false_alarms": 0.035},
}
# (language, lesson) -> recall floor, where the lesson has enough held-out posts to say.
LESSON_FLOORS = {
    ("fr", "relate"): 0.95,
    ("es", "relate"): 0.95,
    ("fr", "give"): 0.95,
    ("es", "give"): 0.70,
    ("fr", "useful"): 0.95,
    ("es", "useful"): 0.70,
    ("fr", "experiment"): 0.95,
    ("es", "experiment"): 0.95,
}
# rule -> (precision, recall) floors on the held-out part, against the rule's lesson.
RULE_FLOORS = {
    "SP231": (0.90, 0.18),
    "SP241": (0.90, 0.18),
    # 0.25 until de-024 (German) was no longer credited to it; 0.22 until a post whose
    # language nothing tells was credited to one pack only
    "SP331": (0.90, 0.17),
    "SP341": (0.90, 0.04),  # 0.12, then 0.09, for the same two reasons
    "SP531": (0.90, 0.25),
    "SP541": (0.90, 0.20),
}


@pytest.fixture(scope="module")
def heldout(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return heldout_scores(tmp_path_factory.mktemp("judgment-fres"))


@pytest.mark.parametrize("lang", sorted(LANGUAGE_FLOORS))
def test_language_floor(heldout: dict[str, Any], lang: str) -> None:
    row = heldout["languages"][lang]
    floors = LANGUAGE_FLOORS[lang]
    assert (row["recall"] or 0) >= floors["recall"], (lang, row)
    assert (row["flawed_caught"] or 0) >= floors["flawed_caught"], (lang, row)
    assert row["false_alarm_rate"] <= floors["max_false_alarms"], (lang, row)


@pytest.mark.parametrize(("lang", "lesson"), sorted(LESSON_FLOORS))
def test_lesson_floor_per_language(heldout: dict[str, Any], lang: str, lesson: str) -> None:
    row = heldout["lessons_by_language"][lang][lesson]
    assert (row["recall"] or 0) >= LESSON_FLOORS[(lang, lesson)], (lang, lesson, row)


@pytest.mark.parametrize("code", sorted(RULE_FLOORS))
def test_rule_floor(heldout: dict[str, Any], code: str) -> None:
    row = heldout["rules"].get(code)
    assert row is not None, f"{code} no longer runs in the judgment"
    precision, recall = RULE_FLOORS[code]
    assert (row["precision"] or 0) >= precision, (code, row)
    assert (row["recall"] or 0) >= recall, (code, row)
