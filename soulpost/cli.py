"""The ``soulpost`` command line: argument parsing, exit codes and nothing else.

Exit codes, used by every command:

* ``0`` success: nothing to report at or above the threshold;
* ``1`` findings or failures a person should look at (lint findings at ``--fail-on`` or
  above; a publication that failed, was missed or is in doubt);
* ``2`` usage, configuration or input errors (a bad flag, a broken config or draft).

Each command lives in ``soulpost/commands/<name>.py`` with ``add_arguments(parser)`` and
``run(args) -> int`` and is imported only when it runs, so ``soulpost --version`` and a
one-file lint start fast. This module is the one place errors become exit codes.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from soulpost import __version__

# name -> (module, one-line help). Order is the order of `soulpost --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("soulpost.commands.init", "create a workspace (config.toml, queue/, rules/) here"),
    "add": ("soulpost.commands.add", "write a new post file into queue/"),
    "queue": ("soulpost.commands.queue", "show the queue in time order"),
    "preview": ("soulpost.commands.preview", "each post as each platform will receive it"),
    "calendar": ("soulpost.commands.calendar", "week or month grid of the schedule; --ics FILE"),
    "site": ("soulpost.commands.site", "write a static HTML review site to OUT/"),
    "import": ("soulpost.commands.import_", "feed items or CSV rows become draft files"),
    "export": ("soulpost.commands.export", "the queue as CSV (ours, Buffer's or Hootsuite's)"),
    "approve": ("soulpost.commands.approve", 'mark posts status = "approved" (edits the files)'),
    "publish": ("soulpost.commands.publish", "publish what is due (one pass), or posts now"),
    "daemon": ("soulpost.commands.daemon", "publish each post at its time until stopped"),
    "archive": ("soulpost.commands.archive", "move published posts out of queue/ (git mv)"),
    "status": ("soulpost.commands.status", "publication counts, last run, daemon health"),
    "history": ("soulpost.commands.history", "every publication attempt, or one post's"),
    "retry": ("soulpost.commands.retry", "send a failed or missed publication again"),
    "resolve": ("soulpost.commands.resolve", "settle an in-doubt publication by hand"),
    "lint": ("soulpost.commands.lint", "check drafts for soul and for each network's limits"),
    "rules": ("soulpost.commands.rules", "list every lint rule: code, name, severity, lesson"),
    "explain": ("soulpost.commands.explain", "what a lint rule checks, why, and examples"),
    "adapters": ("soulpost.commands.adapters", "list adapters: capabilities and settings"),
    "login": ("soulpost.commands.login", "connect an account: OAuth in the browser, or headless"),
    "logout": ("soulpost.commands.logout", "forget a connected account's stored tokens"),
    "accounts": ("soulpost.commands.accounts", "list connected accounts, stores and expiry"),
    "doctor": ("soulpost.commands.doctor", "check credentials per platform (--online: try them)"),
    "schema": ("soulpost.commands.schema", "print the JSON Schema of config.toml or a post file"),
    "lsp": ("soulpost.commands.lsp", "run the language server for editors (stdio)"),
    "completion": ("soulpost.commands.completion", "print the shell completion script"),
}

EPILOG = """exit codes: 0 ok; 1 findings or failures to look at; 2 usage, config or input error.
Run `soulpost COMMAND --help` for a command's options."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter with the width found as ``shutil.get_terminal_size`` finds it,
    without importing shutil (and with it bz2 and lzma): argparse builds a formatter for
    every option it adds, so every command paid for that import, help or not.
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    """The terminal's width: $COLUMNS, else standard output's terminal, else 80
    (what ``shutil.get_terminal_size().columns`` answers)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser(command: str | None, *, others: bool = True) -> argparse.ArgumentParser:
    """The parser; only *command*'s module is imported to add its options.

    With *others* False and a known *command*, the other commands get no parser at all:
    building twenty-odd parsers that cannot be used cost about 5 ms of a one-draft lint.
    Their help and their names' completion need them, so those keep the default.
    """
    parser = argparse.ArgumentParser(
        prog="soulpost",
        description="Schedule social posts from TOML drafts, and lint them for soul first.",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"soulpost {__version__}")
    parser.add_argument(
        "-C",
        "--workspace",
        metavar="DIR",
        help="run as if started in DIR (the workspace is found from there upwards)",
    )
    parser.add_argument(
        "--color",
        dest="global_color",
        choices=("auto", "always", "never"),
        help="colour and progress: auto (a terminal, honouring NO_COLOR and FORCE_COLOR), "
        "always or never",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, summary) in COMMANDS.items():
        if not others and command is not None and name != command:
            continue
        sub_parser = sub.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=EPILOG,
            formatter_class=_Formatter,
        )
        if name == command:
            import importlib

            module = importlib.import_module(module_name)
            module.add_arguments(sub_parser)
            sub_parser.set_defaults(run=module.run)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("-C", "--workspace", "--color"):
            skip = True
            continue
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if argv is None:
        # Start-up (imports, pydantic building its models) creates a great many objects and
        # hardly any garbage; the cyclic collector walking them again and again was about
        # 2 % of a one-draft lint. Resumed before the command runs, unless it keeps the
        # pause (``pause_gc``: a short command that ends with the process).
        gc.disable()
        # soulpost uses no pydantic plugins, and looking for them (every installed
        # distribution's entry points, read when the first model is built) cost about
        # 10 ms of a one-draft lint's 190. A value the user set is kept.
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        _no_plugin_loader()
        command = _command_in(args_list)
        if command is not None:  # not for --version or help alone
            from soulpost import codecache

            codecache.install(command)
    if argv is None and "_ARGCOMPLETE" in os.environ:
        from soulpost.commands.completion import complete

        complete(build_parser, _command_in)  # exits when it answered the shell
    parser = build_parser(_command_in(args_list), others=False)
    args = parser.parse_args(args_list)
    if args.global_color:
        from soulpost import progress

        progress.set_color(args.global_color)
        if getattr(args, "color", None) == "auto":  # a command's own --color left unset
            args.color = args.global_color
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    from soulpost.errors import SoulpostError

    if argv is None and not getattr(args, "pause_gc", False):
        gc.enable()
    try:
        code = int(args.run(args))
        if argv is None:
            _save_code()
            if getattr(args, "exit_fast", False):
                _exit_now(code)
        return code
    except SoulpostError as exc:
        print(f"soulpost: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("soulpost: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _save_code() -> None:
    """Keep the code compiled from generated source text for the next run (codecache)."""
    codecache = sys.modules.get("soulpost.codecache")
    if codecache is not None:
        codecache.save()


# The values of PYDANTIC_DISABLE_PLUGINS for which pydantic's get_plugins() returns ().
_PLUGINS_OFF = ("__all__", "1", "true")
_LOADER = "pydantic.plugin._loader"


def _no_plugin_loader() -> None:
    """Stand in for pydantic's plugin loader when plugins are off.

    With PYDANTIC_DISABLE_PLUGINS set to turn every plugin off, the loader's
    ``get_plugins()`` returns nothing, yet importing the loader imports
    :mod:`importlib.metadata` (email, zipfile, csv...): about a twentieth of a one-draft
    lint. The stand-in answers ``get_plugins()`` the same way; anything else asked of it
    loads the real module, so a pydantic that needs more from its loader still gets it.
    """
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in _PLUGINS_OFF or _LOADER in sys.modules:
        return
    import types

    stand_in = types.ModuleType(_LOADER)

    def get_plugins() -> tuple[()]:
        return ()

    def real(name: str) -> object:
        if name.startswith("__"):  # the import system asks for __path__ and the like
            raise AttributeError(name)
        import importlib

        del sys.modules[_LOADER]
        return getattr(importlib.import_module(_LOADER), name)

    stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
    stand_in.__getattr__ = real  # type: ignore[method-assign]
    sys.modules[_LOADER] = stand_in


def _exit_now(code: int) -> NoReturn:
    """End the process with *code* once the output is flushed, skipping the interpreter's
    teardown.

    After linting a large queue the process holds hundreds of thousands of objects (posts,
    drafts, findings); freeing them one by one at exit took about a twentieth of
    ``soulpost lint``'s time on 10,000 drafts, for nothing. A command opts in with
    ``exit_fast`` when it has nothing left to clean up: its worker pools are shut down and
    it writes no file at exit. Only the real command line does this (*argv* None), never
    ``main([...])`` called from Python.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away: as main() does, that is not a failure
        code = 0
    os._exit(code)
