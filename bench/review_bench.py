"""Whole-process time of ``soulpost site`` and ``soulpost calendar`` on a 10,000-post queue.

The queue is lint_bench's generated workspace (calm, shouty, promotional, threads, X
variants, images; two to four of mastodon, bluesky, x and linkedin; one draft every three
hours from 2026-12-02). Before timing, one ``soulpost publish --due`` at a clock before the
first draft writes the queue index, as cron keeps it in real use; ``calendar`` reads times
from it and parses only the drafts it shows. Each case runs once to warm up, then
``--runs`` timed runs; medians are quoted (wall, and the CPU split into user and system
seconds). The site's total page size is reported too. Each site run writes a new folder,
and the folders are deleted after the case (``--remove-before``: into one folder, deleted
just before each run, which on this machine's disk costs the file system 1-4 s; see
``site_case``).

    .venv/bin/python bench/review_bench.py                  # 10,000 posts, 5 runs
    .venv/bin/python bench/review_bench.py --posts 1000 --runs 3
    .venv/bin/python bench/review_bench.py --screenshots    # also docs/img/*.png

Targets (issue 10): site on 10,000 posts <= 3 s; calendar on 10,000 posts <= 0.5 s.
``--screenshots`` renders the README's pictures from the example workspace: the terminal
calendar (its text in a terminal-like page) and a post of the site, in Debian's Chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lint_bench import make_workspace

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
EXE = str(Path(sys.executable).with_name("soulpost"))
BEFORE = "2026-12-01T00:00:00+00:00"  # before the first generated draft
NOW = "2026-12-03T00:00:00+00:00"  # the calendar's week then holds drafts
EXAMPLE_NOW = "2026-12-01T09:31:00Z"  # the README's clock
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def run_once(argv: list[str], cwd: Path) -> tuple[float, int, int, float, float]:
    """(wall s, exit code, max RSS KiB, user s, system s) of one run of *argv*, its
    forked workers included (they are waited for, so their CPU counts in the rusage)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if code not in (0, 1, 2):
        raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{err}")
    return wall, code, usage.ru_maxrss, usage.ru_utime, usage.ru_stime


def timed(
    name: str,
    argv: list[str] | Callable[[int], list[str]],
    cwd: Path,
    runs: int,
    before: Callable[[int], None] | None = None,
) -> dict[str, object]:
    """Median wall and CPU of *argv* (CPU includes the forked workers it waited for);
    *argv* may be a function of the run's number (0 is the warm-up), and *before* runs
    untimed before each run."""
    results = []
    for i in range(runs + 1):
        if before is not None:
            before(i)
        result = run_once(argv(i) if callable(argv) else argv, cwd)
        if i:  # the first run warms the page cache and .pyc files
            results.append(result)
    walls = [r[0] for r in results]
    return {
        "case": name,
        "argv": (argv(runs) if callable(argv) else argv)[1:],
        "runs": runs,
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "max_s": round(max(walls), 3),
        "median_cpu_s": round(statistics.median(r[3] + r[4] for r in results), 3),
        "median_user_s": round(statistics.median(r[3] for r in results), 3),
        "median_sys_s": round(statistics.median(r[4] for r in results), 3),
        "max_rss_mb": round(max(r[2] for r in results) / 1024, 1),
        "exit_code": results[-1][1],
    }


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


# ext4 without a journal (this machine's disk) does not reuse an inode within 30 s of
# its deletion, and finds that out by walking every such inode again for each file it
# creates: creating 10,000 pages right after deleting the previous run's 10,000 cost
# 1-4 s of system time, the harness's doing rather than the site's (bench/README.md,
# sitefast2). So each run writes a folder of its own, and the folders are deleted after
# the case; --remove-before measures the old way (OUT deleted just before each run).
SETTLE_S = 36


def site_case(
    posts: int, runs: int, parent: Path, root: Path, remove_before: bool
) -> dict[str, object]:
    def out(i: int) -> Path:
        return parent / f"site-{posts}" if remove_before else parent / f"site-{posts}.run{i}"

    def argv(i: int) -> list[str]:
        return [EXE, "site", str(out(i)), "--now", NOW]

    def clean(i: int) -> None:
        if remove_before:
            shutil.rmtree(out(i), ignore_errors=True)

    stamp = parent / "sites-deleted-at"
    old = sorted(parent.glob(f"site-{posts}*"))
    for folder in old:
        shutil.rmtree(folder, ignore_errors=True)
    if old:
        stamp.write_text(str(time.time()), encoding="utf-8")
    if stamp.is_file() and not remove_before:
        wait = SETTLE_S - (time.time() - float(stamp.read_text(encoding="utf-8")))
        if wait > 0:
            print(f"(waiting {wait:.0f} s: the file system keeps deleted pages' inodes aside)")
            time.sleep(wait)
    row = timed(f"site, {posts:,} posts", argv, root, runs, clean)
    site = out(runs)
    pages = list((site / "posts").glob("*.html"))
    count, size = folder_size(site)
    row["pages"] = count
    row["total_mb"] = round(size / 1e6, 1)
    row["post_page_kb"] = round(sum(p.stat().st_size for p in pages) / len(pages) / 1e3, 1)
    row["out"] = "removed just before each run" if remove_before else "a new folder each run"
    if not remove_before:  # after the timing: the deletions cost the next case nothing
        for i in range(runs + 1):
            shutil.rmtree(out(i), ignore_errors=True)
        stamp.write_text(str(time.time()), encoding="utf-8")
    return row


