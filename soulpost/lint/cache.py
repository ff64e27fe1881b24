"""Lint results kept between runs, per draft file, as ``ruff``, ``mypy`` and ``eslint --cache`` do.

A lint of an unchanged queue should not run the post rules again on every draft: they cost
about 200 µs a draft. This module keeps, for each post file, what linting it produced:
the post's summary (what queue rules read, :meth:`~soulpost.posts.Post.summary`), what
rules cached on its draft, and the located findings of the post rules. Queue rules run
over the whole queue again when a draft changed, and the post rules that read the clock
(``PostRule.reads_clock``) run on every lint: only the per-post work is kept here. A lint
of a whole queue that did not change at all is answered one level up, by the report
kept for the whole queue (:mod:`soulpost.lint.queuecache`).

**What an answer depends on.** An entry is found by the file's path and a digest of its
path and text. Everything else a post rule reads is in one *environment* digest for the
whole file (:func:`environment`): the settings (``config.toml``, ``[lint]`` options,
language pins, allow lists), the configured rules and their severities, the bytes of the
workspace's rule packs, soulpost's version and the stamps of its source and data files (the
shipped packs' snapshot, the word lists), and the installed distributions (the language
detector, the dictionaries, pydantic). Change any of them and every entry misses. Posts
with media are kept with each media file's real path, size and modification time (rules
read video files; loading checks where each path leads), and must find them unchanged.
Series and evergreen posts, whose posts depend on more than their file, are never kept.
Third-party rule plugins turn the cache off (their code can change without a version
change).

**Where it lives, and why there.** Drafts and the workspace arrive by pull request; a cache
file inside the checkout could be committed to make a bad draft look clean. So the cache
lives outside it: ``$SOULPOST_CACHE_DIR``, else ``$XDG_CACHE_HOME/soulpost``, else
``~/.cache/soulpost``, one folder per workspace (named by a digest of the workspace's
real path) holding the entries spread over a few JSON Lines files
(:mod:`soulpost.lint.cachefiles`). Nothing is unpickled:
every value is checked as it is used, and anything odd (corrupt, another format, another
owner, unreadable) is a miss, never an error. Each file is written to a temporary file
and renamed over the old one, so a concurrent run sees the old file or the new one,
never half of one; the last writer wins. Entries for files that no longer exist are
dropped, so the cache stays about the size of the queue.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.lint.cachecodec import encode_finding, encode_summary, keepable
from soulpost.lint.cachefiles import FORMAT, Entry, Item, parse_all, read_shard, write_shard

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.errors import InputError
    from soulpost.lint.model import Finding
    from soulpost.lint.select import RuleSet
    from soulpost.lint.suppress import Suppressions
    from soulpost.posts import Post, PostSummary

ENV_VAR = "SOULPOST_CACHE_DIR"
# A bound on entries whatever happens (a queue of this many drafts still fits).
MAX_ENTRIES = 200_000
# Files the entries of one workspace are spread over.
SHARDS = 64

# A post file's key: the digest of its path and text, and its media files' stamps.
Key = tuple[str, list[list[Any]]]


def cache_dir() -> Path:
    """``$SOULPOST_CACHE_DIR``, else ``$XDG_CACHE_HOME/soulpost``, else ``~/.cache/soulpost``."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "soulpost"
    return Path.home() / ".cache" / "soulpost"


def digest_text(name: str, text: str) -> str:
    """The key of one post file: a digest of its path and its text."""
    import hashlib

    return hashlib.blake2b(
        name.encode("utf-8", "surrogatepass") + b"\0" + text.encode("utf-8", "surrogatepass"),
        digest_size=16,
    ).hexdigest()


def live_codes(ruleset: RuleSet) -> frozenset[str]:
    """The post rules run on every lint: those that read the clock."""
    return frozenset(r.spec.code for r in ruleset.post_rules if r.reads_clock)


def environment(
    root: Path,
    settings: Settings,
    ruleset: RuleSet,
    *,
    select: Sequence[str] | None,
    ignore: Sequence[str],
) -> str | None:
    """A digest of everything a post rule reads besides the post file; None when some of it
    cannot be pinned down (a rule plugin), and then nothing is cached."""
    import hashlib

    if any(r.spec.origin.startswith("plugin:") for r in ruleset.rules):
        return None
    from soulpost import __version__
    from soulpost.lint.registry import workspace_packs

    h = hashlib.blake2b(digest_size=16)

    def add(*parts: object) -> None:
        for part in parts:
            h.update(repr(part).encode("utf-8", "surrogatepass"))
            h.update(b"\0")

    add(FORMAT, __version__, sys.version_info[:3], sys.implementation.cache_tag)
    try:
        add(os.path.realpath(root), settings.model_dump_json())
    except ValueError:  # a setting that does not serialise: do not guess
        return None
    add(select, list(ignore), ruleset.unused_suppressions)
    add([(r.spec.code, ruleset.severity.get(r.spec.code)) for r in ruleset.rules])
    add(sorted(live_codes(ruleset)))
    for pack in workspace_packs(root, settings.lint.packs):
        try:
            add(str(pack), pack.read_bytes())
        except OSError:
            add(str(pack), None)
    add(_source_stamps(), _distributions())
    return h.hexdigest()


