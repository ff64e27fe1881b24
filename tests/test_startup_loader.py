"""Start-up without importlib.metadata: pydantic's plugin loader stand-in (soulpost.cli)
and the entry-point scan that answers "no rule plugins here" (soulpost.distscan).

Both are shortcuts for speed (issue 9: one draft linted in <= 0.15 s), so what they must
show is that nothing they answer differs from what the slow way answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from importlib.machinery import PathFinder
from pathlib import Path

import pytest

from soulpost.distscan import group_absent
from tests.conftest import imported_modules

# A model is built and validated with the stand-in in place; then pydantic's own loader
# module is asked for something the stand-in does not have.
PROBE = textwrap.dedent(
    """
    import os, sys
    from soulpost.cli import _no_plugin_loader
    _no_plugin_loader()
    from pydantic import BaseModel

    class M(BaseModel):
        x: int

    assert M.model_validate({"x": "3"}).x == 3
    print("metadata" if "importlib.metadata" in sys.modules else "no-metadata")
    from pydantic.plugin import _loader
    print(list(_loader.get_plugins()))
    print(_loader.PYDANTIC_ENTRY_POINT_GROUP)
    """
)


def run_probe(value: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if value is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = value
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize("value", ["__all__", "1", "true"])
def test_plugins_off_builds_models_without_importlib_metadata(value: str) -> None:
    # The last line: a name the stand-in lacks comes from pydantic's real loader.
    assert run_probe(value) == ["no-metadata", "[]", "pydantic"]


@pytest.mark.parametrize("value", [None, "some_plugin"])
def test_plugins_on_keeps_pydantics_loader(value: str | None) -> None:
    assert run_probe(value) == ["metadata", "[]", "pydantic"]


def test_lint_of_one_draft_imports_no_importlib_metadata(tmp_path: Path) -> None:
    """The whole command: settings, a draft, the rules, the report."""
    (tmp_path / "config.toml").write_text('default_platforms = ["mastodon"]\n')
    (tmp_path / "queue").mkdir()
    (tmp_path / "queue" / "a.toml").write_text('text = "Hello there, a calm post."\n')
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    imported = imported_modules("lint", "queue/a.toml", cwd=tmp_path, env=env)
    assert "soulpost.posts" in imported
    assert "importlib.metadata" not in imported


def dist(site: Path, name: str, entry_points: str | None) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Name: {name}\nVersion: 1.0\n")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)


def test_no_distribution_naming_the_group_is_absent(tmp_path: Path) -> None:
    dist(tmp_path, "plain", None)
    dist(tmp_path, "tool", "[console_scripts]\ntool = tool:main\n")
    (tmp_path / "notes.txt").write_text("soulpost.rules")  # not a metadata folder
    assert group_absent("soulpost.rules", [str(tmp_path), str(tmp_path / "missing")], [])


def test_a_distribution_naming_the_group_is_not_absent(tmp_path: Path) -> None:
    dist(tmp_path, "tool", "[console_scripts]\ntool = tool:main\n")
    dist(tmp_path, "Rules_Pkg", "[soulpost.rules]\nmine = rules_pkg:RULES\n")
    assert not group_absent("soulpost.rules", [str(tmp_path)], [])


def test_egg_info_counts_too(tmp_path: Path) -> None:
    info = tmp_path / "legacy.EGG-INFO"
    info.mkdir()
    (info / "entry_points.txt").write_text("[soulpost.rules]\nx = legacy:X\n")
    assert not group_absent("soulpost.rules", [str(tmp_path)], [])


def test_what_the_scan_does_not_mirror_sends_the_caller_to_importlib(tmp_path: Path) -> None:
    archive = tmp_path / "deps.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x.py", "")
    egg = tmp_path / "old.egg"
    egg.mkdir()
    assert not group_absent("soulpost.rules", [str(archive)], [])
    assert not group_absent("soulpost.rules", [str(egg)], [])

    class Finder:
        def find_distributions(self, context: object = None) -> list[object]:
            return []

    assert not group_absent("soulpost.rules", [], [PathFinder, Finder()])
    assert group_absent("soulpost.rules", [], [PathFinder])


@pytest.mark.parametrize("group", ["soulpost.rules", "console_scripts", "pydantic", "none.such"])
def test_the_scan_agrees_with_importlib_metadata_here(group: str) -> None:
    from importlib.metadata import entry_points

    if group_absent(group):
        assert not list(entry_points(group=group))
    if list(entry_points(group=group)):
        assert not group_absent(group)


def test_console_scripts_are_seen() -> None:
    """This venv installs soulpost's own console script, so the scan must see the group."""
    assert not group_absent("console_scripts")


@pytest.mark.parametrize("columns", [None, "60", "132", "junk", "0", "-5"])
def test_help_is_as_wide_as_argparse_makes_it(
    columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """soulpost's formatter finds the width without shutil, and finds the same width."""
    import argparse

    from soulpost.cli import _Formatter

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    ours = _Formatter("soulpost")
    theirs = argparse.RawDescriptionHelpFormatter("soulpost")
    assert (ours._width, ours._max_help_position) == (theirs._width, theirs._max_help_position)


def test_command_help_reads_as_before() -> None:
    """The whole `soulpost lint --help` text, against argparse's own formatter."""
    import argparse

    from soulpost import cli

    ours = cli.build_parser("lint", others=False)
    plain = argparse.RawDescriptionHelpFormatter
    original = cli._Formatter
    try:
        cli._Formatter = plain  # type: ignore[misc]
        theirs = cli.build_parser("lint", others=False)
    finally:
        cli._Formatter = original  # type: ignore[misc]
    assert ours.format_help() == theirs.format_help()
    sub = next(a for a in ours._actions if isinstance(a, argparse._SubParsersAction))
    sub_theirs = next(a for a in theirs._actions if isinstance(a, argparse._SubParsersAction))
    assert sub.choices["lint"].format_help() == sub_theirs.choices["lint"].format_help()
