"""``soulpost lint``: check drafts for soul and for each network's limits.

Inputs: the workspace (default), folders of post files, post files, plain ``.txt``/``.md``
files (each one post for the default platforms, or ``--platform``), or ``-`` for stdin.
Queue rules (shares over a window, spacing, duplicates) look at the posts being linted:
lint the whole workspace, as CI does, to check the queue as a whole.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 a usage,
config or input error (a broken draft is reported after the rest are linted).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from soulpost.commands import start_dir
from soulpost.errors import InputError, UsageError, WorkspaceNotFound
from soulpost.timeutil import check_instant

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.posts import Post
    from soulpost.workspace import Workspace

FORMATS = ("text", "json", "sarif", "github")
PLAIN_SUFFIXES = (".txt", ".md", ".markdown")
# The platform plain text is linted for when none is known: no limits, soul rules only.
NO_PLATFORM = "plain-text"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="post files, folders, .txt/.md files, or - for stdin (default: the workspace)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        help="exit 1 when a finding is at least this severe (default: [lint] fail_on, else error)",
    )
    parser.add_argument(
        "--select",
        action="append",
        metavar="RULES",
        help="run only these rules (codes, prefixes or names, comma-separated; repeatable)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="RULES",
        help="skip these rules as well as those ignored in config (comma-separated)",
    )
    parser.add_argument(
        "--show-unused-suppressions",
        action="store_true",
        help="report [lint] ignore entries in posts that no longer suppress anything",
    )
    parser.add_argument(
        "-p",
        "--platform",
        action="append",
        default=[],
        metavar="NAME",
        help="platforms for plain text inputs (default: default_platforms from config)",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (auto: on a terminal, honouring NO_COLOR)",
    )
    parser.add_argument(
        "--now",
        metavar="WHEN",
        help="judge times against this ISO 8601 instant instead of the clock "
        "(for reproducible CI runs)",
    )
    add_cache_flag(parser)
    # Nothing to clean up once the report is written: skip freeing every post at exit.
    # The cyclic collector stays paused from start-up to the end (see cli.main): a lint
    # ends with its process, and its large steps pause the collector anyway (paused_gc).
    parser.set_defaults(exit_fast=True, pause_gc=True)


def add_cache_flag(parser: argparse.ArgumentParser) -> None:
    """``--no-cache``, for every command that lints the workspace."""
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="lint every draft again: neither read nor write the lint cache "
        "(kept outside the workspace, see docs/ci.md)",
    )


def without_cache(ws: Workspace) -> None:
    """Turn the lint cache off for this run (``--no-cache``), as ``[lint] cache = false``."""
    lint = ws.settings.lint.model_copy(update={"cache": False})
    ws.settings = ws.settings.model_copy(update={"lint": lint})


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [token.strip() for value in values for token in value.split(",") if token.strip()]


def _now(text: str | None) -> datetime:
    """``--now``, else ``SOULPOST_NOW`` (as every command honours it), else the clock."""
    if text is None:
        from soulpost.commands.publish import clock_for

        return clock_for().now()
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now: expected an ISO 8601 time, got {text!r}") from None
    if when.tzinfo is None:
        raise UsageError(f"--now: give an offset, e.g. {text}+00:00")
    try:
        return check_instant(when)
    except ValueError as exc:
        raise UsageError(f"--now: {exc}") from None


def _plain_post(
    text: str, name: str, path: Path | None, settings: Settings, args: argparse.Namespace
) -> Post:
    """A post from plain text, for the default platforms (or --platform)."""
    from pydantic import ValidationError

    from soulpost.posts import Post, slugify
    from soulpost.workspace import post_context

    platforms = list(dict.fromkeys(args.platform)) or list(settings.default_platforms)
    if not platforms:
        raise UsageError(
            f"{name}: no platforms for plain text; pass --platform NAME or set "
            "default_platforms in config.toml"
        )
    try:
        post = Post.model_validate(
            {"id": slugify(name, 100), "text": text, "platforms": platforms},
            context=post_context(settings),
        )
    except ValidationError as exc:
        problem = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        raise InputError(problem, path=path or name) from None
    post._path = path
    return post


def _workspace(args: argparse.Namespace, plain_only: bool) -> Workspace:
    """The workspace settings (without the queue); defaults when linting plain text alone."""
    from soulpost.workspace import Workspace, find_root, load_settings

    try:
        root = find_root(start_dir(args))
    except WorkspaceNotFound:
        if not plain_only:
            raise
        from soulpost.config import Settings

        return Workspace(start_dir(args), Settings(), Path("config.toml"), [], [])
    settings, config_path = load_settings(root)
    return Workspace(root, settings, config_path, [], [])


def _platformless(ws: Workspace, args: argparse.Namespace) -> None:
    """Lint plain text that no platform is known for with the soul rules alone.

    With neither --platform nor default_platforms, the text goes to a stand-in platform
    without limits (and without the warning that its limits are unknown), and the user is
    told once, on stderr, that no platform limits were checked.
    """
    if args.platform or ws.settings.default_platforms:
        return
    from soulpost.config import PlatformSettings

    platforms = {**ws.settings.platforms, NO_PLATFORM: PlatformSettings(adapter="outbox")}
    ws.settings = ws.settings.model_copy(update={"platforms": platforms})
    args.platform = [NO_PLATFORM]
    args.ignore = [*args.ignore, "unknown-platform"]
    print(
        "soulpost: note: no platform is known for plain text (no --platform, no "
        "default_platforms), so platform limits were not checked; soul rules only",
        file=sys.stderr,
    )


def gather(args: argparse.Namespace) -> tuple[Workspace, list[Path]]:
    """The workspace, the post files named on the command line (or its whole queue) and,
    as the workspace's posts, the plain-text inputs. The post files are not read yet.
    """
    from soulpost.workspace import QUEUE_DIR, queue_files

    paths: list[str] = args.paths
    plain_only = bool(paths) and all(p == "-" or Path(p).suffix in PLAIN_SUFFIXES for p in paths)
    ws = _workspace(args, plain_only)
    if any(p == "-" or Path(p).suffix in PLAIN_SUFFIXES for p in paths):
        _platformless(ws, args)
    files: list[Path] = []
    if not paths:  # the workspace's queue: unreadable is an error, missing an empty queue
        files = queue_files(ws.root / QUEUE_DIR, ws.errors)
    plain: list[Post] = []
    for raw in paths:
        if raw == "-":
            if sys.stdin is None:
                raise UsageError("- reads standard input, but there is none")
            plain.append(_plain_post(sys.stdin.read(), "stdin", None, ws.settings, args))
            continue
        path = Path(raw)
        if not path.is_absolute():
            path = start_dir(args) / path  # -C DIR: as if started in DIR
        if path.is_dir():
            files.extend(queue_files(path, ws.errors))
        elif not path.exists():
            ws.errors.append(InputError("no such file or folder", path=path))
        elif path.suffix == ".toml":
            files.append(path)
        elif path.suffix in PLAIN_SUFFIXES:
            try:
                text = path.read_text(encoding="utf-8")
                plain.append(_plain_post(text, path.stem, path, ws.settings, args))
            except UnicodeDecodeError:
                ws.errors.append(InputError("not UTF-8 text", path=path))
            except InputError as exc:
                ws.errors.append(exc)
        else:
            ws.errors.append(
                InputError(
                    "not a post file",
                    path=path,
                    hint="lint takes .toml posts, .txt/.md texts, folders, or - for stdin",
                )
            )
    ws.posts = plain
    if len(paths) < 2:  # one walk lists each file once; hashing 10,000 Paths costs ~10 ms
        return ws, files
    return ws, list(dict.fromkeys(files))


def run(args: argparse.Namespace) -> int:
    from soulpost.lint.engine import lint_files
    from soulpost.lint.model import SEVERITY_RANK
    from soulpost.progress import Progress

    now = _now(args.now)
    ws, files = gather(args)
    count = len(files) + len(ws.posts)
    # On a terminal only; wiped before the report is printed. The engine takes no callback
    # yet, so this shows what runs and for how long rather than a count.
    with Progress(f"linting {count} draft{'s' if count != 1 else ''}"):
        report = lint_files(
            files,
            ws.settings,
            now=now,
            root=ws.root,
            config_path=ws.config_path,
            errors=ws.errors,
            extra=ws.posts,
            select=_split(args.select),
            ignore=_split(args.ignore) or [],
            unused_suppressions=args.show_unused_suppressions,
            cache=not args.no_cache,
            queue=not args.paths,  # the whole queue: the cache forgets drafts gone from it
        )
    from soulpost.lint.formats import render, want_color

    color = args.color == "always" or (args.color == "auto" and want_color(sys.stdout))
    if args.format != "text":
        color = False
    sys.stdout.write(render(args.format, report, root=ws.root, color=color))
    sys.stdout.flush()
    if (ws.root / ws.config_path).is_file():  # a workspace that publishes (issue 11 item 5)
        from soulpost.accounts import stored_roles
        from soulpost.credentials import warn_targets

        say = lambda line: print(line, file=sys.stderr)  # noqa: E731
        warn_targets(ws.settings, args.platform or [], say, stored_roles)
    if report.errors:
        return 2
    fail_on = args.fail_on or ws.settings.lint.fail_on
    return 1 if report.worst() >= SEVERITY_RANK[fail_on] else 0
