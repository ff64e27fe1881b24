"""A rule pack's regular expression cannot hang lint (issue 12, item 10).

Packs are data from a repository, like the drafts they check, so a pattern such as
``(a+)+$`` (exponential backtracking in Python's ``re`` on 34 "a"s followed by "!") must
be stopped: the post gets a finding naming the rule, the pack and the pattern, and the
other rules and posts are linted as usual. Every run here goes through the real command
line in a fresh process under a hard timeout, so a regression fails instead of hanging CI.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

NOW = "2026-11-20T12:00:00+00:00"
# Far above what a stopped pattern costs (a few timeouts of a quarter second), far below a
# hang: (a+)+$ on 34 "a"s takes Python's re minutes.
LIMIT = 30

CONFIG = """\
timezone = "Europe/Berlin"
default_platforms = ["mastodon"]

[platforms.mastodon]
adapter = "outbox"
"""

PACK = """\
[[rule]]
code = "ACME101"
name = "nested-repeat"
kind = "phrases"
severity = "info"
lesson = "listen"
summary = "A careless pattern that backtracks."
message = "{match!r} found"
options = { patterns = ['(a+)+$'] }
"""


def _post(text: str, day: int) -> str:
    return f'text = "{text}"\nat = 2026-12-{day:02d}T10:00:00\n'


def _workspace(root: Path, extra: dict[str, str] | None = None) -> Path:
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    (root / "rules").mkdir()
    (root / "rules" / "slow.toml").write_text(PACK, encoding="utf-8")
    queue = root / "queue"
    queue.mkdir()
    posts = {
        # The input: hangs re, though the regex module settles it at once.
        "short.toml": _post("a" * 34 + "!", 1),
        # Long enough to make even the regex module backtrack past the time bound.
        "long.toml": _post("a" * 3000 + "!", 2),
        "good.toml": _post("Doors open at 6!!! We would love to see you.", 3),
        **(extra or {}),
    }
    for name, body in posts.items():
        (queue / name).write_text(body, encoding="utf-8")
    return root


def _cap_memory() -> None:
    """In the child: at most 1 GB of address space, so a runaway allocation fails fast."""
    resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))


def _lint(
    root: Path, *, forked: bool = False, cap_memory: bool = False
) -> subprocess.CompletedProcess[str]:
    """``soulpost lint`` in a fresh interpreter, killed after LIMIT seconds.

    *forked* makes the run load and lint in forked workers, as it does for a large queue
    (the threshold is 1,500 drafts), the way tests/test_lint_workers.py forces it.
    """
    code = "import sys\nfrom soulpost.cli import main\n"
    if forked:  # and say on stderr whether the workers really reported
        code += (
            "from soulpost.lint import engine, workers\n"
            "engine._workers = lambda count: 2\n"
            "real = workers.load_and_lint\n"
            "def counted(*args, **kwargs):\n"
            "    report = real(*args, **kwargs)\n"
            "    print('forked' if report is not None else 'no pool', file=sys.stderr)\n"
            "    return report\n"
            "workers.load_and_lint = counted\n"
        )
    code += "sys.exit(main(sys.argv[1:]))\n"
    # A session of its own, so that a hang kills the forked workers too, not only lint.
    with subprocess.Popen(
        # --no-cache: every run lints (a cached answer would skip the pattern altogether).
        [sys.executable, "-c", code, "lint", "--no-cache", "--now", NOW, "--color", "never"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_cap_memory if cap_memory else None,  # noqa: PLW1509 (no threads here)
    ) as proc:
        try:
            out, err = proc.communicate(timeout=LIMIT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail(f"soulpost lint still ran after {LIMIT} s: a pattern hangs it")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _blocks(out: str) -> dict[str, str]:
    """The lint output per post file: every line that names it, and the lines after."""
    found: dict[str, list[str]] = {}
    current = ""
    for line in out.splitlines():
        if line.startswith("queue/"):
            current = line.split(":", 1)[0]
        if current:
            found.setdefault(current, []).append(line)
    return {name: "\n".join(lines) for name, lines in found.items()}


@pytest.mark.parametrize("forked", [False, True], ids=["one-process", "forked-workers"])
def test_a_backtracking_pack_pattern_is_stopped_and_lint_goes_on(
    tmp_path: Path, forked: bool
) -> None:
    root = _workspace(tmp_path)
    result = _lint(root, forked=forked)
    assert "Traceback" not in result.stderr, result.stderr
    # The finding crossed the process boundary: workers linted, the parent printed.
    assert ("forked" in result.stderr) == forked, result.stderr
    blocks = _blocks(result.stdout)
    long = blocks["queue/long.toml"]
    # The stopped pattern is a finding on the post, naming rule, pack, pattern and remedy.
    assert "ACME101" in long and "nested-repeat" in long
    assert "rules/slow.toml" in long and "'(a+)+$'" in long
    assert "too long" in long and "simplify" in long
    # It is an error: the post was not checked by a rule the workspace asked for.
    assert result.returncode == 1, result.stdout + result.stderr
    # The 34 "a"s: settled (no match, no stop) like any other post.
    assert "ACME101" not in blocks.get("queue/short.toml", "")
    # The other rules still ran on every post, the slow one included.
    assert "SP102" in blocks["queue/good.toml"]  # '!!!'
    assert "ACME101" not in blocks["queue/good.toml"]
    assert "3 posts" in result.stdout


def test_a_pattern_stopped_again_and_again_is_no_longer_run(tmp_path: Path) -> None:
    """The time stays bounded however many posts trip a pattern: after a few stops in one
    process the pattern is skipped, and each post it skipped still says so."""
    many = {f"long{n}.toml": _post("a" * 3000 + "!", 4 + n) for n in range(8)}
    root = _workspace(tmp_path, many)
    result = _lint(root)
    blocks = _blocks(result.stdout)
    tripped = {name for name, block in blocks.items() if "ACME101" in block}
    assert {"queue/long.toml", *(f"queue/{n}" for n in many)} <= tripped, result.stdout
    stopped = [name for name in tripped if "was stopped" in blocks[name]]
    assert 1 <= len(stopped) <= 3, result.stdout
    # Once skipped, the pattern is not run on any later text, and each one says so.
    assert all("not run" in blocks[name] for name in tripped - set(stopped))
    assert all("simplify" in blocks[name] for name in tripped)
    assert "SP102" in blocks["queue/good.toml"]


def test_shipped_and_workspace_patterns_behave_the_same_on_ordinary_text(
    tmp_path: Path,
) -> None:
    """A workspace pattern (timed, matched by the regex module) finds what re finds."""
    pack = textwrap.dedent(
        """\
        [[rule]]
        code = "ACME102"
        name = "spots-left"
        kind = "phrases"
        severity = "warning"
        lesson = "listen"
        summary = "Scarcity counts."
        message = "{match!r} counts down"
        options = { patterns = ['\\bonly \\d+ (?:left|spots?)\\b', '[⏰⏳]'] }
        """
    )
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "spots.toml").write_text(pack, encoding="utf-8")
    (tmp_path / "queue").mkdir()
    posts = {
        "a.toml": _post("ONLY 3 spots left for Friday.", 1),
        "b.toml": _post("Doors open soon ⏰", 2),
        "c.toml": _post("We have room for everyone.", 3),
    }
    for name, body in posts.items():
        (tmp_path / "queue" / name).write_text(body, encoding="utf-8")
    result = _lint(tmp_path)
    blocks = _blocks(result.stdout)
    assert "'ONLY 3 spots' counts down" in blocks["queue/a.toml"]
    assert "'⏰' counts down" in blocks["queue/b.toml"]
    assert "ACME102" not in blocks.get("queue/c.toml", "")


def test_a_pattern_set_in_config_on_a_shipped_rule_is_timed_too(tmp_path: Path) -> None:
    """The shipped pack's patterns run untimed, but [lint] options can replace them: what
    config gives is data from the repository as much as a pack is."""
    root = _workspace(tmp_path)
    (root / "rules" / "slow.toml").unlink()
    with (root / "config.toml").open("a", encoding="utf-8") as config:
        config.write("\n[lint.options.pressure]\npatterns = ['(a+)+$']\n")
    result = _lint(root)
    long = _blocks(result.stdout)["queue/long.toml"]
    assert "SP104" in long and "pressure" in long and "[lint] options" in long, result.stdout
    assert "'(a+)+$'" in long and "was stopped" in long
    assert "SP102" in _blocks(result.stdout)["queue/good.toml"]


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        # The regex module expands counted repeats while compiling, which no timeout bounds.
        ("(?:(?:a{1000}){1000}){1000}", "repeats too much"),
        ("(" * 1200 + "a" + ")" * 1200, "nested too deeply"),  # re's parser recurses
    ],
    ids=["counted-repeats", "deep-nesting"],
)
def test_a_pattern_too_costly_to_compile_is_a_pack_error(
    tmp_path: Path, pattern: str, problem: str
) -> None:
    root = _workspace(tmp_path)
    (root / "rules" / "slow.toml").write_text(
        PACK.replace("'(a+)+$'", f"'{pattern}'"), encoding="utf-8"
    )
    result = _lint(root)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 2, result.stdout + result.stderr
    assert "rules/slow.toml" in result.stderr and problem in result.stderr, result.stderr


def test_a_message_that_asks_for_gigabytes_is_a_pack_error(tmp_path: Path) -> None:
    """A pack's message template is filled for every hit: its format spec cannot be a way
    to make lint build a 2 GB string per finding."""
    root = _workspace(tmp_path)
    (root / "rules" / "slow.toml").write_text(
        PACK.replace("'(a+)+$'", "'aaa'").replace("{match!r} found", "{match:>2000000000}"),
        encoding="utf-8",
    )
    result = _lint(root, cap_memory=True)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 2, result.stdout + result.stderr
    assert "rules/slow.toml" in result.stderr and "rule[0].message" in result.stderr
    assert "at most 999" in result.stderr
