"""JSON Schema for config.toml and post files: generated from the models, fresh, and agreeing
with what soulpost itself accepts, checked with the jsonschema library and with Taplo's CLI."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from soulpost.config import Settings
from soulpost.posts import Post, PostInvalid, parse_post
from soulpost.schema import DESCRIPTIONS, FILES, TAPLO_CONFIG, schema_text
from soulpost.workspace import load_settings, post_context
from tests.taplo import run_taplo, taplo

__all__ = ["taplo"]  # the fixture, used by name

REPO = Path(__file__).resolve().parents[1]
MODELS = {m.__name__: m for m in (Settings, Post)}


def jsonable(value: Any) -> Any:
    """TOML values as JSON Schema tools see them: dates and times become strings."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO / "schemas" / FILES[name]).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def schema_errors(name: str, toml_text: str) -> list[str]:
    data = jsonable(tomllib.loads(toml_text))
    return [e.message for e in validator(name).iter_errors(data)]


@pytest.mark.parametrize("name", sorted(FILES))
def test_committed_schema_is_fresh(name: str) -> None:
    committed = (REPO / "schemas" / FILES[name]).read_text(encoding="utf-8")
    assert committed == schema_text(name), (
        f"schemas/{FILES[name]} is stale: run `soulpost schema {name} > schemas/{FILES[name]}`"
    )


def test_repo_taplo_config_is_the_one_init_writes() -> None:
    assert (REPO / ".taplo.toml").read_text(encoding="utf-8") == TAPLO_CONFIG


def _all_models() -> dict[str, Any]:
    found: dict[str, Any] = {}
    todo = list(MODELS.values())
    while todo:
        model = todo.pop()
        found[model.__name__] = model
        for field in model.model_fields.values():
            for arg in [field.annotation, *getattr(field.annotation, "__args__", ())]:
                for inner in [arg, *getattr(arg, "__args__", ())]:
                    if hasattr(inner, "model_fields") and inner.__name__ not in found:
                        todo.append(inner)
    return found


def test_every_key_is_described_and_every_description_names_a_key() -> None:
    models = _all_models()
    for model_name, fields in DESCRIPTIONS.items():
        assert model_name in models, f"DESCRIPTIONS names a model that is gone: {model_name}"
        assert set(fields) <= set(models[model_name].model_fields), model_name
    for model_name, model in models.items():
        missing = set(model.model_fields) - set(DESCRIPTIONS.get(model_name, {}))
        assert not missing, f"describe {model_name}.{sorted(missing)} in soulpost/schema.py"


def test_cli_prints_the_schema() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "soulpost", "schema", "post"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout == schema_text("post")
    assert json.loads(out.stdout)["properties"]["status"]["enum"] == ["draft", "approved"]


def test_example_workspace_validates_with_jsonschema() -> None:
    assert schema_errors("config", (REPO / "config.toml").read_text(encoding="utf-8")) == []
    drafts = sorted((REPO / "queue").glob("*.toml"))
    assert len(drafts) > 5
    for path in drafts:
        assert schema_errors("post", path.read_text(encoding="utf-8")) == [], path.name


TYPO = 'text = "What would you add?"\nplatfroms = ["mastodon"]\n'


def test_typo_key_rejected_by_jsonschema_and_by_soulpost_naming_the_key() -> None:
    errors = schema_errors("post", TYPO)
    assert any("'platfroms' was unexpected" in e for e in errors), errors
    settings, _ = load_settings(REPO)
    with pytest.raises(PostInvalid) as caught:
        parse_post(TYPO, Path("typo.toml"), post_context(settings))
    assert any(e.key == "platfroms" for e in caught.value.errors)


# Drafts both sides must judge alike: (TOML, valid?). The widened shapes come from the
# models' mode="before" validators, which the generated schema could not see by itself.
AGREE = [
    ('text = "hi"\nplatforms = "mastodon"\n', True),
    ('text = "hi"\nplatforms = ["mastodon"]\nthread = ["two", { text = "three" }]\n', True),
    ('text = "hi"\nplatforms = ["mastodon"]\nmax_lateness = "2h"\n', True),
    ('text = "hi"\nplatforms = ["mastodon"]\nmax_lateness = 3600\n', True),
    ('text = "hi"\nplatforms = ["mastodon"]\nat = 2026-12-01T09:30:00\n', True),
    ('text = "hi"\nplatforms = ["mastodon"]\nat = 2026-12-01T09:30:00+01:00\n', True),
    ('text = "hi"\nplatforms = ["mastodon"]\n[lint]\nignore = ["SP101"]\nreason = "ok"\n', True),
    ('text = "hi"\nplatforms = ["mastodon"]\nstatus = "approvd"\n', False),
    ('text = "hi"\nplatforms = ["mastodon"]\n[variants.mastodon]\ntxt = "x"\n', False),
    (
        'text = "hi"\nplatforms = ["mastodon"]\nmedia = [{ path = "a.png", alt_text = "x" }]\n',
        False,
    ),
    ('platforms = ["mastodon"]\n', False),
]


