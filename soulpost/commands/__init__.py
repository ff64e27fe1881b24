"""One module per CLI command, each with ``add_arguments(parser)`` and ``run(args) -> int``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from soulpost.workspace import Workspace


def start_dir(args: argparse.Namespace) -> Path:
    """Where to look for the workspace: ``-C DIR`` or the current directory."""
    return Path(getattr(args, "workspace", None) or ".").resolve()


def open_workspace(args: argparse.Namespace, **kwargs: Any) -> Workspace:
    """Load the workspace the command runs in."""
    from soulpost.workspace import load_workspace

    return load_workspace(start_dir(args), **kwargs)


def report_errors(ws: Workspace, stream: Any = None) -> int:
    """Print every load error (one per line) to stderr; return how many."""
    import sys

    out = stream or sys.stderr
    for err in ws.errors:
        print(f"error: {err.render(ws.root)}", file=out)
    return len(ws.errors)