def bench(posts: int, runs: int, parent: Path, remove_before: bool) -> list[dict[str, object]]:
    root = make_workspace(parent, posts)
    env_now = {**os.environ, "SOULPOST_NOW": BEFORE}
    subprocess.run(
        [EXE, "publish", "--due"], cwd=root, env=env_now, check=False, capture_output=True
    )
    rows = [site_case(posts, runs, parent, root, remove_before)]
    for name, extra in (("week", []), ("month", ["--month"])):
        argv = [EXE, "calendar", *extra, "--now", NOW, "--width", "120"]
        rows.append(timed(f"calendar {name}, {posts:,} posts (index warm)", argv, root, runs))
    index = root / ".soulpost" / "index.json"
    saved = index.read_bytes()
    index.unlink()
    argv = [EXE, "calendar", "--now", NOW, "--width", "120"]
    rows.append(timed(f"calendar week, {posts:,} posts (no index)", argv, root, runs))
    index.write_bytes(saved)
    return rows


def screenshots() -> None:
    """docs/img/calendar.png and docs/img/site.png from the example workspace."""
    from html import escape

    from playwright.sync_api import sync_playwright

    img = ROOT / "docs" / "img"
    img.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "example"
        work.mkdir()
        for name in ("config.toml", "queue", "rules", "media"):
            source = ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copyfile)(source, work / name)
        env = {**os.environ, "SOULPOST_NOW": EXAMPLE_NOW}
        subprocess.run(
            [EXE, "publish", "--due"], cwd=work, env=env, check=True, capture_output=True
        )
        calendar = subprocess.run(
            [EXE, "calendar", "--width", "104"], cwd=work, env=env, check=True,
            capture_output=True, text=True,
        ).stdout  # fmt: skip
        subprocess.run([EXE, "site", "site"], cwd=work, env=env, check=True, capture_output=True)
        terminal = Path(tmp) / "terminal.html"
        terminal.write_text(
            "<!doctype html><meta charset=utf-8><style>body{margin:0;background:#15171c}"
            "pre{margin:0;padding:14px 18px;color:#e6e6e6;font:13px/1.35 'DejaVu Sans Mono',"
            "monospace}b{color:#8ab4f8;font-weight:normal}</style><pre><b>$ soulpost calendar"
            f"</b>\n{escape(calendar)}</pre>",
            encoding="utf-8",
        )
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 980, "height": 400})
            page.goto(terminal.as_uri())
            page.screenshot(path=str(img / "calendar.png"), full_page=True)
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto((work / "site" / "posts" / "2026-12-04-big-news-teaser.html").as_uri())
            page.screenshot(path=str(img / "site.png"))
            browser.close()
    for name in ("calendar.png", "site.png"):
        print(f"wrote docs/img/{name} ({(img / name).stat().st_size / 1024:.0f} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--dir",
        type=Path,
        default=OUT / "review-ws",
        help="where the workspace and the site go, kept for reuse (default: bench/out/review-ws; "
        "on this machine /tmp creates files ten times slower than the project's disk)",
    )
    parser.add_argument("--screenshots", action="store_true", help="also write docs/img/*.png")
    parser.add_argument(
        "--remove-before",
        action="store_true",
        help="delete the site just before each run, into the same folder (the way this "
        "benchmark ran before sitefast2: on ext4 without a journal that adds 1-4 s of "
        "system time, see bench/README.md)",
    )
    args = parser.parse_args()
    # The warm-up run is there to write .pyc files; with this set (as in some shells) every
    # timed run would compile soulpost from source again, about 0.15 s of each.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.screenshots:
        screenshots()
    OUT.mkdir(parents=True, exist_ok=True)
    parent = args.dir
    parent.mkdir(parents=True, exist_ok=True)
    rows = bench(args.posts, args.runs, parent, args.remove_before)
    print(f"{'case':<42} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8} {'user':>8} {'sys':>8}")
    for row in rows:
        print(
            f"{row['case']:<42} {row['median_s']:>7.3f}s {row['min_s']:>7.3f}s "
            f"{row['max_s']:>7.3f}s {row['median_cpu_s']:>7.2f}s {row['median_user_s']:>7.2f}s "
            f"{row['median_sys_s']:>7.2f}s"
        )
    site = rows[0]
    print(
        f"site: {site['pages']:,} files, {site['total_mb']} MB in all, "
        f"{site['post_page_kb']} kB per post page; OUT {site['out']}"
    )
    load = os.getloadavg()
    (OUT / "review_bench.json").write_text(
        json.dumps({"machine": platform.platform(), "loadavg": load, "rows": rows}, indent=2),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
