"""The shipped rule packs, already parsed: a generated snapshot beside the TOML.

Parsing the four shipped packs (200 kB of TOML) with tomli was about a twentieth of
linting one draft; reading the same data as JSON costs a third of that. The TOML files
stay the source: each pack's entry in ``packs/shipped.json`` records the size and CRC-32
of the bytes it was made from, and a pack whose bytes differ (edited, not regenerated) is
parsed from its TOML as before, so a stale snapshot can only cost time, never change a
rule. The test-suite checks that the snapshot is current. Regenerate it after editing a
pack in ``rules/``::

    .venv/bin/python -m soulpost.lint.packsnap
"""

from __future__ import annotations

import marshal
import sys
import zlib
from functools import cache
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parent / "packs" / "shipped.json"


@cache
def _snapshot() -> dict[str, Any]:
    try:
        raw = SNAPSHOT.read_bytes()
    except OSError:
        return {}  # no snapshot: every pack is parsed from its TOML
    kept = _kept(raw)
    if kept is not None:
        return kept
    import json

    try:
        loaded = json.loads(raw.decode("utf-8"))
    except ValueError:
        return {}  # a broken snapshot: the same
    if not isinstance(loaded, dict):
        return {}
    _keep(raw, loaded)
    return loaded


# Reading the snapshot's 200 kB of JSON was about 2 % of linting one draft; the same data
# in marshal's format (as Python keeps a module's bytecode) loads in a fifth of that. The
# copy sits beside this module's .pyc and records the size and CRC-32 of the JSON it was
# made from, so an edited or regenerated snapshot is read again from its JSON.


def _kept_path() -> Path | None:
    from importlib.util import cache_from_source

    try:
        pyc = Path(cache_from_source(__file__))
    except NotImplementedError:  # an interpreter that keeps no bytecode
        return None
    return pyc.with_name(pyc.name.replace(".pyc", ".shipped.marshal"))


def _kept(raw: bytes) -> dict[str, Any] | None:
    path = _kept_path()
    if path is None:
        return None
    try:
        version, made_from, data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if version != sys.version or made_from != stamp(raw) or not isinstance(data, dict):
        return None
    return data


def _keep(raw: bytes, data: dict[str, Any]) -> None:
    from soulpost.codecache import write_beside_code

    path = _kept_path()
    if path is not None:
        write_beside_code(path, lambda: marshal.dumps((sys.version, stamp(raw), data)))


def stamp(raw: bytes) -> dict[str, int]:
    """What a snapshot entry records of the bytes it was made from."""
    return {"size": len(raw), "crc32": zlib.crc32(raw)}


def parsed(name: str, raw: bytes) -> dict[str, Any] | None:
    """The parsed data of the shipped pack *name* whose file holds *raw*, or None when
    the snapshot was not made from exactly these bytes."""
    entry = _snapshot().get(name)
    if not isinstance(entry, dict) or entry.get("stamp") != stamp(raw):
        return None
    data = entry.get("data")
    return data if isinstance(data, dict) else None


def build(paths: list[Path]) -> str:
    """The snapshot of the packs at *paths*, as JSON text."""
    import tomli

    packs = {}
    for path in paths:
        data = tomli.loads(path.read_text(encoding="utf-8"))  # as the registry reads it
        check(path.name, data)
        packs[path.name] = {"stamp": stamp(path.read_bytes()), "data": data}
    import json

    return json.dumps(packs, ensure_ascii=False, indent=1) + "\n"


def check(name: str, data: dict[str, Any]) -> None:
    """Raise ValueError unless each rule's message is safe to fill and its options in the
    pack *name* (parsed *data*) validate, and validate to exactly what making them without
    validating gives: the registry makes a snapshot rule's options so, and does not check
    its message again (see ``RuleSpec.checked``)."""
    from soulpost.lint.kinds import KINDS
    from soulpost.lint.registry import _message_problem
    from soulpost.lint.rule import _made

    for i, rule in enumerate(data.get("rule", [])):
        problem = _message_problem(rule.get("message", ""))
        if problem:  # the registry does not check a snapshot rule's message again
            raise ValueError(f"{name}: rule[{i}] ({rule.get('code')}): {problem}")
        kind = KINDS[rule["kind"]]
        options = rule.get("options", {})
        made = _made(kind.Options, options)
        try:
            valid = kind.Options.model_validate(options)
        except ValueError as exc:
            raise ValueError(f"{name}: rule[{i}] ({rule.get('code')}): {exc}") from None
        if made is not None and repr(made) != repr(valid):
            raise ValueError(
                f"{name}: rule[{i}] ({rule.get('code')}): its options change when "
                f"validated ({made!r} -> {valid!r}); write them as validation gives them"
            )


def main() -> None:
    """Write ``packs/shipped.json`` from the shipped packs."""
    from soulpost.lint.registry import shipped_packs

    SNAPSHOT.write_text(build(shipped_packs()), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")


if __name__ == "__main__":
    main()
