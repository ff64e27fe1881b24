"""Shell completion, tested the way a shell runs it: bash sources the script that
`soulpost completion bash` prints, the test sets COMP_WORDS/COMP_CWORD/COMP_LINE as
readline would, calls the completion function and reads COMPREPLY."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")

# Complete $LINE as bash would at the end of the line, one candidate per output line.
DRIVER = r"""
source <(soulpost completion bash)
read -ra COMP_WORDS <<< "$LINE"
[[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$LINE"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
fn=$(complete -p soulpost | sed -E 's/.* -F ([^ ]+) .*/\1/')
"$fn" soulpost "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


def complete(line: str, cwd: Path = REPO) -> list[str]:
    soulpost = BIN / "soulpost"
    if not soulpost.exists():
        pytest.skip(f"no soulpost entry point next to {sys.executable}")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "LINE": line}
    env.pop("_ARGCOMPLETE", None)
    result = subprocess.run(
        ["bash", "-c", DRIVER],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [word.strip() for word in result.stdout.splitlines() if word.strip()]


def test_script_for_each_shell() -> None:
    for shell in ("bash", "zsh", "fish"):
        out = subprocess.run(
            [sys.executable, "-m", "soulpost", "completion", shell],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "soulpost" in out
        assert "_ARGCOMPLETE" in out, shell
    fish = subprocess.run(
        [sys.executable, "-m", "soulpost", "completion", "fish"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "complete" in fish and "--command soulpost" in fish


def test_commands() -> None:
    assert complete("soulpost app") == ["approve"]
    words = complete("soulpost ")
    assert {"lint", "approve", "schema", "lsp", "completion"} <= set(words)


def test_options() -> None:
    assert complete("soulpost lint --ign") == ["--ignore"]
    assert complete("soulpost lint --format ") == ["text", "json", "sarif", "github"]
    assert complete("soulpost --col") == ["--color"]


def test_post_ids_from_the_workspace() -> None:
    ids = complete("soulpost approve 2026-12-1")
    assert ids == [
        "2026-12-10-guaranteed-results",
        "2026-12-11-template-giveaway",
        "2026-12-14-year-in-review-question",
    ]
    assert "2026-12-02-flash-sale" in complete("soulpost publish --now 2026-12-02")


def test_post_ids_follow_dash_c_and_the_id_key(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    subprocess.run(
        [sys.executable, "-m", "soulpost", "init", str(root), "--timezone", "UTC"],
        check=True,
        capture_output=True,
    )
    (root / "queue" / "file-name.toml").write_text(
        'id = "launch-day"\ntext = "hi"\n', encoding="utf-8"
    )
    values = [w for w in complete(f"soulpost -C {root} retry ") if not w.startswith("-")]
    assert values == ["launch-day", "welcome"]
    assert complete("soulpost retry l", cwd=root) == ["launch-day"]


def test_platforms_include_configured_ones(tmp_path: Path) -> None:
    assert "linkedin" in complete("soulpost add -p ")
    assert complete("soulpost doctor mast") == ["mastodon"]
    root = tmp_path / "ws"
    root.mkdir()
    (root / "config.toml").write_text(
        '[platforms.team-chat]\nadapter = "webhook"\n', encoding="utf-8"
    )
    assert complete("soulpost resolve x --platform team", cwd=root) == ["team-chat"]


def test_rule_codes_and_names() -> None:
    assert complete("soulpost explain shout") == ["shouting"]
    codes = complete("soulpost lint --select SP10")
    assert codes[:2] == ["SP101", "SP102"]
    assert all(code.startswith("SP10") for code in codes)
    # After a comma, the next rule of the list.
    assert complete("soulpost lint --ignore SP101,SP10")[0] == "SP101,SP101"
