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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli
from pydantic import ValidationError

from soulpost.config import Settings
from soulpost.errors import ConfigError, InputError, WorkspaceNotFound
from soulpost.filesafe import read_capped
from soulpost.posts import MAX_DEPTH, Post, PostInvalid, build_post
from soulpost.problems import toml_error, validation_errors
from soulpost.tomlpos import SourceMap, too_deep

if TYPE_CHECKING:
    from datetime import tzinfo

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
    _stamp, text, data, errors = read_post_file(path) or ((0, 0), "", None, [_vanished(path)])
    if data is None:
        err = errors[0]
        raise ConfigError(err.problem, path=path, line=err.line, hint=err.hint)
    for key in prefix:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    deep = too_deep(data, MAX_DEPTH)
    if deep is not None:
        raise ConfigError(
            f"tables or arrays nested more than {MAX_DEPTH} levels deep",
            path=path,
            key=".".join(map(str, deep[:4])) + "...",
            hint="settings need only a few levels",
        )
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
    settings.root = root
    return settings, path


def _vanished(path: Path) -> InputError:
    return InputError("cannot read: the file disappeared while being read", path=path)


def post_context(settings: Settings) -> dict[str, Any]:
    """What post validation needs to know about the workspace: its time zone, platforms,
    and its root (media must stay inside it).

    ``media_checked`` remembers, for this one load, whether each media path stays inside the
    root, so a queue whose drafts share images resolves each path once. A new load gets a new
    context, so a link changed on disk since is seen by the next scan.
    """
    return {
        "zone": settings.zone(),
        "platforms": settings.platform_names(),
        "default_platforms": settings.default_platforms,
        "root": settings.root,
        "media_checked": {},
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


def queue_files(queue: Path, errors: list[InputError] | None = None) -> list[Path]:
    """Every ``*.toml`` under *queue*, in a stable order (see :func:`walk_queue`)."""
    found = [entry.path for entry in walk_queue(queue, errors)]
    found.sort()  # sorting strings is several times cheaper than sorting Paths
    return [Path(p) for p in found]


def walk_queue(queue: Path, errors: list[InputError] | None = None) -> Iterator[os.DirEntry[str]]:
    """Every ``*.toml`` entry under *queue*; hidden files and folders skipped.

    Symbolic links to folders inside the queue are followed, but each real folder (device,
    inode) is walked once, so a link back into the queue ends instead of looping; a link
    to a folder outside the queue is not followed (it could lead to the workspace itself).
    A sub-folder that cannot be read, or a link out, is reported in *errors* and the rest
    is walked; a ``queue/`` that exists but cannot be read raises :class:`InputError`
    (exit 2). Whether each entry is a regular, readable file is for
    :func:`read_post_file` to find out and report.
    """
    try:
        top = queue.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _unreadable_queue(queue, exc) from None
    seen = {(top.st_dev, top.st_ino)}
    inside = f"{os.path.realpath(queue)}{os.sep}"
    stack = [str(queue)]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        except OSError as exc:
            if folder == str(queue):
                raise _unreadable_queue(queue, exc) from None
            if errors is not None:
                errors.append(_unreadable_folder(Path(folder), exc))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                real = entry.stat() if entry.is_dir() else None
            except OSError:  # a link loop: reading it (when it is a .toml) says so
                real = None
            if real is None:
                if entry.name.endswith(".toml"):
                    yield entry
                continue
            if (real.st_dev, real.st_ino) in seen:
                continue
            seen.add((real.st_dev, real.st_ino))
            if entry.is_symlink() and not os.path.realpath(entry.path).startswith(inside):
                if errors is not None:
                    errors.append(_outside_folder(Path(entry.path)))
                continue
            stack.append(entry.path)


def _unreadable_queue(queue: Path, exc: OSError) -> InputError:
    return InputError(
        f"cannot read the queue folder: {exc.strerror or exc}",
        path=queue,
        hint="make queue/ a folder the user running soulpost can read",
    )


def _outside_folder(link: Path) -> InputError:
    return InputError(
        "a link to a folder outside queue/: not followed, its drafts were skipped",
        path=link,
        hint="drafts live inside queue/: move the folder there or remove the link",
    )


def _unreadable_folder(folder: Path, exc: OSError) -> InputError:
    return InputError(
        f"cannot read this folder of the queue: {exc.strerror or exc}; its drafts were skipped",
        path=folder,
        hint="make it readable, or move it out of queue/",
    )


# Below this many files to parse, a worker pool costs more than it saves.
PARALLEL_THRESHOLD = 2000


# (mtime_ns, size), the text, the parsed TOML (None when it did not parse) and the errors.
_Read = tuple[tuple[int, int], str, dict[str, Any] | None, list[InputError]]


def read_post_file(path: Path) -> _Read | None:
    """Stat, read and TOML-parse one file: the part of loading worth spreading over cores.
    None when the file vanished since it was listed.

    Only a regular file of at most :data:`~soulpost.filesafe.MAX_FILE_BYTES` is read
    (:func:`~soulpost.filesafe.read_capped`); anything else (a FIFO, a device, a folder,
    a link loop, a dangling link, an unreadable file, nesting deeper than the parser
    allows) is an error naming the file, never a hang, a huge read or an exception.
    """
    read = read_capped(path)
    if read is None:
        return None
    stamp, data, failed = read
    if failed is not None:
        return stamp, "", None, [failed]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        error = InputError("not UTF-8 text", path=path, hint="save the file as UTF-8")
        return stamp, "", None, [error]
    if "\r" in text:  # what text-mode reading does: universal newlines
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        return stamp, text, tomli.loads(text), []
    except tomli.TOMLDecodeError as exc:
        return stamp, text, None, [toml_error(exc, path)]
    except RecursionError as exc:  # tomli's own limit on nesting, or the stack's
        error = InputError(
            f"invalid TOML: {exc}",
            path=path,
            hint="flatten the nested arrays, tables or dotted keys",
        )
        return stamp, text, None, [error]


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
    """Load *files* as posts; collect errors; report duplicate ids naming both files. A
    series stands for its occurrences, and the evergreen pool for its shares."""
    with paused_gc(len(files)):
        posts, errors = _load_posts(files, settings, cache)
    if any(p.evergreen for p in posts):
        from soulpost import evergreen

        posts, pool_errors = evergreen.expand(posts, settings)
        errors += pool_errors
    return posts, errors


def _load_posts(
    files: list[Path], settings: Settings, cache: PostCache | None
) -> tuple[list[Post], list[InputError]]:
    context = post_context(settings)
    loaded: Iterable[tuple[Path, _Cached | None]]
    if cache is not None:
        entries: dict[Path, _Cached | None] = {}
        cache.parsed = 0
        for gone in set(cache.entries) - set(files):
            del cache.entries[gone]
        stale = []
        for path in files:
            cached = cache.entries.get(path)
            try:
                stat = path.stat()
            except OSError:  # gone, or a link loop: reading it again says which
                stale.append(path)
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
        loaded = ((path, entries.get(path)) for path in files)
    else:  # in file order, without hashing every path into a dict and out again
        loaded = zip(files, _load(files, context), strict=True)
    posts: list[Post] = []
    errors: list[InputError] = []
    seen: dict[str, Path] = {}
    for path, item in loaded:
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
        if post.repeat is not None:  # a series: its occurrences are the posts
            from soulpost.recurring import expand

            posts.extend(expand(post, context["zone"] or _own_zone(post)))
            continue
        posts.append(post)
    return posts, errors


def _own_zone(post: Post) -> tzinfo:
    """The zone of a post's explicit offset, for a series in a workspace without one."""
    from datetime import UTC

    return (post.at.tzinfo if post.at is not None else None) or UTC


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
    errors: list[InputError] = []
    files = queue_files(root / QUEUE_DIR, errors)
    posts, load_errors = load_posts(files, settings, cache)
    return Workspace(root, settings, config_path, posts, [*errors, *load_errors])
