"""``soulpost lsp``: the language server editors start (stdio). See docs/editors.md.

pygls is an optional dependency (``pip install 'soulpost[lsp]'``) and is imported only
here, when the server runs.
"""

from __future__ import annotations

import argparse

from soulpost.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stdio",
        action="store_true",
        help="talk over standard input and output (the default; accepted for editors)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        from soulpost.lsp.server import main
    except ImportError as exc:
        raise UsageError(
            f"the language server needs pygls ({exc.name} is missing): pip install 'soulpost[lsp]'"
        ) from None
    main()
    return 0
