"""The lint output formats, rendered from hand-built reports."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from soulpost.errors import InputError
from soulpost.lint.formats import FORMATS, render, want_color
from soulpost.lint.formats.github import LIMIT, command, escape_data, escape_property
from soulpost.lint.model import Finding, Report, RuleInfo

REPO = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = REPO.parent / "shared" / "conformance" / "sarif" / "sarif-schema-2.1.0.json"

SHOUT = RuleInfo(
    code="SP101",
    name="no-shouting",
    severity="warning",
    lesson="listen",
    summary="Do not write in capitals",
    why="Capitals read as shouting.",
    bad=("FLASH SALE!!! BUY NOW",),
    good=("Our winter sale starts today.",),
)
LONG = RuleInfo(
    code="SP901",
    name="too-long",
    severity="error",
    lesson="platform",
    summary="The text is longer than the network allows",
)
RATIO = RuleInfo(
    code="SP301",
    name="promo-ratio",
    severity="info",
    lesson="give",
    summary="Too many promotional posts in the queue",
    scope="queue",
)


def finding(rule: RuleInfo, path: str | None, line: int = 1, **kw: object) -> Finding:
    fields: dict[str, object] = {
        "code": rule.code,
        "name": rule.name,
        "lesson": rule.lesson,
        "severity": rule.severity,
        "message": f"{rule.summary}.",
        "path": path,
        "line": line,
        "column": 1,
    }
    fields.update(kw)
    return Finding(**fields)  # type: ignore[arg-type]


def sample(tmp_path: Path) -> Report:
    return Report(
        findings=[
            finding(SHOUT, "queue/b.toml", 3, column=5, hint="say it calmly", post_id="b"),
            finding(LONG, "queue/b.toml", 2, platform="x", message="312 of 280 weighted chars"),
            finding(SHOUT, "queue/a.toml", 1, message='50% OFF, "NOW": 100%\nreally'),
            finding(RATIO, None, message="4 of 5 posts sell"),
        ],
        rules={r.code: r for r in (SHOUT, LONG, RATIO)},
        errors=[
            InputError(
                "unknown key", path=tmp_path / "queue" / "c.toml", line=4, key="txt", hint="text?"
            )
        ],
        posts=13,
        files=14,
    )


def test_text_format(tmp_path: Path) -> None:
    out = render("text", sample(tmp_path), root=tmp_path, color=False)
    assert "\033[" not in out
    lines = out.splitlines()
    assert lines[0] == "error: cannot load queue/c.toml:4: txt: unknown key (text?)"
    a = lines.index('queue/a.toml:1:1: SP101 no-shouting [listen] 50% OFF, "NOW": 100%')
    b2 = lines.index("queue/b.toml:2:1: SP901 too-long [platform] 312 of 280 weighted chars (on x)")
    b3 = lines.index("queue/b.toml:3:5: SP101 no-shouting [listen] Do not write in capitals.")
    assert a < b2 < b3  # grouped by file, sorted by line
    assert lines[b3 + 1] == "    hint: say it calmly"
    assert lines[b2 - 1] == ""  # a blank line between files
    assert "queue:1:1: SP301 promo-ratio [give] 4 of 5 posts sell" in lines
    assert lines[-1] == (
        "1 error, 2 warnings, 1 info in 13 posts (14 files); 1 file could not be read"
    )


def test_text_format_colour_and_clean_summary(tmp_path: Path) -> None:
    coloured = render("text", sample(tmp_path), root=tmp_path, color=True)
    assert "\033[1;31mSP901 too-long\033[0m" in coloured
    assert "\033[1;33mSP101 no-shouting\033[0m" in coloured
    clean = Report(findings=[], rules={}, posts=2, files=2)
    assert render("text", clean, root=tmp_path, color=False) == "no problems in 2 posts (2 files)\n"


def test_json_format_validates_against_documented_schema(tmp_path: Path) -> None:
    schema = json.loads((REPO / "docs" / "lint-json-schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    for report in (sample(tmp_path), Report(findings=[], rules={})):
        doc = json.loads(render("json", report, root=tmp_path, color=False))
        jsonschema.Draft7Validator(schema).validate(doc)
    doc = json.loads(render("json", sample(tmp_path), root=tmp_path, color=False))
    assert doc["version"] == 1
    assert doc["summary"] == {
        "errors": 1,
        "warnings": 2,
        "info": 1,
        "posts": 13,
        "files": 14,
        "unreadable": 1,
    }
    assert [f["path"] for f in doc["findings"]] == [
        "queue/a.toml",
        "queue/b.toml",
        "queue/b.toml",
        None,
    ]
    assert doc["findings"][2]["hint"] == "say it calmly"
    assert doc["findings"][2]["post_id"] == "b"
    assert doc["errors"] == [
        {"path": "queue/c.toml", "line": 4, "key": "txt", "message": "unknown key", "hint": "text?"}
    ]


def test_json_lines_are_what_the_json_encoder_writes(tmp_path: Path) -> None:
    """Findings are written field by field for speed; the text must be json.dumps's."""
    from soulpost.lint.formats.json_format import document, finding_fields, finding_line
    from soulpost.lint.model import Finding

    odd = Finding(
        code="SP101",
        name="shouting",
        lesson="listen",
        severity="warning",
        message='say "hi" \\ \n\t\u2028 日本語 🎉 \x00',
        path=None,
        line=12,
        column=3,
        post_id=None,
        platform="x",
        hint=None,
    )
    report = sample(tmp_path)
    for finding in [*report.findings, odd]:
        assert finding_line(finding) == json.dumps(finding_fields(finding), ensure_ascii=False)
    rendered = json.loads(render("json", report, root=tmp_path, color=False))
    assert rendered == json.loads(json.dumps(document(report, tmp_path)))


