"""Share of real, ordinary text that gets a soul warning (issue 9: news headlines <= 0.5 %).

    .venv/bin/python bench/headlines.py /path/to/non_clickbait_data      # one text a line
    .venv/bin/python bench/headlines.py FILE --lang es --show 40          # list what fired

The text comes from outside the repository (bench/README.md says where each set was taken
from and why it is not committed). Every non-empty line becomes one draft in a scratch
workspace, and the installed ``soulpost lint`` runs there once, exactly as bench/judgment.py
does for the corpus; every line counts as clean. It prints the share of lines with any soul
finding, the count per rule, and with --show the lines that fired, for rule work. Platform
limits are not judgment and are left out; so are the queue rules (see bench/judgment.py).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import judgment  # bench/ is not a package; judgment.py holds the shared steps


def read_lines(path: Path, limit: int | None) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    seen: set[str] = set()
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and line not in seen:
            seen.add(line)
            lines.append(line)
    return lines[:limit] if limit else lines


def measure(lines: list[str], lang: str) -> list[judgment.Post]:
    posts = [
        judgment.Post(f"h{n:05d}", lang, text, set(), "headline", "outside")
        for n, text in enumerate(lines)
    ]
    with tempfile.TemporaryDirectory(prefix="soulpost-headlines-") as tmp:
        scratch = Path(tmp)
        rules = judgment.rule_table(scratch)
        judgment.make_workspace(scratch / "ws", posts, rules)
        judgment.lint(scratch / "ws", posts)
    return posts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="one text a line (a headline, a tweet, a message)")
    parser.add_argument("--lang", default="?", help="the texts' language, for the report only")
    parser.add_argument("--limit", type=int, help="read only this many lines")
    parser.add_argument("--show", type=int, default=0, help="list this many texts that fired")
    args = parser.parse_args()
    lines = read_lines(args.file, args.limit)
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12]
    posts = measure(lines, args.lang)
    fired = [p for p in posts if p.predicted]
    per_rule: Counter[str] = Counter()
    for post in fired:
        per_rule.update({code for codes in post.predicted.values() for code in codes})
    share = len(fired) / len(posts) if posts else 0.0
    print(f"{args.file.name} (sha256 {digest}, {len(posts)} distinct lines, lang {args.lang})")
    print(f"soul warnings on {len(fired)} of {len(posts)}: {share * 100:.2f} %")
    for code, n in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {code}  {n}")
    for post in fired[: args.show]:
        codes = ",".join(sorted({c for cs in post.predicted.values() for c in cs}))
        print(f"{codes:<12} {post.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
