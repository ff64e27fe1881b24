"""A small validator for AT Protocol records against the lexicon JSON in shared/conformance.

It covers what soulpost's records use: objects with required keys, strings with
``maxLength`` (UTF-8 bytes) / ``maxGraphemes`` / ``datetime``, integers with ``minimum``,
arrays with ``maxLength``, refs, open unions (by ``$type``) and blobs. Unknown lexicons in a
union are skipped rather than guessed. Used by the render tests, the fakes and the PDS test.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import regex

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
LEXICONS = CONFORMANCE / "bluesky" / "lexicons"

_GRAPHEME = regex.compile(r"\X")


class Lexicons:
    """All lexicon documents under a folder, addressable as ``nsid`` or ``nsid#def``."""

    def __init__(self, root: Path = LEXICONS) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        for path in sorted(root.rglob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            self.docs[doc["id"]] = doc

    def definition(self, ref: str, context: str) -> dict[str, Any] | None:
        """The definition a ``ref`` names, relative to the lexicon *context*."""
        nsid, _, name = ref.partition("#")
        nsid = nsid or context
        doc = self.docs.get(nsid)
        if doc is None:
            return None
        found: dict[str, Any] = doc["defs"][name or "main"]
        return found

    def validate(self, nsid: str, value: Any) -> list[str]:
        """Problems of *value* as a record (or object) of lexicon *nsid*; empty when valid."""
        main = self.definition(nsid, nsid)
        if main is None:
            return [f"unknown lexicon {nsid}"]
        if main.get("type") == "record":
            schema = main["record"]
        elif main.get("type") == "procedure":
            schema = main["input"]["schema"]  # the JSON body of a POST
        else:
            schema = main
        problems: list[str] = []
        self._check(schema, value, nsid, "$", problems)
        return problems

    def _check(
        self, schema: dict[str, Any], value: Any, context: str, where: str, out: list[str]
    ) -> None:
        kind = schema.get("type")
        if kind == "ref":
            target = self.definition(schema["ref"], context)
            if target is not None:
                ctx = schema["ref"].partition("#")[0] or context
                self._check(target, value, ctx, where, out)
        elif kind == "union":
            self._union(schema, value, context, where, out)
        elif kind == "object":
            self._object(schema, value, context, where, out)
        elif kind == "array":
            if not isinstance(value, list):
                out.append(f"{where}: expected an array")
                return
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                out.append(f"{where}: array too big (maximum {schema['maxLength']})")
            for i, item in enumerate(value):
                self._check(schema["items"], item, context, f"{where}[{i}]", out)
        elif kind == "string":
            self._string(schema, value, where, out)
        elif kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                out.append(f"{where}: expected an integer")
            elif "minimum" in schema and value < schema["minimum"]:
                out.append(f"{where}: below minimum {schema['minimum']}")
        elif kind == "boolean":
            if not isinstance(value, bool):
                out.append(f"{where}: expected a boolean")
        elif kind == "blob":
            if not (isinstance(value, dict) and value.get("$type") == "blob" and "ref" in value):
                out.append(f"{where}: expected a blob")
            elif "maxSize" in schema and value.get("size", 0) > schema["maxSize"]:
                out.append(f"{where}: blob too big (maximum {schema['maxSize']})")

    def _union(
        self, schema: dict[str, Any], value: Any, context: str, where: str, out: list[str]
    ) -> None:
        if not isinstance(value, dict) or "$type" not in value:
            out.append(f"{where}: a union member needs $type")
            return
        type_ = str(value["$type"]).removesuffix("#main")
        refs = {
            (context + ref if ref.startswith("#") else ref).removesuffix("#main")
            for ref in schema["refs"]
        }
        if type_ not in refs:
            if schema.get("closed"):
                out.append(f"{where}: $type {type_} is not allowed here")
            return
        target = self.definition(type_, context)
        if target is not None:
            self._check(target, value, type_.partition("#")[0], where, out)

    def _object(
        self, schema: dict[str, Any], value: Any, context: str, where: str, out: list[str]
    ) -> None:
        if not isinstance(value, dict):
            out.append(f"{where}: expected an object")
            return
        for key in schema.get("required", ()):
            if key not in value:
                out.append(f'{where}: Missing required key "{key}"')
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                self._check(sub, value[key], context, f"{where}.{key}", out)

    @staticmethod
    def _string(schema: dict[str, Any], value: Any, where: str, out: list[str]) -> None:
        if not isinstance(value, str):
            out.append(f"{where}: expected a string")
            return
        size = len(value.encode("utf-8"))
        if "maxLength" in schema and size > schema["maxLength"]:
            out.append(f"{where}: string too big (maximum {schema['maxLength']}, got {size})")
        graphemes = len(_GRAPHEME.findall(value))
        if "maxGraphemes" in schema and graphemes > schema["maxGraphemes"]:
            out.append(
                f"{where}: grapheme too big (maximum {schema['maxGraphemes']}, got {graphemes})"
            )
        fmt = schema.get("format")
        if fmt == "datetime":
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                out.append(f"{where}: not a datetime")
            else:
                if moment.tzinfo is None:
                    out.append(f"{where}: datetime without a timezone")
        elif fmt == "did" and not value.startswith("did:"):
            out.append(f"{where}: not a DID")
        elif fmt == "at-uri" and not value.startswith("at://"):
            out.append(f"{where}: not an AT-URI")