def _source_stamps() -> list[tuple[str, int, int]]:
    """(path, size, mtime) of every file of the installed soulpost: its rules, packs,
    snapshot and word lists. A new release or an edited checkout changes them."""
    import soulpost

    top = str(Path(soulpost.__file__).parent)
    out: list[tuple[str, int, int]] = []
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name == "__pycache__" or entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                info = entry.stat()
            except OSError:
                continue
            out.append((entry.path, info.st_size, info.st_mtime_ns))
    out.sort()
    return out


_DIST_SUFFIXES = (".dist-info", ".egg-info")


def _distributions() -> list[str]:
    """The names (with versions) of the distributions installed where Python looks: the
    language detector, the dictionaries and pydantic among them."""
    names: list[str] = []
    for folder in sys.path:
        if not folder.endswith(("site-packages", "dist-packages")):
            continue
        try:
            with os.scandir(folder) as entries:
                names.extend(e.name for e in entries if e.name.endswith(_DIST_SUFFIXES))
        except OSError:
            continue
    names.sort()
    return names


class LintCache:
    """The kept results of one workspace, for one environment."""

    def __init__(self, folder: Path, env: str, live: frozenset[str]) -> None:
        self.folder = folder
        self.env = env
        self.live = live
        # The entries are spread over SHARDS files by a hash of the file's path, each read
        # when a file of it is first looked up: linting one draft reads one small file,
        # and editing one draft rewrites one.
        self.shards: dict[int, dict[str, Item]] = {}
        self.dirty: set[int] = set()
        self.hits = 0
        self.stored = 0
        self._stamps: dict[str, list[Any]] = {}  # media path -> its stamp, once per run
        # True when about every entry will be looked up (a lint of the whole queue): each
        # shard is then parsed in one go rather than entry by entry.
        self.eager = False

    def stamps(self, root: Path, stored: list[Any]) -> list[list[Any]]:
        """:func:`media_stamps`, each path asked about once per run (drafts share images)."""
        out = []
        for item in stored:
            path = item[0] if isinstance(item, list) and item else None
            if not isinstance(path, str):
                return []
            stamp = self._stamps.get(path)
            if stamp is None:
                stamp = self._stamps[path] = media_stamps(root, [[path]])[0]
            out.append(stamp)
        return out

    @classmethod
    def open(
        cls,
        root: Path,
        settings: Settings,
        ruleset: RuleSet,
        *,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] = (),
    ) -> LintCache | None:
        """The workspace's cache, or None when it is off (``[lint] cache = false``) or
        cannot be used for these rules. A missing or unusable file is an empty cache."""
        if not settings.lint.cache or ruleset.unused_suppressions:
            return None
        env = environment(root, settings, ruleset, select=select, ignore=ignore)
        if env is None:
            return None
        import hashlib

        real = os.path.realpath(root)
        name = hashlib.blake2b(real.encode("utf-8", "surrogatepass"))
        try:
            top = os.path.realpath(cache_dir())
        except (OSError, RuntimeError, KeyError):  # no home folder to keep it in
            return None
        if f"{top}{os.sep}".startswith(f"{real}{os.sep}"):
            return None  # a cache inside the workspace could come with a pull request
        return cls(Path(top) / f"lint-{name.hexdigest()[:32]}", env, live_codes(ruleset))

    def shard(self, name: str) -> tuple[int, dict[str, Item]]:
        """The shard that holds *name*'s entry (read now if it was not yet)."""
        import zlib

        index = zlib.crc32(name.encode("utf-8", "surrogatepass")) % SHARDS
        entries = self.shards.get(index)
        if entries is None:
            entries = self.shards[index] = read_shard(self._path(index), self.env)
            if self.eager:
                parse_all(entries)
        return index, entries

    def _read_all(self) -> None:
        """Read every shard file of the folder that was not read yet."""
        try:
            with os.scandir(self.folder) as found:
                names = [entry.name for entry in found if entry.name.endswith(".jsonl")]
        except OSError:
            return
        for name in names:
            try:
                index = int(name.removesuffix(".jsonl"), 16)
            except ValueError:
                continue
            if 0 <= index < SHARDS and index not in self.shards:
                self.shards[index] = read_shard(self._path(index), self.env)

    def _path(self, index: int) -> Path:
        return self.folder / f"{index:02x}.jsonl"

    def find(self, name: str, text: str, root: Path, *, digest: str | None = None) -> Entry | None:
        """The entry for the file *name* whose text is *text* (*digest*: its
        :func:`digest_text`, when known), None unless it is kept, sound and its media
        files are as they were."""
        _index, entries = self.shard(name)
        item = entries.get(name)
        if item is None or item[0] != (digest or digest_text(name, text)):
            return None
        digest, payload = item
        if isinstance(payload, str):  # read from the file, not parsed yet
            import json

            try:
                payload = [digest, *json.loads(payload)]
            except (ValueError, TypeError, RecursionError):
                return None
            entries[name] = (digest, payload)
        entry = payload
        if not _sound(entry):
            return None
        media = entry[4].get("m", [])
        if media and (not isinstance(media, list) or self.stamps(root, media) != media):
            return None
        self.hits += 1
        return entry

    def put(  # noqa: PLR0917 (the parts of one record)
        self,
        name: str,
        key: Key,
        summary: PostSummary,
        values: Mapping[str, Any],
        findings: Iterable[Finding],
        supp: Suppressions | None = None,
        problems: Sequence[InputError] = (),
    ) -> None:
        """Keep what linting the file *name* (whose key is *key*) produced."""
        live = self.live
        extra: dict[str, Any] = {}
        if key[1]:
            extra["m"] = key[1]
        if supp is not None and supp.entries:
            extra["u"] = {entry: sorted(codes) for entry, codes in supp.entries.items()}
        if problems:
            extra["p"] = [[p.problem, p.line, p.key, p.hint] for p in problems]
        index, entries = self.shard(name)
        entries[name] = (
            key[0],
            [
                key[0],
                encode_summary(summary),
                {k: v for k, v in values.items() if keepable(v)},
                [encode_finding(f) for f in findings if f.code not in live],
                extra,
            ],
        )
        self.dirty.add(index)
        self.stored += 1

    def save(self, present: Iterable[str], *, whole: bool = False) -> None:
        """Write the shards that changed. Entries of files that are neither in *present*
        nor on disk any more are dropped: from every shard when *present* is the whole
        queue, else only from the shards this run changed (a run that looked at a few
        posts, such as the calendar's week, need not ask the disk about every other)."""
        seen = set(present)
        if whole:
            self._read_all()
        for index, entries in self.shards.items():
            if not whole and index not in self.dirty:
                continue
            gone = [n for n in entries if n not in seen and not Path(n).is_file()]
            for name in gone:
                del entries[name]
            if len(entries) > MAX_ENTRIES // SHARDS:
                for name in list(entries)[: len(entries) - MAX_ENTRIES // SHARDS]:
                    del entries[name]
                gone.append("")
            if gone:
                self.dirty.add(index)
        for index in sorted(self.dirty):
            write_shard(self._path(index), self.env, self.shards[index])
        self.dirty.clear()


def storable(post: Post) -> bool:
    """Whether linting *post* depends on its file, its media and the environment alone."""
    return (
        post.repeat is None
        and not post.evergreen
        and "@" not in post.id  # an occurrence of a series, or an evergreen share
    )


def key_of(post: Post, name: str, text: str, root: Path) -> Key:
    """The key to keep *post*'s results under: taken before it is linted, so that a media
    file changed meanwhile makes the next lint miss rather than trust a stale answer."""
    paths = sorted(set(_media_paths(post)))
    return digest_text(name, text), media_stamps(root, [[p] for p in paths]) if paths else []


def _media_paths(post: Post) -> Iterator[str]:
    """The path of every media item of *post*: its own, its thread's, its variants'."""
    for item in post.media:
        yield item.path
    for part in post.thread:
        yield from (item.path for item in part.media)
    for variant in post.variants.values():
        yield from (item.path for item in variant.media or ())
        for part in variant.thread or ():
            yield from (item.path for item in part.media)


def media_stamps(root: Path, stored: list[Any]) -> list[list[Any]]:
    """[path, real path, size, modification time] now, for each stored media stamp's path."""
    from soulpost.filesafe import media_location

    out: list[list[Any]] = []
    for stamp in stored:
        path = stamp[0] if isinstance(stamp, list) and stamp else None
        if not isinstance(path, str):
            return []
        try:
            where = media_location(root, path)
            real = os.path.realpath(where)
            info = Path(real).stat()
            out.append([path, real, info.st_size, info.st_mtime_ns])
        except (OSError, ValueError, RuntimeError):
            out.append([path, None, None, None])
    return out


def _sound(entry: object) -> bool:
    """Whether *entry* has the shape of an entry (its parts are checked as they are read)."""
    return (
        isinstance(entry, list)
        and len(entry) == 5
        and isinstance(entry[0], str)
        and isinstance(entry[1], list)
        and isinstance(entry[2], dict)
        and isinstance(entry[3], list)
        and isinstance(entry[4], dict)
    )
