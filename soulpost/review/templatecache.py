"""The compiled code of the packaged site templates, kept beside them as Python keeps .pyc.

Every ``soulpost site`` compiles the seven packaged templates before its page writers
fork (Jinja parses each, generates Python source and compiles that): about 40 ms of the
run's serial start, the same on every run. Jinja's ``bytecode_cache`` hook lets a loader
take that code from a cache instead; :class:`PackagedTemplateCache` is one that keeps it
only for the templates that ship with soulpost.

What makes it safe to reuse:

* Only a template the package's own ``templates/`` folder supplies is ever looked up or
  kept. A workspace's own templates (its ``templates/`` folder, ``--templates DIR``) come
  with the drafts, by pull request, and are compiled from their text every run: no cache
  file, whatever it holds, is ever read for them, and none is written.
* It lives in the package's ``__pycache__`` (or under ``sys.pycache_prefix``), never in a
  workspace or a shared cache folder: whoever can change it can change soulpost's .pyc
  files too. (A cache folder such as ``$SOULPOST_CACHE_DIR`` may be restored in CI from
  a cache a pull request wrote; that is fine for the lint's findings, which are data, but
  not for code.)
* Code is used only for the very text it was compiled from, by the same compiler: the
  key is a digest of the template's text, the Jinja version, the interpreter's bytecode
  magic and every environment setting that changes what Jinja generates (delimiters,
  whitespace control, autoescape, filters and tests, finalize, the template class). A
  changed template, an upgraded Jinja or Python, or another setting simply misses and is
  compiled as before; a file that is truncated or not ours is ignored.
* It is written as Python writes bytecode: not under ``PYTHONDONTWRITEBYTECODE`` (``-B``),
  atomically (a temporary file, then a rename), and a file that cannot be written or read
  is silently done without.
"""

from __future__ import annotations

import hashlib
import marshal
import re
import sys
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

from jinja2.bccache import Bucket, BytecodeCache

if TYPE_CHECKING:
    from jinja2 import Environment

# Bumped when what is kept, or how, changes.
FORMAT = b"soulpost-jinja-code 1\n"
PACKAGED = Path(__file__).with_name("templates")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.-]+")
# The environment's attributes that change the code Jinja generates for a template.
_SETTINGS = (
    "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
    "comment_start_string", "comment_end_string", "line_statement_prefix",
    "line_comment_prefix", "trim_blocks", "lstrip_blocks", "newline_sequence",
    "keep_trailing_newline", "autoescape", "optimized", "finalize", "is_async",
    "code_generator_class", "template_class", "context_class",
)  # fmt: skip


def default_folder(templates: Path = PACKAGED) -> Path | None:
    """Where Python would put the bytecode of a module in *templates* (its
    ``__pycache__``, or under ``sys.pycache_prefix``); None when it keeps none."""
    if sys.implementation.cache_tag is None:
        return None
    from importlib.util import cache_from_source

    return Path(cache_from_source(str(templates / "templates.py"))).parent


def _setting(value: Any) -> str:
    """A setting as the key shows it: a function by its qualified name (its code is
    soulpost's or Jinja's own, versioned with them), anything else by its repr."""
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', value)}"
    return repr(value)


def fingerprint(environment: Environment) -> bytes:
    """What, besides a template's text, decides the code Jinja compiles it into."""
    from importlib.util import MAGIC_NUMBER

    import jinja2

    settings = [
        str(getattr(jinja2, "__version__", "")),
        MAGIC_NUMBER.hex(),
        sys.version,
        *(_setting(getattr(environment, name, None)) for name in _SETTINGS),
        _setting(sorted(environment.extensions)),
        _setting(sorted(environment.filters)),
        _setting(sorted(environment.tests)),
    ]
    return "\n".join(settings).encode("utf-8", "surrogatepass")


class PackagedTemplateCache(BytecodeCache):
    """A Jinja bytecode cache for the templates in *templates* only (the packaged ones),
    kept in *folder* (:func:`default_folder`); see the module's docstring."""

    def __init__(self, templates: Path = PACKAGED, folder: Path | None = None) -> None:
        self.templates = templates.resolve()
        self.folder = folder if folder is not None else default_folder(templates)
        self._fingerprint: tuple[Environment, bytes] | None = None

    def packaged(self, filename: str | None) -> bool:
        """Whether *filename* (where the loader found a template) is in *templates*."""
        if filename is None:
            return False
        return Path(filename).resolve().parent == self.templates

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        if self.folder is None or not self.packaged(filename):
            return Bucket(environment, "", "")  # never loaded, never kept (dump_bytecode)
        key = name if _PLAIN_NAME.fullmatch(name) else hashlib.sha256(name.encode()).hexdigest()
        if self._fingerprint is None or self._fingerprint[0] is not environment:
            self._fingerprint = (environment, fingerprint(environment))
        text = source.encode("utf-8", "surrogatepass")
        digest = hashlib.sha256(self._fingerprint[1] + b"\0" + text)
        bucket = Bucket(environment, key, digest.hexdigest())
        self.load_bytecode(bucket)
        return bucket

    def _path(self, bucket: Bucket) -> Path:
        assert self.folder is not None
        return self.folder / f"{bucket.key}.{sys.implementation.cache_tag}.jinja"

    def load_bytecode(self, bucket: Bucket) -> None:
        if not bucket.key:
            return
        head = FORMAT + bucket.checksum.encode("ascii") + b"\n"
        try:
            data = self._path(bucket).read_bytes()
        except OSError:
            return
        if not data.startswith(head):
            return  # another template text, Jinja, Python or setting: compiled anew
        try:
            code = marshal.loads(data[len(head) :])
        except (EOFError, ValueError, TypeError):
            return
        if isinstance(code, CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        from soulpost.codecache import write_beside_code

        code = bucket.code
        if not bucket.key or code is None:
            return
        head = FORMAT + bucket.checksum.encode("ascii") + b"\n"
        write_beside_code(self._path(bucket), lambda: head + marshal.dumps(code))

    def clear(self) -> None:
        """Jinja's ``clear``: nothing kept is worth removing by hand (a stale file is
        simply replaced), so this does nothing."""
