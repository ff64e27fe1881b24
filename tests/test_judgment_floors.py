"""The soul judgment on the held-out part of the corpus stays above its floors (issue 9).

Runs bench/judgment.py's own steps (the installed ``soulpost lint`` over a scratch
workspace of corpus/judgment/heldout.jsonl) and fails when a lesson's or a rule's
precision or recall, or the share of flawed posts caught, drops below the floor set
here, or false alarms on clean posts rise above theirs. The floors sit a little below
what the rules measured on the held-out part when they were set (bench/README.md has the
figures); nothing was tuned on that part. Raise a floor when the rules get better; a
lower floor needs a reason in the commit.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.judgmentbench import heldout_scores

# lesson -> (precision, recall) floors on the held-out part.
LESSON_FLOORS = {
    "listen": (0.80, 0.88),
    "relate": (0.88, 0.85),
    "give": (0.85, 0.75),
    "experiment": (0.90, 0.90),
    "useful": (0.95, 0.92),
}
# rule -> (precision, recall) floors, for the rules that fire often enough there to say.
RULE_FLOORS = {
    "SP101": (0.85, 0.40),
    "SP102": (0.90, 0.15),
    "SP104": (0.50, 0.03),
    "SP124": (0.50, 0.05),
    "SP134": (0.50, 0.05),
    "SP201": (0.90, 0.18),
    "SP202": (0.40, 0.02),
    "SP206": (0.85, 0.08),
    "SP221": (0.85, 0.13),
    "SP231": (0.85, 0.10),
    "SP241": (0.85, 0.10),
    "SP301": (0.90, 0.22),  # 0.25 until de-024 (German) was no longer credited to it
    # 0.20 and 0.22 until a post whose language nothing tells was credited to one pack only
    "SP321": (0.90, 0.17),
    "SP331": (0.90, 0.17),
    "SP401": (0.85, 0.75),
    "SP501": (0.85, 0.20),
    "SP521": (0.85, 0.10),
    "SP531": (0.85, 0.15),
    "SP541": (0.85, 0.10),
}
OVERALL_FLOORS = {"recall": 0.92, "flawed_caught": 0.94}
# share of clean posts with any soul finding: 3.4 % (5 of 146) after branch judgefa, 4.8 %
# (7) before it; 0.045 allows 6, so a return to the old false alarms fails
MAX_FALSE_ALARMS = 0.045


@pytest.fixture(scope="module")
def heldout(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return heldout_scores(tmp_path_factory.mktemp("judgment"))


@pytest.mark.parametrize("lesson", sorted(LESSON_FLOORS))
def test_lesson_floor(heldout: dict[str, Any], lesson: str) -> None:
    row = heldout["lessons"][lesson]
    precision, recall = LESSON_FLOORS[lesson]
    assert (row["precision"] or 0) >= precision, (lesson, row)
    assert (row["recall"] or 0) >= recall, (lesson, row)


@pytest.mark.parametrize("code", sorted(RULE_FLOORS))
def test_rule_floor(heldout: dict[str, Any], code: str) -> None:
    row = heldout["rules"].get(code)
    assert row is not None, f"{code} no longer runs in the judgment"
    precision, recall = RULE_FLOORS[code]
    assert (row["precision"] or 0) >= precision, (code, row)
    assert (row["recall"] or 0) >= recall, (code, row)


def test_overall_floor_and_false_alarms(heldout: dict[str, Any]) -> None:
    overall = heldout["overall"]
    for key, floor in OVERALL_FLOORS.items():
        assert overall[key] >= floor, (key, overall)
    assert overall["false_alarm_rate"] <= MAX_FALSE_ALARMS, overall
