"""The one error hierarchy of soulpost.

Every error a person can cause carries the fields needed to say *where* (file, line, key,
platform) and *what to do*. The CLI turns them into exit codes in one place::

    SoulpostError            exit 2 unless stated otherwise
    ├── InputError           a draft, a config file or an argument is wrong (path, line, key)
    │   └── ConfigError      the workspace settings are wrong; nothing can run
    ├── UsageError           the command line is wrong
    └── WorkspaceNotFound    no config.toml / [tool.soulpost] above the current directory
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class SoulpostError(Exception):
    """Base class: a problem a person can fix, reported without a stack trace."""

    exit_code = 2


class InputError(SoulpostError):
    """A file or value is wrong; the message names the file, the line, the key and the fix."""

    def __init__(
        self,
        problem: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = Path(path) if path is not None else None
        self.line = line
        self.key = key
        self.hint = hint
        super().__init__(self.render())

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only fields: rebuild from them so errors cross process boundaries intact.
        fields = {"path": self.path, "line": self.line, "key": self.key, "hint": self.hint}
        return (_rebuild_input_error, (type(self), self.problem, fields))

    def render(self, base: Path | None = None) -> str:
        """``path:line: key: problem (hint)``, with the path relative to *base* when given."""
        where = ""
        if self.path is not None:
            shown: Path | str = self.path
            if base is not None:
                try:  # the entry as named (not a link's target); a link loop must not raise
                    real = self.path.parent.resolve() / self.path.name
                    shown = real.relative_to(base.resolve())
                except (ValueError, OSError, RuntimeError):
                    shown = self.path
            where = f"{shown}:{self.line}: " if self.line else f"{shown}: "
        key = f"{self.key}: " if self.key else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{key}{self.problem}{hint}"


def _rebuild_input_error(cls: type[InputError], problem: str, fields: dict[str, Any]) -> InputError:
    return cls(problem, **fields)


class ConfigError(InputError):
    """The workspace settings cannot be used."""


class UsageError(SoulpostError):
    """The command line itself is wrong."""


class WorkspaceNotFound(SoulpostError):
    """No workspace above the starting directory."""

    def __init__(self, start: Path) -> None:
        self.start = start
        super().__init__(
            f"no soulpost workspace at or above {start} "
            "(looked for config.toml or [tool.soulpost] in pyproject.toml; "
            "run `soulpost init` to create one)"
        )
