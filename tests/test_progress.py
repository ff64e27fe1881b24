"""Progress on long work: on a terminal only, wiped afterwards, colours by --color,
NO_COLOR and FORCE_COLOR; never in CI or a pipe. The CLI test runs `soulpost lint` under a
real pseudo-terminal."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from soulpost import progress
from soulpost.progress import Progress, color_enabled, progress_enabled

REPO = Path(__file__).resolve().parents[1]


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _auto_color() -> None:
    progress.set_color("auto")


def test_draws_on_a_terminal_and_wipes_the_line() -> None:
    out, clock = Tty(), Clock()
    with Progress("linting 3 drafts", 3, stream=out, environ={}, clock=clock, ticker=False) as bar:
        bar.advance()
        assert out.getvalue() == ""  # within the delay: nothing, no flicker for quick work
        clock.now += 1.0
        bar.advance()
        assert "linting 3 drafts [" in out.getvalue()
        assert "2/3 1.0s" in out.getvalue()
    assert out.getvalue().endswith("\r\x1b[2K")


@pytest.mark.parametrize(
    ("environ", "tty"),
    [({"CI": "true"}, True), ({}, False), ({"TERM": "dumb"}, True), ({"FORCE_COLOR": "1"}, False)],
)
def test_silent_in_ci_pipes_and_dumb_terminals(environ: dict[str, str], tty: bool) -> None:
    out, clock = (Tty() if tty else io.StringIO()), Clock()
    with Progress("x", 2, stream=out, environ=environ, clock=clock, ticker=False) as bar:
        clock.now += 5
        bar.advance()
    assert out.getvalue() == ""
    assert not progress_enabled(out, environ)


def test_colours_follow_no_color_force_color_and_the_flag() -> None:
    assert color_enabled(Tty(), {})
    assert not color_enabled(Tty(), {"NO_COLOR": "1"})
    assert not color_enabled(io.StringIO(), {})
    assert color_enabled(io.StringIO(), {"FORCE_COLOR": "1"})
    assert not color_enabled(io.StringIO(), {"FORCE_COLOR": "0"})
    progress.set_color("never")
    assert not color_enabled(Tty(), {"FORCE_COLOR": "1"})
    progress.set_color("always")
    assert color_enabled(io.StringIO(), {"NO_COLOR": "1"})


def _frame(environ: dict[str, str]) -> str:
    out, clock = Tty(), Clock()
    with Progress("p", 4, stream=out, environ=environ, clock=clock, delay=0, ticker=False) as bar:
        clock.now += 1  # past the interval: the call draws a new frame
        bar(2, 4)
        return out.getvalue()


def test_bar_colour_only_when_colours_are_on() -> None:
    assert "\x1b[32m" in _frame({})
    plain = _frame({"NO_COLOR": "1"})
    assert "[############............] 2/4" in plain
    assert "\x1b[32m" not in plain


def test_timer_redraws_between_calls_without_a_thread() -> None:
    leader, follower = pty.openpty()
    previous = signal.getsignal(signal.SIGALRM)
    threads = threading.active_count()
    with (
        open(follower, "w", encoding="utf-8") as terminal,
        Progress("building site", stream=terminal, environ={}, delay=0, interval=0.01),
    ):
        # No calls at all: the timer draws. Wait for its frame on the terminal, bounded.
        assert threading.active_count() == threads  # the linter still forks its workers
        seen = b""
        for _ in range(500):
            ready, _, _ = select.select([leader], [], [], 0.05)
            if ready:
                seen += os.read(leader, 1024)
                if "building site…".encode() in seen:
                    break
    assert "building site…".encode() in seen
    assert signal.getsignal(signal.SIGALRM) == previous
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    os.close(leader)


def _lint_in_pty(extra_env: dict[str, str]) -> tuple[str, str]:
    """Run `soulpost lint` with stderr on a pseudo-terminal; return (stdout, terminal)."""
    return _in_pty(["lint", "--now", "2026-11-30T00:00:00+00:00"], REPO, extra_env)


def _in_pty(args: list[str], cwd: Path, extra_env: dict[str, str]) -> tuple[str, str]:
    """Run `soulpost ARGS` in *cwd* with stderr on a pseudo-terminal: (stdout, terminal)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "SOULPOST_PROGRESS_DELAY": "0", "TERM": "xterm", **extra_env}
    for key in ("CI", "NO_COLOR", "FORCE_COLOR"):
        if key not in extra_env:
            env.pop(key, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "soulpost", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    proc.wait(timeout=60)
    os.close(leader)
    return stdout, seen.decode(errors="replace")


@pytest.mark.slow
def test_lint_shows_progress_on_a_terminal_only() -> None:
    stdout, terminal = _lint_in_pty({})
    assert re.search(r"linting \d+ drafts… \d+\.\ds", terminal), terminal
    assert terminal.endswith("\r\x1b[2K")
    assert "linting" not in stdout  # the report itself is untouched
    _, in_ci = _lint_in_pty({"CI": "true"})
    assert "linting" not in in_ci


def test_lint_piped_shows_no_progress() -> None:
    env = {**os.environ, "SOULPOST_PROGRESS_DELAY": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "soulpost", "--color", "always", "lint"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert "linting" not in result.stderr
    assert "\x1b[" in result.stdout  # --color always colours the report even into a pipe


def test_global_color_never_wins_over_force_color() -> None:
    env = {**os.environ, "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    forced = subprocess.run(
        [sys.executable, "-m", "soulpost", "lint"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert "\x1b[" in forced.stdout  # FORCE_COLOR alone colours even into a pipe
    never = subprocess.run(
        [sys.executable, "-m", "soulpost", "--color", "never", "lint"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert "\x1b[" not in never.stdout
    assert never.stdout.strip()


def test_note_prints_above_the_progress_line() -> None:
    out, clock = Tty(), Clock()
    with Progress("publishing 3", 3, stream=out, environ={}, clock=clock, delay=0) as bar:
        bar.note("published a on mastodon", stream=out)
        clock.now += 1
        bar.advance()
    text = out.getvalue()
    wiped = text.index("\r\x1b[2Kpublished a on mastodon\n")
    assert text.index("publishing 3 [", wiped) > wiped  # redrawn below the note
    assert text.endswith("\r\x1b[2K")
    quiet = io.StringIO()  # not a terminal: the note is just a line
    with Progress("x", 1, stream=quiet, environ={}) as bar:
        bar.note("hello", stream=quiet)
    assert quiet.getvalue() == "hello\n"


def _example(tmp_path: Path) -> Path:
    """A copy of the example workspace (config, queue, rules, media), without its state."""
    import shutil

    root = tmp_path / "ws"
    root.mkdir()
    shutil.copy(REPO / "config.toml", root)
    for folder in ("queue", "rules", "media"):
        shutil.copytree(REPO / folder, root / folder, symlinks=False)
    return root


@pytest.mark.slow
def test_publishing_and_the_site_show_progress_on_a_terminal_only(tmp_path: Path) -> None:
    root = _example(tmp_path)
    now = {"SOULPOST_NOW": "2026-12-01T09:31:00Z"}
    _, terminal = _in_pty(["publish", "--due"], root, now)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", terminal)  # colours aside
    assert re.search(r"publishing 3 due \[#{16}\.{8}\] 2/3", plain), terminal
    assert "\r\x1b[2Kpublished 2026-12-01-onboarding-lessons on mastodon" in plain
    assert "\r\x1b[2K" in terminal  # wiped before the report and the log lines
    _, site = _in_pty(["site", str(tmp_path / "site")], root, now)
    assert re.search(r"writing the site for \d+ post\(s\)… \d+\.\ds", site), site
    piped = subprocess.run(
        [sys.executable, "-m", "soulpost", "publish", "--due", "--dry-run"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "SOULPOST_PROGRESS_DELAY": "0", **now},
        check=False,
    )
    assert "publishing" not in piped.stderr and "\x1b[" not in piped.stderr
