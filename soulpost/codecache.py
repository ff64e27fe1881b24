"""Compiled code for the source text that libraries generate at start-up, kept as .pyc is.

Before soulpost reads a single file, the interpreter compiles about 1,200 snippets of
source text that the libraries it imports write at run time: :mod:`dataclasses` writes each
``__init__``, ``__repr__``, ``__eq__``... as text and ``exec``s it (about 290 functions,
most of them pydantic's and annotated_types'), :mod:`typing` compiles every string
annotation it turns into a ``ForwardRef`` (about 890, most of them pydantic_core's
TypedDicts), and :func:`collections.namedtuple` ``eval``s each ``__new__``. Parsing and
compiling that text was about a sixth of a one-draft ``soulpost lint`` (170 M of 935 M
instructions), and the text is the same on every run. Python keeps the bytecode of modules
in ``__pycache__``; this keeps the bytecode of those snippets beside soulpost's own.

What makes it safe to reuse:

* A snippet is looked up by its exact text and mode, and the code is what ``compile``
  returns for that text with the same arguments the library passes (file name
  ``<string>``, no flags, nothing inherited from the caller, which has no ``__future__``
  imports): an upgraded library's new text simply misses and is compiled as before.
* The file starts with ``sys.version`` (the interpreter's version and build): code
  objects written by another interpreter are never loaded.
* It lives in soulpost's own ``__pycache__`` (or under ``sys.pycache_prefix``), never in a
  workspace: whoever can change it can change soulpost's .pyc files too. Drafts, which are
  untrusted, never reach it.
* It is written as Python writes bytecode: not under ``PYTHONDONTWRITEBYTECODE`` (``-B``),
  atomically (a temporary file, then a rename), only by the process that loaded it, and a
  file that cannot be written or read is silently done without.

The same file keeps the answers of a few pure functions of a pattern's text that rule
set-up asks on every run (:func:`remembered`: the gates read off a regular expression's
parse tree, about a tenth of a one-draft lint and a quarter of one with an edited draft),
and the code ``re`` assembles for the regular expressions the linter compiles
(:func:`compiled_regex`).

Only the libraries' own module globals are pointed at the caching functions (each of
``typing``, ``dataclasses`` and ``collections`` looks ``compile``/``exec``/``eval`` up in
its globals before the builtins); the builtins themselves are left alone.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import importlib
import marshal
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

_T = TypeVar("_T")

_FILE_NAME = "<string>"
_compile = builtins.compile
_exec = builtins.exec
_eval = builtins.eval


class _Kept:
    """This process's kept code and where it goes."""

    def __init__(self) -> None:
        # kind ("exec", "eval") -> text -> code: what the file held, and what this
        # run used. See _to_write for what is written.
        self.loaded: dict[str, dict[Any, Any]] = {}
        self.codes: dict[str, dict[Any, Any]] = {}
        self.new = False  # whether this process compiled something the file does not have
        self.owner = 0  # the pid that loaded the file (forked workers never write it)
        self.path: Path | None = None  # one file per command: each loads only its own


_kept = _Kept()


def cache_path(name: str) -> Path:
    """Where command *name*'s code lives: beside this module's .pyc (honouring
    ``sys.pycache_prefix``), e.g. ``__pycache__/codecache.lint.cpython-311.code``."""
    from importlib.util import cache_from_source

    pyc = Path(cache_from_source(__file__))
    stem, tag, _ = pyc.name.rsplit(".", 2)
    return pyc.with_name(f"{stem}.{name}.{tag}.code")


def install(name: str) -> None:
    """Load command *name*'s kept code and point typing, dataclasses and collections at it.

    Call before the heavy imports (pydantic) so that their snippets are found; a second
    call does nothing.
    """
    if _kept.owner or sys.implementation.cache_tag is None:  # no bytecode cache at all
        return
    _kept.owner = os.getpid()
    _kept.path = cache_path(name)
    _kept.loaded = _load(_kept.path)
    # collections first: importing dataclasses imports inspect, dis and tokenize, whose
    # named tuples (a dozen ``__new__`` snippets) would otherwise be compiled every run.
    import collections

    collections.eval = cached_eval  # type: ignore[attr-defined]
    import dataclasses
    import typing

    typing.compile = cached_compile  # type: ignore[attr-defined]
    dataclasses.exec = cached_exec  # type: ignore[attr-defined]


