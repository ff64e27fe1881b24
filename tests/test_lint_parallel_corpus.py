"""Forked workers must find exactly what one process finds, on a varied, multilingual queue.

tests/test_lint_workers.py covers the awkward cases of loading (broken files, suppressions,
duplicates); this covers judgment: every post of the judgment corpus (four languages,
bait, shouting, acronyms, hype, promotion, clean posts that look risky) becomes a draft,
some as threads or with a per-platform variant, some pinned to a time, and the whole queue
is linted both ways. Language detection, word lists and the queue rules all run in both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from soulpost.lint import engine, workers
from soulpost.lint.model import Report
from soulpost.workspace import load_settings, queue_files

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "judgment"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CONFIG = """\
timezone = "Europe/Paris"
default_platforms = ["mastodon", "bluesky"]

[platforms.mastodon]
adapter = "outbox"

[platforms.bluesky]
adapter = "outbox"

[platforms.x]
adapter = "outbox"

[lint]
allow = ["API", "CSV"]
"""


def _draft(n: int, post: dict[str, Any]) -> str:
    """A draft for corpus post *post*: the shape varies with its position in the corpus."""
    text = post["text"]
    lines = [f"text = {json.dumps(text, ensure_ascii=False)}"]
    if n % 3 == 1:
        lines.append('platforms = ["mastodon", "x"]')
    if n % 4 != 3:  # four a day, some an hour apart: the queue rules have work to do
        lines.append(
            f"at = 2026-12-{1 + n // 40:02d}T{8 + (n % 40) // 4:02d}:{(n % 4) * 15:02d}:00"
        )
    if n % 7 == 2:
        lines.append(
            f"thread = {json.dumps([text[::-1], 'What would you add?'], ensure_ascii=False)}"
        )
    if n % 3 == 1 and n % 5 == 0:
        lines += ["", "[variants.x]", f"text = {json.dumps(text.upper(), ensure_ascii=False)}"]
    if n % 13 == 6:
        lines += ["", "[lint]", 'ignore = ["shouting", "SP201"]']
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def queue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus-queue")
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    (root / "queue").mkdir()
    posts = [
        json.loads(line)
        for part in ("dev.jsonl", "heldout.jsonl")
        for line in (CORPUS / part).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for n, post in enumerate(posts):
        name = f"{post['id']}.toml"
        (root / "queue" / name).write_text(_draft(n, post), encoding="utf-8")
    return root


def _lint(root: Path) -> Report:
    settings, config_path = load_settings(root)
    return engine.lint_files(
        queue_files(root / "queue"), settings, now=NOW, root=root, config_path=config_path
    )


def test_workers_judge_the_corpus_as_one_process_does(
    queue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real: Callable[..., Report | None] = workers.load_and_lint

    def counting(*args: Any, **kwargs: Any) -> Report | None:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(workers, "load_and_lint", counting)
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 10**9)
    serial = _lint(queue)
    assert calls == []
    monkeypatch.setattr(engine, "_workers", lambda count: 2)
    parallel = _lint(queue)
    assert calls == [1]
    assert serial.errors == [] and parallel.errors == []
    assert (parallel.posts, parallel.files) == (serial.posts, serial.files)
    assert parallel.findings == serial.findings
    # The comparison is about something: every lesson, the language packs and the queue
    # rules fire on this queue.
    codes = {f.code for f in serial.findings}
    assert {"SP101", "SP201", "SP306", "SP106"} <= codes
    assert {"SP221", "SP231", "SP241"} & codes, sorted(codes)
    lessons = {serial.rules[f.code].lesson for f in serial.findings if f.code in serial.rules}
    assert {"listen", "relate", "give", "useful"} <= lessons


@pytest.mark.parametrize("count", [1, 7, 38, 1500, 10_000])
def test_chunks_cover_every_post_once_and_shrink_at_the_end(count: int) -> None:
    chunks = workers._chunks(count, 2)
    assert [i for start, end in chunks for i in range(start, end)] == list(range(count))
    sizes = [end - start for start, end in chunks]
    assert max(sizes) <= engine.CHUNK
    if count >= 1500:  # a long queue ends in small pieces, so both workers finish together
        assert sizes[-2] <= workers.MIN_CHUNK < sizes[0]
