#!/usr/bin/env python3
"""The logic of the soulpost GitHub Action (``action.yml``): lint what a pull request changes.

1. ``git diff`` against the base ref lists the drafts the pull request adds or changes.
2. ``soulpost lint`` runs on the *whole* queue, so queue rules (promotional share, spacing,
   duplicates) see every post, once for SARIF and once for JSON.
3. Only findings in the changed drafts are kept (all drafts when ``config.toml`` or
   ``rules/`` changed, since then any draft may be judged differently).
4. It writes the SARIF file for code scanning (paths relative to the repository root, so
   a workspace in a subfolder needs no extra setting) and a Markdown job summary.

Exit codes follow ``soulpost lint``: 0 nothing at or above fail-on among the changed
drafts, 1 findings at or above it, 2 a configuration or input error (the summary says
which). The SARIF file is written in every case, so the upload step always has one.

Everything comes from flags; in the action they are filled from its inputs. Only the
standard library, git and the installed ``soulpost`` are used, so the suite runs this
script as the action does, against a temporary git repository.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any

RANK = {"info": 0, "warning": 1, "error": 2}
MAX_ROWS = 200  # GitHub caps a job summary at 1 MiB; a long table helps nobody anyway
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="the base ref or commit to diff against")
    parser.add_argument("--workspace", default=".", help="the soulpost workspace folder")
    parser.add_argument("--fail-on", choices=sorted(RANK), help="default: [lint] fail_on")
    parser.add_argument("--sarif", default="soulpost.sarif", help="where to write SARIF")
    parser.add_argument("--summary", help="Markdown summary file (default: $GITHUB_STEP_SUMMARY)")
    return parser.parse_args(argv)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def changed_files(repo: Path, base: str) -> list[str]:
    """Files added, copied, modified or renamed since *base* (repository-relative paths).

    Uses the merge base (``base...HEAD``) when the history has it, as a pull request shows
    its changes; a shallow checkout without it falls back to a plain two-point diff.
    """
    for candidate in (f"origin/{base}", base):
        try:
            git(repo, "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}")
        except subprocess.CalledProcessError:
            continue
        for spec in (f"{candidate}...HEAD", candidate):
            try:
                out = git(repo, "diff", "--name-only", "--diff-filter=ACMR", "-z", spec)
            except subprocess.CalledProcessError:
                continue
            return [p for p in out.split("\0") if p]
    raise SystemExit(
        f"soulpost-action: base {base!r} is not in this checkout; "
        "use actions/checkout with fetch-depth: 0"
    )


def run_lint(workspace: Path, fmt: str) -> tuple[int, str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "soulpost", "-C", str(workspace), "lint", "--format", fmt],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "CI": os.environ.get("CI", "true")},
        check=False,
    )
    return result.returncode, result.stdout, result.stderr


def fail_on_setting(workspace: Path) -> str:
    """``[lint] fail_on`` of the workspace, read the way soulpost reads it."""
    from soulpost.errors import SoulpostError
    from soulpost.workspace import find_root, load_settings

    try:
        return load_settings(find_root(workspace))[0].lint.fail_on
    except SoulpostError:
        return "error"  # lint itself reports the broken config


def empty_sarif(failure: str | None = None) -> dict[str, Any]:
    """A valid SARIF log with no results; with *failure*, one saying the run failed. The
    upload step then always has a file to send."""
    invocation: dict[str, Any] = {"executionSuccessful": failure is None}
    if failure is not None:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": failure}}
        ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "soulpost", "rules": []}},
                "invocations": [invocation],
                "results": [],
            }
        ],
    }


def keep_sarif(log: dict[str, Any], wanted: set[str] | None, prefix: str, root: Path) -> None:
    """Keep results in *wanted* (workspace-relative paths; None: all) and make every path
    relative to the repository root *root* (the workspace lies at *prefix* inside it)."""
    for run in log["runs"]:
        kept = []
        for result in run.get("results", []):
            locations = result.get("locations") or [{}]
            artifact = locations[0].get("physicalLocation", {}).get("artifactLocation", {})
            uri = artifact.get("uri")
            if wanted is not None and uri not in wanted:
                continue
            kept.append(result)
        run["results"] = kept
        for item in [*kept, *_notifications(run)]:
            for location in item.get("locations", []):
                artifact = location.get("physicalLocation", {}).get("artifactLocation", {})
                if "uri" in artifact and prefix:
                    artifact["uri"] = str(PurePosixPath(prefix) / artifact["uri"])
        if "originalUriBaseIds" in run:
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = root.resolve().as_uri() + "/"


def _notifications(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        n for inv in run.get("invocations", []) for n in inv.get("toolExecutionNotifications", [])
    ]


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary_markdown(
    findings: list[dict[str, Any]],
    errors: list[dict[str, Any]],
    drafts: list[str],
    scope: str,
    fail_on: str,
    *,
    failed: str | None = None,
) -> str:
    """The job summary: what was checked, counts by severity, then each finding."""
    lines = ["## soulpost lint", ""]
    if failed:
        return "\n".join([*lines, f"**soulpost could not lint:** {_cell(failed)}", ""])
    lines.append(f"{scope}; failing on `{fail_on}` or worse.")
    lines.append("")
    if not drafts:
        return "\n".join([*lines, "No drafts changed in this pull request.", ""])
    counts = {level: sum(f["severity"] == level for f in findings) for level in RANK}
    lines += [
        "| errors | warnings | info | unreadable |",
        "|---:|---:|---:|---:|",
        f"| {counts['error']} | {counts['warning']} | {counts['info']} | {len(errors)} |",
        "",
    ]
    if not findings and not errors:
        return "\n".join([*lines, "Every changed draft is clean. :sparkles:", ""])
    if errors:
        lines += ["### Could not be read", ""]
        for error in errors:
            where = f"{error.get('path') or '-'}:{error.get('line') or ''}".rstrip(":")
            key = f"`{error['key']}`: " if error.get("key") else ""
            hint = f" ({error['hint']})" if error.get("hint") else ""
            lines.append(f"- `{where}` {key}{_cell(error['message'])}{_cell(hint)}")
        lines.append("")
    if findings:
        lines += [
            "| where | rule | severity | lesson | message |",
            "|---|---|---|---|---|",
        ]
        ranked = sorted(findings, key=lambda f: (-RANK[f["severity"]], f["path"], f["line"]))
        for f in ranked[:MAX_ROWS]:
            hint = f"<br>hint: {_cell(f['hint'])}" if f.get("hint") else ""
            lines.append(
                f"| `{f['path']}:{f['line']}` | {f['code']} {f['name']} | {f['severity']} "
                f"| {f['lesson']} | {_cell(f['message'])}{hint} |"
            )
        if len(ranked) > MAX_ROWS:
            lines.append(f"\n{len(ranked) - MAX_ROWS} more in the SARIF upload (code scanning).")
        lines += ["", "`soulpost explain CODE` says why each rule matters and how to fix it.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workspace = Path(args.workspace).resolve()
    repo = Path(git(workspace, "rev-parse", "--show-toplevel").strip()).resolve()
    prefix = workspace.relative_to(repo).as_posix()
    prefix = "" if prefix == "." else prefix
    inside = f"{prefix}/" if prefix else ""
    changed = [p[len(inside) :] for p in changed_files(repo, args.base) if p.startswith(inside)]
    drafts = sorted(p for p in changed if p.startswith("queue/") and p.endswith(".toml"))
    settings_changed = any(p == "config.toml" or p.startswith("rules/") for p in changed)
    fail_on = args.fail_on or fail_on_setting(workspace)
    summary = args.summary or os.environ.get("GITHUB_STEP_SUMMARY")
    sarif = Path(args.sarif)
    if settings_changed:
        wanted, scope = None, "Settings or rules changed: every draft is reported"
    else:
        wanted, scope = set(drafts), f"{len(drafts)} changed draft{'s' * (len(drafts) != 1)}"
    if wanted is not None and not wanted:
        _write(sarif, json.dumps(empty_sarif()) + "\n")
        _write(summary, summary_markdown([], [], [], scope, fail_on))
        return 0
    code, sarif_out, sarif_err = run_lint(workspace, "sarif")
    try:
        log = json.loads(sarif_out)
    except json.JSONDecodeError:  # lint could not run at all (e.g. a broken config.toml)
        message = sarif_err.strip().splitlines()[-1] if sarif_err.strip() else f"exit {code}"
        _write(sarif, json.dumps(empty_sarif(message)) + "\n")
        _write(summary, summary_markdown([], [], drafts, scope, fail_on, failed=message))
        print(message, file=sys.stderr)
        return 2
    keep_sarif(log, wanted, prefix, repo)
    _write(sarif, json.dumps(log) + "\n")
    report = json.loads(run_lint(workspace, "json")[1])
    findings = [f for f in report["findings"] if wanted is None or f["path"] in wanted]
    errors = [
        e
        for e in report["errors"]
        if wanted is None or e.get("path") in wanted or e.get("path") in (None, "config.toml")
    ]
    _write(summary, summary_markdown(findings, errors, drafts or ["*"], scope, fail_on))
    if errors:
        return 2
    worst = max((RANK[f["severity"]] for f in findings), default=-1)
    return 1 if worst >= RANK[fail_on] else 0


def _write(path: Path | str | None, text: str) -> None:
    """Write *text* to *path* (the summary is appended: other steps write there too);
    without a path, to standard output."""
    if path is None:
        sys.stdout.write(text)
    elif isinstance(path, Path):
        path.write_text(text, encoding="utf-8")
    else:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    sys.exit(main())
