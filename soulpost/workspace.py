"""Find a workspace, load its settings and every post in ``queue/``.

A broken post never stops the others from loading: its problems are collected in
:attr:`Workspace.errors` and the rest of the queue is returned. Broken *settings* stop
everything (nothing can be checked or published against unknown settings) and raise
:class:`~soulpost.errors.ConfigError`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from soulpost.config import Settings
from soulpost.errors import ConfigError, InputError, WorkspaceNotFound
from soulpost.posts import Post, PostInvalid, parse_post, toml_error, validation_errors
from soulpost.tomlpos import SourceMap

CONFIG_FILE = "config.toml"
QUEUE_DIR = "queue"
RULES_DIR = "rules"


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above *start* holding config.toml or [tool.soulpost]."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
                continue
            if "soulpost" in data.get("tool", {}):
                return folder
    raise WorkspaceNotFound(here)


def load_settings(root: Path) -> tuple[Settings, Path]:
    """Settings from ``root/config.toml``, else ``[tool.soulpost]`` in ``root/pyproject.toml``."""
    path = root / CONFIG_FILE
    prefix: tuple[str, ...] = ()
    if not path.is_file():
        path, prefix = root / "pyproject.toml", ("tool", "soulpost")
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        err = toml_error(exc, path)
        raise ConfigError(err.problem, path=path, line=err.line, hint=err.hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=path) from None
    for key in prefix:
        data = data.get(key, {})
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        smap = SourceMap.scan(text)
        errors = validation_errors(exc, path, smap, Settings)
        if prefix:
            for err in errors:
                err.line = smap.line_of((*prefix, *(err.key or "").split(".")))
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ConfigError(
            first.problem + more, path=path, line=first.line, key=first.key, hint=first.hint
        ) from None
    return settings, path


def post_context(settings: Settings) -> dict[str, Any]:
    """What post validation needs to know about the workspace."""
    return {
        "zone": settings.zone(),
        "platforms": settings.platform_names(),
        "default_platforms": settings.default_platforms,
    }


@dataclass
class _Cached:
    stamp: tuple[int, int]
    post: Post | None
    errors: list[InputError]


@dataclass
class PostCache:
    """Parsed posts keyed by path and (mtime, size), so a rescan re-parses only changed files."""

    entries: dict[Path, _Cached] = field(default_factory=dict)
    parsed: int = 0  # how many files the last scan actually parsed


@dataclass
class Workspace:
    """A loaded workspace: settings, the posts that loaded, and problems of those that did not."""

    root: Path
    settings: Settings
    config_path: Path
    posts: list[Post]
    errors: list[InputError]

    @property
    def queue_dir(self) -> Path:
        return self.root / QUEUE_DIR

    @property
    def state_dir(self) -> Path:
        return self.root / self.settings.publish.state_dir

    def by_id(self) -> dict[str, Post]:
        return {p.id: p for p in self.posts}


def queue_files(queue: Path) -> list[Path]:
    """Every ``*.toml`` under *queue*, in a stable order; hidden files and folders skipped."""
    found: list[Path] = []
    stack = [queue]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                stack.append(Path(entry.path))
            elif entry.name.endswith(".toml"):
                found.append(Path(entry.path))
    found.sort()
    return found


def load_posts(
    files: list[Path], settings: Settings, cache: PostCache | None = None
) -> tuple[list[Post], list[InputError]]:
    """Load *files* as posts; collect errors; report duplicate ids naming both files."""
    context = post_context(settings)
    posts: list[Post] = []
    errors: list[InputError] = []
    seen: dict[str, Path] = {}
    if cache is not None:
        cache.parsed = 0
        for gone in set(cache.entries) - set(files):
            del cache.entries[gone]
    for path in files:
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            continue  # vanished between listing and reading
        cached = cache.entries.get(path) if cache is not None else None
        if cached is None or cached.stamp != stamp:
            try:
                text = path.read_text(encoding="utf-8")
                post: Post | None = parse_post(text, path, context)
                file_errors: list[InputError] = []
            except PostInvalid as exc:
                post, file_errors = None, exc.errors
            except UnicodeDecodeError:
                post, file_errors = (
                    None,
                    [InputError("not UTF-8 text", path=path, hint="save the file as UTF-8")],
                )
            except OSError as exc:
                post, file_errors = None, [InputError(f"cannot read: {exc.strerror}", path=path)]
            cached = _Cached(stamp, post, file_errors)
            if cache is not None:
                cache.entries[path] = cached
                cache.parsed += 1
        errors.extend(cached.errors)
        if cached.post is None:
            continue
        first = seen.get(cached.post.id)
        if first is not None:
            smap = cached.post.source
            errors.append(
                InputError(
                    f"duplicate post id {cached.post.id!r}, already used by {first}",
                    path=path,
                    line=smap.line_of(("id",)) if smap else None,
                    key="id",
                    hint="give one of them another id (the id defaults to the file name)",
                )
            )
            continue
        seen[cached.post.id] = path
        posts.append(cached.post)
    return posts, errors


def load_workspace(
    start: Path | None = None, *, root: Path | None = None, cache: PostCache | None = None
) -> Workspace:
    """Find (or take) the workspace root and load settings and the whole queue."""
    root = root.resolve() if root is not None else find_root(start)
    settings, config_path = load_settings(root)
    posts, errors = load_posts(queue_files(root / QUEUE_DIR), settings, cache)
    return Workspace(root, settings, config_path, posts, errors)
