"""From ``[lint]`` settings to the rules that run, each with its severity and options.

``select`` and ``ignore`` take rule codes (``SP101``), code prefixes (``SP1``), names
(``shouting``) or ``ALL``. When both match a rule, the more specific entry wins (a code or
name beats a prefix, a longer prefix beats a shorter one, anything beats ``ALL``); on a tie
``ignore`` wins. ``severity`` and ``options`` are keyed by code or name. Anything that
names no known rule is an error, never silence. Options are validated here, once per run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soulpost.config import LintSettings
from soulpost.errors import ConfigError
from soulpost.lint.model import RuleInfo, Severity
from soulpost.lint.registry import Registry
from soulpost.lint.rule import PostRule, QueueRule, Rule, RuleSpec


class RuleInfos(Mapping[str, RuleInfo]):
    """Each configured rule's :class:`RuleInfo`, by code, made when first asked for.

    Showing a rule's options builds its options model (see ``RuleOptions``); a lint run
    asks for the infos only in the formats that describe the rules (SARIF) or the rules
    that found something, so most are never made.
    """

    def __init__(self) -> None:
        self._pending: dict[str, tuple[RuleSpec, Severity, Any]] = {}
        self._made: dict[str, RuleInfo] = {}

    def add(self, spec: RuleSpec, severity: Severity, options: Any) -> None:
        self._pending[spec.code] = (spec, severity, options)

    def __getitem__(self, code: str) -> RuleInfo:
        made = self._made.get(code)
        if made is None:
            spec, severity, options = self._pending[code]
            made = self._made[code] = spec.info(severity, options)
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._pending)

    def __len__(self) -> int:
        return len(self._pending)

    def __contains__(self, code: object) -> bool:
        return code in self._pending


@dataclass
class RuleSet:
    """The configured rules of one run."""

    registry: Registry
    post_rules: list[PostRule] = field(default_factory=list)
    queue_rules: list[QueueRule] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)  # code -> severity
    infos: RuleInfos = field(default_factory=RuleInfos)  # code -> info
    unused_suppressions: bool = False

    @property
    def rules(self) -> list[Rule]:
        return [*self.post_rules, *self.queue_rules]


class _Where:
    """Builds config errors that point at the line of a ``[lint]`` key."""

    def __init__(self, path: Path | None, prefix: tuple[str, ...]) -> None:
        self.path = path
        self.prefix = prefix

    def error(self, problem: str, key: tuple[str, ...], hint: str | None = None) -> ConfigError:
        line = None
        if self.path is not None:
            try:
                from soulpost.tomlpos import SourceMap

                smap = SourceMap.scan(self.path.read_text(encoding="utf-8"))
                line = smap.line_of((*self.prefix, *key))
            except (OSError, UnicodeDecodeError):
                line = None
        return ConfigError(problem, path=self.path, line=line, key=".".join(key), hint=hint)


def _resolve(
    registry: Registry, token: str, key: tuple[str, ...], where: _Where
) -> tuple[list[RuleSpec], int]:
    found = registry.resolve(token)
    if found is None:
        raise where.error(f"unknown rule {token!r}", key, registry.unknown(token))
    return found


def configure(
    registry: Registry,
    settings: LintSettings,
    *,
    config_path: Path | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    unused_suppressions: bool = False,
) -> RuleSet:
    """The rules to run. *select*/*ignore* (from the command line) replace/extend config."""
    prefix = ("tool", "soulpost") if config_path and config_path.name == "pyproject.toml" else ()
    where = _Where(config_path, prefix)
    tokens = select if select is not None else settings.select
    chosen = _weights(registry, tokens, ("lint", "select"), where)
    explicit = {code for code, weight in chosen.items() if weight == 100}
    dropped = _weights(registry, [*settings.ignore, *ignore], ("lint", "ignore"), where)
    severity = _severities(registry, settings, where)
    options = _options(registry, settings, where)
    ruleset = RuleSet(registry, unused_suppressions=unused_suppressions)
    allow = frozenset(settings.allow)
    for spec in registry.specs:
        weight = chosen.get(spec.code, -1)
        on = weight >= 0 and weight > dropped.get(spec.code, -1)
        if on and not spec.default_enabled and spec.code not in explicit:
            on = spec.code == "SP900" and unused_suppressions
        if spec.code == "SP900" and unused_suppressions and spec.code not in dropped:
            on = True
        if not on:
            continue
        overrides = options.get(spec.code)
        # A shipped pack's post rule with its own options was tested with them: it is set
        # up on first use (see Rule.set_up). Anything configured is set up now, so that a
        # bad pattern is a configuration error before any post is read.
        deferred = spec.vetted and not overrides and issubclass(spec.cls, PostRule)
        try:
            rule = spec.build(overrides, allow, deferred=deferred)
        except ValueError as exc:
            raise where.error(
                f"{spec.code} ({spec.name}): {exc}", ("lint", "options", spec.name)
            ) from None
        level = severity.get(spec.code, (0, spec.severity))[1]
        ruleset.severity[spec.code] = level
        ruleset.infos.add(spec, level, rule.options)
        if isinstance(rule, QueueRule):
            ruleset.queue_rules.append(rule)
        elif isinstance(rule, PostRule):
            ruleset.post_rules.append(rule)
    ruleset.unused_suppressions = "SP900" in ruleset.severity
    return ruleset


def _weights(
    registry: Registry, tokens: Sequence[str], key: tuple[str, ...], where: _Where
) -> dict[str, int]:
    """Each rule *tokens* name, by code, with the specificity of its most specific token."""
    weights: dict[str, int] = {}
    for token in tokens:
        specs, weight = _resolve(registry, token, key, where)
        for spec in specs:
            weights[spec.code] = max(weights.get(spec.code, -1), weight)
    return weights


def _severities(
    registry: Registry, settings: LintSettings, where: _Where
) -> dict[str, tuple[int, Severity]]:
    """``[lint] severity``: by code, the most specific entry's level (with its weight)."""
    severity: dict[str, tuple[int, Severity]] = {}
    for token, value in settings.severity.items():
        specs, weight = _resolve(registry, token, ("lint", "severity", token), where)
        for spec in specs:
            if weight >= severity.get(spec.code, (-1, value))[0]:
                severity[spec.code] = (weight, value)
    return severity


def _options(
    registry: Registry, settings: LintSettings, where: _Where
) -> dict[str, Mapping[str, Any]]:
    """``[lint.options]`` by rule code; a code and a name of one rule merge."""
    options: dict[str, Mapping[str, Any]] = {}
    for token, values in settings.options.items():
        target = registry.by_code.get(token) or registry.by_name.get(token)
        if target is None:
            raise where.error(
                f"options for unknown rule {token!r}",
                ("lint", "options", token),
                registry.unknown(token),
            )
        options[target.code] = {**options.get(target.code, {}), **values}
    return options