def _load(path: Path) -> dict[str, dict[Any, Any]]:
    try:
        version, codes = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if version != sys.version or not isinstance(codes, dict):
        return {}
    return codes


def cached_compile(  # noqa: PLR0917 (the builtin's signature, which callers use positionally)
    source: Any,
    filename: Any,
    mode: str,
    flags: int = 0,
    dont_inherit: bool = False,
    optimize: int = -1,
) -> Any:
    """``compile``, answered from the kept code for plain source text compiled as a snippet."""
    if type(source) is not str or filename != _FILE_NAME or flags or optimize != -1:
        return _compile(source, filename, mode, flags, dont_inherit, optimize)
    code = _find(mode, source)
    if code is None:
        code = _compile(source, _FILE_NAME, mode, 0, True)
        _keep(mode, source, code)
    return code


def _find(kind: str, key: Any) -> Any:
    """What this run or the file has for *key*, or None."""
    used = _kept.codes.get(kind)
    found = used.get(key) if used is not None else None
    if found is None:
        loaded = _kept.loaded.get(kind)
        found = loaded.get(key) if loaded is not None else None
        if found is not None:
            _kept.codes.setdefault(kind, {})[key] = found
    return found


def _keep(kind: str, key: Any, value: Any) -> None:
    _kept.codes.setdefault(kind, {})[key] = value
    _kept.new = True


def cached_exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:
    """``exec``, with source text compiled through :func:`cached_compile`."""
    if type(source) is str:
        source = cached_compile(source, _FILE_NAME, "exec")
    if globals is None:  # the caller's namespace, as the builtin takes it, not this module's
        globals, locals = _callers(locals)
    _exec(source, globals, locals)


def cached_eval(source: Any, globals: Any = None, locals: Any = None, /) -> Any:
    """``eval``, with source text compiled through :func:`cached_compile`."""
    if type(source) is str:
        source = cached_compile(source, _FILE_NAME, "eval")
    if globals is None:
        globals, locals = _callers(locals)
    return _eval(source, globals, locals)


def _callers(locals: Any) -> tuple[dict[str, Any], Any]:
    frame = sys._getframe(2)
    return frame.f_globals, frame.f_locals if locals is None else locals


def remembered(*modules: str) -> Callable[[Callable[[str], _T]], Callable[[str], _T]]:
    """Keep the results of a function of one string with the code, between runs.

    For pure functions of a pattern's text whose answers cost more to work out than to
    look up: the gates the rule kinds read off a regular expression's parse tree. The
    answers are kept under the function's name and a stamp of the files of its module and
    of *modules* (those whose code it runs), as Python stamps .pyc files (modification
    time and size): an edited module's answers are worked out again. What is kept must
    be something marshal writes (strings, numbers, tuples, frozensets, None). Where the
    command line did not :func:`install` the cache (tests, the library), the function
    simply runs.
    """

    def decorate(func: Callable[[str], _T]) -> Callable[[str], _T]:
        kinds: list[str | None] = []  # worked out on the first call in an installed run

        @functools.wraps(func)
        def remembering(text: str) -> _T:
            if not _kept.owner:
                return func(text)
            if not kinds:
                kinds.append(_memo_kind(func, (func.__module__, *modules)))
            kind = kinds[0]
            if kind is None:
                return func(text)
            found = _find(kind, text)
            if found is None:
                found = (func(text),)
                _keep(kind, text, found)
            return found[0]  # type: ignore[no-any-return]

        return remembering

    return decorate


