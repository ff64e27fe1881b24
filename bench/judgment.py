"""Precision and recall of soulpost's soul rules on the hand-labelled judgment corpus.

    .venv/bin/python bench/judgment.py                   # both parts
    .venv/bin/python bench/judgment.py --part dev --show-misses
    .venv/bin/python bench/judgment.py --file /work/fresh10/posts.jsonl   # a set kept outside

Every post of corpus/judgment/{dev,heldout}.jsonl becomes one draft (its text only) in a
scratch workspace, and the installed ``soulpost lint --format json`` runs there once, as
a user or CI would run it. Findings come back to posts by file name. A post is predicted
to break lesson L when any finding of lesson L fires on it; that is compared with the
post's labels (corpus/judgment/README.md says how they were chosen). Only the soul
lessons count: platform limits are not judgment and are left out.

Per rule, precision and recall are measured against the lesson the rule belongs to: a
rule that fires on a post labelled with its lesson is right, even if another rule of
the lesson would also have caught it. The rule's recall is therefore the share of the
lesson's posts it catches on its own.

The workspace judges posts one at a time. Queue rules that judge the whole queue
(replies across a fortnight, flooding, duplicates) say nothing about a single post and
are ignored; the 80/20 promotion rule is turned into a per-post reading of "does this
post sell?" (max_share 0 over a one-post window), since that is the only place the give
lesson is decided today. Never tune rules on the held-out part: that is what it is for.

``--file`` scores labelled sets kept outside the repository (posts written and labelled by
people who never saw the rules: bench/README.md, "fresh9" and "fresh11"), each as a part
of its own, by the same steps. Their "rec%" for "all" is recall over (post, lesson) pairs,
"caught%" the flawed posts with a right lesson, and "false-alarm%" the clean posts with
any soul finding.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "judgment"
OUT = ROOT / "bench" / "out"
EXE = str(Path(sys.executable).with_name("soulpost"))
NOW = "2026-12-01T00:00:00+00:00"
START = datetime(2027, 1, 4, 9, 0)  # drafts are scheduled from here, two days apart
LESSONS = ("listen", "relate", "give", "experiment", "useful")
PARTS = ("dev", "heldout")
PROMO_RULE = "promo-share"


@dataclass
class Post:
    id: str
    lang: str
    text: str
    labels: set[str]
    kind: str
    part: str
    predicted: dict[str, list[str]] = field(default_factory=dict)  # lesson -> codes


def load(parts: list[str]) -> list[Post]:
    return [post for part in parts for post in read_part(CORPUS / f"{part}.jsonl", part)]


def read_part(path: Path, part: str) -> list[Post]:
    """The labelled posts of one JSON-lines file (the corpus's format) as part *part*."""
    posts = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror
        raise SystemExit(f"{path}: cannot read it ({reason}); give a JSON-lines file") from exc
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            labels = set(raw["labels"])
            post = Post(raw["id"], raw["lang"], raw["text"], labels, raw.get("kind", ""), part)
        except (ValueError, KeyError, TypeError) as exc:
            raise SystemExit(f"{path}:{n}: not a labelled post ({exc}); fix the line") from exc
        if not labels <= set(LESSONS):
            raise SystemExit(f"{path}:{n}: unknown lessons {sorted(labels - set(LESSONS))}")
        posts.append(post)
    return posts


def outside_parts(files: list[str]) -> dict[str, list[Post]]:
    """Labelled sets kept outside the repository, each a part named after its file: the
    file's stem, or its folder's name when every set is called posts.jsonl."""
    parts: dict[str, list[Post]] = {}
    for name in files:
        path = Path(name)
        part = path.parent.name if path.stem == "posts" else path.stem
        while part in parts or part in PARTS:
            part += "+"
        parts[part] = read_part(path, part)
    return parts


def _run(argv: list[str], cwd: Path) -> str:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def rule_table(scratch: Path) -> list[dict[str, Any]]:
    """Every rule soulpost ships (code, name, lesson, scope), from `soulpost rules`."""
    empty = scratch / "no-workspace"
    empty.mkdir()
    return list(json.loads(_run([EXE, "rules", "--builtin", "--format", "json"], empty))["rules"])


def config(rules: list[dict[str, Any]]) -> str:
    """A one-platform workspace that judges posts one at a time (see the module doc)."""
    queue_rules = [r["name"] for r in rules if r.get("scope") == "queue"]
    ignore = [name for name in queue_rules if name != PROMO_RULE]
    lines = [
        'timezone = "UTC"',
        'default_platforms = ["mastodon"]',
        "",
        "[platforms.mastodon]",
        'adapter = "outbox"',
        "",
        "[lint]",
        f"ignore = {json.dumps(ignore)}",
    ]
    if PROMO_RULE in queue_rules:
        lines += ["", f"[lint.options.{PROMO_RULE}]", "max_share = 0.0", "min_posts = 1"]
        lines.append('window = "1d"')
    return "\n".join(lines) + "\n"


def make_workspace(root: Path, posts: list[Post], rules: list[dict[str, Any]]) -> None:
    (root / "queue").mkdir(parents=True)
    (root / "config.toml").write_text(config(rules), encoding="utf-8")
    for i, post in enumerate(posts):
        at = (START + timedelta(days=2 * i)).isoformat()
        body = f"id = {json.dumps(post.id)}\ntext = {json.dumps(post.text, ensure_ascii=False)}\n"
        (root / "queue" / f"{post.id}.toml").write_text(body + f"at = {at}\n", encoding="utf-8")


def lint(root: Path, posts: list[Post]) -> float:
    """Run soulpost lint once over the workspace; fill in each post's predictions."""
    by_file = {f"{p.id}.toml": p for p in posts}
    start = time.perf_counter()
    out = _run([EXE, "lint", "--now", NOW, "--format", "json"], root)
    seconds = time.perf_counter() - start
    report = json.loads(out)
    if report.get("errors"):
        raise SystemExit(f"lint could not read some drafts: {report['errors']}")
    for finding in report["findings"]:
        lesson = finding["lesson"]
        if lesson == "platform":
            continue
        post = by_file.get(Path(finding["path"]).name)
        if post is None:
            raise SystemExit(f"a finding for an unknown file: {finding['path']}")
        codes = post.predicted.setdefault(lesson, [])
        if finding["code"] not in codes:
            codes.append(finding["code"])
    return seconds


def ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def lesson_scores(posts: list[Post]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for lesson in LESSONS:
        gold = {p.id for p in posts if lesson in p.labels}
        fired = {p.id for p in posts if lesson in p.predicted}
        hit = len(gold & fired)
        out[lesson] = {
            "precision": ratio(hit, len(fired)),
            "recall": ratio(hit, len(gold)),
            "support": len(gold),
            "fired": len(fired),
        }
    return out


def judged(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rules this benchmark runs: enabled, and post rules or the promotion share."""
    return [
        r
        for r in rules
        if r.get("enabled", True) and (r.get("scope") != "queue" or r["name"] == PROMO_RULE)
    ]


def rule_scores(posts: list[Post], rules: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    lesson_of = {r["code"]: r["lesson"] for r in judged(rules)}
    fired: dict[str, set[str]] = defaultdict(set)
    for post in posts:
        for lesson, codes in post.predicted.items():
            for code in codes:
                lesson_of.setdefault(code, lesson)
                fired[code].add(post.id)
    out: dict[str, dict[str, Any]] = {}
    for code, lesson in sorted(lesson_of.items()):
        if lesson not in LESSONS:
            continue
        gold = {p.id for p in posts if lesson in p.labels}
        hit = len(gold & fired[code])
        out[code] = {
            "lesson": lesson,
            "precision": ratio(hit, len(fired[code])),
            "recall": ratio(hit, len(gold)),
            "support": len(gold),
            "fired": len(fired[code]),
        }
    return out


def overall(posts: list[Post]) -> dict[str, Any]:
    """Pair-level (post, lesson) micro scores, post-level recall and false alarms."""
    pairs_gold = sum(len(p.labels) for p in posts)
    pairs_fired = sum(len(p.predicted) for p in posts)
    pairs_hit = sum(len(p.labels & p.predicted.keys()) for p in posts)
    flawed = [p for p in posts if p.labels]
    clean = [p for p in posts if not p.labels]
    caught = sum(1 for p in flawed if p.labels & p.predicted.keys())
    alarms = sum(1 for p in clean if p.predicted)
    return {
        "posts": len(posts),
        "flawed": len(flawed),
        "clean": len(clean),
        "precision": ratio(pairs_hit, pairs_fired),
        "recall": ratio(pairs_hit, pairs_gold),
        "flawed_caught": ratio(caught, len(flawed)),
        "false_alarm_rate": ratio(alarms, len(clean)),
    }


def scores(posts: list[Post], rules: list[dict[str, Any]]) -> dict[str, Any]:
    langs = sorted({p.lang for p in posts})
    return {
        "overall": overall(posts),
        "lessons": lesson_scores(posts),
        "rules": rule_scores(posts, rules),
        "languages": {lang: overall([p for p in posts if p.lang == lang]) for lang in langs},
        "lessons_by_language": {
            lang: lesson_scores([p for p in posts if p.lang == lang]) for lang in langs
        },
    }


def pct(value: float | None) -> str:
    return "    -" if value is None else f"{value * 100:5.1f}"


def print_part(name: str, result: dict[str, Any]) -> None:
    total = result["overall"]
    print(f"\n== {name}: {total['posts']} posts ({total['flawed']} flawed, {total['clean']} clean)")
    print(f"{'rule':<8}{'lesson':<12}{'prec%':>7}{'rec%':>7}{'fired':>7}{'support':>9}")
    for code, row in result["rules"].items():
        print(
            f"{code:<8}{row['lesson']:<12}{pct(row['precision']):>7}{pct(row['recall']):>7}"
            f"{row['fired']:>7}{row['support']:>9}"
        )
    print(f"\n{'lesson':<12}{'prec%':>7}{'rec%':>7}{'fired':>7}{'support':>9}")
    for lesson, row in result["lessons"].items():
        print(
            f"{lesson:<12}{pct(row['precision']):>7}{pct(row['recall']):>7}"
            f"{row['fired']:>7}{row['support']:>9}"
        )
    print(
        f"\n{'language':<10}{'posts':>6}{'prec%':>7}{'rec%':>7}{'caught%':>9}{'false-alarm%':>14}"
    )
    rows = dict(result["languages"])
    rows["all"] = total
    for lang, row in rows.items():
        print(
            f"{lang:<10}{row['posts']:>6}{pct(row['precision']):>7}{pct(row['recall']):>7}"
            f"{pct(row['flawed_caught']):>9}{pct(row['false_alarm_rate']):>14}"
        )


def print_misses(posts: list[Post]) -> None:
    """False negatives and false positives per lesson, with the text, for rule work."""
    for lesson in LESSONS:
        missed = [p for p in posts if lesson in p.labels and lesson not in p.predicted]
        wrong = [p for p in posts if lesson in p.predicted and lesson not in p.labels]
        if not missed and not wrong:
            continue
        print(f"\n-- {lesson}: {len(missed)} missed, {len(wrong)} false alarms")
        for p in missed:
            print(f"  MISS  {p.id:<10} [{p.kind}] {p.text!r}")
        for p in wrong:
            codes = ",".join(p.predicted[lesson])
            print(f"  FALSE {p.id:<10} [{p.kind}] {codes}: {p.text!r}")


def _pr(row: dict[str, Any], a: str = "precision", b: str = "recall") -> str:
    return f"{pct(row[a]).strip()} | {pct(row[b]).strip()}"


def _rule(cols: int) -> str:
    return "|---" * cols + "|"


def _lesson_table(results: dict[str, dict[str, Any]], parts: list[str], head: str) -> list[str]:
    lines = [f"| lesson | {head} | support ({' / '.join(parts)}) |", _rule(2 + 2 * len(parts))]
    for lesson in LESSONS:
        rows = [results[part]["lessons"][lesson] for part in parts]
        support = " / ".join(str(r["support"]) for r in rows)
        lines.append(f"| {lesson} | {' | '.join(_pr(r) for r in rows)} | {support} |")
    return lines


def _language_tables(results: dict[str, dict[str, Any]], parts: list[str], head: str) -> list[str]:
    alarms = " | ".join(f"{part} caught | {part} false alarms" for part in parts)
    lines = [f"| language | {head} | {alarms} |", _rule(1 + 4 * len(parts))]
    langs = list(results[parts[0]]["languages"])
    for lang in [*langs, "all"]:
        rows = [
            results[part]["overall"] if lang == "all" else results[part]["languages"][lang]
            for part in parts
        ]
        scores = " | ".join(_pr(r) for r in rows)
        caught = " | ".join(_pr(r, "flawed_caught", "false_alarm_rate") for r in rows)
        lines.append(f"| {lang} | {scores} | {caught} |")
    lines += ["", f"Recall per lesson and language ({' / '.join(parts)}):", ""]
    lines += ["| language | " + " | ".join(LESSONS) + " |", _rule(1 + len(LESSONS))]
    for lang in langs:
        by_lesson = [
            " / ".join(
                pct(results[part]["lessons_by_language"][lang][lesson]["recall"]).strip()
                for part in parts
            )
            for lesson in LESSONS
        ]
        lines.append(f"| {lang} | " + " | ".join(by_lesson) + " |")
    return lines


def _rule_table(results: dict[str, dict[str, Any]], parts: list[str], head: str) -> list[str]:
    lines = [f"| rule | lesson | {head} | fired ({' / '.join(parts)}) |"]
    lines.append(_rule(3 + 2 * len(parts)))
    for code, first in results[parts[0]]["rules"].items():
        rows = [results[part]["rules"].get(code, first) for part in parts]
        fired = " / ".join(str(r["fired"]) for r in rows)
        lines.append(
            f"| {code} | {first['lesson']} | {' | '.join(_pr(r) for r in rows)} | {fired} |"
        )
    return lines


def markdown(results: dict[str, dict[str, Any]]) -> str:
    """The tables of bench/README.md: lessons, languages and rules, parts side by side."""
    parts = list(results)
    head = " | ".join(f"{part} P | {part} R" for part in parts)
    tables = [
        _lesson_table(results, parts, head),
        _language_tables(results, parts, head),
        _rule_table(results, parts, head),
    ]
    return "\n\n".join("\n".join(table) for table in tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["dev", "heldout", "both"], default=None)
    parser.add_argument(
        "--file",
        action="append",
        default=[],
        metavar="JSONL",
        help="a labelled set kept outside the repo, in the corpus's format (repeatable); "
        "scored as a part of its own, the corpus left out unless --part is given",
    )
    parser.add_argument("--show-misses", action="store_true", help="list what was got wrong")
    parser.add_argument("--markdown", action="store_true", help="also print bench/README tables")
    args = parser.parse_args()
    chosen = args.part or ("both" if not args.file else None)
    parts = [] if chosen is None else list(PARTS) if chosen == "both" else [chosen]
    posts = load(parts)
    for part, outside in outside_parts(args.file).items():
        parts.append(part)
        posts += outside
    scratch = Path(tempfile.mkdtemp(prefix="soulpost-judgment-"))
    try:
        rules = rule_table(scratch)
        make_workspace(scratch / "ws", posts, rules)
        seconds = lint(scratch / "ws", posts)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results = {part: scores([p for p in posts if p.part == part], rules) for part in parts}
    for part in parts:
        print_part(part, results[part])
        if args.show_misses:
            print_misses([p for p in posts if p.part == part])
    if args.markdown:
        print("\n" + markdown(results))
    print(f"\nlinted {len(posts)} drafts in {seconds:.2f} s")
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "judgment.json"
    git = ["git", "rev-parse", "--short", "HEAD"]
    head = subprocess.run(git, cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
    payload = {
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": head or None,  # the rules and corpus measured (uncommitted edits aside)
        "lint_seconds": round(seconds, 3),
        "parts": results,
    }
    target.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
