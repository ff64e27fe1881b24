"""``soulpost init``: scaffold a workspace without touching anything that exists."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from soulpost.commands import start_dir
from soulpost.errors import InputError

CONFIG_TEMPLATE = """\
# soulpost workspace settings. Secrets never go here: name the environment
# variables that hold them (see `soulpost adapters`).
timezone = "{timezone}"
default_platforms = ["mastodon"]

# Where each platform's posts go. "outbox" writes them to .soulpost/outbox.jsonl
# so you can try everything without an account; change adapter to "mastodon"
# and set env.token to publish for real.
[platforms.mastodon]
adapter = "outbox"
# env = {{ token = "SOULPOST_MASTODON_TOKEN" }}

# Posting slots: a post without `at` takes the next free one.
[[slots]]
days = "mon-fri"
times = ["09:30", "13:00"]

[lint]
# select = ["ALL"]      # rule codes, prefixes or names
# ignore = []
# allow = ["NASA"]      # words never reported as shouting

[publish]
require_approval = false
max_lateness = "2h"
"""

WELCOME_POST = """\
text = \"\"\"
We are trying something new: writing our posts as files and reviewing them
together before they go out. What is one thing you'd like to hear more about from us?
\"\"\"
platforms = ["mastodon"]
status = "draft"
tags = ["welcome"]
"""

RULES_README = """\
# Rule packs

Put your own rule packs (TOML) here; soulpost loads every `*.toml` in this folder next to
the article's pack that ships with soulpost. `soulpost rules` lists what is loaded and
`soulpost explain RULE` shows what a rule checks and why.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", nargs="?", help="where to create the workspace (default: here)"
    )
    parser.add_argument(
        "--timezone", help="IANA time zone for local times (default: this machine's)"
    )


def _local_zone() -> str:
    env = os.environ.get("TZ", "").lstrip(":")
    if env and "/" in env:
        return env
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "/zoneinfo/"
        if marker in target:
            return target.split(marker, 1)[1]
    except OSError:
        pass
    return "UTC"


def _editor_files(root: Path) -> str | None:
    """Write the JSON Schemas and a Taplo config so editors validate drafts as they are typed.

    Never overwrites: an existing ``.taplo.toml`` is left alone, and the returned note says
    what to add to it.
    """
    from soulpost.posts import write_new_file
    from soulpost.schema import FILES, TAPLO_CONFIG, schema_text

    for name, file_name in FILES.items():
        target = root / "schemas" / file_name
        if not target.exists():
            write_new_file(target, schema_text(name))
    taplo = root / ".taplo.toml"
    if taplo.exists():
        return (
            f"note: {taplo} exists and was left alone; add the [[rule]] entries from "
            "docs/editors.md to it so editors validate drafts"
        )
    write_new_file(taplo, TAPLO_CONFIG)
    return None


def run(args: argparse.Namespace) -> int:
    root = Path(args.directory).resolve() if args.directory else start_dir(args)
    timezone = args.timezone or _local_zone()
    from soulpost.timeutil import load_zone

    try:
        load_zone(timezone)
    except ValueError as exc:
        raise InputError(str(exc), key="--timezone") from None
    for existing in ("config.toml", "queue"):
        if (root / existing).exists():
            raise InputError(
                "already exists; soulpost init never overwrites",
                path=root / existing,
                hint="this folder already has a workspace; edit it instead",
            )
    root.mkdir(parents=True, exist_ok=True)
    from soulpost.posts import write_new_file

    write_new_file(root / "config.toml", CONFIG_TEMPLATE.format(timezone=timezone))
    write_new_file(root / "queue" / "welcome.toml", WELCOME_POST)
    editor_note = _editor_files(root)
    rules = root / "rules" / "README.md"
    if not rules.exists():
        write_new_file(rules, RULES_README)
    gitignore = root / ".gitignore"
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    if not any(line.strip().rstrip("/") in (".soulpost", "/.soulpost") for line in lines):
        with gitignore.open("a", encoding="utf-8") as handle:
            if lines and lines[-1].strip():
                handle.write("\n")
            handle.write("# soulpost machine state (ledger, locks, heartbeat)\n.soulpost/\n")
    print(f"created a soulpost workspace in {root} (timezone {timezone})")
    if editor_note:
        print(editor_note)
    print('next: `soulpost add "your post"`, then `soulpost queue` and `soulpost lint`')
    return 0
