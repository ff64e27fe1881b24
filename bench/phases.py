"""Where the instructions of one one-draft ``soulpost lint`` go, phase by phase.

``bench/lint_bench.py --instructions`` counts a whole run; this counts the same run (the
bench's workspace, its first draft) cut short at each phase's end, under valgrind, so the
difference between two cuts is what that phase costs, whatever the load on the machine:

    .venv/bin/python bench/phases.py                 # cold (--no-cache)
    .venv/bin/python bench/phases.py --case edited   # warm cache, the draft just edited

A cut ends the process (``os._exit``) when a module starts or finishes importing, or
when a function is called or returns; the command line is otherwise the real one
(``soulpost.cli.main``, as ``python -m soulpost`` runs it). Cuts follow the order one
lint reaches them; a cut it never reaches is reported, since the run then went to the
end (tests/test_bench_phases.py checks that each one is reached).
"""

from __future__ import annotations

# Only what the interpreter has loaded anyway: a cut run imports nothing else before
# soulpost, so each phase costs what it costs in a real run.
import functools
import importlib.util
import os
import sys

TYPE_CHECKING = False  # not typing's: importing typing here would move it to the first phase
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

# (cut, what the run did since the previous cut). A cut is "import:MODULE" (before it
# runs), "done:MODULE" (once it ran), "MODULE:FUNCTION" (when called; Class.method
# works), "MODULE:FUNCTION:after" (when it returns) or "end" (the whole run).
PHASES = [
    ("import:soulpost.cli", "interpreter, site (.pth files, the editable finder)"),
    ("soulpost.codecache:install:after", "argparse, typing, dataclasses, kept code loaded"),
    ("soulpost.cli:build_parser:after", "parser, the lint command's module and its imports"),
    ("import:soulpost.workspace", "the lint engine's modules"),
    ("import:soulpost.factories", "pydantic and pydantic_core imported"),
    ("done:soulpost.config", "the settings models"),
    ("done:soulpost.workspace", "the post models, the loader"),
    ("soulpost.commands.lint:gather:after", "config.toml read and validated"),
    ("soulpost.lint.engine:_ruleset:after", "rules: built-ins, packs, configuration"),
    ("soulpost.lint.engine:lint_drafts", "lint cache opened, the draft loaded"),
    ("soulpost.lint.engine:lint_drafts:after", "the post rules on the draft"),
    ("soulpost.lint.formats:render", "queue rules, the cache kept and written"),
    ("end", "the report printed, exit"),
]
CASES = ("cold", "warm", "edited", "fill")


def _cut_here(cut: str) -> None:
    """Arrange for this process to end at *cut*, then run the command line."""
    parts = cut.split(":")
    if parts[0] == "end":
        return

    def patch(module: Any) -> None:
        owner = module
        *path, name = parts[1].split(".")
        for attribute in path:
            owner = getattr(owner, attribute)
        function = getattr(owner, name)
        after = parts[2:] == ["after"]

        @functools.wraps(function)
        def ending(*args: Any, **kwargs: Any) -> Any:
            if after:
                function(*args, **kwargs)
            os._exit(0)

        setattr(owner, name, ending)

    class Cutter:
        def find_spec(self, name: str, path: object = None, target: object = None) -> Any:
            if parts[0] == "import" and name == parts[1]:
                os._exit(0)
            watched = parts[1] if parts[0] == "done" else parts[0]
            if name != watched:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            loader = spec.loader  # type: ignore[union-attr]
            run = loader.exec_module  # type: ignore[union-attr]

            def exec_module(module: Any) -> None:
                run(module)
                if parts[0] == "done":
                    os._exit(0)
                patch(module)

            loader.exec_module = exec_module  # type: ignore[union-attr]
            return spec

    if parts[0] not in ("import", "done") and parts[0] in sys.modules:
        patch(sys.modules[parts[0]])
    else:
        sys.meta_path.insert(0, Cutter())


def count(argv: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Instructions of one run of *argv* (valgrind's cachegrind, every process)."""
    import re
    import subprocess

    counter = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    done = subprocess.run(
        [*counter, *argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    found = re.findall(r"I\s+refs:\s+([\d,]+)", done.stderr)
    return sum(int(n.replace(",", "")) for n in found)


def run_cut(cut: str, argv: list[str]) -> None:
    """``soulpost ARGV`` as ``python -m soulpost`` runs it, ending at *cut*."""
    _cut_here(cut)
    sys.argv = ["soulpost", *argv]
    from soulpost.cli import main as cli_main

    raise SystemExit(cli_main())


def main() -> None:
    import argparse
    import shutil
    import tempfile
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, default="cold")
    parser.add_argument("--dir", type=Path, help="where to keep the workspace (default: temp)")
    parser.add_argument("--size", type=int, default=50, help="drafts in the workspace")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import lint_bench

    lint_bench.compile_package()
    parent = args.dir or Path(tempfile.mkdtemp(prefix="soulpost-phases-"))
    try:
        _report(args.case, lint_bench.make_workspace(parent, args.size), parent, lint_bench.NOW)
    finally:
        if args.dir is None:
            shutil.rmtree(parent, ignore_errors=True)


# A cut run imports this module (from its .pyc) rather than running it as a script,
# which the interpreter would compile again each time (about 15 M instructions).
_RUN_CUT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "import phases; phases.run_cut(sys.argv[2], sys.argv[3:])"
)


def _report(case: str, root: Path, parent: Path, now: str) -> None:
    import shutil
    import subprocess
    from pathlib import Path

    cache = parent / "phases-cache"
    env = {**os.environ, "SOULPOST_CACHE_DIR": str(cache), "PYTHONHASHSEED": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as a user's run: kept code is written
    lint = ["lint", *(["--no-cache"] if case == "cold" else []), "--now", now]
    lint.append("queue/000000.toml")
    draft = root / "queue" / "000000.toml"
    original = draft.read_text(encoding="utf-8")
    turn = 0
    here = str(Path(__file__).parent)
    # Warm-up: this module's .pyc, soulpost's kept code and (but for cold) the lint cache.
    warm_up = [sys.executable, "-c", _RUN_CUT, here, "end", *lint]
    subprocess.run(warm_up, cwd=root, env=env, check=False)
    previous = 0
    print(f"one draft, {case}: instructions at the end of each phase (M)")
    try:
        for cut, what in PHASES:
            if case == "fill":
                shutil.rmtree(cache, ignore_errors=True)
            elif case == "edited":
                turn += 1
                draft.write_text(original.replace('text = "', f'text = "Take {turn}: ', 1))
            argv = [sys.executable, "-c", _RUN_CUT, here, cut, *lint]
            total = count(argv, root, env)
            print(f"{total / 1e6:8.1f} {(total - previous) / 1e6:+8.1f}  {cut:<42} {what}")
            previous = total
    finally:
        draft.write_text(original, encoding="utf-8")


if __name__ == "__main__":
    main()
