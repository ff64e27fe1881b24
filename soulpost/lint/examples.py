"""Run a rule's documented examples: what `soulpost explain` shows and the tests prove.

An example is a post's text, or a whole post file in TOML (recognised by a ``text =``
line); a queue example holds several posts separated by a line ``---``. Examples run in a
small fixed setting: time zone Europe/Berlin, default platform ``mastodon``, a platform
``blog`` with no known limits, and a fixed "now" early in 2027.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from soulpost.lint.model import Report

if TYPE_CHECKING:
    from soulpost.config import Settings
    from soulpost.lint.registry import Registry
    from soulpost.lint.rule import RuleSpec
    from soulpost.posts import Post

EXAMPLE_NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
_TOML = re.compile(r"^(?:text|id|platforms)\s*=", re.MULTILINE)
_SPLIT = re.compile(r"^---\s*$", re.MULTILINE)


def example_settings() -> Settings:
    """The settings examples run in."""
    from soulpost.config import Settings

    return Settings.model_validate(
        {
            "timezone": "Europe/Berlin",
            "default_platforms": ["mastodon"],
            "platforms": {
                "blog": {"adapter": "outbox"},
                # Examples run in a workspace that serves its files for Instagram (SP611's
                # bad example aims at Threads, which has no media_base_url here).
                "instagram": {"options": {"media_base_url": "https://media.example.org/"}},
            },
        }
    )


def example_posts(example: str, settings: Settings) -> list[Post]:
    """The posts an example stands for; each keeps its TOML so findings get a line."""
    from soulpost.posts import parse_post
    from soulpost.workspace import post_context

    context = post_context(settings)
    if not _TOML.search(example):
        example = f"text = {_toml_string(example)}\n"
    posts = []
    for i, chunk in enumerate(_SPLIT.split(example), start=1):
        # The id defaults to the file stem, so line numbers stay those of the example.
        posts.append(parse_post(chunk, Path(f"example-{i}.toml"), context))
    return posts


def _toml_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def run_example(
    spec: RuleSpec, example: str, *, only: bool = True, registry: Registry | None = None
) -> Report:
    """Lint *example* with the rule of *spec* (alone when *only*) in the example setting."""
    from soulpost.lint.engine import lint_posts
    from soulpost.lint.registry import load_registry
    from soulpost.lint.select import configure

    settings = example_settings()
    if spec.languages:
        # A language pack's examples are written in its language: pinned, so that a
        # three-word example ("Lien en bio !") is not left to language detection.
        lint = settings.lint.model_copy(update={"languages": list(spec.languages)})
        settings = settings.model_copy(update={"lint": lint})
    registry = registry or load_registry(None)
    # Whether a suppression is unused can only be told with the suppressed rule running.
    selection = [spec.code] if only and spec.code != "SP900" else ["ALL"]
    ruleset = configure(
        registry,
        settings.lint,
        select=selection,
        unused_suppressions=spec.code == "SP900",
    )
    return lint_posts(example_posts(example, settings), settings, now=EXAMPLE_NOW, ruleset=ruleset)
