"""Default factories for pydantic fields: ``Field(default_factory=new_list)``.

pydantic asks every default factory for its signature when it builds a model (does the
factory take the validated data?). The builtins ``list`` and ``dict`` have theirs only as
text, which :mod:`inspect` tokenizes and parses, and the tokenizer first compiles its
large regular expression, whose text is built from a set and so differs from run to run:
about 3 % of a one-draft lint, for the settings', posts' and packs' models. A plain
function's signature is read directly.
"""

from __future__ import annotations

from typing import Any


def new_list() -> list[Any]:
    """A new empty list (as ``list()``)."""
    return []


def new_dict() -> dict[Any, Any]:
    """A new empty dict (as ``dict()``)."""
    return {}
