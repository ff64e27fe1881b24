"""``soulpost lsp``: a language server (pygls) for drafts in ``queue/``.

* diagnostics as you type: the same findings as ``soulpost lint`` for the buffer, with the
  lesson and the hint, queue rules included against the saved queue;
* hover on a finding: ``soulpost explain`` for its rule;
* code actions: suppress a rule for this post, with a reason (``[lint] ignore`` +
  ``reason``), which the reviewer then reads in the pull request.

Documents are synchronised in full. Linting runs on one worker thread, so the server keeps
reading the editor's messages meanwhile; an analysis whose document has changed since is
dropped, and only the newest version is linted when edits come faster than lint (a warm
lint of one draft takes milliseconds; a queue of thousands takes longer). ``initialize``
loads the rules and the saved queue of the workspace the editor opened, so the first
diagnostics arrive quickly.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from soulpost import __version__
from soulpost.lsp.analysis import Analysis, DraftLinter, Problem, suppress_edit

SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
SOURCE = "soulpost"


class SoulpostServer(LanguageServer):
    """The server, with the last analysis of each open document."""

    def __init__(self) -> None:
        super().__init__(
            "soulpost",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
        )
        self.linter = DraftLinter()
        self.analyses: dict[str, Analysis] = {}
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lint")


server = SoulpostServer()


def _path(uri: str) -> Path | None:
    fs = to_fs_path(uri)
    return Path(fs) if fs and fs.endswith(".toml") else None


def _line_length(text: str, line: int) -> int:
    lines = text.splitlines()
    return len(lines[line]) if 0 <= line < len(lines) else 0


def diagnostic(problem: Problem, text: str) -> types.Diagnostic:
    """The LSP form of *problem*: the rest of its line, lesson and hint in the message."""
    line = max(0, problem.line - 1)
    start = max(0, problem.column - 1)
    end = max(start + 1, _line_length(text, line))
    message = problem.message
    if problem.hint:
        message += f"\nhint: {problem.hint}"
    if problem.lesson:
        message += f"\nlesson: {problem.lesson}"
    return types.Diagnostic(
        range=types.Range(types.Position(line, start), types.Position(line, end)),
        message=message,
        severity=SEVERITY[problem.severity],
        code=problem.code,
        source=SOURCE,
        data={"name": problem.name, "lesson": problem.lesson, "hint": problem.hint},
    )


async def publish(ls: SoulpostServer, uri: str) -> None:
    """Lint the open document *uri* on the worker thread and send its diagnostics, unless
    it changed meanwhile (the newer version's own lint will report)."""
    path = _path(uri)
    if path is None:
        return
    await asyncio.sleep(0)  # let edits already received reach the document first
    document = ls.workspace.get_text_document(uri)
    version, text = document.version, document.source
    loop = asyncio.get_running_loop()
    analysis = await loop.run_in_executor(ls.pool, ls.linter.analyse, path, text)
    current = ls.workspace.get_text_document(uri)
    if current.version != version or current.source != text:
        return
    ls.analyses[uri] = analysis
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(
            uri=uri,
            version=version,
            diagnostics=[diagnostic(p, text) for p in analysis.problems],
        )
    )


@server.feature(types.INITIALIZE)
def initialize(ls: SoulpostServer, params: types.InitializeParams) -> None:
    """Load the rules and the saved queue now, so the first draft opened is linted warm."""
    folders = [f.uri for f in params.workspace_folders or []] or [params.root_uri or ""]
    for uri in folders:
        fs = to_fs_path(uri) if uri else None
        if fs:
            ls.linter.warm(Path(fs))


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: SoulpostServer, params: types.DidOpenTextDocumentParams) -> None:
    await publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: SoulpostServer, params: types.DidChangeTextDocumentParams) -> None:
    await publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: SoulpostServer, params: types.DidSaveTextDocumentParams) -> None:
    # The saved queue changed: every open draft's queue rules may see something new.
    for uri in list(ls.analyses):
        await publish(ls, uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: SoulpostServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.analyses.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _problems_at(ls: SoulpostServer, uri: str, line: int) -> list[Problem]:
    analysis = ls.analyses.get(uri)
    return [p for p in analysis.problems if p.line - 1 == line] if analysis else []


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: SoulpostServer, params: types.HoverParams) -> types.Hover | None:
    """On a line with findings: each finding, then ``soulpost explain`` for its rule."""
    uri = params.text_document.uri
    analysis = ls.analyses.get(uri)
    problems = _problems_at(ls, uri, params.position.line)
    if analysis is None or not problems:
        return None
    parts = []
    for problem in problems:
        if problem.code is None:
            parts.append(f"**{problem.message}**")
            continue
        parts.append(f"**{problem.code} {problem.name}**: {problem.message}")
        text = ls.linter.explain(analysis, problem.code)
        if text:
            parts.append(f"```text\n{text.rstrip()}\n```")
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n".join(parts))
    )


def _text_edit(old: str, new: str) -> types.TextEdit:
    """One edit replacing only the lines that differ between *old* and *new*."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    start = types.Position(head, 0)
    end = types.Position(len(a) - tail, 0)
    if len(a) - tail == len(a) and a and not a[-1].endswith("\n"):
        end = types.Position(len(a) - 1, len(a[-1]))  # the last line has no newline
    return types.TextEdit(types.Range(start, end), "".join(b[head : len(b) - tail]))


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
def code_action(ls: SoulpostServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """For each soulpost finding in range: suppress its rule for this post, with a reason."""
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    actions: list[types.CodeAction] = []
    seen: set[str] = set()
    for diag in params.context.diagnostics:
        code = diag.code
        if diag.source != SOURCE or not isinstance(code, str) or code in seen:
            continue
        seen.add(code)
        data: dict[str, Any] = diag.data if isinstance(diag.data, dict) else {}
        name = data.get("name") or code
        reason = f"TODO: why {code} ({name}) does not apply to this post"
        new = suppress_edit(document.source, code, reason)
        if new is None:
            continue
        edit = types.WorkspaceEdit(changes={uri: [_text_edit(document.source, new)]})
        actions.append(
            types.CodeAction(
                title=f"Suppress {code} ({name}) for this post, with a reason",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                edit=edit,
            )
        )
    return actions


def main() -> None:
    """Serve over standard input and output, as editors start it."""
    server.start_io()
