"""No module over 500 lines, no function over 60 without a reason beside it (issue 17).

The checks are scripts/long_functions.py's, run over the whole package. A function may
run long when the line before its ``def`` says why (``# long: <reason>``), or the first
line of its docstring starts with ``long:``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "soulpost"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "long_functions", ROOT / "scripts" / "long_functions.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


long_functions = _script()


def _unreasoned(*paths: Path) -> list[str]:
    return [str(long) for long in long_functions.check(list(paths)) if long.reason is None]


def test_no_module_or_function_too_long_without_a_reason() -> None:
    """Issue 17: no module over 500 lines, no function over 60 without a written reason."""
    assert _unreasoned(PACKAGE) == []


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mod.py"
    path.write_text(body, encoding="utf-8")
    return path


def _function(name: str, lines: int, before: str = "", doc: str = "") -> str:
    """A function of exactly *lines* lines, its ``def`` line included."""
    head = [before] if before else []
    body = [f'    """{doc}"""'] if doc else []
    body += [f"    x{i} = {i}" for i in range(lines - 1 - len(body))]
    return "\n".join([*head, f"def {name}() -> None:", *body]) + "\n"


def test_a_function_over_the_limit_is_found_and_one_at_it_is_not(tmp_path: Path) -> None:
    path = _write(tmp_path, _function("ok", 60) + "\n\n" + _function("too_long", 61))
    found = long_functions.check([path])
    assert [(f.name, f.lines, f.reason) for f in found] == [("too_long", 61, None)]


def test_a_reason_beside_the_def_or_in_the_docstring_excuses_it(tmp_path: Path) -> None:
    body = (
        _function("commented", 70, before="# long: one table, read top to bottom")
        + "\n\n"
        + _function("documented", 70, doc="long: a state machine kept in one place")
        + "\n\n"
        + _function("unexplained", 70, before="# a plain comment is no reason")
    )
    found = {f.name: f.reason for f in long_functions.check([_write(tmp_path, body)])}
    assert found == {
        "commented": "one table, read top to bottom",
        "documented": "a state machine kept in one place",
        "unexplained": None,
    }


def test_methods_nested_functions_and_long_modules_are_found(tmp_path: Path) -> None:
    method = "".join("    " + line + "\n" for line in _function("run", 65).splitlines())
    body = "class Job:\n" + method + "\n" + "\n".join(f"y{i} = {i}" for i in range(500))
    found = long_functions.check([_write(tmp_path, body)])
    assert [(f.name, f.line) for f in found] == [("", 1), ("Job.run", 2)]


def test_the_script_exits_1_when_something_unexplained_is_too_long(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _function("too_long", 61))
    assert long_functions.main([str(path)]) == 1
    assert "function too_long has 61 lines" in capsys.readouterr().out
    assert long_functions.main([str(path), "--function", "61"]) == 0
