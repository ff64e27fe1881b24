"""``soulpost explain CODE|NAME``: what a rule checks, why, examples and options."""

from __future__ import annotations

import argparse
import sys

from soulpost.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", metavar="CODE|NAME", help="a rule code (SP101) or name (shouting)")


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.rules import load
    from soulpost.lint.docs import explain

    registry, ruleset = load(args)
    token = args.rule.strip()
    spec = (
        registry.by_code.get(token.upper())
        or registry.by_name.get(token)
        or registry.by_name.get(token.lower())
    )
    if spec is None:
        raise UsageError(f"unknown rule {token!r}: {registry.unknown(token)}")
    info = ruleset.infos.get(spec.code) or spec.info()
    sys.stdout.write(explain(spec, info, registry))
    return 0
