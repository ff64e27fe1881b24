"""Find a workspace, load its settings and every post in ``queue/``.

A broken post never stops the others from loading: its problems are collected in
:attr:`Workspace.errors` and the rest of the queue is returned. Broken *settings* stop
everything (nothing can be checked or published against unknown settings) and raise
:class:`~soulpost.errors.ConfigError`.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli
from pydantic import ValidationError

from soulpost.config import Settings
from soulpost.errors import ConfigError, InputError, WorkspaceNotFound
from soulpost.posts import Post, PostInvalid, build_post, toml_error, validation_errors
from soulpost.tomlpos import SourceMap

CONFIG_FILE = "config.toml"
QUEUE_DIR = "queue"


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above *start* holding config.toml or [tool.soulpost]."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomli.loads(pyproject.read_text(encoding="utf-8"))
            except (tomli.TOMLDecodeError, OSError, UnicodeDecodeError):
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
        data: Any = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
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
    found: list[str] = []
    stack = [str(queue)]
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
                stack.append(entry.path)
            elif entry.name.endswith(".toml"):
                found.append(entry.path)
    found.sort()  # sorting strings is several times cheaper than sorting Paths
    return [Path(p) for p in found]


# Below this many files to parse, a worker pool costs more than it saves.
PARALLEL_THRESHOLD = 2000


# (mtime_ns, size), the text, the parsed TOML (None when it did not parse) and the errors.
_Read = tuple[tuple[int, int], str, dict[str, Any] | None, list[InputError]]


def read_post_file(path: Path) -> _Read | None:
    """Stat, read and TOML-parse one file: the part of loading worth spreading over cores.
    None when the file vanished since it was listed.

    Plain ``os`` calls on one descriptor (open, fstat, read) cost half of what
    ``Path.stat`` plus ``Path.read_text`` do, which shows at 10,000 files.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None  # vanished between listing and reading
    except OSError as exc:
        return (0, 0), "", None, [InputError(f"cannot read: {exc.strerror}", path=path)]
    try:
        stat = os.fstat(fd)
        chunks = [os.read(fd, stat.st_size + 1)]
        if len(chunks[0]) > stat.st_size:  # it grew since the fstat: read to the end
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
    except OSError as exc:
        return (0, 0), "", None, [InputError(f"cannot read: {exc.strerror}", path=path)]
    finally:
        os.close(fd)
    stamp = (stat.st_mtime_ns, stat.st_size)
    try:
        text = b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        error = InputError("not UTF-8 text", path=path, hint="save the file as UTF-8")
        return stamp, "", None, [error]
    if "\r" in text:  # what text-mode reading does: universal newlines
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        return stamp, text, tomli.loads(text), []
    except tomli.TOMLDecodeError as exc:
        return stamp, text, None, [toml_error(exc, path)]


def _read_chunk(paths: list[Path]) -> list[_Read | None]:
    return [read_post_file(path) for path in paths]


def fork_workers(count: int, threshold: int) -> int:
    """How many forked processes should share *count* items: 0 means work here.

    None below *threshold* items (forking costs more than it saves), on one core, where
    there is no fork (Windows), or in a process with threads: forking a threaded process,
    such as the daemon, is unsafe.
    """
    if count < threshold:
        return 0
    import multiprocessing

    cores = os.cpu_count() or 1
    if cores < 2 or threading.active_count() > 1:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return min(cores, 8)


def _read_many(paths: list[Path]) -> Iterator[_Read | None]:
    """Read and parse *paths*, across the machine's cores when there are many of them.

    Reading and parsing dominate the cost of loading a large queue. Forked workers share
    the already-imported modules, so they start cheaply, and they send back plain dicts,
    which cross the process boundary far faster than validated models. Results are yielded
    chunk by chunk as they arrive, so the caller validates one chunk while the workers
    still parse the next.
    """
    workers = fork_workers(len(paths), PARALLEL_THRESHOLD)
    if not workers:
        yield from map(read_post_file, paths)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(paths) // (workers * 4))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        results = pool.map(_read_chunk, chunks)  # submits every chunk at once
    except (OSError, RuntimeError, ValueError):  # no fork or no semaphores here: do it in-process
        yield from map(read_post_file, paths)
        return
    with pool:
        for chunk in results:
            yield from chunk


