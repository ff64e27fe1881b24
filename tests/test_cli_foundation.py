"""init, add and queue through the real CLI entry point; exit codes; start-up."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from soulpost import __version__
from soulpost.cli import COMMANDS
from tests.conftest import REPO, run_process

CONFIG = 'timezone = "Europe/Berlin"\ndefault_platforms = ["mastodon"]\n'


def test_version(cli) -> None:
    with pytest.raises(SystemExit) as info:
        cli("--version")
    assert info.value.code == 0


def test_version_and_module_entry_point() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "soulpost", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"soulpost {__version__}"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(cli, command: str) -> None:
    with pytest.raises(SystemExit) as info:
        cli(command, "--help")
    assert info.value.code == 0


def test_no_command_is_a_usage_error(cli) -> None:
    assert cli().code == 2


def test_unknown_flag_is_a_usage_error(cli) -> None:
    with pytest.raises(SystemExit) as info:
        cli("queue", "--no-such-flag")
    assert info.value.code == 2


def test_init_scaffolds_and_refuses_to_overwrite(cli, tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/\n", encoding="utf-8")
    result = cli("init", "--timezone", "Europe/Paris", cwd=tmp_path)
    assert result.code == 0, result.err
    config = tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8"))
    assert config["timezone"] == "Europe/Paris"
    assert (tmp_path / "queue").is_dir()
    assert (tmp_path / "rules" / "README.md").is_file()
    gitignore = (tmp_path / ".gitignore").read_text(encoding="utf-8")
    assert "node_modules/" in gitignore
    assert ".soulpost/" in gitignore
    # The scaffold is a working workspace.
    listed = cli("queue", "--json", cwd=tmp_path)
    assert listed.code == 0, listed.err
    assert len(json.loads(listed.out)["posts"]) == 1
    before = (tmp_path / "config.toml").read_text(encoding="utf-8")
    again = cli("init", cwd=tmp_path)
    assert again.code == 2
    assert "never overwrites" in again.err
    assert (tmp_path / "config.toml").read_text(encoding="utf-8") == before
    assert gitignore.count(".soulpost/") == 1


def test_init_rejects_bad_timezone(cli, tmp_path: Path) -> None:
    result = cli("init", "--timezone", "Nowhere/Land", cwd=tmp_path)
    assert result.code == 2
    assert "--timezone" in result.err
    assert not (tmp_path / "config.toml").exists()


def test_add_writes_a_valid_post(cli, workspace) -> None:
    root = workspace(CONFIG)
    result = cli(
        "add",
        "What did you learn this week? Tell us!",
        "-p",
        "mastodon",
        "-p",
        "bluesky",
        "--at",
        "2026-12-01 09:00",
        "--tag",
        "weekly",
        cwd=root,
    )
    assert result.code == 0, result.err
    path = root / "queue" / "2026-12-01-what-did-you-learn-this-week-tell-us.toml"
    assert path.is_file(), result.out
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["platforms"] == ["mastodon", "bluesky"]
    assert data["status"] == "draft"
    assert data["tags"] == ["weekly"]
    assert data["at"].isoformat() == "2026-12-01T09:00:00"  # local wall time kept as written
    listed = json.loads(cli("queue", "--json", cwd=root).out)["posts"]
    assert listed[0]["at"] == "2026-12-01T09:00:00+01:00"


def test_add_never_overwrites_and_picks_a_new_name(cli, workspace) -> None:
    root = workspace(CONFIG)
    for _ in range(2):
        assert cli("add", "Same words", "--at", "2026-12-01T10:00+01:00", cwd=root).code == 0
    names = sorted(p.name for p in (root / "queue").iterdir())
    assert names == ["2026-12-01-same-words-2.toml", "2026-12-01-same-words.toml"]


def test_add_with_explicit_existing_id_is_refused(cli, workspace) -> None:
    root = workspace(CONFIG, {"taken.toml": 'text = "Original"\n'})
    result = cli("add", "New text", "--id", "taken", cwd=root)
    assert result.code == 2
    assert "already exists" in result.err
    assert "Original" in (root / "queue" / "taken.toml").read_text(encoding="utf-8")


def test_add_reads_stdin_and_files(cli, workspace, tmp_path: Path) -> None:
    root = workspace(CONFIG)
    assert cli("add", "-", "--id", "from-stdin", cwd=root, stdin="From stdin, line one\n").code == 0
    source = tmp_path / "draft.txt"
    source.write_text("From a file\nwith two lines\n", encoding="utf-8")
    assert cli("add", "--file", str(source), "--id", "from-file", cwd=root).code == 0
    stdin_post = tomllib.loads((root / "queue" / "from-stdin.toml").read_text(encoding="utf-8"))
    file_post = tomllib.loads((root / "queue" / "from-file.toml").read_text(encoding="utf-8"))
    assert stdin_post["text"].strip() == "From stdin, line one"
    assert file_post["text"] == "From a file\nwith two lines\n"


def test_add_rejects_unknown_platform_and_bad_time(cli, workspace) -> None:
    root = workspace(CONFIG)
    bad_platform = cli("add", "Hello", "-p", "friendster", cwd=root)
    assert bad_platform.code == 2
    assert "friendster" in bad_platform.err
    bad_time = cli("add", "Hello", "--at", "whenever", cwd=root)
    assert bad_time.code == 2
    assert "--at" in bad_time.err
    assert list((root / "queue").iterdir()) == []


def test_add_human_time_forms(cli, workspace) -> None:
    root = workspace(CONFIG)
    assert cli("add", "Hello", "--id", "t1", "--at", "tomorrow 9am", cwd=root).code == 0
    data = tomllib.loads((root / "queue" / "t1.toml").read_text(encoding="utf-8"))
    assert data["at"].hour == 9
    assert data["at"].tzinfo is None


def test_queue_table_in_time_order_and_local_zone(cli, workspace) -> None:
    root = workspace(
        CONFIG,
        {
            "late.toml": 'text = "Later post"\nat = 2026-12-02T09:00:00Z\n',
            "early.toml": 'text = "Earlier post"\nat = 2026-12-01T09:00:00Z\nstatus = "approved"\n',
            "slot.toml": 'text = "Whenever a slot is free"\n',
        },
    )
    result = cli("queue", cwd=root)
    assert result.code == 0, result.err
    lines = [line for line in result.out.splitlines() if line.strip()]
    assert lines[0].split()[:3] == ["WHEN", "ID", "PLATFORMS"]
    order = [line.split()[4] if line.startswith(("Tue", "Wed")) else None for line in lines[1:3]]
    assert order == ["early", "late"]
    assert "10:00 CET" in lines[1]  # 09:00Z shown in Europe/Berlin
    assert "approved" in lines[1]
    data = json.loads(cli("queue", "--json", cwd=root).out)
    assert [p["id"] for p in data["posts"]] == ["early", "late", "slot"]
    assert data["posts"][0]["time_source"] == "explicit"
    assert data["posts"][0]["local"] == "2026-12-01T10:00:00+01:00"


def test_queue_reports_broken_drafts_and_exits_2(cli, workspace) -> None:
    root = workspace(
        CONFIG, {"ok.toml": 'text = "Fine"\n', "bad.toml": 'text = "x"\nplatforms = 5\n'}
    )
    result = cli("queue", "--json", cwd=root)
    assert result.code == 2
    assert [p["id"] for p in json.loads(result.out)["posts"]] == ["ok"]
    assert "queue/bad.toml:2: platforms:" in result.err


def test_queue_outside_a_workspace(cli, tmp_path: Path) -> None:
    result = cli("queue", cwd=tmp_path)
    assert result.code == 2
    assert "soulpost init" in result.err


def test_workspace_flag(cli, workspace, tmp_path: Path) -> None:
    root = workspace(CONFIG, {"a.toml": 'text = "Hi"\n'})
    elsewhere = tmp_path.parent
    result = cli("-C", str(root), "queue", "--json", cwd=elsewhere)
    assert result.code == 0
    assert json.loads(result.out)["posts"][0]["id"] == "a"


def test_console_script_on_example_workspace() -> None:
    result = run_process("queue", cwd=REPO)
    assert result.code == 0, result.err
    assert "2026-12-01-onboarding-lessons" in result.out
    assert "GMT" in result.out  # Europe/London in winter


def test_version_does_not_import_pydantic() -> None:
    code = "import sys; from soulpost.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass\nprint('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False")