def test_json_lines_of_one_rule_keep_each_findings_own_fields() -> None:
    """What a rule's findings share is encoded once (finding_line keeps it): a finding of
    the same rule with another severity, name or lesson still gets its own."""
    import itertools

    from soulpost.lint.formats.json_format import finding_fields, finding_line
    from soulpost.lint.model import Finding

    kinds = itertools.product(("SP101", 'SP"1'), ("shouting", "loud ☺"), ("listen", "give"))
    for (code, name, lesson), severity in itertools.product(kinds, ("error", "warning", "info")):
        for path, post_id in ((None, None), ("queue/ä.toml", "ä\n")):
            finding = Finding(
                code, name, lesson, severity, f"{code} {severity}", path, 2, 5, post_id
            )  # type: ignore[arg-type]
            assert finding_line(finding) == json.dumps(finding_fields(finding), ensure_ascii=False)


@pytest.mark.parametrize("findings, errors", [(2, 2), (1, 0), (0, 1), (0, 0)])
def test_json_document_layout_byte_for_byte(findings: int, errors: int) -> None:
    """One finding and one error per line, four spaces in, the rest as json.dumps writes
    it: the whole text, as scripts diffing two runs see it."""
    from soulpost.lint.formats.json_format import document, finding_fields, render_json

    found = [
        Finding("SP101", "shouting", "listen", "warning", "loud 🎉", "queue/a.toml", 1, 2),
        Finding("SP306", "duplicate-post", "useful", "error", "x", None, 1, 1, "id", "x", "h"),
    ][:findings]
    problems = [InputError("bad", path="queue/b.toml", line=3, key="txt"), InputError("no")]
    report = Report(findings=found, rules={}, errors=problems[:errors], posts=3, files=2)
    doc = document(report, Path("/ws"))

    def block(items: list[Any]) -> str:
        lines = ",\n    ".join(json.dumps(item, ensure_ascii=False) for item in items)
        return f"[\n    {lines}\n  ]" if items else "[]"

    expected = (
        f'{{\n  "version": 1,\n  "tool": {json.dumps(doc["tool"])},\n'
        f'  "findings": {block([finding_fields(f) for f in found])},\n'
        f'  "summary": {json.dumps(doc["summary"])},\n  "errors": {block(doc["errors"])}\n}}\n'
    )
    assert render_json(report, Path("/ws")) == expected


def test_sarif_format_is_valid_sarif_2_1_0(tmp_path: Path) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    for report in (sample(tmp_path), Report(findings=[], rules={})):
        log = json.loads(render("sarif", report, root=tmp_path, color=False))
        errors = sorted(validator.iter_errors(log), key=str)
        assert not errors, errors[0]


