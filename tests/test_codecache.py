"""The kept code of generated source text (soulpost/codecache.py, issue 9's one draft).

What is checked: a second run loads the code the first one wrote and compiles nothing
new, with the same output; the code is what ``compile`` gives for the same text; a file
from another interpreter, a damaged file and PYTHONDONTWRITEBYTECODE leave behaviour as
it was.
"""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import Result

POST = """text = "We shipped the NEW release today 🚀 BUY NOW at https://example.org/x #launch"
platforms = ["mastodon", "x", "bluesky"]
"""


def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "queue").mkdir(parents=True)
    (root / "config.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
    (root / "queue" / "a.toml").write_text(POST, encoding="utf-8")
    return root


def env_for(prefix: Path, *, write: bool = True) -> dict[str, str]:
    """The environment of a run whose bytecode (and kept code) goes under *prefix*."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_lint(root: Path, env: dict[str, str]) -> Result:
    """The installed ``soulpost lint queue/a.toml`` in *root*, with exactly *env*."""
    exe = Path(sys.executable).with_name("soulpost")
    done = subprocess.run(
        [str(exe), "lint", "queue/a.toml"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def kept_files(prefix: Path) -> list[Path]:
    return sorted(prefix.rglob("codecache.*.code"))


def test_a_second_run_reuses_the_code_the_first_one_kept(tmp_path: Path) -> None:
    root, prefix = workspace(tmp_path), tmp_path / "pyc"
    first = run_lint(root, env_for(prefix))
    files = kept_files(prefix)
    assert [f.name for f in files] == [f"codecache.lint.{sys.implementation.cache_tag}.code"]
    version, codes = marshal.loads(files[0].read_bytes())
    assert version == sys.version
    # dataclasses' generated methods and typing's forward references are both in it
    assert any("def __init__(" in text for text in codes["exec"])
    assert "bool" in codes["eval"]
    before = files[0].stat()

    second = run_lint(root, env_for(prefix))
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    after = files[0].stat()  # nothing new compiled: the file was not written again
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_nothing_is_kept_when_python_writes_no_bytecode(tmp_path: Path) -> None:
    root, prefix = workspace(tmp_path), tmp_path / "pyc"
    done = run_lint(root, env_for(prefix, write=False))
    assert done.code == 0, done.err
    assert kept_files(prefix) == []


def test_a_place_that_cannot_be_written_changes_nothing(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    blocked = tmp_path / "not-a-folder"  # a file: nothing can be made under it, even by root
    blocked.write_text("", encoding="utf-8")
    expected = run_lint(root, env_for(tmp_path / "pyc", write=False))
    done = run_lint(root, env_for(blocked))
    assert (done.code, done.out, done.err) == (expected.code, expected.out, expected.err)


# Run in a fresh interpreter: install() points typing, dataclasses and collections at the
# kept code for the whole process, which the test process must not inherit.
PROBE = textwrap.dedent(
    """
    import collections, dataclasses, marshal, sys, typing
    from soulpost import codecache

    path = codecache.cache_path("probe")
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = sys.argv[1]
    if mode == "foreign":  # another interpreter's file, whose "int" is really "str"
        codes = {"eval": {"int": compile("str", "<string>", "eval")}}
        open(path, "wb").write(marshal.dumps(("another python", codes)))
    elif mode == "mine":  # the same, under this interpreter's version: it is loaded
        codes = {"eval": {"int": compile("str", "<string>", "eval")}}
        open(path, "wb").write(marshal.dumps((sys.version, codes)))
    elif mode == "damaged":
        open(path, "wb").write(b"\\x00not marshal at all")
    codecache.install("probe")

    print(typing.ForwardRef("int")._evaluate(globals(), None, frozenset()).__name__)

    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        y: int = 2

    point = Point(1)
    Pair = collections.namedtuple("Pair", "a b")
    text = "list[dict[str, int]]"
    same = codecache.cached_compile(text, "<string>", "eval") == compile(text, "<string>", "eval")
    print(point, hash(point) == hash(Point(1, 2)), Pair(1, 2), same)

    def caller():
        here = 41
        return codecache.cached_eval("here + 1")  # no namespace: the caller's, as eval does

    where = 40
    codecache.cached_exec("found = where")
    print(caller(), found)
    """
)


def run_script(tmp_path: Path, script: str, *args: str, env: dict[str, str] | None = None) -> str:
    """*script* run by a fresh interpreter whose bytecode (and code cache) lives in tmp_path
    (with *env* on top of that environment)."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env={**env_for(tmp_path / "pyc"), **(env or {})},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def probe(tmp_path: Path, mode: str) -> list[str]:
    return run_script(tmp_path, PROBE, mode).splitlines()


def test_cached_code_behaves_as_compiled_code(tmp_path: Path) -> None:
    assert probe(tmp_path, "none") == [
        "int",
        "Point(x=1, y=2) True Pair(a=1, b=2) True",
        "42 40",
    ]


def test_only_a_file_of_this_interpreter_is_loaded(tmp_path: Path) -> None:
    assert probe(tmp_path, "mine")[0] == "str"  # the check can fail: this file is loaded
    assert probe(tmp_path, "foreign")[0] == "int"
    assert probe(tmp_path, "damaged")[0] == "int"


KEEP_PROBE = textwrap.dedent(
    """
    import marshal, sys
    import dataclasses  # its imports' named tuples are compiled now, not kept as the probe's
    from soulpost import codecache

    codecache.install("probe")
    for text in sys.argv[1:]:
        codecache.cached_compile(text, "<string>", "eval")
    codecache.save()
    version, codes = marshal.loads(codecache.cache_path("probe").read_bytes())
    print(" ".join(sorted(codes["eval"])))
    """
)


def kept_after_run(tmp_path: Path, *texts: str) -> str:
    return run_script(tmp_path, KEEP_PROBE, *texts).strip()


def test_runs_that_use_different_code_keep_each_others_until_it_outnumbers_theirs(
    tmp_path: Path,
) -> None:
    assert kept_after_run(tmp_path, "a1", "a2") == "a1 a2"
    # Another run of the command needs other code: the first run's snippets stay for it.
    assert kept_after_run(tmp_path, "b1", "b2") == "a1 a2 b1 b2"
    # Snippets no run uses any more are dropped once they outnumber what a run uses.
    assert kept_after_run(tmp_path, "c1") == "c1"
