"""The shortcuts that make loading a large queue cheaper must never change what it finds.

Loading skips the walk for over-deep nesting when the file's text cannot nest that deep
(:func:`soulpost.tomlpos.nesting_bound`), and resolves each media path once per load of
the queue. Both are checked here against the slow way, and the media answer against a
link changed between two loads (as the daemon's rescans see it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli

from soulpost.posts import MAX_DEPTH, PostInvalid, build_post
from soulpost.tomlpos import nesting_bound, too_deep
from soulpost.workspace import load_posts, load_settings, post_context, queue_files

DOCUMENTS = [
    'text = "plain"',
    'text = "a. b. c."\ntags = ["x", "y"]',
    "[[media]]\npath = 'a.png'\n[[media]]\npath = 'b.png'",
    "[variants.x]\ntext = 'v'\n[[variants.x.thread]]\ntext = 't'",
    "[[variants.x.thread.media]]\npath = 'p'",
    "a.b.c.d = 1\n[e.f]\ng = { h = { i = [[1], [2, [3]]] } }",
    '"quoted.key".inner = 1\n["a.b".c]\nd = [{ e = [{ f = 1 }] }]',
    "x = [[[[[[[[1]]]]]]]]\ny = { a = { b = { c = { d = { e = 1 } } } } }",
    "[[a]]\n[[a.b]]\n[[a.b.c]]\n[[a.b.c.d]]\nz = 1",
]


def _depth(data: Any) -> int:
    """How deep the deepest table or array below the top sits (the top is 0)."""
    if isinstance(data, dict):
        return max((1 + _depth(v) for v in data.values() if isinstance(v, dict | list)), default=0)
    if isinstance(data, list):
        return max((1 + _depth(v) for v in data if isinstance(v, dict | list)), default=0)
    return 0


@pytest.mark.parametrize("text", DOCUMENTS)
def test_the_bound_is_never_below_the_real_depth(text: str) -> None:
    assert _depth(tomli.loads(text)) <= nesting_bound(text)


@pytest.mark.parametrize("dots", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1])
def test_nesting_at_the_limit_is_refused_as_the_walk_refuses_it(dots: int) -> None:
    # The dotted key holds the file's only dots and brackets: the bound is the real depth,
    # so an off-by-one in the shortcut would let the draft at the limit through.
    text = 'text = "Deep"\nlint.' + ".".join(["a"] * dots) + " = 1\n"
    assert nesting_bound(text) == _depth(tomli.loads(text)) == dots
    refused = too_deep(tomli.loads(text), MAX_DEPTH) is not None
    assert refused == (dots >= MAX_DEPTH)
    with pytest.raises(PostInvalid) as caught:  # lint has no key "a" either way
        build_post(tomli.loads(text), Path("queue/deep.toml"), {"platforms": {"x"}}, text)
    assert ("nested more than" in caught.value.errors[0].problem) == refused


def _link_workspace(workspace: Callable[..., Path], count: int) -> Path:
    posts = {
        f"p{n}.toml": f'text = "Chart {n}"\nplatforms = ["x"]\n[[media]]\npath = "media/chart.png"\n'
        for n in range(count)
    }
    root = workspace('[platforms.x]\nadapter = "outbox"\n', posts)
    (root / "media").mkdir()
    (root / "media" / "real.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    os.symlink("real.png", root / "media" / "chart.png")
    return root


def test_drafts_sharing_a_media_path_are_each_judged(
    workspace: Callable[..., Path], tmp_path: Path
) -> None:
    root = _link_workspace(workspace, 3)
    settings, _ = load_settings(root)
    posts, errors = load_posts(queue_files(root / "queue"), settings)
    assert len(posts) == 3 and errors == []
    outside = tmp_path.parent / f"{tmp_path.name}-outside.png"
    outside.write_bytes(b"secret")
    (root / "media" / "chart.png").unlink()
    os.symlink(outside, root / "media" / "chart.png")
    # A new load (a rescan) resolves the link again: every draft naming it is refused.
    posts, errors = load_posts(queue_files(root / "queue"), settings)
    assert posts == []
    assert len(errors) == 3
    assert all("leads outside the workspace" in e.problem for e in errors)


def test_one_load_remembers_each_path_once(workspace: Callable[..., Path]) -> None:
    root = _link_workspace(workspace, 2)
    settings, _ = load_settings(root)
    context = post_context(settings)
    for n in range(2):
        path = root / "queue" / f"p{n}.toml"
        text = path.read_text(encoding="utf-8")
        build_post(tomli.loads(text), path, context, text)
    assert context["media_checked"] == {"media/chart.png": None}
