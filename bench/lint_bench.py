"""Whole-process wall time and memory of `soulpost lint` on generated queues.

Generates N realistic drafts (calm, shouty, promotional, threads, per-platform variants,
images with and without alt text, several platforms, times spread over weeks) into a
scratch workspace, then runs the installed ``soulpost lint`` as a subprocess, as a user
or CI would, and reports the median of several runs:

    .venv/bin/python bench/lint_bench.py                    # 1k, 10k, 50k and one draft
    .venv/bin/python bench/lint_bench.py --sizes 10000 --runs 7
    .venv/bin/python bench/lint_bench.py --sizes 10000 --profile   # plus a cProfile
    .venv/bin/python bench/lint_bench.py --sizes 1000,10000 --instructions  # plus counts

CPU: user+system seconds of lint and its workers (``wait4``), steadier than wall time on
a busy machine. ``--instructions`` adds what does not move with the load at all: the
machine instructions of one run (lint and its workers), counted by valgrind, for the
cold, warm and edited cases.
Memory: ``max RSS`` is the largest resident set of any one process of the
run (from ``wait4``); ``tree RSS`` is the proportional set size (PSS) of the lint process
and its forked workers together, so shared pages count once, sampled every 5 ms from /proc
in an extra untimed run (so it can miss a short peak). Results go to bench/out/ as
JSON, with the load average, since other work on the machine inflates wall times.
Targets (issue 9): 10k drafts <= 1.0 s, one draft <= 0.15 s, memory < 150 MB, linear
growth.

soulpost keeps a lint cache outside the workspace (docs/ci.md, "The lint cache"); the
benchmark points ``SOULPOST_CACHE_DIR`` at a folder of its own and measures each case
four ways:

* ``cold``: ``--no-cache``, nothing read or written: what a first lint costs, and what
  every lint cost before the cache;
* ``fill``: the cache emptied before each run, so each run lints everything and writes
  the cache (the first lint of a CI job without a restored cache);
* ``warm``: the queue unchanged since the warm-up run filled the cache (a lint of the
  whole queue prints the report it kept; docs/ci.md);
* ``edited``: a warm cache, and one draft edited before each run (its text changes), so
  the kept report does not apply and the drafts' entries answer.

(The operating system's page cache is warm in every case: the warm-up run fills it.)
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
EXE = str(Path(sys.executable).with_name("soulpost"))
NOW = "2026-12-01T00:00:00+00:00"  # drafts are scheduled after this; lint is told it is now

CONFIG = """\
timezone = "Europe/London"
default_platforms = ["mastodon", "bluesky"]

[platforms.mastodon]
adapter = "outbox"

[platforms.bluesky]
adapter = "outbox"

[platforms.linkedin]
adapter = "outbox"

[platforms.x]
adapter = "console"

[[slots]]
days = "mon-fri"
times = ["09:30", "13:00"]