def compiled_regex(source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)``, its assembled code kept with the code between runs.

    ``re`` parses a pattern and assembles its code in Python, 0.1-2 ms per pattern: the
    two hundred-odd a lint of a large queue compiles (the packs' patterns and phrase
    lists) were a tenth of the CPU time of linting 1,000 drafts, paid again by every run
    (and by each forked worker for the patterns it meets first; what a worker assembles
    is not kept, as with the gates). What ``re`` hands its C engine at the end
    (the code as a list of numbers, the group count and names) is plain data; it is kept
    here like the rest, for this interpreter only (the file starts with ``sys.version``),
    and given to the engine as ``re`` gives it, which checks the code before running it
    (``_sre`` validates every pattern it is given). Where the cache is not installed,
    or the pattern does not compile, this is ``re.compile`` itself.
    """
    flags = int(flags)
    if not _kept.owner or flags & re.DEBUG:
        return re.compile(source, flags)
    key = (source, flags)
    found = _find("regex", key)
    if found is None:
        try:
            found = _assembled(source, flags)
        except (re.error, ValueError, RecursionError, OverflowError):
            return re.compile(source, flags)  # raises as re.compile does
        _keep("regex", key, found)
    engine: Any = importlib.import_module("_sre")
    try:
        return engine.compile(source, *found)  # type: ignore[no-any-return]
    except (RuntimeError, TypeError, ValueError):  # not what this re makes: compile anew
        return re.compile(source, flags)


def _assembled(source: str, flags: int) -> tuple[Any, ...]:
    """What ``re._compiler.compile`` passes ``_sre.compile`` after the pattern itself."""
    compiler: Any = importlib.import_module("re._compiler")
    parser: Any = importlib.import_module("re._parser")
    parsed = parser.parse(source, flags)
    code = [int(op) for op in compiler._code(parsed, flags)]  # marshal takes plain ints only
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (
        int(flags | parsed.state.flags),
        code,
        int(parsed.state.groups - 1),
        groupindex,
        tuple(indexgroup),
    )


def _memo_kind(func: Callable[..., Any], modules: tuple[str, ...]) -> str | None:
    """The key of *func*'s answers: its name and its modules' files' stamps (None when a
    module has no file to stamp)."""
    stamps = []
    for name in modules:
        file = getattr(sys.modules.get(name), "__file__", None)
        try:
            st = Path(file).stat() if file else None
        except OSError:
            st = None
        if st is None:
            return None
        stamps.append(f"{st.st_mtime_ns}:{st.st_size}")
    return f"memo {func.__module__}.{func.__qualname__} {' '.join(stamps)}"


def _to_write() -> dict[str, dict[Any, Any]]:
    """What this run used, with the file's other snippets while they do not outnumber it.

    Two runs of one command may use different code (one draft, or a whole queue whose
    workers the parent forks): keeping the file's other snippets spares each from
    compiling the other's again, and snippets no run asks for any more (a library's old
    text) are dropped once they outnumber what a run uses.
    """
    out = {kind: dict(entries) for kind, entries in _kept.codes.items()}
    for kind in dict.fromkeys([*out, "exec", "eval"]):  # memos: only while one is used
        loaded = _kept.loaded.get(kind, {})
        used = out.setdefault(kind, {})
        unused = loaded.keys() - used.keys()
        if len(unused) <= len(used):
            used.update((key, loaded[key]) for key in unused)
    return out


def save() -> None:
    """Write the code when this process compiled something new (as Python writes .pyc)."""
    path = _kept.path
    if path is None or not _kept.new or os.getpid() != _kept.owner or sys.dont_write_bytecode:
        return
    _kept.new = False
    write_beside_code(path, lambda: marshal.dumps((sys.version, _to_write())))


def write_beside_code(path: Path, make: Callable[[], bytes]) -> None:
    """Write what *make* gives to *path* as Python writes a .pyc: not under
    ``PYTHONDONTWRITEBYTECODE`` (``-B``), through a temporary file and a rename (a reader
    sees the old file or the new one), and silently not at all when it cannot be written.
    The file is opened before *make* runs, so an unwritable folder (a package installed
    by another user) costs no dump. Used for everything soulpost keeps beside its code:
    this module's file, the packs' snapshot and the site templates' compiled code."""
    if sys.dont_write_bytecode:
        return
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as file:
            file.write(make())
        temporary.replace(path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            temporary.unlink()
