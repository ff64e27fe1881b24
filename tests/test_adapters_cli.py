"""``soulpost adapters`` through the real CLI entry point: every built-in adapter is listed
with its limits, threads, idempotency/lookup and the settings it reads."""

from __future__ import annotations

import json
from pathlib import Path

from soulpost.publish.registry import BUILTIN, available, load


def test_lists_every_builtin_with_capabilities(cli, tmp_path: Path) -> None:
    result = cli("adapters", cwd=tmp_path)  # no workspace needed
    assert result.code == 0, result.err
    for name in ("linkedin", "facebook", "pinterest", "webhook", "discord", "slack", "outbox"):
        assert f"\n{name}  (built-in)" in "\n" + result.out
    assert "3000 characters" in result.out  # LinkedIn
    assert "token lifetime: 60 days" in result.out
    assert "lookup settles in-doubt posts" in result.out
    assert "in-doubt posts held for a person" in result.out


def test_one_adapter_settings(cli, tmp_path: Path) -> None:
    result = cli("adapters", "facebook", cwd=tmp_path)
    assert result.code == 0
    assert result.out.startswith("facebook  (built-in)")
    assert "page_id" in result.out and "(required)" in result.out
    assert "token_in" in result.out
    assert "linkedin" not in result.out


def test_json_is_complete_for_every_available_adapter(cli, tmp_path: Path) -> None:
    result = cli("adapters", "--json", cwd=tmp_path)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["version"] == 1
    by_name = {a["name"]: a for a in data["adapters"]}
    assert set(by_name) == set(available())
    linkedin = by_name["linkedin"]
    assert linkedin["capabilities"]["max_length"] == 3000
    assert linkedin["capabilities"]["threads"] is False
    assert linkedin["lookup"] is True
    assert linkedin["token_lifetime_seconds"] == 60 * 86400
    assert linkedin["env"]["token"]["required"] is True
    assert linkedin["options"]["version"]["default"] == "202601"
    assert by_name["webhook"]["capabilities"]["idempotency"] == "key"
    assert by_name["discord"]["env"]["url"]["required"] is True
    assert by_name["pinterest"]["capabilities"]["max_images"] == 1


def test_every_builtin_declares_and_documents_its_settings() -> None:
    """An adapter that reads a credential or option must say so (doctor relies on it)."""
    for name in BUILTIN:
        cls = load(name)
        for setting in [*cls.env_roles.values(), *cls.options.values()]:
            assert setting.doc, f"{name}: undocumented setting"
        if name in ("linkedin", "facebook", "pinterest", "discord", "slack"):
            assert cls.summary, name
            assert any(s.required for s in cls.env_roles.values()), name


def test_unknown_name_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("adapters", "myspace", cwd=tmp_path)
    assert result.code == 2
    assert "myspace" in result.err and "linkedin" in result.err


def test_docs_adapters_md_option_tables_are_fresh() -> None:
    from soulpost.publish.docs import BEGIN, END, options_markdown

    page = (Path(__file__).resolve().parent.parent / "docs" / "adapters.md").read_text("utf-8")
    start, end = page.find(BEGIN), page.find(END)
    generated = page[start : end + len(END)] + "\n" if start >= 0 and end >= 0 else ""
    assert generated == options_markdown(), (
        "docs/adapters.md's option tables are stale: replace the generated section with the "
        "output of `soulpost adapters --markdown`"
    )


def test_markdown_lists_every_option_of_every_builtin(cli, tmp_path: Path) -> None:
    result = cli("adapters", "--markdown", cwd=tmp_path)
    assert result.code == 0
    for name in BUILTIN:
        assert f"#### `{name}`" in result.out
        for key in load(name).Options.model_fields:
            assert f"| `{key}` |" in result.out


def test_capabilities_are_read_from_the_class() -> None:
    # No instance, no workspace: what `soulpost adapters` shows.
    webhook = load("webhook").capabilities_for("team-hook")
    assert webhook.idempotency == "key"
    assert load("linkedin").capabilities_for("work").max_length == 3000  # known by adapter
    assert load("mastodon").supports_lookup is True  # it settles doubt itself (issue 11)


def test_a_misspelt_option_names_platform_key_and_what_is_allowed(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    import pytest

    from soulpost.clock import ManualClock
    from soulpost.errors import ConfigError
    from soulpost.publish.base import AdapterConfig

    def build(name: str, **options: object) -> object:
        config = AdapterConfig(
            platform=f"my{name}",
            state_dir=tmp_path,
            clock=ManualClock(datetime(2026, 12, 1, tzinfo=UTC)),
            options=options,
        )
        return load(name)(config)

    with pytest.raises(ConfigError) as caught:
        build("webhook", url="https://example.org/hook", read_timeuot=3)
    assert caught.value.key == "platforms.mywebhook.options.read_timeuot"
    assert "read_timeuot" in caught.value.problem and "webhook" in caught.value.problem
    assert "read_timeout" in (caught.value.hint or "")  # what it takes
    with pytest.raises(ConfigError) as caught:
        build("mastodon", base_url="https://m.example", read_timeout="soon", visibility="all")
    assert caught.value.key == "platforms.mymastodon.options.read_timeout"
    assert "visibility" in caught.value.problem and "'public'" in caught.value.problem
    with pytest.raises(ConfigError, match="connect_timeout"):
        build("slack", connect_timeout=-1)
    with pytest.raises(ConfigError, match="lookup_count"):
        build("x", lookup_count=1000)
