"""Every rule soulpost knows: built-in Python rules, rule packs, and third-party plugins.

Rules arrive three ways and all pass the same checks (as flake8 does for its plugins):

1. **find**: the built-in classes; the packs shipped inside soulpost (``soulpost/lint/packs``,
   which is the repository's top-level ``rules/`` folder); the workspace's own
   ``rules/*.toml`` and any files named in ``[lint] packs``; and entry points in the
   ``soulpost.rules`` group (found from metadata alone, nothing imported yet);
2. **load**: parse a pack, or import a plugin; a failure is a hard error naming the file
   and line, or the entry point and its distribution;
3. **validate**: a code like ``SP101``, a kebab-case name, a known severity and lesson, a
   summary, a rule class, and no code or name used twice.

A pack is TOML with one ``[[rule]]`` table per rule::

    [[rule]]
    code = "SP104"
    name = "pressure"
    kind = "phrases"            # a reusable kind from soulpost.lint.kinds
    severity = "warning"
    lesson = "listen"
    summary = "..."
    why = "..."
    message = "{match!r} puts pressure on people"
    bad = ["Act now!"]
    good = ["The workshop is on Tuesday."]
    options = { phrases = ["act now", "last chance"] }
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, NoReturn

import tomli
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from soulpost.errors import ConfigError
from soulpost.factories import new_dict, new_list
from soulpost.lint.model import LESSONS, SEVERITY_RANK, Severity
from soulpost.lint.rule import PostRule, QueueRule, Rule, RuleSpec
from soulpost.text.lazyre import lazy, module_getattr
from soulpost.tomlpos import SourceMap

ENTRY_POINT_GROUP = "soulpost.rules"
CODE = re.compile(r"^[A-Z]{1,4}[0-9]{2,4}$")
NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_prefix = lazy(r"^[A-Z]{1,4}[0-9]{0,3}$")

# An ISO 639-1 language code, as `[lint] languages` and the language detector use them.
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


def shipped_packs() -> list[Path]:
    """The packs inside the installed soulpost (the repository's ``rules/*.toml``)."""
    folder = Path(__file__).resolve().parent / "packs"
    return sorted(folder.glob("*.toml"))


class _PackRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    kind: str
    severity: Severity
    lesson: str
    summary: str
    why: str = ""
    message: str = ""
    bad: list[str] = Field(default_factory=new_list)
    good: list[str] = Field(default_factory=new_list)
    options: dict[str, Any] = Field(default_factory=new_dict)
    enabled: bool = True
    # The languages whose posts this rule judges; None: the pack's languages.
    languages: list[Language] | None = None


class _PackHead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    description: str = ""
    # The languages the pack's rules judge by default ([] : rules that do not depend on
    # language, such as capitals or punctuation, run on every post).
    languages: list[Language] = Field(default_factory=new_list)


class _Pack(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pack: _PackHead = Field(default_factory=_PackHead)
    rule: list[_PackRule] = Field(default_factory=new_list)


def load_pack(path: Path, origin: str | None = None, *, vetted: bool = False) -> list[RuleSpec]:
    """Parse one pack file into rule specs; raise ConfigError naming the file and line.

    *vetted* marks a pack shipped inside soulpost, whose patterns need no time bound.
    """
    text, pack, checked = _read_pack(path, vetted=vetted)
    where = _PackFile(path, text, origin or f"pack:{path.name}", vetted, checked=checked)
    return [where.spec(i, entry, pack.pack.languages) for i, entry in enumerate(pack.rule)]


def _read_pack(path: Path, *, vetted: bool = False) -> tuple[str, _Pack, bool]:
    """The text of the pack at *path*, its validated shape, and whether its data come
    from the shipped packs' snapshot (whose rule options were checked when it was made).

    A shipped (*vetted*) pack's data come from the parsed snapshot when it was made from
    this very file (see :mod:`soulpost.lint.packsnap`), else from parsing the TOML.
    """
    from soulpost.problems import toml_error, validation_errors

    try:
        if vetted:
            from soulpost.lint.packsnap import parsed

            raw = path.read_bytes()
            # As read_text decodes: UTF-8, with universal newlines.
            text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
            data = parsed(path.name, raw)
            checked = data is not None
            if data is None:
                data = tomli.loads(text)
        else:
            checked = False
            text = path.read_text(encoding="utf-8")
            data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        err = toml_error(exc, path)
        raise ConfigError(f"rule pack: {err.problem}", path=path, line=err.line) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read rule pack: {exc}", path=path) from None
    try:
        return text, _Pack.model_validate(data), checked
    except ValidationError as exc:
        first = validation_errors(exc, path, SourceMap.scan(text), _Pack)[0]
        raise ConfigError(
            f"rule pack: {first.problem}",
            path=path,
            line=first.line,
            key=first.key,
            hint=first.hint,
        ) from None


@dataclass
class _PackFile:
    """One pack being turned into specs, and the errors that name its file and line."""

    path: Path
    text: str
    origin: str
    vetted: bool
    checked: bool = False  # from the snapshot: see RuleSpec.checked
    # Key positions are needed only for an error: the file is scanned then, not before.
    source: SourceMap | None = None

    def fail(self, problem: str, i: int, key: str, hint: str | None = None) -> NoReturn:
        """Raise for rule number *i*, at its *key* (e.g. "kind"), else at the rule."""
        if self.source is None:
            self.source = SourceMap.scan(self.text)
        line = (self.source.line_of(("rule", i, key)) if key else None) or self.source.line_of(
            ("rule", i)
        )
        where = f"rule[{i}].{key}" if key else f"rule[{i}]"
        raise ConfigError(f"rule pack: {problem}", path=self.path, line=line, key=where, hint=hint)

    def spec(self, i: int, entry: _PackRule, languages: Sequence[str] = ()) -> RuleSpec:
        """The spec of rule number *i*, validated as the registry will; *languages* are
        the pack's, for a rule that names none of its own."""
        from soulpost.lint.kinds import KINDS

        kind = KINDS.get(entry.kind)
        if kind is None:
            import difflib  # only for this error (and an unknown rule name's)

            close = difflib.get_close_matches(entry.kind, list(KINDS), n=1)
            self.fail(
                f"unknown rule kind {entry.kind!r}",
                i,
                "kind",
                f"did you mean {close[0]!r}?" if close else f"kinds: {', '.join(sorted(KINDS))}",
            )
        spec = RuleSpec(
            cls=kind,
            code=entry.code,
            name=entry.name,
            severity=entry.severity,
            lesson=entry.lesson,
            summary=entry.summary.strip(),
            why=" ".join(entry.why.split()),
            bad=tuple(entry.bad),
            good=tuple(entry.good),
            message=entry.message,
            defaults=entry.options,
            origin=self.origin,
            default_enabled=entry.enabled,
            vetted=self.vetted,
            checked=self.checked,
            languages=tuple(entry.languages if entry.languages is not None else languages),
        )
        try:
            spec.options()
        except ValueError as exc:
            self.fail(str(exc), i, "options")
        # A snapshot pack's messages were checked when it was made (packsnap.check), so a
        # one-draft lint need not import string (and its Template pattern) to check them.
        problem = None if self.checked else _message_problem(entry.message)
        if problem:
            self.fail(problem, i, "message")
        problem = _invalid(spec)
        if problem:
            self.fail(problem, i, "")
        return spec


# A message's format spec may pad or cut (``{match:>20}``), not ask for gigabytes: a pack
# is data from a repository, and ``{match:>2000000000}`` would build a 2 GB string a hit.
_BIG_NUMBER = re.compile(r"\d{4,}")


def _message_problem(message: str) -> str | None:
    """Why a pack rule's *message* template is unsafe to fill, or None."""
    import string

    try:
        fields = list(string.Formatter().parse(message))
    except ValueError:
        return None  # Rule.say shows a template it cannot fill as written
    for _text, name, spec, _conversion in fields:
        if spec and ("{" in spec or _BIG_NUMBER.search(spec)):
            return (
                f"message field {{{name}:{spec}}}: a width or precision is at most 999 "
                "and cannot come from another field"
            )
    return None


def _invalid(spec: RuleSpec) -> str | None:
    """Why *spec* cannot be used, or None."""
    if not CODE.match(spec.code):
        return f"code {spec.code!r} must look like SP101 (1-4 capitals, 2-4 digits)"
    if not NAME.match(spec.name):
        return f"name {spec.name!r} must be kebab-case, e.g. 'no-shouting'"
    if spec.severity not in SEVERITY_RANK:
        return f"{spec.code}: severity {spec.severity!r} must be one of error, warning, info"
    if spec.lesson not in LESSONS:
        return f"{spec.code}: lesson {spec.lesson!r} must be one of {', '.join(LESSONS)}"
    if not spec.summary:
        return f"{spec.code}: a summary is required"
    if not (isinstance(spec.cls, type) and issubclass(spec.cls, PostRule | QueueRule)):
        return f"{spec.code}: {spec.cls!r} is not a PostRule or QueueRule subclass"
    return None


@dataclass
class Registry:
    """Every known rule, with lookups by code, name and code prefix."""

    specs: list[RuleSpec] = field(default_factory=list)
    by_code: dict[str, RuleSpec] = field(default_factory=dict)
    by_name: dict[str, RuleSpec] = field(default_factory=dict)

    def add(self, spec: RuleSpec, where: Path | None = None) -> None:
        """Add *spec* after validating it; a clash names both origins."""
        problem = _invalid(spec)
        clash = self.by_code.get(spec.code) or self.by_name.get(spec.name)
        if problem is None and clash is not None:
            what = f"code {spec.code}" if clash.code == spec.code else f"name {spec.name!r}"
            problem = f"{what} of {spec.origin} is already used by {clash.origin}"
        if problem is not None:
            raise ConfigError(problem, path=where, hint="rule codes and names must be unique")
        self.specs.append(spec)
        self.by_code[spec.code] = spec
        self.by_name[spec.name] = spec

    def resolve(self, token: str) -> tuple[list[RuleSpec], int] | None:
        """Rules *token* means, with its specificity (ALL < prefix < code/name), or None."""
        if token == "ALL":
            return list(self.specs), 0
        spec = self.by_code.get(token) or self.by_name.get(token)
        if spec is not None:
            return [spec], 100
        if _prefix().match(token):
            found = [s for s in self.specs if s.code.startswith(token)]
            if found:
                return found, len(token)
        return None

    def suggest(self, token: str) -> str | None:
        """A close rule code or name for an unknown *token*, for the error message."""
        pool = [*self.by_name, *self.by_code]
        import difflib  # only for an unknown name's hint

        close = difflib.get_close_matches(token, pool, n=1, cutoff=0.6)
        if not close:
            close = difflib.get_close_matches(token.lower(), [*self.by_name], n=1, cutoff=0.5)
        return close[0] if close else None

    def unknown(self, token: str) -> str:
        """A hint for an unknown rule token."""
        close = self.suggest(token)
        if close:
            return f"did you mean {close!r}? `soulpost rules` lists every rule"
        return "`soulpost rules` lists every rule code and name"


def _entry_point_rules(loaded: Any) -> list[type[Rule]]:
    if isinstance(loaded, type):
        return [loaded]
    if hasattr(loaded, "RULES"):
        loaded = loaded.RULES
    if isinstance(loaded, Iterable):
        return list(loaded)
    return [loaded]


def _any_distribution_names_the_group() -> bool:
    """Whether some installed distribution's ``entry_points.txt`` mentions the group.

    ``entry_points(group=...)`` parses the entry points of every installed distribution
    (about 10 ms with a hundred of them: a twentieth of linting one draft) to find, nearly
    always, none. Reading the files and looking for the group's name is a quarter of that;
    only when one mentions it does the full search run, so what it finds is unchanged.
    Most often :func:`~soulpost.distscan.group_absent` answers first, without importing
    :mod:`importlib.metadata` at all.
    """
    from soulpost.distscan import group_absent

    if group_absent(ENTRY_POINT_GROUP):
        return False
    from importlib.metadata import distributions

    for dist in distributions():
        text = dist.read_text("entry_points.txt")
        if text and ENTRY_POINT_GROUP in text:
            return True
    return False


def plugin_specs() -> list[tuple[RuleSpec, str]]:
    """Rules from the ``soulpost.rules`` entry points: find, then load, each named on error."""
    out: list[tuple[RuleSpec, str]] = []
    if not _any_distribution_names_the_group():
        return out
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist is not None else "unknown"
        where = f"rule plugin {ep.name!r} ({ep.value}) from distribution {dist}"
        try:
            loaded = ep.load()
        except Exception as exc:
            raise ConfigError(
                f"{where} failed to load: {type(exc).__name__}: {exc}",
                hint="fix or uninstall that distribution",
            ) from None
        for cls in _entry_point_rules(loaded):
            if not (isinstance(cls, type) and issubclass(cls, PostRule | QueueRule)):
                raise ConfigError(
                    f"{where} gave {cls!r}, which is not a PostRule or QueueRule subclass",
                    hint="fix or uninstall that distribution",
                )
            origin = f"plugin:{ep.dist.name if ep.dist is not None else ep.name}"
            out.append((RuleSpec.from_class(cls, origin), where))
    return out


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b) or a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def workspace_packs(root: Path | None, extra: Sequence[str] = ()) -> list[Path]:
    """The workspace's own packs: ``rules/*.toml`` and files named in ``[lint] packs``."""
    if root is None:
        return []
    found = sorted((root / "rules").glob("*.toml"))
    for name in extra:
        path = (root / name).resolve()
        if path not in found:
            found.append(path)
    shipped = shipped_packs()
    return [p for p in found if not any(_same_file(p, s) for s in shipped)]


_CACHE: dict[tuple[Any, ...], Registry] = {}


def load_registry(
    root: Path | None = None, packs: Sequence[str] = (), *, plugins: bool = True
) -> Registry:
    """Every rule for a workspace at *root* (None: built-in rules and shipped packs only)."""
    files = [*shipped_packs(), *workspace_packs(root, packs)]
    stamp = []
    for path in files:
        try:
            stamp.append((str(path), path.stat().st_mtime_ns))
        except OSError:
            stamp.append((str(path), -1))
    key = (tuple(stamp), plugins)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    from soulpost.lint.builtin import RULES

    registry = Registry()
    for cls in RULES:
        registry.add(RuleSpec.from_class(cls))
    shipped = set(shipped_packs())
    for path in files:
        if not path.is_file():
            raise ConfigError(
                "rule pack not found", path=path, key="lint.packs", hint="check the path"
            )
        origin = f"pack:{path.name}" if path in shipped else f"pack:{_shown(path, root)}"
        for spec in load_pack(path, origin, vetted=path in shipped):
            registry.add(spec, path)
    if plugins:
        for spec, where in plugin_specs():
            try:
                registry.add(spec)
            except ConfigError as exc:
                raise ConfigError(f"{where}: {exc.problem}", hint=exc.hint) from None
    registry.specs.sort(key=lambda s: s.code)
    _CACHE[key] = registry
    return registry


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


__all__ = ["Registry", "load_pack", "load_registry", "shipped_packs"]


# PREFIX is compiled when asked for: only a selection naming a code prefix needs it.
__getattr__ = module_getattr(__name__, {"PREFIX": _prefix})
