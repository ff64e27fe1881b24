"""``soulpost completion bash|zsh|fish``: print the shell completion script.

Completion is argcomplete's: the script asks ``soulpost`` itself (with ``_ARGCOMPLETE``
set) for the words that fit the command line, so commands and options always match the
installed version, and post ids, platforms and rule codes come from the workspace the
command line points at (``-C DIR`` included). Nothing here is imported unless completing
or printing the script.

Install: ``soulpost completion bash > ~/.local/share/bash-completion/completions/soulpost``
(zsh: a file ``_soulpost`` on ``$fpath``; fish: ``~/.config/fish/completions/soulpost.fish``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

SHELLS = ("bash", "zsh", "fish")
# Commands whose positional arguments name posts.
POST_ID_DESTS = {"ids", "id"}
PLATFORM_DESTS = {"platform", "platforms"}
RULE_DESTS = {"rule", "select", "ignore"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to print the script for")


def run(args: argparse.Namespace) -> int:
    try:
        from argcomplete.shell_integration import shellcode
    except ImportError:
        from soulpost.errors import UsageError

        raise UsageError(
            "shell completion needs argcomplete: pip install 'soulpost[completion]'"
        ) from None
    sys.stdout.write(shellcode(["soulpost"], shell=args.shell))
    return 0


# --- answering the shell ---------------------------------------------------------------


def _root(parsed: argparse.Namespace) -> Path | None:
    from soulpost.errors import WorkspaceNotFound
    from soulpost.workspace import find_root

    try:
        return find_root(Path(getattr(parsed, "workspace", None) or ".").resolve())
    except WorkspaceNotFound:
        return None


def post_ids(root: Path) -> list[str]:
    """Every post id in the queue: the ``id`` key, else the file name (as loading does).

    Reads the TOML without validating it: completion must answer quickly, and a draft
    with a mistake still has an id worth completing.
    """
    import tomli

    from soulpost.workspace import QUEUE_DIR, queue_files

    ids = []
    for path in queue_files(root / QUEUE_DIR):
        try:
            data = tomli.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomli.TOMLDecodeError):
            data = {}
        value = data.get("id")
        ids.append(value if isinstance(value, str) else path.stem)
    return sorted(set(ids))


def platforms(root: Path | None) -> list[str]:
    """Built-in platforms plus the workspace's configured ones."""
    from soulpost.platforms import known_platforms

    names = set(known_platforms())
    if root is not None:
        from soulpost.workspace import load_settings

        with contextlib.suppress(Exception):  # a broken config.toml: the built-in names
            names |= load_settings(root)[0].platform_names()
    return sorted(names)


def rules(root: Path | None) -> list[str]:
    """Rule codes and names: built-ins, shipped packs and the workspace's packs."""
    from soulpost.lint.registry import load_registry

    packs: list[str] = []
    if root is not None:
        from soulpost.workspace import load_settings

        try:
            packs = load_settings(root)[0].lint.packs
        except Exception:  # a broken config.toml: complete what ships
            root = None
    try:
        registry = load_registry(root, packs)
    except Exception:  # a broken workspace pack: the built-in rules still complete
        registry = load_registry(None)
    return [*(s.code for s in registry.specs), *(s.name for s in registry.specs)]


def _completer(values: Callable[[Path | None], Iterable[str]], comma: bool = False) -> Any:
    def complete(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
        head = ""
        if comma and "," in prefix:  # --select SP101,SP1<TAB>
            head, prefix = prefix.rsplit(",", 1)
            head += ","
        found = values(_root(parsed_args))
        return [head + v for v in found if v.startswith(prefix)]

    return complete


def _ids(root: Path | None) -> list[str]:
    return post_ids(root) if root is not None else []


def attach(parser: argparse.ArgumentParser) -> None:
    """Give each post-id, platform and rule argument of *parser* (and its subcommands) the
    completer for its values, recognised by the argument's destination."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                attach(sub)
        elif action.dest in POST_ID_DESTS and not action.option_strings:
            action.completer = _completer(_ids)  # type: ignore[attr-defined]
        elif action.dest in PLATFORM_DESTS:
            action.completer = _completer(platforms)  # type: ignore[attr-defined]
        elif action.dest in RULE_DESTS:
            action.completer = _completer(rules, comma=True)  # type: ignore[attr-defined]


def complete(
    build_parser: Callable[[str | None], argparse.ArgumentParser],
    command_in: Callable[[list[str]], str | None],
) -> None:
    """Answer the shell (argcomplete's protocol) and exit; called when ``_ARGCOMPLETE`` is set.

    Only the command on the line gets its options added (as when running it), so
    completing stays as quick as starting that command.
    """
    import argcomplete

    line = os.environ.get("COMP_LINE", "")[: int(os.environ.get("COMP_POINT", "0") or 0)]
    try:
        words = shlex.split(line)
    except ValueError:  # an open quote: the words typed so far
        words = line.split()
    parser = build_parser(command_in(words[1:]))
    attach(parser)
    argcomplete.autocomplete(parser)
