"""Problems in a TOML file a person wrote, as errors naming the file, line and key.

Validation (pydantic) and parsing (tomli) errors are turned into :class:`InputError` with
the line from a :class:`~soulpost.tomlpos.SourceMap`, the key as the person would write it
(``variants.mastodon.media[0].path``), and the value shown short: a file can hold a
megabyte, and its values must never flood a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomli
from pydantic import BaseModel, ValidationError

from soulpost.errors import InputError
from soulpost.tomlpos import Loc, SourceMap

_FRIENDLY = {
    "extra_forbidden": "unknown key",
    "missing": "missing required key",
}


def loc_text(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validation_errors(
    exc: ValidationError, path: Path, smap: SourceMap, model: type[BaseModel]
) -> list[InputError]:
    """Turn a pydantic error into messages that name the file, line, key and expectation."""
    errors = []
    for item in exc.errors(include_url=False):
        loc: Loc = tuple(item["loc"])
        problem = _FRIENDLY.get(item["type"], item["msg"])
        if problem.startswith("Value error, "):
            problem = problem[len("Value error, ") :]
        hint = None
        if item["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1])
            hint = f"expected one of: {', '.join(allowed)}" if allowed else None
        elif item["type"] not in ("value_error", "missing"):
            hint = f"got {short_repr(item.get('input'))}" if "input" in item else None
        key = loc_text(loc) or None
        errors.append(InputError(problem, path=path, line=smap.line_of(loc), key=key, hint=hint))
    return errors


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to about *limit* characters: a draft can hold a megabyte."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # a huge int, or nesting that repr cannot walk
        return f"a {type(value).__name__}"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field_info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field_info is None:
            return []
        current = _model_in(field_info.annotation)
    return (
        sorted(current.model_fields)
        if current is not None and hasattr(current, "model_fields")
        else []
    )


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def toml_error(exc: tomli.TOMLDecodeError, path: Path) -> InputError:
    """An InputError for a TOML syntax error, with its line."""
    message = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line = int(match.group(1)) if match else None
    problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
    if match:
        problem += f" at column {match.group(2)}"
    return InputError(
        f"invalid TOML: {problem}", path=path, line=line, hint="fix the syntax; see https://toml.io"
    )
