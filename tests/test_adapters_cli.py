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
