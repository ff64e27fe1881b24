"""Workspace discovery and loading: every broken-file path names the file, line, key and problem."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from soulpost.errors import ConfigError, WorkspaceNotFound
from soulpost.timeutil import LocalTimeKind
from soulpost.workspace import PostCache, find_root, load_workspace

CONFIG = """\
timezone = "Europe/Berlin"
default_platforms = ["mastodon"]
"""

GOOD = """\
text = "Three things we learned about onboarding. What would you add?"
platforms = ["mastodon", "bluesky"]
at = 2026-12-01T09:00:00
"""


def messages(ws_errors: list) -> list[str]:
    return [str(e) for e in ws_errors]


def test_find_root_walks_upwards(workspace) -> None:
    root = workspace(CONFIG)
    deep = root / "queue" / "2026" / "12"
    deep.mkdir(parents=True)
    assert find_root(deep) == root


def test_find_root_accepts_pyproject_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.soulpost]\ntimezone = "UTC"\n', encoding="utf-8"
    )
    (tmp_path / "sub").mkdir()
    assert find_root(tmp_path / "sub") == tmp_path
    ws = load_workspace(tmp_path / "sub")
    assert ws.settings.timezone == "UTC"


def test_pyproject_without_tool_table_is_not_a_workspace(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(WorkspaceNotFound, match="soulpost init"):
        find_root(tmp_path)


def test_loads_good_post_with_defaults(workspace) -> None:
    root = workspace(
        CONFIG,
        {
            "2026-12-01-onboarding.toml": GOOD,
            "nested/plain.toml": 'text = "Hi there, what do you think?"\n',
        },
    )
    ws = load_workspace(root)
    assert ws.errors == []
    posts = ws.by_id()
    post = posts["2026-12-01-onboarding"]
    assert post.at is not None
    assert post.at.tzinfo is not None
    assert post.at.astimezone(UTC) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert post.time_kind is LocalTimeKind.NORMAL
    assert post.status == "draft"
    assert posts["plain"].platforms == ["mastodon"]  # default_platforms
    assert posts["plain"].at is None  # next free slot


def test_all_post_fields_round_trip(workspace) -> None:
    body = """\
    id = "custom-id"
    text = "Main text"
    platforms = ["mastodon", "x"]
    at = 2026-12-01T09:00:00+01:00
    status = "approved"
    tags = ["a", "b"]
    thread = ["second part", { text = "third part", media = [{ path = "c.png", alt = "C" }] }]
    max_lateness = "30m"

    [[media]]
    path = "a.png"
    alt = "A chart"

    [variants.x]
    text = "Short for X"

    [lint]
    ignore = ["shouting"]
    reason = "quoting a headline"
    """
    ws = load_workspace(workspace(CONFIG, {"file-name.toml": body}))
    assert ws.errors == []
    post = ws.posts[0]
    assert post.id == "custom-id"
    assert [p.text for p in post.thread] == ["second part", "third part"]
    assert post.thread[1].media[0].alt == "C"
    assert post.text_for("x") == "Short for X"
    assert post.text_for("mastodon") == "Main text"
    assert post.media_for("x")[0].alt == "A chart"
    assert post.lint.ignore == ["shouting"]
    assert post.max_lateness is not None
    assert post.max_lateness.total_seconds() == 1800
    assert post.time_kind is LocalTimeKind.EXPLICIT


def test_bad_toml_names_file_and_line_and_others_still_load(workspace) -> None:
    root = workspace(
        CONFIG, {"good.toml": GOOD, "broken.toml": 'text = "unterminated\nplatforms = ["x"]\n'}
    )
    ws = load_workspace(root)
    assert [p.id for p in ws.posts] == ["good"]
    [err] = ws.errors
    assert err.path is not None
    assert err.path.name == "broken.toml"
    assert err.line == 1
    assert "invalid TOML" in str(err)
    assert "broken.toml:1:" in str(err)


def test_unknown_key_names_key_line_and_expected_keys(workspace) -> None:
    body = 'text = "Hello there, friends"\nplatforms = ["mastodon"]\nstauts = "approved"\n'
    ws = load_workspace(workspace(CONFIG, {"typo.toml": body}))
    [err] = ws.errors
    text = str(err)
    assert "typo.toml:3:" in text
    assert "stauts" in text
    assert "unknown key" in text
    assert "status" in text  # the expected keys are listed


def test_unknown_key_in_nested_table(workspace) -> None:
    body = 'text = "Hello"\n\n[[media]]\npath = "a.png"\nalt_text = "x"\n'
    ws = load_workspace(workspace(CONFIG, {"m.toml": body}))
    [err] = ws.errors
    assert err.key == "media[0].alt_text"
    assert err.line == 5
    assert "alt" in str(err)


def test_wrong_type_names_key_and_expectation(workspace) -> None:
    body = 'text = "Hello"\nplatforms = ["mastodon"]\ntags = "not-a-list"\n'
    ws = load_workspace(workspace(CONFIG, {"types.toml": body}))
    [err] = ws.errors
    assert err.key == "tags"
    assert err.line == 3
    assert "valid list" in str(err)


def test_bad_status_value(workspace) -> None:
    body = 'text = "Hello"\nstatus = "published"\n'
    ws = load_workspace(workspace(CONFIG, {"s.toml": body}))
    [err] = ws.errors
    assert err.key == "status"
    assert "'draft' or 'approved'" in str(err)


def test_unknown_platform_lists_known_ones(workspace) -> None:
    body = 'text = "Hello"\nplatforms = ["mastodon", "myspace"]\n'
    ws = load_workspace(workspace(CONFIG, {"p.toml": body}))
    [err] = ws.errors
    text = str(err)
    assert err.key == "platforms"
    assert err.line == 2
    assert "'myspace'" in text
    assert "bluesky" in text  # says what was expected


def test_configured_custom_platform_is_known(workspace) -> None:
    config = CONFIG + '\n[platforms.newsletter]\nadapter = "outbox"\n'
    ws = load_workspace(workspace(config, {"n.toml": 'text = "Hi"\nplatforms = ["newsletter"]\n'}))
    assert ws.errors == []


def test_naive_time_without_timezone_is_an_error(workspace) -> None:
    ws = load_workspace(
        workspace(
            'default_platforms = ["mastodon"]\n',
            {"t.toml": 'text = "Hi"\nat = 2026-12-01T09:00:00\n'},
        )
    )
    [err] = ws.errors
    assert "t.toml" in str(err)
    assert "timezone" in str(err)
    assert "at" in str(err)


def test_naive_time_with_offset_needs_no_timezone(workspace) -> None:
    ws = load_workspace(
        workspace(
            'default_platforms = ["mastodon"]\n',
            {"t.toml": 'text = "Hi"\nat = 2026-12-01T09:00:00Z\n'},
        )
    )
    assert ws.errors == []


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("2026-12-01", "without a time"),
        ("09:00:00", "without a date"),
        ('"next tuesday"', "expected a date"),
    ],
)
def test_times_that_cannot_be_resolved(workspace, value: str, needle: str) -> None:
    ws = load_workspace(workspace(CONFIG, {"t.toml": f'text = "Hi"\nat = {value}\n'}))
    [err] = ws.errors
    assert err.key == "at"
    assert err.line == 2
    assert needle in str(err)


def test_dst_gap_and_overlap_are_flagged_on_the_post(workspace) -> None:
    ws = load_workspace(
        workspace(
            CONFIG,
            {
                "gap.toml": 'text = "Hi"\nat = 2026-03-29T02:30:00\n',
                "overlap.toml": 'text = "Hi"\nat = 2026-10-25T02:30:00\n',
            },
        )
    )
    kinds = {p.id: p.time_kind for p in ws.posts}
    assert kinds == {"gap": LocalTimeKind.GAP, "overlap": LocalTimeKind.AMBIGUOUS}


def test_duplicate_ids_name_both_files(workspace) -> None:
    root = workspace(
        CONFIG, {"a.toml": 'id = "same"\ntext = "One"\n', "b.toml": 'id = "same"\ntext = "Two"\n'}
    )
    ws = load_workspace(root)
    assert len(ws.posts) == 1
    [err] = ws.errors
    text = str(err)
    assert "b.toml" in text
    assert "a.toml" in text
    assert "duplicate post id 'same'" in text
    assert err.key == "id"


def test_empty_post_is_an_error(workspace) -> None:
    ws = load_workspace(workspace(CONFIG, {"e.toml": 'text = "   "\n'}))
    [err] = ws.errors
    assert "empty" in str(err)


def test_bad_id(workspace) -> None:
    ws = load_workspace(workspace(CONFIG, {"x.toml": 'id = "has spaces"\ntext = "Hi"\n'}))
    [err] = ws.errors
    assert err.key == "id"


def test_non_utf8_file(workspace) -> None:
    root = workspace(CONFIG)
    (root / "queue" / "latin.toml").write_bytes('text = "caf\xe9"\n'.encode("latin-1"))
    ws = load_workspace(root)
    [err] = ws.errors
    assert "UTF-8" in str(err)


def test_several_errors_in_one_file_are_all_reported(workspace) -> None:
    ws = load_workspace(workspace(CONFIG, {"m.toml": 'text = "Hi"\ntags = 3\ncolour = "red"\n'}))
    assert {e.key for e in ws.errors} == {"tags", "colour"}


def test_config_errors_are_fatal_and_precise(workspace) -> None:
    with pytest.raises(ConfigError) as info:
        load_workspace(workspace('timezone = "Europe/Berlin"\n[publish]\nmax_latenes = "2h"\n'))
    assert info.value.line == 3
    assert info.value.key == "publish.max_latenes"
    assert "config.toml:3:" in str(info.value)
    assert "max_lateness" in str(info.value)


def test_config_bad_timezone(workspace) -> None:
    with pytest.raises(ConfigError, match="IANA") as info:
        load_workspace(workspace('timezone = "Berlin"\n'))
    assert info.value.key == "timezone"


def test_config_env_must_be_a_name_not_a_secret(workspace) -> None:
    with pytest.raises(ConfigError, match="NAME of an environment variable"):
        load_workspace(workspace('[platforms.mastodon]\nenv = { token = "abc-123 secret!" }\n'))


def test_config_bad_toml(workspace) -> None:
    with pytest.raises(ConfigError, match="invalid TOML") as info:
        load_workspace(workspace("timezone = \n"))
    assert info.value.line == 1


def test_pyproject_settings_errors_point_into_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.soulpost]\ntimezone = "UTC"\nbogus = 1\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_workspace(tmp_path)
    assert info.value.path is not None
    assert info.value.path.name == "pyproject.toml"
    assert info.value.line == 6


def test_cache_reparses_only_changed_files(workspace) -> None:
    root = workspace(CONFIG, {"a.toml": GOOD, "b.toml": GOOD, "c.toml": GOOD})
    cache = PostCache()
    first = load_workspace(root, cache=cache)
    assert cache.parsed == 3
    assert len(first.posts) == 3
    again = load_workspace(root, cache=cache)
    assert cache.parsed == 0
    assert [p.id for p in again.posts] == ["a", "b", "c"]
    (root / "queue" / "b.toml").write_text(
        GOOD.replace("Three", "Four things, not three"), encoding="utf-8"
    )
    (root / "queue" / "c.toml").rename(root / "queue" / "d.toml")
    (root / "queue" / "e.toml").write_text(GOOD, encoding="utf-8")
    third = load_workspace(root, cache=cache)
    assert cache.parsed == 3  # b changed, d renamed, e new
    assert [p.id for p in third.posts] == ["a", "b", "d", "e"]
    assert third.by_id()["b"].text.startswith("Four")


def test_example_workspace_loads_cleanly() -> None:
    repo = Path(__file__).resolve().parent.parent
    ws = load_workspace(repo)
    assert ws.errors == []
    assert len(ws.posts) >= 12
    assert len({pl for p in ws.posts for pl in p.platforms}) >= 3


def test_parallel_loading_matches_serial(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    import soulpost.workspace as module

    posts = {f"p{i:02d}.toml": GOOD for i in range(30)}
    posts["broken.toml"] = 'text = "unterminated\n'
    posts["typo.toml"] = 'text = "Hi"\nstauts = "x"\n'
    posts["dup.toml"] = 'id = "p01"\ntext = "Hi"\n'
    root = workspace(CONFIG, posts)
    monkeypatch.setattr(module, "PARALLEL_THRESHOLD", 10**9)
    serial = load_workspace(root)
    monkeypatch.setattr(module, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(module.os, "cpu_count", lambda: 2)
    # Other tests may leave a server thread running; the pool is what is under test here.
    monkeypatch.setattr(module.threading, "active_count", lambda: 1)
    parallel = load_workspace(root)
    assert [p.model_dump() for p in parallel.posts] == [p.model_dump() for p in serial.posts]
    assert [str(e) for e in parallel.errors] == [str(e) for e in serial.errors]
    assert len(parallel.errors) == 3
    typo = next(e for e in parallel.errors if e.key == "stauts")
    assert typo.line == 2  # positions survive the trip back from the worker
