"""Where rules come from: shipped packs, workspace packs, and entry-point plugins."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from soulpost.lint import registry as registry_module
from soulpost.lint.registry import load_registry, shipped_packs
from tests.conftest import REPO, Result

CLI = Callable[..., Result]
MAKE = Callable[..., Path]
BASE = 'timezone = "Europe/Berlin"\ndefault_platforms = ["mastodon"]\n'

PACK = """
[[rule]]
code = "ACME101"
name = "no-jargon"
kind = "phrases"
severity = "warning"
lesson = "useful"
summary = "Our own jargon that customers do not use."
why = "Customers do not know our internal names for things."
message = "{match!r} is internal jargon"
bad = ["The flux capacitor is live."]
good = ["The new sync engine is live."]
options = { phrases = ["flux capacitor"] }
"""


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    registry_module._CACHE.clear()
    yield
    registry_module._CACHE.clear()


def write_pack(root: Path, body: str, name: str = "ours.toml") -> Path:
    path = root / "rules" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_the_article_pack_ships_inside_the_package() -> None:
    packs = shipped_packs()
    assert [p.name for p in packs] == ["article.toml", "de.toml", "es.toml", "fr.toml"]
    assert packs[0].read_bytes() == (REPO / "rules" / "article.toml").read_bytes()
    origins = {s.origin for s in load_registry(None).specs}
    assert "pack:article.toml" in origins and "builtin" in origins


def test_the_repository_workspace_does_not_load_its_pack_twice() -> None:
    codes = [s.code for s in load_registry(REPO).specs]
    assert len(codes) == len(set(codes))


def test_a_workspace_pack_adds_rules(cli: CLI, workspace: MAKE) -> None:
    root = workspace(BASE, {"a.toml": 'text = "The flux capacitor is live."\n'})
    write_pack(root, PACK)
    result = cli("-C", root, "lint")
    assert "queue/a.toml:1:13: ACME101 no-jargon" in result.out
    listing = cli("-C", root, "rules")
    row = next(line for line in listing.out.splitlines() if line.startswith("ACME101"))
    assert "no-jargon" in row and "useful" in row and "jargon that customers" in row
    explained = cli("-C", root, "explain", "no-jargon")
    assert explained.code == 0
    assert "'flux capacitor' is internal jargon" in explained.out
    assert "pack:rules/ours.toml" in explained.out


def test_packs_named_in_config_load_too(cli: CLI, workspace: MAKE) -> None:
    root = workspace(
        BASE + '[lint]\npacks = ["team/rules.toml"]\n',
        {"a.toml": 'text = "The flux capacitor is live."\n'},
    )
    (root / "team").mkdir()
    (root / "team" / "rules.toml").write_text(PACK, encoding="utf-8")
    assert "ACME101" in cli("-C", root, "lint").out
    root.joinpath("team", "rules.toml").unlink()
    missing = cli("-C", root, "lint")
    assert missing.code == 2 and "rules.toml" in missing.err and "not found" in missing.err


def test_a_broken_pack_is_an_error_naming_file_and_line(cli: CLI, workspace: MAKE) -> None:
    root = workspace(BASE)
    write_pack(root, '[[rule]]\ncode = "X1"\nname = \n')
    result = cli("-C", root, "lint")
    assert result.code == 2
    assert "rules/ours.toml:3: rule pack: invalid TOML" in result.err


def test_pack_mistakes_are_named(cli: CLI, workspace: MAKE) -> None:
    root = workspace(BASE)
    write_pack(root, PACK.replace('kind = "phrases"', 'kind = "phrase"'))
    err = cli("-C", root, "lint").err
    assert "ours.toml:5: rule[0].kind: rule pack: unknown rule kind 'phrase'" in err
    assert "did you mean 'phrases'?" in err
    write_pack(root, PACK.replace('code = "ACME101"', 'code = "acme-1"'))
    assert "code 'acme-1' must look like SP101" in cli("-C", root, "lint").err
    write_pack(root, PACK.replace('lesson = "useful"', 'lesson = "sell"'))
    assert "lesson 'sell' must be one of" in cli("-C", root, "lint").err
    write_pack(root, PACK.replace("options = {", "options = { min_cnt = 2,"))
    err = cli("-C", root, "lint").err
    assert "ours.toml:13" in err and "min_cnt: unknown option" in err
    write_pack(root, PACK + "colour = 'red'\n")
    assert "unknown key" in cli("-C", root, "lint").err


def test_duplicate_codes_and_names_are_errors(cli: CLI, workspace: MAKE) -> None:
    root = workspace(BASE)
    write_pack(root, PACK.replace('code = "ACME101"', 'code = "SP101"'))
    err = cli("-C", root, "lint").err
    assert "code SP101 of pack:rules/ours.toml is already used by pack:article.toml" in err
    write_pack(root, PACK.replace('name = "no-jargon"', 'name = "shouting"'))
    assert "name 'shouting' of pack:rules/ours.toml is already used" in cli("-C", root, "lint").err


PLUGIN = """
from soulpost.lint.rule import Hit, PostRule


class NoMondays(PostRule):
    code = "MON100"
    name = "no-mondays"
    severity = "info"
    lesson = "listen"
    summary = "Mentions Monday."
    why = "Nobody likes to be reminded that it is Monday, so we made a plugin about it."
    bad = ("Happy Monday",)
    good = ("Happy Friday",)
    message = "Monday again"

    def check(self, draft):
        if "monday" in draft.post.text.lower():
            yield Hit(self.say())
"""


def install_plugin(site: Path, module: str, source: str, target: str) -> None:
    (site / f"{module}.py").write_text(source, encoding="utf-8")
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[soulpost.rules]\n{module} = {target}\n", encoding="utf-8"
    )


def test_entry_point_plugins_load_and_validate(
    cli: CLI, workspace: MAKE, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "mondayrules", PLUGIN, "mondayrules:NoMondays")
    monkeypatch.syspath_prepend(str(site))
    root = workspace(BASE, {"a.toml": 'text = "Happy Monday, what are you working on?"\n'})
    result = cli("-C", root, "lint", "--fail-on", "info")
    assert result.code == 1
    assert "MON100 no-mondays" in result.out
    assert "plugin:mondayrules" in cli("-C", root, "explain", "MON100").out


def test_a_plugin_that_fails_to_import_names_its_distribution(
    cli: CLI, workspace: MAKE, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "brokenrules", "import not_a_module_anywhere\n", "brokenrules:Rule")
    monkeypatch.syspath_prepend(str(site))
    result = cli("-C", workspace(BASE), "lint")
    assert result.code == 2
    assert (
        "rule plugin 'brokenrules' (brokenrules:Rule) from distribution brokenrules 1.0 failed to load"
        in result.err
    )
    assert "ModuleNotFoundError" in result.err


def test_a_plugin_that_is_not_a_rule_is_refused(
    cli: CLI, workspace: MAKE, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "oddrules", "class Thing:\n    pass\n", "oddrules:Thing")
    monkeypatch.syspath_prepend(str(site))
    err = cli("-C", workspace(BASE), "lint").err
    assert "oddrules" in err and "is not a PostRule or QueueRule subclass" in err


def test_a_plugin_with_a_bad_code_is_refused(
    cli: CLI, workspace: MAKE, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "badcode", PLUGIN.replace('"MON100"', '"monday"'), "badcode:NoMondays")
    monkeypatch.syspath_prepend(str(site))
    err = cli("-C", workspace(BASE), "lint").err
    assert "from distribution badcode 1.0" in err and "must look like SP101" in err
