"""Render a lint :class:`~soulpost.lint.model.Report` for people and for machines.

=========  ==================================================================================
``text``   for a terminal: ``path:line:col: CODE name [lesson] message`` and a hint, grouped by
           file, with a summary line; ANSI colour only when asked for (see :func:`want_color`)
``json``   a versioned document for scripts; its JSON Schema is ``docs/lint-json-schema.json``
``sarif``  SARIF 2.1.0 for code-scanning tools (GitHub code scanning and others)
``github`` GitHub Actions workflow commands, shown as annotations on the pull request
=========  ==================================================================================

Each renderer is a pure function of the report: no I/O, no clock, no environment (the
caller decides about colour), so the same report always renders the same text.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from soulpost.lint.model import Report

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "github")


class _Stream(Protocol):
    def isatty(self) -> bool: ...


def want_color(stream: _Stream, environ: dict[str, str] | None = None) -> bool:
    """Whether to colour output to *stream*.

    ``NO_COLOR`` (any non-empty value, https://no-color.org) turns colour off;
    ``FORCE_COLOR`` (non-empty, not ``0``) turns it on even into a pipe; otherwise colour
    goes only to a terminal that is not ``TERM=dumb``.
    """
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    force = env.get("FORCE_COLOR")
    if force and force != "0":
        return True
    try:
        tty = bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced streams
        return False
    return tty and env.get("TERM") != "dumb"


def render(fmt: str, report: Report, *, root: Path, color: bool = False) -> str:
    """*report* as *fmt* (one of :data:`FORMATS`); paths are shown relative to *root*."""
    renderer = _renderer(fmt)
    return renderer(report, root, color)


def _renderer(fmt: str) -> Callable[[Report, Path, bool], str]:
    # Import only the renderer asked for: a pre-commit run pays for one format.
    if fmt == "text":
        from soulpost.lint.formats.text import render_text

        return render_text
    if fmt == "json":
        from soulpost.lint.formats.json_format import render_json

        return lambda report, root, _color: render_json(report, root)
    if fmt == "sarif":
        from soulpost.lint.formats.sarif import render_sarif

        return lambda report, root, _color: render_sarif(report, root)
    if fmt == "github":
        from soulpost.lint.formats.github import render_github

        return lambda report, root, _color: render_github(report, root)
    raise ValueError(f"unknown lint output format {fmt!r}; expected one of {', '.join(FORMATS)}")
