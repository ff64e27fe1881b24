"""``soulpost schema config|post``: print the JSON Schema of config.toml or of a post file.

Editors use these to validate and complete drafts as they are typed (``soulpost init``
writes a Taplo config pointing at them; docs/editors.md shows the setup). The schemas are
generated from the pydantic models, so they say what ``soulpost lint`` accepts.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "which",
        choices=("config", "post"),
        help="config: config.toml; post: a post file in queue/",
    )


def run(args: argparse.Namespace) -> int:
    from soulpost.schema import schema_text

    sys.stdout.write(schema_text(args.which))
    return 0