def test_sarif_content(tmp_path: Path) -> None:
    log = json.loads(render("sarif", sample(tmp_path), root=tmp_path, color=False))
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    driver = run["tool"]["driver"]
    assert driver["name"] == "soulpost"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["SP101", "SP301", "SP901"]
    shout = rules[0]
    assert shout["name"] == "no-shouting"
    assert shout["defaultConfiguration"]["level"] == "warning"
    assert shout["properties"]["lesson"] == "listen"
    assert "FLASH SALE!!! BUY NOW" in shout["help"]["markdown"]
    assert "Our winter sale starts today." in shout["help"]["text"]
    assert "Capitals read as shouting." in shout["fullDescription"]["text"]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"SP101": "warning", "SP901": "error", "SP301": "note"}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    first = run["results"][0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"] == {"uri": "queue/a.toml", "uriBaseId": "%SRCROOT%"}
    assert first["region"] == {"startLine": 1, "startColumn": 1}
    assert "locations" not in run["results"][-1]  # the queue-wide finding
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "queue/c.toml"
    )


def test_sarif_describes_a_rule_missing_from_the_report(tmp_path: Path) -> None:
    report = Report(findings=[finding(SHOUT, "queue/a.toml")], rules={})
    log = json.loads(render("sarif", report, root=tmp_path, color=False))
    assert log["runs"][0]["tool"]["driver"]["rules"][0]["id"] == "SP101"


def test_github_escaping() -> None:
    assert escape_data("50% off\r\nnow: a,b") == "50%25 off%0D%0Anow: a,b"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    assert command("error", "m", file="q/a,b.toml", line=2, col=3, title="X: y") == (
        "::error file=q/a%2Cb.toml,line=2,col=3,title=X%3A y::m"
    )
    assert command("notice", "m") == "::notice::m"


def test_github_format(tmp_path: Path) -> None:
    lines = render("github", sample(tmp_path), root=tmp_path, color=False).splitlines()
    assert lines[0] == (
        "::error file=queue/c.toml,line=4,title=soulpost%3A cannot load::unknown key%0AHint: text?"
    )
    assert lines[1].startswith(
        "::error file=queue/b.toml,line=2,col=1,title=SP901 too-long::312 of 280 weighted chars"
    )
    assert lines[2].startswith("::warning file=queue/a.toml,line=1,col=1,title=SP101 no-shouting::")
    assert '50%25 OFF, "NOW": 100%25%0Areally' in lines[2]
    assert lines[3].startswith("::warning file=queue/b.toml,line=3,col=5,")
    assert lines[4].startswith("::notice title=SP301 promo-ratio::4 of 5 posts sell")
    assert lines[-1].startswith("soulpost: 1 error, 2 warnings, 1 info in 13 posts")


def test_github_format_respects_annotation_limits(tmp_path: Path) -> None:
    findings = [finding(LONG, f"queue/{i:02}.toml") for i in range(13)]
    findings += [finding(SHOUT, f"queue/{i:02}.toml") for i in range(25)]
    findings += [finding(RATIO, None) for _ in range(3)]
    report = Report(findings=findings, rules={}, posts=25, files=25)
    lines = render("github", report, root=tmp_path, color=False).splitlines()
    assert sum(line.startswith("::error ") for line in lines) == LIMIT
    assert sum(line.startswith("::warning ") for line in lines) == LIMIT
    assert sum(line.startswith("::notice ") for line in lines) == 3
    assert lines[0].startswith("::error ")  # most severe first
    rest = lines[-2]
    assert rest.startswith("soulpost: 3 more errors, 15 more warnings not shown as annotations")
    assert "SP101 no-shouting ×15" in rest
    assert "SP901 too-long ×3" in rest
    assert lines[-1] == "soulpost: 13 errors, 25 warnings, 3 info in 25 posts (25 files)"


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="expected one of text, json, sarif, github"):
        render("xml", Report(findings=[], rules={}), root=tmp_path, color=False)
    assert FORMATS == ("text", "json", "sarif", "github")


class _Tty(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),
        (False, {"FORCE_COLOR": "1"}, True),
        (False, {"FORCE_COLOR": "0"}, False),
        (True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        (True, {"TERM": "dumb"}, False),
    ],
)
def test_want_color(tty: bool, env: dict[str, str], expected: bool) -> None:
    assert want_color(_Tty(tty), env) is expected