[lint]
allow = ["CSV", "API", "UTC", "FAQ"]
"""

THREAD = [
    "1. Write alt text for every image: say what matters in it, not just what it is.",
    "2. Use CamelCase in multi-word hashtags (#WritingTips) so screen readers say them.",
    "3. Put emoji at the end of a sentence rather than between words.",
    "4. Keep links to a few per post, and say where each one goes. Which tip was new?",
]
PLATFORM_SETS = [
    ["mastodon", "bluesky"],
    ["mastodon", "bluesky", "linkedin"],
    ["x", "mastodon"],
    ["linkedin"],
    ["bluesky"],
    ["x", "bluesky", "linkedin", "mastodon"],
]


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


TOPICS = [
    "onboarding",
    "the CSV export",
    "search",
    "billing pages",
    "our API docs",
    "alt text",
    "the mobile app",
    "release notes",
    "support replies",
    "the newsletter",
    "dark mode",
    "keyboard shortcuts",
    "password resets",
    "team invites",
    "the status page",
    "webhooks",
]
FINDINGS = [
    "people skim the first screen and skip the rest",
    "most questions came from the same two settings",
    "a short example helped more than a long explanation",
    "the slowest step was waiting for an email",
    "people wanted to undo more than they wanted to redo",
    "screen reader users hit a button with no label",
    "the old wording confused new and experienced users alike",
    "nobody used the feature we were proudest of",
    "a checklist beat a video for getting started",
    "the default sort order surprised almost everyone",
]
CHANGES = [
    "So we rewrote the first page around one clear next step.",
    "We moved the setting people look for to the top.",
    "The guide now opens with a worked example.",
    "We added a plain-language summary to every page.",
    "The button has a label now, and we added a test for it.",
    "We are trying a shorter version for two weeks.",
    "Notes and slides are free to download, no sign-up needed.",
    "We wrote up what we tried and what did not work.",
]
ASKS = [
    "What would you add?",
    "Have you seen the same thing?",
    "Which part should we look at next?",
    "Tell us what we missed.",
    "Replies welcome; we read every one.",
    "",
]
SHOUT_BITS = [
    "FLASH SALE!!!",
    "ACT NOW!!!",
    "LAST CHANCE to save {n}%!!!",
    "HURRY, ends at midnight!!!",
    "You WON'T BELIEVE this!!!",
    "BIG NEWS coming, stay tuned!!",
    "GUARANTEED results!!!",
    "Only {n} spots LEFT!!!",
    "DON'T MISS OUT!!!",
    "🔥🔥🔥",
]
PROMO_BITS = [
    "Our {topic} add-on is {n}% off until Friday.",
    "Buy now at https://shop.example.com/{n}.",
    "Get the pro plan today and save {n}%.",
    "Sign up today for the winter offer.",
    "Limited time offer on {topic}.",
    "Book a demo of our best-in-class {topic} platform.",
    "Prices start at £{n} a month.",
    "#sale #deal #discount #offer",
]


def _calm(rng: random.Random, n: int) -> str:
    topic = rng.choice(TOPICS)
    opener = rng.choice(
        [
            f"We talked to {n} of you about {topic}",
            f"A small experiment with {topic}, {n} days in",
            f"Notes from this week's session on {topic}",
            f"What {n} support tickets taught us about {topic}",
        ]
    )
    link = rng.choice(["", f" Details: https://example.com/notes/{topic.split()[-1]}-{n}"])
    finding = rng.choice(FINDINGS)
    return f"{opener}: {finding}. {rng.choice(CHANGES)}{link} {rng.choice(ASKS)}".strip()


def _mixed(rng: random.Random, bits: list[str], n: int, count: int) -> str:
    chosen = rng.sample(bits, count)
    return " ".join(b.format(n=n, topic=rng.choice(TOPICS)) for b in chosen)


def draft(i: int, rng: random.Random, start: datetime) -> str:
    """The TOML of draft number *i*: a deterministic mix of the kinds a queue holds.

    Texts are put together from pools of sentences, so, as in a real queue, drafts differ
    from one another: a generator that repeated a dozen templates would turn most of the
    queue into duplicates of itself and measure the duplicate rule rather than the linter.
    """
    kind = rng.choices(["calm", "shouty", "promo", "thread"], weights=[60, 10, 20, 10])[0]
    n = rng.randint(3, 999)
    if kind == "shouty":
        text = _mixed(rng, SHOUT_BITS, n, 3)
    elif kind == "promo":
        text = _mixed(rng, PROMO_BITS, n, 3)
    else:
        text = _calm(rng, n)
    platforms = rng.choice(PLATFORM_SETS)
    at = start + timedelta(hours=3 * i + rng.randint(0, 2), minutes=rng.choice([0, 15, 30]))
    lines = [
        f'id = "bench-{i:06d}"',
        f"text = {_toml_string(text)}",
        f"platforms = {json.dumps(platforms)}",
        f"at = {at.isoformat()}",
        f'status = "{rng.choice(["draft", "approved"])}"',
        f"tags = {json.dumps([kind] + (['promo'] if kind == 'promo' else []))}",
    ]
    if kind == "thread":
        lines.append(f"thread = {json.dumps(THREAD, ensure_ascii=False)}")
    if rng.random() < 0.25:
        lines += ["", "[[media]]", f'path = "media/chart-{i % 3}.png"']
        if rng.random() < 0.8:
            lines.append('alt = "Bar chart: three reasons people skim, tallest first"')
    if "x" in platforms and rng.random() < 0.5:
        lines += ["", "[variants.x]", f"text = {_toml_string(text[:200])}"]
    if rng.random() < 0.05:
        lines += ["", "[lint]", 'ignore = ["exclamation-overuse"]', 'reason = "a joke"']
    return "\n".join(lines) + "\n"


def make_workspace(parent: Path, count: int) -> Path:
    """A workspace with *count* drafts under *parent*; reused when it already exists."""
    root = parent / f"ws-{count}"
    if (root / ".complete").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    (root / "queue").mkdir(parents=True)
    (root / "media").mkdir()
    for k in range(3):  # tiny stand-in images (a PNG signature is enough for size checks)
        (root / "media" / f"chart-{k}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    rng = random.Random(count)
    start = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    for i in range(count):
        (root / "queue" / f"{i:06d}.toml").write_text(draft(i, rng, start), encoding="utf-8")
    (root / ".complete").write_text("", encoding="utf-8")
    return root


def _tree_rss_kb(pid: int) -> int:
    """Memory of *pid* and its direct children (the forked workers), in KiB.

    Proportional set size (PSS): pages the workers share with the parent after fork count
    once, split between them, instead of once per process as a sum of RSS would."""
    total = 0
    pids = [pid]
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(entry.path, "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    pids.append(int(entry.name))
    except OSError:
        return 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def run_once(
    argv: list[str], cwd: Path, *, sample: bool = False, env: dict[str, str] | None = None
) -> tuple[float, int, int, int, float]:
    """(wall s, exit code, max RSS of one process KiB, sampled tree RSS KiB, CPU s).

    With *sample*, a thread reads the process tree's memory from /proc every 5 ms. That
    costs CPU on a 2-core machine, so timed runs never sample; memory runs are extra.
    """
    peak = 0
    done = threading.Event()
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )

    def sampler_loop() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            done.wait(0.005)

    sampler = threading.Thread(target=sampler_loop, daemon=True)
    if sample:
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    if sample:
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err}")
    return wall, proc.returncode, usage.ru_maxrss, peak, usage.ru_utime + usage.ru_stime


def measure(
    name: str,
    argv: list[str],
    cwd: Path,
    runs: int,
    *,
    env: dict[str, str] | None = None,
    before: Callable[[], None] = lambda: None,
) -> dict[str, object]:
    """Median of *runs* timed runs after one warm-up; *before* runs ahead of each (untimed)."""
    run_once(argv, cwd, env=env)  # warm-up: page cache, .pyc files, the lint cache
    results = []
    for _ in range(runs):  # timed, nobody watching
        before()
        results.append(run_once(argv, cwd, env=env))
    sampled = []
    for _ in range(2):  # memory of the tree
        before()
        sampled.append(run_once(argv, cwd, sample=True, env=env))
    walls = [r[0] for r in results]
    return {
        "case": name,
        "argv": argv[1:],
        "runs": runs,
        "median_s": round(statistics.median(walls), 4),
        "min_s": round(min(walls), 4),
        "max_s": round(max(walls), 4),
        "exit_code": results[-1][1],
        "median_cpu_s": round(statistics.median(r[4] for r in results), 4),
        "max_rss_mb": round(max(r[2] for r in results) / 1024, 1),
        "tree_rss_mb": round(max(r[3] for r in sampled) / 1024, 1),
    }


def instructions(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> int | None:
    """Machine instructions one run executes, over the lint process and its workers.

    Counted by valgrind's cachegrind (about 40 times slower than a plain run), so the
    figure does not move with the load on a shared machine as times do; the hash seed is
    fixed so that two runs of one tree agree. None when valgrind is not installed.
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    command = [sys.executable, "-m", "soulpost", *argv[1:]]
    counter = [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    env = {**(env or os.environ), "PYTHONHASHSEED": "0"}
    proc = subprocess.run(
        [*counter, *command], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    counts = re.findall(r"I\s+refs:\s+([\d,]+)", proc.stderr)  # one line per process
    return sum(int(count.replace(",", "")) for count in counts) or None


def profile(root: Path, top: int) -> str:
    """cProfile of one in-process lint of *root*, top functions by own time and cumulative."""
    from soulpost.cli import main as cli_main

    profiler = cProfile.Profile()
    stdout = sys.stdout
    sys.stdout = io.StringIO()
    try:
        profiler.enable()
        cli_main(["-C", str(root), "lint", "--now", NOW, "--format", "json"])
        profiler.disable()
    finally:
        sys.stdout = stdout
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def four_ways(  # noqa: PLR0917
    what: str,
    argv: list[str],
    root: Path,
    parent: Path,
    args: argparse.Namespace,
    runs: int | None = None,
) -> list[dict[str, object]]:
    """The case *argv* cold, filling the cache, warm, and warm with one draft edited."""
    runs = runs or args.runs
    cache = parent / "lint-cache"
    env = run_env(SOULPOST_CACHE_DIR=str(cache))
    edited = root / "queue" / "000000.toml"
    original = edited.read_text(encoding="utf-8")
    turn = [0]

    def empty() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def edit() -> None:  # a new text each time, as a writer saving a draft again
        turn[0] += 1
        edited.write_text(original.replace('text = "', f'text = "Take {turn[0]}: ', 1))

    out = []
    try:
        for way, extra, before in (
            ("cold", ["--no-cache"], lambda: None),
            ("fill", [], empty),
            ("warm", [], lambda: None),
            ("edited", [], edit),
        ):
            command = [*argv[:2], *extra, *argv[2:]]
            out.append(measure(f"{what} {way}", command, root, runs, env=env, before=before))
            if args.instructions and way in {"cold", "warm", "edited"}:
                before()  # edited: a new text, so the counted run lints it again
                out[-1]["instructions"] = instructions(command, root, env)
    finally:
        edited.write_text(original, encoding="utf-8")
        empty()
    return out


def run_env(**extra: str) -> dict[str, str]:
    """The environment of the measured runs: this one, with *extra*, and without
    ``PYTHONDONTWRITEBYTECODE``.

    Set in some sandboxes (this one among them), it keeps soulpost from writing the code
    it keeps between runs (:mod:`soulpost.codecache`, the packs' snapshot in marshal
    form), so every run would compile a few hundred snippets again: one draft took
    0.80 G instructions instead of 0.59 G. A user's runs write them, as they write .pyc
    files (see :func:`compile_package`); measure those.
    """
    env = {**os.environ, **extra}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_package() -> None:
    """Write soulpost's bytecode, as installing a wheel does.

    An editable install has none, and where PYTHONDONTWRITEBYTECODE is set (it is in some
    sandboxes) every run would compile the whole package again; measure what users run.
    """
    import compileall

    package = Path(__file__).resolve().parent.parent / "soulpost"
    compileall.compile_dir(str(package), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated counts")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (median)")
    parser.add_argument("--dir", type=Path, help="where to keep workspaces (default: a temp dir)")
    parser.add_argument("--profile", action="store_true", help="cProfile the largest size")
    parser.add_argument("--top", type=int, default=25, help="functions to show when profiling")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each case's machine instructions under valgrind (load-independent)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    parent = args.dir or Path(tempfile.mkdtemp(prefix="soulpost-bench-"))
    parent.mkdir(parents=True, exist_ok=True)
    compile_package()
    cases = []
    try:
        for count in sizes:
            t0 = time.perf_counter()
            root = make_workspace(parent, count)
            print(f"generated {count} drafts in {time.perf_counter() - t0:.1f} s", flush=True)
            argv = [EXE, "lint", "--now", NOW, "--format", "json"]
            cases += four_ways(f"{count} drafts", argv, root, parent, args)
            if count == sizes[0]:
                one = [EXE, "lint", "--now", NOW, "queue/000000.toml"]
                cases += four_ways("one draft", one, root, parent, args, runs=max(args.runs, 10))
        profiles = profile(make_workspace(parent, max(sizes)), args.top) if args.profile else ""
    finally:
        if args.dir is None:
            shutil.rmtree(parent, ignore_errors=True)
    print()
    print(
        f"{'case':<22} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8} "
        f"{'maxRSS':>8} {'treeRSS':>8}  exit"
    )
    for c in cases:
        print(
            f"{c['case']:<22} {c['median_s']:8.3f} {c['min_s']:8.3f} {c['max_s']:8.3f} "
            f"{c['median_cpu_s']:8.3f} {c['max_rss_mb']:7.1f}M {c['tree_rss_mb']:7.1f}M  "
            f"{c['exit_code']}"
            + (f"  {c['instructions'] / 1e9:.2f}G instructions" if c.get("instructions") else "")
        )
    per = [  # type: ignore[arg-type]
        (c["case"], float(c["median_s"])) for c in cases if c["case"].endswith(" drafts cold")
    ]
    if len(per) > 1:
        print(
            "per 1k drafts: "
            + ", ".join(f"{n.split()[0]}: {s / int(n.split()[0]) * 1000:.3f} s" for n, s in per)
        )
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result = {
        "when": stamp,
        "load_average": os.getloadavg(),
        "python": sys.version.split()[0],
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "cases": cases,
    }
    target = OUT / f"lint-{stamp}.json"
    target.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}")
    if profiles:
        prof = OUT / f"lint-profile-{stamp}.txt"
        prof.write_text(profiles, encoding="utf-8")
        print(f"wrote {prof.relative_to(ROOT)}")
        print(profiles[:6000])


if __name__ == "__main__":
    main()
