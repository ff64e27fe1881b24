"""``soulpost adapters [NAME...]``: every adapter that can be used (built-in and installed
plugins) with its capabilities and the settings it reads.

Capabilities are the limits the linter checks (length and how it is counted, images, alt
text, threads) and how the adapter keeps a post from going out twice (idempotency keys,
lookup). Settings are the ``env`` roles (names of environment variables holding
credentials) and ``options`` of a ``[platforms.NAME]`` table. Works outside a workspace.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soulpost.platforms import Capabilities
    from soulpost.publish.base import Adapter, Setting


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these adapters")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the built-in adapters' option tables (the section of docs/adapters.md)",
    )


def origin(name: str) -> str:
    """``built-in``, or the distribution that registers the plugin."""
    from importlib.metadata import entry_points

    from soulpost.publish.registry import BUILTIN, ENTRY_POINT_GROUP

    if name in BUILTIN:
        return "built-in"
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            dist = getattr(ep, "dist", None)
            return f"plugin from {dist.name}" if dist is not None else f"plugin {ep.value}"
    return "unknown"


def capabilities_of(name: str, cls: type[Adapter]) -> Capabilities:
    """The adapter's capabilities for a platform called *name*, read from the class (no
    instance: its ``__init__`` may insist on options only a workspace provides). A plugin's
    broken classmethod shows the platform's defaults rather than stopping the listing."""
    from soulpost.platforms import PLATFORMS, Capabilities

    try:
        return cls.capabilities_for(name)
    except Exception:
        return PLATFORMS.get(name) or Capabilities(name, name, None)


def describe(name: str) -> dict[str, Any]:
    """Everything ``soulpost adapters`` shows about one adapter, as plain data."""
    from soulpost.errors import ConfigError
    from soulpost.publish.registry import load

    entry: dict[str, Any] = {"name": name, "origin": origin(name)}
    try:
        cls = load(name)
    except ConfigError as exc:
        entry["error"] = exc.problem
        return entry
    caps = capabilities_of(name, cls)
    lifetime = cls.token_lifetime
    entry.update(
        summary=cls.summary or next(iter((cls.__doc__ or "").strip().splitlines()), ""),
        capabilities={
            "title": caps.title,
            "max_length": caps.max_length,
            "counting": caps.counting,
            "max_bytes": caps.max_bytes,
            "url_length": caps.url_length,
            "max_images": caps.max_images,
            "max_image_bytes": caps.max_image_bytes,
            "alt_text_max": caps.alt_text_max,
            "threads": caps.threads,
            "idempotency": caps.idempotency,
            "media_by_url": caps.media_by_url,
            "needs_media": caps.needs_media,
            "image_types": list(caps.image_types),
            "max_hashtags": caps.max_hashtags,
        },
        lookup=bool(cls.supports_lookup),
        token_lifetime_seconds=lifetime.total_seconds() if lifetime else None,
        env={role: _setting(s) for role, s in cls.env_roles.items()},
        options={key: _setting(s) for key, s in cls.options.items()},
        post_options=_post_options(cls),
    )
    return entry


def _post_options(cls: type[Adapter]) -> dict[str, Any]:
    """What a post may set for itself under ``[variants.NAME.options]`` (none by default)."""
    from soulpost.publish.options import settings_of

    model = getattr(cls, "PostOptions", None)
    if model is None:
        return {}
    return {key: _setting(s) for key, s in settings_of(model).items()}


def _setting(setting: Setting) -> dict[str, Any]:
    return {"doc": setting.doc, "required": setting.required, "default": setting.default}


def _lifetime(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:g} days"
    return f"{seconds / 3600:g} hours"


def listing_lines(entry: dict[str, Any]) -> list[str]:
    """Lines of the human listing for one adapter."""
    lines = [
        f"{entry['name']}  ({entry['origin']})"
        + (f"  {entry['summary']}" if entry.get("summary") else "")
    ]
    if "error" in entry:
        return [*lines, f"  BROKEN: {entry['error']}"]
    caps = entry["capabilities"]
    length = "no length limit"
    if caps["max_length"] is not None:
        length = f"{caps['max_length']} characters ({caps['counting']} counting"
        if caps["url_length"]:
            length += f", each URL {caps['url_length']}"
        length += ")"
        if caps["max_bytes"]:
            length += f" and {caps['max_bytes']} bytes"
    images = f"up to {caps['max_images']} images"
    if caps["max_image_bytes"]:
        images += f" of {caps['max_image_bytes']} bytes"
    if caps["alt_text_max"]:
        images += f", alt text up to {caps['alt_text_max']}"
    lines.append(f"  limits: {length}; {images}")
    safety = {
        "key": "idempotency key (a retry cannot double-post)",
        "record-key": "fixed record key (a retry cannot double-post)",
        "none": "no idempotency key",
    }[caps["idempotency"]]
    lookup = (
        "lookup settles in-doubt posts" if entry["lookup"] else "in-doubt posts held for a person"
    )
    lines.append(f"  threads: {'yes' if caps['threads'] else 'no'}; {safety}; {lookup}")
    media = [
        "fetched by the platform from options.media_base_url + path"
        if caps.get("media_by_url")
        else "",
        "every post needs one" if caps.get("needs_media") else "",
        " or ".join(t.split("/")[1].upper() for t in caps.get("image_types") or ()),
    ]
    if any(media):
        lines.append("  images: " + "; ".join(m for m in media if m))
    if entry["token_lifetime_seconds"]:
        lines.append(f"  token lifetime: {_lifetime(entry['token_lifetime_seconds'])}")
    lines += _settings_lines(entry)
    return lines


def _settings_lines(entry: dict[str, Any]) -> list[str]:
    """The listing's env, options and post options sections."""
    lines: list[str] = []
    sections = (
        ("env (names of environment variables)", "env"),
        ("options", "options"),
        ("post options (a post's [variants.NAME.options])", "post_options"),
    )
    for title, key in sections:
        settings = entry.get(key)
        if not settings:
            continue
        lines.append(f"  {title}:")
        width = max(len(k) for k in settings)
        for name, s in settings.items():
            notes = []
            if s["required"]:
                notes.append("required")
            if s["default"] is not None:
                notes.append(f"default {s['default']!r}")
            extra = f" ({', '.join(notes)})" if notes else ""
            lines.append(f"    {name.ljust(width)}  {s['doc']}{extra}")
    return lines


def run(args: argparse.Namespace) -> int:
    from soulpost.errors import UsageError
    from soulpost.publish.registry import available

    if args.markdown:
        from soulpost.publish.docs import options_markdown

        print(options_markdown(), end="")
        return 0
    names = available()
    unknown = [n for n in args.names if n not in names]
    if unknown:
        raise UsageError(f"no adapter called {', '.join(unknown)}; available: {', '.join(names)}")
    entries = [describe(n) for n in (args.names or names)]
    if args.json:
        print(json.dumps({"version": 1, "adapters": entries}, indent=2, default=str))
    else:
        for i, entry in enumerate(entries):
            if i:
                print()
            print("\n".join(listing_lines(entry)))
    return 1 if any("error" in e for e in entries) else 0
