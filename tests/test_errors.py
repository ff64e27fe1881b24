"""The error tree: errors.py's docstring draws every error class soulpost defines, each under
the root the code gives it, and each root reaches people (or not) as documented."""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
import re
from pathlib import Path

import pytest

import soulpost
from soulpost import errors
from soulpost.errors import InputError, PostInvalid, PublishError, SoulpostError


def _all_modules() -> list[str]:
    names = ["soulpost"]
    for info in pkgutil.walk_packages(soulpost.__path__, "soulpost."):
        if info.name == "soulpost.__main__" or info.name.startswith(
            ("soulpost.lsp", "soulpost.commands.lsp")
        ):
            continue  # __main__ runs the CLI; lsp needs the optional pygls
        names.append(info.name)
    return names


def _error_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for name in _all_modules():
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__.startswith("soulpost"):
                found[obj.__name__] = obj
    return found


def _drawn_tree() -> dict[str, str | None]:
    """Each class name in the docstring's diagram -> the class drawn as its parent."""
    doc = errors.__doc__ or ""
    tree: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in doc.splitlines():
        if not line.startswith("    "):
            continue
        rest = line.lstrip(" │├└─")
        drawn = re.match(r"([A-Z]\w+)\s{2,}", rest)  # a name, then the aligned description
        if drawn is None:
            continue  # a continuation line of some class's description
        name = drawn.group(1)
        depth = len(line) - len(rest)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        tree[name] = stack[-1][1] if stack else None
        stack.append((depth, name))
    return tree


def test_every_error_class_is_drawn_under_its_real_parent() -> None:
    drawn = _drawn_tree()
    assert drawn["SoulpostError"] is None and drawn["PublishError"] is None
    classes = _error_classes()
    for name, cls in classes.items():
        if not issubclass(cls, SoulpostError | PublishError):
            continue
        assert (
            name in drawn
            or name.startswith("_")
            or cls.__module__.startswith("soulpost.publish.adapters.")
        ), f"{name} ({cls.__module__}) is missing from the tree in errors.py"
    for name, parent in drawn.items():
        assert name in classes, f"errors.py draws {name}, which does not exist"
        if parent is not None:
            assert classes[name].__bases__[0].__name__ == parent, (name, parent)


def test_no_other_roots() -> None:
    """Every exception class soulpost defines hangs on one of the two roots (a module's
    private signal, caught and converted inside that module, aside)."""
    strays = [
        f"{cls.__module__}.{name}"
        for name, cls in _error_classes().items()
        if not name.startswith("_")
        and cls not in (SoulpostError, PublishError)
        and not issubclass(cls, SoulpostError | PublishError)
    ]
    assert strays == []


def test_the_two_roots_never_catch_each_other() -> None:
    assert not issubclass(PublishError, SoulpostError)
    assert not issubclass(SoulpostError, PublishError)


def test_post_invalid_reads_as_its_first_problem_and_survives_pickling(tmp_path: Path) -> None:
    first = InputError("bad thing", path=tmp_path / "a.toml", line=3, key="text", hint="fix it")
    exc = PostInvalid([first, InputError("second", path=tmp_path / "a.toml")])
    assert isinstance(exc, InputError)
    assert exc.exit_code == 2
    assert str(exc).endswith("a.toml:3: text: bad thing (and 1 more problem(s)) (fix it)")
    again = pickle.loads(pickle.dumps(exc))
    assert [str(e) for e in again.errors] == [str(e) for e in exc.errors]


@pytest.mark.parametrize("name", ["LedgerError", "LedgerUnusable", "LockUnavailable"])
def test_state_errors_reach_people_with_exit_2(name: str) -> None:
    cls = _error_classes()[name]
    assert issubclass(cls, errors.StateError)
    assert cls.exit_code == 2
