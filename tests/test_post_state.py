"""A post's private state, built by soulpost's shortcuts, is what pydantic would build.

Loading sets a new post's private attributes with one dict copy instead of pydantic's
``init_private_attributes``, writes the resolved time straight into the model's stores,
and the linter's parallel pass rebuilds summary posts without ``__setstate__``. Each is
compared here with the way pydantic itself does it.
"""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic._internal._model_construction import init_private_attributes

from soulpost.posts import Post
from soulpost.timeutil import LocalTimeKind

CONTEXT: dict[str, Any] = {"zone": ZoneInfo("Europe/London"), "platforms": {"mastodon"}}


def pydantic_private() -> dict[str, Any]:
    fresh = Post.__new__(Post)
    object.__setattr__(fresh, "__pydantic_private__", None)
    object.__setattr__(fresh, "__dict__", {})
    init_private_attributes(fresh, None)
    assert fresh.__pydantic_private__ is not None
    return fresh.__pydantic_private__


def test_a_new_post_starts_with_pydantics_private_defaults() -> None:
    post = Post.model_validate(
        {"id": "a", "text": "hi", "platforms": ["mastodon"]}, context=CONTEXT
    )
    assert post.__pydantic_private__ == pydantic_private()
    assert list(post.__pydantic_private__ or {}) == list(Post.__private_attributes__)
    other = Post.model_validate(
        {"id": "b", "text": "yo", "platforms": ["mastodon"]}, context=CONTEXT
    )
    assert other.__pydantic_private__ is not post.__pydantic_private__  # never shared


@pytest.mark.parametrize(
    ("at", "expected", "kind"),
    [
        (datetime(2026, 7, 1, 9, 0), datetime(2026, 7, 1, 8, 0, tzinfo=UTC), LocalTimeKind.NORMAL),
        (
            datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
            datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
            LocalTimeKind.EXPLICIT,
        ),
    ],
)
def test_the_resolved_time_lands_where_setattr_would_put_it(
    at: datetime, expected: datetime, kind: LocalTimeKind
) -> None:
    post = Post.model_validate(
        {"id": "a", "text": "hi", "platforms": ["mastodon"], "at": at}, context=CONTEXT
    )
    assert post.at == expected
    assert post.time_kind is kind
    assert "at" in post.model_fields_set
    # The same post with its values set through pydantic's own __setattr__:
    slow = Post.model_construct(**{**post.__dict__, "at": at})
    slow.at = expected
    slow._time_kind = kind
    assert slow == post
    assert slow.model_dump() == post.model_dump()


def test_a_post_without_a_time_has_no_time_kind() -> None:
    post = Post.model_validate(
        {"id": "a", "text": "hi", "platforms": ["mastodon"]}, context=CONTEXT
    )
    assert post.at is None
    assert post.time_kind is None


def test_copies_and_pickles_keep_the_private_state() -> None:
    post = Post.model_validate(
        {"id": "a", "text": "hi", "platforms": ["mastodon"], "at": datetime(2026, 7, 1, 9)},
        context=CONTEXT,
    )
    for twin in (post.model_copy(), copy.deepcopy(post), pickle.loads(pickle.dumps(post))):
        assert twin == post
        assert twin.time_kind is LocalTimeKind.NORMAL


def test_a_summary_post_is_what_setstate_builds(tmp_path: Path) -> None:
    post = Post.model_validate(
        {"id": "a", "text": "hi", "platforms": ["mastodon"], "at": datetime(2026, 7, 1, 9)},
        context=CONTEXT,
    )
    private = post.__pydantic_private__
    assert private is not None
    private["_raw"] = 'text = "hi"\n'
    path = tmp_path / "a.toml"
    summary = post.summary()
    built = Post.from_summary(summary, path)
    expected = Post.__new__(Post)
    expected.__setstate__(
        {
            "__dict__": dict(built.__dict__),
            "__pydantic_extra__": None,
            "__pydantic_fields_set__": {"id", "text", "platforms"},
            "__pydantic_private__": {
                "_time_kind": LocalTimeKind.NORMAL,
                "_path": path,
                "_source": None,
                "_raw": 'text = "hi"\n',
            },
        }
    )
    assert built.__getstate__() == expected.__getstate__()
    assert (built.id, built.text, built.at, built.path) == ("a", "hi", post.at, path)
    assert built.raw_text() == 'text = "hi"\n'
