"""``soulpost rules``: every loaded rule with its code, name, severity, lesson and summary."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from soulpost.commands import start_dir
from soulpost.errors import WorkspaceNotFound

if TYPE_CHECKING:
    from soulpost.lint.registry import Registry
    from soulpost.lint.select import RuleSet


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text table, JSON for scripts, or the Markdown of docs/rules.md",
    )
    parser.add_argument(
        "--builtin",
        action="store_true",
        help="only what ships with soulpost (ignore the workspace's packs and [lint] settings)",
    )


def load(args: argparse.Namespace, *, builtin: bool = False) -> tuple[Registry, RuleSet]:
    """The registry and configured rules of the workspace (or the built-in defaults)."""
    from soulpost.config import Settings
    from soulpost.lint.registry import load_registry
    from soulpost.lint.select import configure
    from soulpost.workspace import find_root, load_settings

    if not builtin:
        try:
            root = find_root(start_dir(args))
        except WorkspaceNotFound:
            pass
        else:
            settings, config_path = load_settings(root)
            registry = load_registry(root, settings.lint.packs)
            return registry, configure(registry, settings.lint, config_path=config_path)
    registry = load_registry(None)
    return registry, configure(registry, Settings().lint)


def run(args: argparse.Namespace) -> int:
    registry, ruleset = load(args, builtin=args.builtin)
    if args.format == "markdown":
        from soulpost.lint.docs import rules_markdown

        sys.stdout.write(rules_markdown(registry))
        return 0
    rows: list[dict[str, Any]] = []
    for spec in registry.specs:
        info = ruleset.infos.get(spec.code) or spec.info()
        rows.append(
            {
                "code": spec.code,
                "name": spec.name,
                "severity": info.severity,
                "lesson": spec.lesson,
                "scope": spec.scope,
                "enabled": spec.code in ruleset.infos,
                "origin": spec.origin,
                # ISO 639-1 codes the rule judges; empty when it judges every language
                "languages": list(spec.languages),
                "summary": spec.summary,
            }
        )
    if args.format == "json":
        json.dump({"version": 1, "rules": rows}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    name_width = max(len(r["name"]) for r in rows)
    for row in rows:
        state = "" if row["enabled"] else "  (off)"
        print(
            f"{row['code']:<6} {row['name']:<{name_width}}  {row['severity']:<7}  "
            f"{row['lesson']:<10}  {row['summary']}{state}"
        )
    enabled = sum(r["enabled"] for r in rows)
    print(f"\n{len(rows)} rules, {enabled} enabled; `soulpost explain CODE` tells more")
    return 0
