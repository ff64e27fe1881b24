"""`[lint]` configuration and per-post suppressions, through the real CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result

CLI = Callable[..., Result]
MAKE = Callable[..., Path]

BASE = 'timezone = "Europe/Berlin"\ndefault_platforms = ["mastodon"]\n'
LOUD = {"loud.toml": 'text = "Act now, LAST CHANCE at SOULPOST."\n'}


def codes(result: Result) -> set[str]:
    return {
        line.split(": ")[1].split()[0]
        for line in result.out.splitlines()
        if line.startswith("queue/") and ": SP" in line
    }


def test_default_runs_every_rule(cli: CLI, workspace: MAKE) -> None:
    assert codes(cli("-C", workspace(BASE, LOUD), "lint")) == {"SP101", "SP104"}


def test_select_and_ignore_by_code_prefix_and_name(cli: CLI, workspace: MAKE) -> None:
    root = workspace(BASE + '[lint]\nselect = ["SP10"]\nignore = ["shouting"]\n', LOUD)
    assert codes(cli("-C", root, "lint")) == {"SP104"}
    root = workspace(BASE + '[lint]\nselect = ["SP101"]\nignore = ["SP1"]\n', LOUD)
    assert codes(cli("-C", root, "lint")) == {"SP101"}, "the more specific entry wins"
    root = workspace(BASE + '[lint]\nselect = ["SP1"]\nignore = ["SP1"]\n', LOUD)
    assert codes(cli("-C", root, "lint")) == set(), "on a tie, ignore wins"


def test_command_line_select_and_ignore(cli: CLI, workspace: MAKE) -> None:
    root = workspace(BASE, LOUD)
    assert codes(cli("-C", root, "lint", "--select", "pressure")) == {"SP104"}
    assert codes(cli("-C", root, "lint", "--ignore", "SP104,shouting")) == set()
    assert codes(cli("-C", root, "lint", "--ignore", "pressure")) == {"SP101"}


def test_severity_override_changes_the_exit_code(cli: CLI, workspace: MAKE) -> None:
    root = workspace(BASE, LOUD)
    assert cli("-C", root, "lint").code == 0
    root = workspace(BASE + '[lint.severity]\nshouting = "error"\n', LOUD)
    result = cli("-C", root, "lint")
    assert result.code == 1
    assert "1 error" in result.out
    root = workspace(BASE + '[lint.severity]\nSP1 = "info"\n', LOUD)
    assert cli("-C", root, "lint", "--fail-on", "warning").code == 0


def test_rule_options_and_allow_list(cli: CLI, workspace: MAKE) -> None:
    root = workspace(BASE + "[lint.options.shouting]\nmin_words = 4\n", LOUD)
    assert codes(cli("-C", root, "lint")) == {"SP104"}
    # SOULPOST is a name, not an ordinary word: never shouting. Allowing LAST leaves
    # CHANCE shouting on its own.
    root = workspace(BASE + '[lint]\nallow = ["LAST"]\n', LOUD)
    result = cli("-C", root, "lint")
    assert "CHANCE in capitals" in result.out
    assert "SOULPOST" not in result.out
    assert "LAST" not in result.out.split("SP101", 1)[1].split("\n", 1)[0]
    root = workspace(BASE + '[lint.options.SP104]\nphrases = ["at"]\npatterns = []\n', LOUD)
    assert "'at' pressures" in cli("-C", root, "lint").out


def test_unknown_rule_in_config_is_an_error_with_a_suggestion(cli: CLI, workspace: MAKE) -> None:
    root = workspace(BASE + '\n[lint]\nselect = ["shoutin"]\n', LOUD)
    result = cli("-C", root, "lint")
    assert result.code == 2
    assert "config.toml:5: lint.select: unknown rule 'shoutin'" in result.err
    assert "did you mean 'shouting'?" in result.err
    root = workspace(BASE + '[lint]\nignore = ["SP999"]\n', LOUD)
    assert "unknown rule 'SP999'" in cli("-C", root, "lint").err
    root = workspace(BASE + '[lint.severity]\npresure = "error"\n', LOUD)
    err = cli("-C", root, "lint").err
    assert "unknown rule 'presure'" in err and "'pressure'" in err
    root = workspace(BASE + "[lint.options.shoutng]\nmin_words = 2\n", LOUD)
    err = cli("-C", root, "lint").err
    assert "options for unknown rule 'shoutng'" in err and "'shouting'" in err


def test_bad_options_are_errors_naming_the_option(cli: CLI, workspace: MAKE) -> None:
    root = workspace(BASE + "[lint.options.shouting]\nmin_wrds = 2\n", LOUD)
    result = cli("-C", root, "lint")
    assert result.code == 2
    assert "config.toml:3" in result.err
    assert "min_wrds: unknown option" in result.err and "min_words" in result.err
    root = workspace(BASE + '[lint.options.flooding]\nspan = "soon"\n', LOUD)
    result = cli("-C", root, "lint")
    assert result.code == 2 and "span" in result.err


def test_settings_in_pyproject(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.soulpost]\ntimezone = "UTC"\n'
        'default_platforms = ["mastodon"]\n\n[tool.soulpost.lint]\nselect = ["shoutng"]\n',
        encoding="utf-8",
    )
    (tmp_path / "queue").mkdir()
    result = cli("-C", tmp_path, "lint")
    assert result.code == 2
    assert "pyproject.toml:9: lint.select: unknown rule 'shoutng'" in result.err


def test_post_ignore_by_name_and_code(cli: CLI, workspace: MAKE) -> None:
    post = 'text = "Act now, LAST CHANCE."\n\n[lint]\nignore = ["shouting", "SP104"]\nreason = "quoting an ad"\n'
    root = workspace(BASE, {"a.toml": post})
    result = cli("-C", root, "lint", "--fail-on", "info")
    assert result.code == 0, result.out


def test_unknown_rule_in_a_post_is_an_error_and_the_rest_is_linted(
    cli: CLI, workspace: MAKE
) -> None:
    post = 'text = "Act now, LAST CHANCE."\n\n[lint]\nignore = ["shoutng"]\n'
    root = workspace(BASE, {"a.toml": post, "b.toml": 'text = "Hurry up."\n'})
    result = cli("-C", root, "lint")
    assert result.code == 2
    text = result.out + result.err
    assert "queue/a.toml:4" in text and "unknown rule 'shoutng'" in text
    assert "did you mean 'shouting'?" in text
    assert "queue/a.toml:1:18: SP101 shouting" in result.out, "a bad entry suppresses nothing"
    assert "queue/b.toml:1:9: SP104 pressure" in result.out


def test_unused_suppressions_are_reported_on_request(cli: CLI, workspace: MAKE) -> None:
    posts = {
        "used.toml": 'text = "WELCOME EVERYONE."\n[lint]\nignore = ["shouting"]\n',
        "stale.toml": 'text = "A calm note. What do you think?"\n[lint]\nignore = ["shouting", "SP2"]\n',
    }
    root = workspace(BASE, posts)
    assert cli("-C", root, "lint", "--fail-on", "info").code == 0
    result = cli("-C", root, "lint", "--show-unused-suppressions", "--fail-on", "warning")
    assert result.code == 1
    assert "queue/stale.toml:3:1: SP900 unused-suppression" in result.out
    assert "'shouting' suppresses nothing" in result.out
    assert "'SP2' suppresses nothing" in result.out
    assert "used.toml" not in result.out


def test_unused_suppression_can_be_selected_in_config(cli: CLI, workspace: MAKE) -> None:
    posts = {"stale.toml": 'text = "A calm note."\n[lint]\nignore = ["pressure"]\n'}
    root = workspace(BASE + '[lint]\nselect = ["ALL", "unused-suppression"]\n', posts)
    assert "SP900" in cli("-C", root, "lint").out
    root = workspace(
        BASE + '[lint]\nselect = ["ALL", "unused-suppression"]\nignore = ["pressure"]\n', posts
    )
    assert "SP900" not in cli("-C", root, "lint").out, "the rule did not run, so we cannot tell"