def _load(paths: list[Path], context: dict[str, Any]) -> list[_Cached | None]:
    out: list[_Cached | None] = []
    for path, read in zip(paths, _read_many(paths), strict=True):
        if read is None:
            out.append(None)
            continue
        stamp, text, data, errors = read
        if data is None:
            out.append(_Cached(stamp, None, errors))
            continue
        try:
            out.append(_Cached(stamp, build_post(data, path, context, text), []))
        except PostInvalid as exc:
            out.append(_Cached(stamp, None, exc.errors))
    return out


# Below this many posts, the garbage collector costs too little to be worth pausing.
GC_PAUSE_THRESHOLD = 1000


@contextmanager
def paused_gc(size: int) -> Iterator[None]:
    """Hold off the cyclic garbage collector while loading or linting *size* posts.

    Loading 10,000 posts builds millions of objects and hardly any is garbage, yet each
    automatic collection walks them all again as they age: a third of ``soulpost lint``'s
    time went there. Reference counting frees memory as usual meanwhile. At the end, what
    the step built is frozen (moved out of the collector's sight) rather than walked again.
    The few reference cycles that became garbage meanwhile (about 200 objects in a
    10,000-post lint) are frozen with it and kept until the process ends: finding them
    would mean walking every new object once more, 0.05 s per step. Only a
    single-threaded process pauses (two threads pausing and resuming at once could leave
    the collector off; the daemon is threaded), and forked workers inherit the pause.
    """
    if size < GC_PAUSE_THRESHOLD or not gc.isenabled() or threading.active_count() > 1:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def load_posts(
    files: list[Path], settings: Settings, cache: PostCache | None = None
) -> tuple[list[Post], list[InputError]]:
    """Load *files* as posts; collect errors; report duplicate ids naming both files."""
    with paused_gc(len(files)):
        return _load_posts(files, settings, cache)


def _load_posts(
    files: list[Path], settings: Settings, cache: PostCache | None
) -> tuple[list[Post], list[InputError]]:
    context = post_context(settings)
    entries: dict[Path, _Cached | None] = {}
    if cache is not None:
        cache.parsed = 0
        for gone in set(cache.entries) - set(files):
            del cache.entries[gone]
        stale = []
        for path in files:
            cached = cache.entries.get(path)
            try:
                stat = path.stat()
            except OSError:
                continue
            if cached is not None and cached.stamp == (stat.st_mtime_ns, stat.st_size):
                entries[path] = cached
            else:
                stale.append(path)
        fresh = _load(stale, context)
        for path, item in zip(stale, fresh, strict=True):
            entries[path] = item
            if item is not None:
                cache.entries[path] = item
        cache.parsed = len(stale)
    else:
        entries = dict(zip(files, _load(files, context), strict=True))
    posts: list[Post] = []
    errors: list[InputError] = []
    seen: dict[str, Path] = {}
    for path in files:
        item = entries.get(path)
        if item is None:
            continue
        errors.extend(item.errors)
        post = item.post
        if post is None:
            continue
        first = seen.get(post.id)
        if first is not None:
            errors.append(duplicate_id(post, path, first))
            continue
        seen[post.id] = path
        posts.append(post)
    return posts, errors


def duplicate_id(post: Post, path: Path, first: Path) -> InputError:
    """The error for *post* (from *path*) reusing the id of the post in *first*."""
    smap = post.source
    return InputError(
        f"duplicate post id {post.id!r}, already used by {first}",
        path=path,
        line=smap.line_of(("id",)) if smap else None,
        key="id",
        hint="give one of them another id (the id defaults to the file name)",
    )


def load_workspace(
    start: Path | None = None, *, root: Path | None = None, cache: PostCache | None = None
) -> Workspace:
    """Find (or take) the workspace root and load settings and the whole queue."""
    root = root.resolve() if root is not None else find_root(start)
    settings, config_path = load_settings(root)
    posts, errors = load_posts(queue_files(root / QUEUE_DIR), settings, cache)
    return Workspace(root, settings, config_path, posts, errors)
