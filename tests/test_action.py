"""The GitHub Action's script, run as action.yml runs it, against a temporary git repository
with a pull request's worth of changes: valid SARIF (the official 2.1.0 schema) holding only
the changed drafts' findings, and a Markdown job summary."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "soulpost_action.py"
SARIF_SCHEMA = REPO.parent / "shared" / "conformance" / "sarif" / "sarif-schema-2.1.0.json"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

CALM = '''text = """
We wrote down how we test the scheduler, step by step. What would you add?
"""
platforms = ["mastodon"]
at = 2027-01-05T11:00:00
'''
SHOUTY = '''text = """
FLASH SALE on EVERYTHING!!! Act now!!!
"""
platforms = ["mastodon"]
at = 2027-01-06T11:00:00
'''


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    ).stdout


def repository(tmp_path: Path, sub: str = "") -> tuple[Path, Path]:
    """A repository whose main branch holds a workspace (in *sub*), on a pull request
    branch; returns (repository, workspace)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    ws = repo / sub if sub else repo
    subprocess.run(
        [sys.executable, "-m", "soulpost", "init", str(ws), "--timezone", "UTC"],
        check=True,
        capture_output=True,
    )
    # An old draft with a finding of its own: not part of the pull request.
    old = SHOUTY.replace("2027-01-06", "2027-01-04")
    old = old.replace("FLASH SALE on EVERYTHING", "The BIGGEST UPDATE we ever SHIPPED")
    (ws / "queue" / "old-shouting.toml").write_text(old, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "workspace")
    git(repo, "checkout", "-q", "-b", "pr")
    return repo, ws


def run_action(
    ws: Path, tmp_path: Path, *extra: str
) -> tuple[int, dict[str, object], str, subprocess.CompletedProcess[str]]:
    sarif = tmp_path / "out.sarif"
    summary = tmp_path / "summary.md"
    summary.write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "GITHUB_STEP_SUMMARY": str(summary),
        "SOULPOST_NOW": "2026-12-01T00:00:00Z",
    }
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--base",
            "main",
            "--workspace",
            str(ws),
            "--sarif",
            str(sarif),
            *extra,
        ],
        cwd=ws,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    log = json.loads(sarif.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft4Validator(sarif_schema()).iter_errors(log), key=str)
    assert not errors, errors[0]
    return result.returncode, log, summary.read_text(encoding="utf-8"), result


def sarif_schema() -> dict[str, object]:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF schema is not beside the repository ({SARIF_SCHEMA})")
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))


def results(log: dict[str, object]) -> list[tuple[str, str]]:
    run = log["runs"][0]  # type: ignore[index]
    return [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in run["results"]
    ]


@pytest.mark.slow
def test_changed_shouty_draft_reported_and_old_one_left_out(tmp_path: Path) -> None:
    repo, ws = repository(tmp_path)
    (ws / "queue" / "new-shouting.toml").write_text(SHOUTY, encoding="utf-8")
    (ws / "queue" / "new-calm.toml").write_text(CALM, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "two drafts")

    code, log, summary, _ = run_action(ws, tmp_path, "--fail-on", "warning")
    found = results(log)
    assert ("SP101", "queue/new-shouting.toml") in found
    assert {uri for _, uri in found} == {"queue/new-shouting.toml"}  # not old-shouting.toml
    assert code == 1
    assert summary.startswith("## soulpost lint\n")
    assert "2 changed drafts; failing on `warning` or worse." in summary
    assert "| `queue/new-shouting.toml:2` | SP101 shouting | warning | listen |" in summary
    assert "old-shouting" not in summary

    # Queue rules see the whole queue: a new draft repeating the old one is reported.
    old = (ws / "queue" / "old-shouting.toml").read_text(encoding="utf-8")
    (ws / "queue" / "new-repeat.toml").write_text(
        old.replace("2027-01-04", "2027-01-08"), encoding="utf-8"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a repeat")
    _, log, summary, _ = run_action(ws, tmp_path)
    assert ("SP306", "queue/new-repeat.toml") in results(log)
    assert "repeats the text of old-shouting" in summary

    # The default threshold is [lint] fail_on (error): warnings alone pass.
    code, _, _, _ = run_action(ws, tmp_path)
    assert code == 0


@pytest.mark.slow
def test_workspace_in_a_subfolder_gets_repository_paths(tmp_path: Path) -> None:
    repo, ws = repository(tmp_path, "social")
    (ws / "queue" / "new-shouting.toml").write_text(SHOUTY, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "draft")
    _, log, summary, _ = run_action(ws, tmp_path)
    assert {uri for _, uri in results(log)} == {"social/queue/new-shouting.toml"}
    base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]  # type: ignore[index]
    assert base == repo.resolve().as_uri() + "/"
    assert "queue/new-shouting.toml:2" in summary


@pytest.mark.slow
def test_nothing_changed_and_broken_settings(tmp_path: Path) -> None:
    repo, ws = repository(tmp_path)
    code, log, summary, _ = run_action(ws, tmp_path)
    assert code == 0 and results(log) == []
    assert "No drafts changed in this pull request." in summary

    (ws / "config.toml").write_text('timezone = "UTC"\ntimezon = "x"\n', encoding="utf-8")
    git(repo, "commit", "-q", "-am", "typo")
    code, log, summary, result = run_action(ws, tmp_path)
    assert code == 2
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False  # type: ignore[index]
    assert "**soulpost could not lint:**" in summary and "timezon" in summary
    assert "timezon" in result.stderr


def test_action_yml_runs_the_script_and_uploads_sarif() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    script = "\n".join(str(step.get("run", "")) for step in steps)
    assert "scripts/soulpost_action.py" in script
    assert "--base" in script
    uploads = [
        s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
    ]
    assert len(uploads) == 1
    assert uploads[0]["with"]["sarif_file"] == "${{ inputs.sarif }}"
    assert {"workspace", "fail-on", "base-ref", "version", "sarif"} <= set(action["inputs"])
    docs = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    # Pinned to a release (or a commit), never a moving branch.
    assert re.search(r"uses: [\w-]+/soulpost@v\d+\.\d+\.\d+", docs)
