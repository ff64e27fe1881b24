"""What the language server knows about a draft, without any LSP types.

:class:`DraftLinter` lints the text of the draft being edited (not the file on disk) with
the same engine, settings and rules as ``soulpost lint``: post rules on the buffer, and
queue rules (spacing, duplicates, shares) against the *saved* queue with the buffer in
place of its file. :func:`suppress_edit` writes the per-post suppression a code action
offers. Kept apart from pygls so both are tested directly and the server stays thin.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import tomli

if TYPE_CHECKING:
    from collections.abc import Mapping

    from soulpost.config import Settings
    from soulpost.errors import InputError
    from soulpost.lint.model import Finding, RuleInfo
    from soulpost.workspace import PostCache

Level = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    """One thing to show in the editor; ``line`` and ``column`` count from 1, as lint does."""

    line: int
    column: int
    severity: Level
    message: str
    code: str | None = None  # a rule code; None for an input error (broken TOML, bad key)
    name: str | None = None
    lesson: str | None = None
    hint: str | None = None


@dataclass
class Analysis:
    """The problems in one version of a draft, and the rules as that run configured them."""

    problems: list[Problem] = field(default_factory=list)
    rules: Mapping[str, RuleInfo] = field(default_factory=dict)
    root: Path | None = None
    packs: list[str] = field(default_factory=list)


def _problem_of_error(error: InputError) -> Problem:
    message = f"{error.key}: {error.problem}" if error.key else error.problem
    return Problem(error.line or 1, 1, "error", message, hint=error.hint)


def _problem_of_finding(finding: Finding) -> Problem:
    return Problem(
        finding.line,
        finding.column,
        finding.severity,
        finding.message,
        code=finding.code,
        name=finding.name,
        lesson=finding.lesson,
        hint=finding.hint,
    )


class DraftLinter:
    """Lints drafts of the workspaces the editor opens them in (found from each file)."""

    def __init__(self) -> None:
        self._caches: dict[Path, PostCache] = {}

    def warm(self, start: Path) -> None:
        """Load the workspace at or above *start*, its rules and its saved queue, and lint
        one saved draft, so that the first draft the editor opens is linted warm. Problems
        are left for that first lint to report."""
        from soulpost.errors import SoulpostError
        from soulpost.workspace import PostCache, find_root, load_workspace

        try:
            root = find_root(start)
            ws = load_workspace(root=root, cache=self._caches.setdefault(root, PostCache()))
            first = next((p for p in ws.posts if p.path is not None), None)
            if first is not None and first.path is not None:
                self._analyse(root, first.path, first.raw_text() or "")
        except (SoulpostError, OSError):
            pass

    def analyse(self, path: Path, text: str) -> Analysis:
        """Lint *text* as the content of the post file *path*."""
        from soulpost.errors import InputError, SoulpostError, WorkspaceNotFound
        from soulpost.workspace import QUEUE_DIR, find_root

        try:
            root = find_root(path.parent)
        except WorkspaceNotFound:
            return Analysis()
        if not path.resolve().is_relative_to((root / QUEUE_DIR).resolve()):
            return Analysis(root=root)  # config.toml and other TOML: Taplo's schema covers them
        try:
            return self._analyse(root, path.resolve(), text)
        except SoulpostError as exc:  # a broken config.toml or rule pack: say so on line 1
            problem = exc.render(root) if isinstance(exc, InputError) else str(exc)
            return Analysis([Problem(1, 1, "error", f"workspace: {problem}")], root=root)

    def _analyse(self, root: Path, path: Path, text: str) -> Analysis:
        from soulpost.clock import clock_from_env
        from soulpost.lint.engine import lint_posts
        from soulpost.posts import PostInvalid, parse_post
        from soulpost.workspace import (
            PostCache,
            duplicate_id,
            load_workspace,
            post_context,
        )

        cache = self._caches.setdefault(root, PostCache())
        ws = load_workspace(root=root, cache=cache)  # the saved queue; unchanged files cached
        settings: Settings = ws.settings
        found = Analysis(root=root, packs=list(settings.lint.packs))
        try:
            post = parse_post(text, path, post_context(settings))
        except PostInvalid as exc:
            found.problems = [_problem_of_error(e) for e in exc.errors]
            return found
        others = [p for p in ws.posts if p.path != path]
        clash = next((p for p in others if p.id == post.id), None)
        errors = [duplicate_id(post, path, clash.path)] if clash and clash.path else []
        report = lint_posts(
            [*others, post],
            settings,
            now=clock_from_env().now(),
            root=root,
            config_path=ws.config_path,
            paths=[path],
        )
        errors += [e for e in report.errors if e.path is not None and e.path.resolve() == path]
        found.problems = [_problem_of_error(e) for e in errors]
        found.problems += [_problem_of_finding(f) for f in report.findings]
        found.rules = report.rules
        return found

    def explain(self, analysis: Analysis, code: str) -> str | None:
        """``soulpost explain CODE`` for a rule as the analysis's run configured it."""
        from soulpost.lint.docs import explain
        from soulpost.lint.registry import load_registry

        registry = load_registry(analysis.root, analysis.packs)
        spec = registry.by_code.get(code)
        if spec is None:
            return None
        return explain(spec, analysis.rules.get(code) or spec.info(), registry)


_LINT_HEADER = re.compile(r"^\s*\[\s*lint\s*\]\s*(#.*)?$")
_IGNORE = re.compile(r"^(\s*)ignore\s*=")


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def suppress_edit(text: str, code: str, reason: str) -> str | None:
    """*text* with *code* added to the post's ``[lint] ignore`` and a ``reason`` (kept when
    there is one), or None when this cannot be done safely by hand-editing lines (the TOML
    is broken, ``lint`` is an inline table, or ``ignore`` spans several lines)."""
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError:
        return None
    lint = data.get("lint", {})
    if not isinstance(lint, dict):
        return None
    ignore = [str(v) for v in lint.get("ignore", [])]
    if code in ignore:
        return None
    wanted = [*ignore, code]
    reason_line = f"reason = {json.dumps(reason, ensure_ascii=False)}\n"
    lines = text.splitlines(keepends=True)
    header = next((i for i, line in enumerate(lines) if _LINT_HEADER.match(line)), None)
    if header is None:
        if "lint" in data:
            return None
        sep = "" if not text or text.endswith("\n") else "\n"
        new = f"{text}{sep}\n[lint]\nignore = {_toml_list(wanted)}\n{reason_line}"
    else:
        end = next(
            (i for i in range(header + 1, len(lines)) if lines[i].lstrip().startswith("[")),
            len(lines),
        )
        at = next((i for i in range(header + 1, end) if _IGNORE.match(lines[i])), None)
        if at is None:
            at = header + 1
            lines.insert(at, f"ignore = {_toml_list(wanted)}\n")
        else:
            try:
                tomli.loads(lines[at])
            except tomli.TOMLDecodeError:
                return None  # a list over several lines: leave it to the person
            indent = _IGNORE.match(lines[at]).group(1)  # type: ignore[union-attr]
            lines[at] = f"{indent}ignore = {_toml_list(wanted)}\n"
        if "reason" not in lint:
            lines.insert(at + 1, reason_line)
        new = "".join(lines)
    try:
        check = tomli.loads(new).get("lint", {})
    except tomli.TOMLDecodeError:
        return None
    return new if check.get("ignore") == wanted and check.get("reason") else None