@pytest.mark.parametrize(("draft", "valid"), AGREE)
def test_schema_and_model_agree(draft: str, valid: bool) -> None:
    settings, _ = load_settings(REPO)
    try:
        parse_post(draft, Path("d.toml"), post_context(settings))
        model_ok = True
    except PostInvalid:
        model_ok = False
    errors = schema_errors("post", draft)
    assert model_ok is valid
    assert (not errors) is valid, errors


def test_config_schema_completes_platforms_and_rules() -> None:
    schema = json.loads(schema_text("config"))
    token = schema["$defs"]["RuleToken"]["anyOf"]
    shouting = next(c for c in token if c.get("const") == "SP101")
    assert "Lesson: listen" in shouting["description"]
    platforms = schema["properties"]["default_platforms"]["items"]["anyOf"][0]["enum"]
    assert {"mastodon", "bluesky", "linkedin"} <= set(platforms)
    assert schema_errors("config", '[lint]\nslect = ["ALL"]\n') == [
        "Additional properties are not allowed ('slect' was unexpected)"
    ]
    # Not a rule's shape at all (the model takes any string; lint reports it later).
    assert schema_errors("post", 'text = "hi"\n[lint]\nignore = ["?!"]\n')
    assert schema_errors("config", '[[slots]]\ndays = "mon-fri"\ntimes = "09:30"\n') == []


# --- Taplo's own CLI: what Even Better TOML runs in the editor --------------------------


def _workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    shutil.copy(REPO / "config.toml", root / "config.toml")
    shutil.copytree(REPO / "queue", root / "queue")
    shutil.copytree(REPO / "schemas", root / "schemas")
    shutil.copy(REPO / ".taplo.toml", root / ".taplo.toml")
    return root


@pytest.mark.slow
def test_example_workspace_validates_with_taplo(taplo: Path, tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    files = ["config.toml", *sorted(f"queue/{p.name}" for p in (root / "queue").glob("*.toml"))]
    result = run_taplo(taplo, root, *files)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_typo_key_rejected_by_taplo_naming_the_key(taplo: Path, tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    (root / "queue" / "typo.toml").write_text(TYPO, encoding="utf-8")
    result = run_taplo(taplo, root, "queue/typo.toml")
    assert result.returncode != 0
    assert "'platfroms' was unexpected" in result.stdout + result.stderr
    (root / "config.toml").write_text('timezone = "UTC"\ntimezon = "UTC"\n', encoding="utf-8")
    result = run_taplo(taplo, root, "config.toml")
    assert result.returncode != 0
    assert "'timezon' was unexpected" in result.stdout + result.stderr


@pytest.mark.slow
def test_init_workspace_validates_with_taplo(taplo: Path, tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    subprocess.run(
        [sys.executable, "-m", "soulpost", "init", str(root), "--timezone", "UTC"],
        check=True,
        capture_output=True,
    )
    assert (root / ".taplo.toml").read_text(encoding="utf-8") == TAPLO_CONFIG
    assert run_taplo(taplo, root, "config.toml", "queue/welcome.toml").returncode == 0
    (root / "queue" / "welcome.toml").write_text(TYPO, encoding="utf-8")
    result = run_taplo(taplo, root, "queue/welcome.toml")
    assert "'platfroms' was unexpected" in result.stdout + result.stderr


def test_init_keeps_an_existing_taplo_config(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".taplo.toml").write_text("[formatting]\nalign_entries = true\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "soulpost", "init", str(root), "--timezone", "UTC"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert (root / ".taplo.toml").read_text(encoding="utf-8").startswith("[formatting]")
    assert ".taplo.toml exists and was left alone" in out
    assert (root / "schemas" / "post.schema.json").read_text(encoding="utf-8") == schema_text(
        "post"
    )
