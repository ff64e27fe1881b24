"""Put every post of the judgment corpus in its part (dev or held-out), sorted by id.

    python corpus/judgment/resplit.py

The rule (README.md, "Split"): posts are grouped into strata by language and first label
("clean" for a post with no label); within a stratum they are ordered by the SHA-256 of
their id, and the first 60 % (rounded half up) are dev, the rest held-out. The split is
stratified, so every language and lesson has posts on both sides, and reproducible from
the ids alone. tests/test_judgment_corpus.py fails when a post sits in the wrong file.

Adding posts to a stratum can move existing ones across; this script lists every move.
A post that moves from dev to held-out was seen while tuning: say so in the commit, or
give the new post another id.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("dev", "heldout")
DEV_SHARE = 0.6


def stratum(post: dict[str, object]) -> tuple[str, str]:
    labels = post["labels"]
    assert isinstance(labels, list)
    return str(post["lang"]), str(labels[0]) if labels else "clean"


def assign(posts: list[dict[str, object]]) -> dict[str, str]:
    """Post id -> 'dev' or 'heldout', by the rule above."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for post in posts:
        groups[stratum(post)].append(str(post["id"]))
    parts = {}
    for ids in groups.values():
        ids.sort(key=lambda i: hashlib.sha256(i.encode("utf-8")).hexdigest())
        n_dev = int(len(ids) * DEV_SHARE + 0.5)
        for rank, post_id in enumerate(ids):
            parts[post_id] = "dev" if rank < n_dev else "heldout"
    return parts


def load() -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for part in PARTS:
        path = HERE / f"{part}.jsonl"
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        out[part] = [json.loads(line) for line in text.splitlines() if line.strip()]
    return out


def write(posts: list[dict[str, object]]) -> dict[str, str]:
    parts = assign(posts)
    for part in PARTS:
        chosen = sorted(
            (p for p in posts if parts[str(p["id"])] == part), key=lambda p: str(p["id"])
        )
        lines = [json.dumps(p, ensure_ascii=False) for p in chosen]
        (HERE / f"{part}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{part}: {len(chosen)} posts")
    return parts


def main() -> None:
    before = {str(p["id"]): part for part, posts in load().items() for p in posts}
    posts = [p for part_posts in load().values() for p in part_posts]
    after = write(posts)
    for post_id, part in sorted(after.items()):
        if before.get(post_id, part) != part:
            print(f"moved {post_id}: {before[post_id]} -> {part}")


if __name__ == "__main__":
    main()
