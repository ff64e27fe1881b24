"""Instruction counts of ``soulpost site`` and ``soulpost calendar`` (valgrind cachegrind).

Wall and CPU times of the review commands swing with whatever else the machine runs; the
count of instructions does not. Three counts, each from one run:

* ``site-solo``: the site of a 2,000-draft queue in one process with the lint left out.
  A live thread makes soulpost fork nothing (no readers, lint workers or page writers),
  and ``lint_pending`` gives every post no findings: what is left is loading, planning,
  composing, rendering and writing, deterministic with ``PYTHONHASHSEED=0``.
* ``site``: the same site, a real run; one count per process. A forked child's count
  includes what its parent ran before the fork, so read them per process, not summed.
* ``site-first``: the same real run, each page writer ending as its findings come (its
  second phase never runs; this process then writes every page itself): a writer's count
  is its first phase, what it does while the linter runs, and ``site`` minus it the
  second, which waits for the linter's end.
* ``calendar``: the week of a 10,000-draft queue, its main process up to the lint
  request (``Helper.lint`` ends the process there): the path the answer waits on.

    .venv/bin/python bench/review_counts.py            # all three
    .venv/bin/python bench/review_counts.py --only calendar
    .venv/bin/python bench/review_counts.py --only site-first   # the writers' first phase

The workspaces are review_bench's (``bench/out/review-ws``), made on first use.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lint_bench import make_workspace
from review_bench import BEFORE, EXE, NOW, OUT

# Run in the measured process: soulpost's own entry point with the patches the case needs.
SOLO = """\
import os, sys, threading
threading.Thread(target=threading.Event().wait, daemon=True).start()  # no forking
import soulpost.review.model as model
model.lint_pending = lambda *args, **kwargs: {}
from soulpost.cli import main
sys.exit(main(sys.argv[1:]))
"""
UNTIL_REQUEST = """\
import os, sys
import soulpost.review.linthelper as linthelper
linthelper.Helper.lint = lambda self, request: os._exit(0)
from soulpost.cli import main
sys.exit(main(sys.argv[1:]))
"""
FIRST_ONLY = """\
import os, sys
import soulpost.review.sitewriter as sitewriter
sitewriter._finish_range = lambda *args: os._exit(0)
from soulpost.cli import main
sys.exit(main(sys.argv[1:]))
"""
PLAIN = "import sys\nfrom soulpost.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def workspace(posts: int) -> Path:
    root = make_workspace(OUT / "review-ws", posts)
    if not (root / ".soulpost" / "index.json").is_file():
        env = {**os.environ, "SOULPOST_NOW": BEFORE}
        argv = [EXE, "publish", "--due"]
        subprocess.run(argv, cwd=root, env=env, capture_output=True, check=False)
    return root


def count(code: str, argv: list[str], cwd: Path) -> list[tuple[int, int]]:
    """(pid, instructions) of every process one run made, in the order they started."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "run.py"
        script.write_text(code, encoding="utf-8")
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        subprocess.run(
            [
                "valgrind", "--tool=cachegrind", "--cache-sim=no",
                f"--cachegrind-out-file={tmp}/cg.%p", sys.executable, str(script), *argv,
            ],
            cwd=cwd, env=env, capture_output=True, check=False,
        )  # fmt: skip
        found = []
        for path in Path(tmp).glob("cg.*"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith("summary:"):
                    found.append((int(path.name[3:]), int(line.split()[1])))
        return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["site-solo", "site", "site-first", "calendar"])
    args = parser.parse_args()
    # Compile soulpost's .pyc files first: a module compiled from source in the counted
    # run (an edited one, where the environment disables writing them) adds its parse.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    import soulpost

    package = str(Path(soulpost.__file__).parent)
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True)
    cases = [args.only] if args.only else ["site-solo", "site", "site-first", "calendar"]
    with tempfile.TemporaryDirectory(dir=OUT) as out:
        for case in cases:
            if case == "calendar":
                root = workspace(10_000)
                argv = ["calendar", "--now", NOW, "--width", "120"]
                found = count(UNTIL_REQUEST, argv, root)[:1]  # the calendar's own process
            else:
                root = workspace(2_000)
                argv = ["site", str(Path(out) / case), "--now", NOW]
                code = {"site-solo": SOLO, "site-first": FIRST_ONLY}.get(case, PLAIN)
                found = count(code, argv, root)
            for pid, instructions in found:
                print(f"{case:<10} pid {pid:>7}  {instructions / 1e9:8.3f} G instructions")


if __name__ == "__main__":
    main()
