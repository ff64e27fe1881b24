"""Functions and modules longer than the project allows (issue 17), found with ``ast``.

    python scripts/long_functions.py soulpost                  # over 60 and 500 lines
    python scripts/long_functions.py soulpost/lint --function 40 --module 300
    python scripts/long_functions.py soulpost --all            # reasoned ones too

A function may run long when a comment ``# long: <reason>`` stands on the line before its
``def`` (or before its first decorator), or when the first line of its docstring starts with
``long: <reason>``; such functions are listed only with ``--all``. The length of a function
counts from its first decorator (or ``def``) to its last line, docstring and comments
included, as a reader sees it. tests/test_sizes.py runs the same checks over ``soulpost/``.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FUNCTION_LINES = 60
MODULE_LINES = 500
MARKER = "# long:"


@dataclass(frozen=True)
class Long:
    """One function or module over its limit."""

    path: Path
    line: int
    name: str  # "" for the module itself
    lines: int
    reason: str | None = None  # the ``# long:`` reason, when there is one

    def __str__(self) -> str:
        what = f"function {self.name}" if self.name else "module"
        why = f"  (long: {self.reason})" if self.reason else ""
        return f"{self.path}:{self.line}: {what} has {self.lines} lines{why}"


def _reason(node: ast.FunctionDef | ast.AsyncFunctionDef, source: list[str]) -> str | None:
    """The reason written beside *node*, if any."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    before = source[first - 2].strip() if first >= 2 else ""
    if before.startswith(MARKER):
        return before[len(MARKER) :].strip() or None
    doc = ast.get_docstring(node)
    if doc and doc.lstrip().lower().startswith("long:"):
        return doc.lstrip()[5:].splitlines()[0].strip() or None
    return None


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.AST]]:
    """Every function and method, nested ones too, with a dotted name."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = f"{prefix}{node.name}"
            if not isinstance(node, ast.ClassDef):
                yield name, node
            yield from _functions(node, f"{name}.")
        else:
            yield from _functions(node, prefix)


def check_file(
    path: Path, function_lines: int = FUNCTION_LINES, module_lines: int = MODULE_LINES
) -> list[Long]:
    """What in *path* is over the limits (reasoned functions included, with their reason)."""
    text = path.read_text(encoding="utf-8")
    source = text.splitlines()
    found: list[Long] = []
    if len(source) > module_lines:
        found.append(Long(path, 1, "", len(source)))
    for name, node in _functions(ast.parse(text, filename=str(path))):
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        lines = (node.end_lineno or node.lineno) - start + 1
        if lines > function_lines:
            found.append(Long(path, node.lineno, name, lines, _reason(node, source)))
    return found


def check(
    paths: list[Path], function_lines: int = FUNCTION_LINES, module_lines: int = MODULE_LINES
) -> list[Long]:
    """What in the Python files under *paths* is over the limits, in path order."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [long for f in files for long in check_file(f, function_lines, module_lines)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("paths", nargs="+", type=Path, help="files or folders to check")
    parser.add_argument("--function", type=int, default=FUNCTION_LINES, metavar="N")
    parser.add_argument("--module", type=int, default=MODULE_LINES, metavar="M")
    parser.add_argument("--all", action="store_true", help="list reasoned functions too")
    args = parser.parse_args(argv)
    found = check(args.paths, args.function, args.module)
    shown = [long for long in found if args.all or long.reason is None]
    for long in shown:
        print(long)
    return 1 if any(long.reason is None for long in shown) else 0


if __name__ == "__main__":
    sys.exit(main())
