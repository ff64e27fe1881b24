"""The judgment corpus (corpus/judgment/) is well-formed and split by its rule.

bench/judgment.py measures the soul rules against these posts, so a malformed line, a
label that is not one of the project's lessons, or a post in the wrong part would make
its figures wrong without anyone noticing. The floors for precision and recall come
with the rebuilt rules (issue 9), not here.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "judgment"
PARTS = ("dev", "heldout")
LANGS = {"en", "de", "fr", "es"}
MIN_PER_LANG = 80
FIELDS = {"id": str, "lang": str, "text": str, "labels": list, "kind": str, "note": str}
SOURCES = {"soulpost", "facebook-2017", "sms-spam-collection"}
EXTERNAL = {"sms-spam-collection"}  # public data: each post names where it came from


def read_parts(root: Path) -> dict[str, list[dict[str, object]]]:
    """Each part's posts; a line that is not a JSON object fails with file and line."""
    parts: dict[str, list[dict[str, object]]] = {}
    for part in PARTS:
        path = root / f"{part}.jsonl"
        posts = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert line.strip(), f"{path.name}:{n}: empty line"
            try:
                post = json.loads(line)
            except ValueError as exc:
                pytest.fail(f"{path.name}:{n}: not JSON: {exc}")
            assert isinstance(post, dict), f"{path.name}:{n}: not a JSON object"
            posts.append(post)
        parts[part] = posts
    return parts


def expected_part(posts: list[dict[str, object]]) -> dict[str, str]:
    """The split rule of corpus/judgment/README.md, written out again independently.

    Strata: (language, first label or "clean"). Within a stratum, order by the SHA-256
    hex digest of the id; the first 60 %, rounded half up, are dev.
    """
    strata: dict[tuple[object, object], list[str]] = defaultdict(list)
    for post in posts:
        labels = post["labels"]
        assert isinstance(labels, list)
        strata[(post["lang"], labels[0] if labels else "clean")].append(str(post["id"]))
    out = {}
    for ids in strata.values():
        ids.sort(key=lambda i: hashlib.sha256(i.encode()).hexdigest())
        n_dev = int(len(ids) * 0.6 + 0.5)
        out.update({i: "dev" if rank < n_dev else "heldout" for rank, i in enumerate(ids)})
    return out


def misplaced(parts: dict[str, list[dict[str, object]]]) -> list[str]:
    everything = [p for posts in parts.values() for p in posts]
    want = expected_part(everything)
    return [
        f"{p['id']} is in {part}, the rule says {want[str(p['id'])]}"
        for part, posts in parts.items()
        for p in posts
        if want[str(p["id"])] != part
    ]


@pytest.fixture(scope="module")
def parts() -> dict[str, list[dict[str, object]]]:
    return read_parts(CORPUS)


@pytest.fixture(scope="module")
def posts(parts: dict[str, list[dict[str, object]]]) -> list[dict[str, object]]:
    return [p for part_posts in parts.values() for p in part_posts]


@pytest.fixture(scope="module")
def lessons() -> set[str]:
    """The soul lessons the shipped rules belong to, as the real CLI lists them."""
    exe = Path(sys.executable).with_name("soulpost")
    out = subprocess.run(
        [str(exe), "rules", "--builtin", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {r["lesson"] for r in json.loads(out)["rules"]} - {"platform"}


def test_every_post_has_the_fields_with_the_right_types(posts: list[dict[str, object]]) -> None:
    for post in posts:
        for name, kind in FIELDS.items():
            assert isinstance(post.get(name), kind), (
                f"{post.get('id')}: {name} missing or not {kind}"
            )
            if kind is str:
                assert str(post[name]).strip(), f"{post['id']}: {name} is empty"
        assert post.get("source") in SOURCES, f"{post['id']}: unknown source {post.get('source')}"
        if post["source"] in EXTERNAL:
            assert post.get("ref"), f"{post['id']}: public data must name repo@commit:path"


def test_ids_are_unique_and_name_their_language(posts: list[dict[str, object]]) -> None:
    counts = Counter(p["id"] for p in posts)
    assert [i for i, n in counts.items() if n > 1] == []
    for post in posts:
        assert str(post["id"]).startswith(f"{post['lang']}-"), post["id"]


def test_no_text_appears_twice(posts: list[dict[str, object]]) -> None:
    """Exact repeats only: the same bait in capitals or lower case is a case of its own."""
    counts = Counter(str(p["text"]).strip() for p in posts)
    assert [t for t, n in counts.items() if n > 1] == []


def test_labels_are_the_projects_lessons(posts: list[dict[str, object]], lessons: set[str]) -> None:
    assert lessons == {"listen", "relate", "give", "experiment", "useful"}
    for post in posts:
        labels = post["labels"]
        assert isinstance(labels, list)
        assert len(set(labels)) == len(labels), f"{post['id']}: a label twice"
        assert set(labels) <= lessons, f"{post['id']}: {set(labels) - lessons} is not a lesson"


def test_languages_are_known_and_big_enough(posts: list[dict[str, object]]) -> None:
    per_lang = Counter(str(p["lang"]) for p in posts)
    assert set(per_lang) == LANGS
    for lang, count in per_lang.items():
        assert count >= MIN_PER_LANG, f"{lang}: {count} posts, want at least {MIN_PER_LANG}"


def test_each_language_and_part_has_clean_and_flawed_posts(
    parts: dict[str, list[dict[str, object]]],
) -> None:
    for part, posts in parts.items():
        for lang in LANGS:
            mine = [p for p in posts if p["lang"] == lang]
            assert any(not p["labels"] for p in mine), f"{part}/{lang}: no clean post"
            assert any(p["labels"] for p in mine), f"{part}/{lang}: no flawed post"


def test_every_lesson_is_present_per_language(
    posts: list[dict[str, object]], lessons: set[str]
) -> None:
    for lang in LANGS:
        seen = {label for p in posts if p["lang"] == lang for label in p["labels"]}
        assert seen == lessons, f"{lang}: no post for {lessons - seen}"


def test_split_follows_the_hash_rule(parts: dict[str, list[dict[str, object]]]) -> None:
    assert misplaced(parts) == []
    total = sum(len(p) for p in parts.values())
    assert 0.55 <= len(parts["dev"]) / total <= 0.65


def test_split_check_catches_a_post_in_the_wrong_part(tmp_path: Path) -> None:
    """The check above can fail: move one held-out post to dev and it is reported."""
    for part in PARTS:
        shutil.copy(CORPUS / f"{part}.jsonl", tmp_path / f"{part}.jsonl")
    held = (tmp_path / "heldout.jsonl").read_text(encoding="utf-8").splitlines()
    moved = held.pop(0)
    (tmp_path / "heldout.jsonl").write_text("\n".join(held) + "\n", encoding="utf-8")
    with (tmp_path / "dev.jsonl").open("a", encoding="utf-8") as dev:
        dev.write(moved + "\n")
    problems = misplaced(read_parts(tmp_path))
    assert problems == [f"{json.loads(moved)['id']} is in dev, the rule says heldout"]
