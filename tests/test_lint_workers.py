"""Linting a large queue in forked workers must report exactly what one process reports.

``soulpost lint`` on a large queue loads and lints it in worker processes that send back
findings and post summaries (soulpost.lint.workers); these tests force that path on a
small queue full of awkward cases and compare it with the in-process path, field by field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from soulpost.lint import engine, workers
from soulpost.lint.builtin.queue import DuplicatePost
from soulpost.lint.model import Report
from soulpost.posts import Post
from soulpost.workspace import load_posts, load_settings, queue_files
from tests.conftest import Result

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

CONFIG = """\
timezone = "Europe/Berlin"
default_platforms = ["mastodon", "bluesky"]

[platforms.mastodon]
adapter = "outbox"

[platforms.bluesky]
adapter = "outbox"

[platforms.x]
adapter = "outbox"
"""

CALM = "We talked to {n} of you about onboarding. What should we look at next?"
SHOUTY = "FLASH SALE!!! ACT NOW, only {n} spots left. Buy now at https://shop.example.com/{n}"
PROMO = "Our templates are {n}% off until Friday. Buy now."


def _posts() -> dict[str, str]:
    """Forty-odd drafts: every kind of finding, suppressions, and every kind of load error."""
    posts: dict[str, str] = {}
    for n in range(36):
        kind = (CALM, SHOUTY, PROMO)[n % 3]
        text = kind.format(n=n if n % 4 else 7)  # every fourth repeats another's text
        day, hour, minute = 1 + n // 12, 8 + (n % 12) // 4, (n % 4) * 10  # 4 an hour: flooding
        lines = [
            f'text = "{text}"',
            'platforms = ["mastodon", "bluesky", "x"]' if n % 2 else "",
            f"at = 2026-12-0{day}T{hour:02d}:{minute:02d}:00",
        ]
        if n % 5 == 0:
            lines += ["thread = ['FINAL HOURS!!! Hurry.', 'What do you think?']"]
        if n % 6 == 1:
            lines += ["", "[variants.x]", 'text = "DON\'T MISS OUT!!! Last chance."']
        if n % 7 == 2:
            lines += ["", "[[media]]", 'path = "media/chart.png"']
        if n % 9 == 3:
            lines += ["", "[lint]", 'ignore = ["shouting", "SP102"]', 'reason = "a joke"']
        if n % 11 == 4:
            lines += ["", "[lint]", 'ignore = ["no-such-rule"]']
        posts[f"p{n:02d}.toml"] = "\n".join(lines) + "\n"
    posts["broken.toml"] = 'text = "unterminated\n'
    posts["typo.toml"] = 'text = "Hi there"\nstauts = "draft"\n'
    posts["dup.toml"] = 'id = "p03"\ntext = "Same id as p03.toml"\n'
    posts["sub/nested.toml"] = 'text = "Lessons from the nested folder, and a question?"\n'
    posts["gap.toml"] = 'text = "Spring forward"\nat = 2027-03-28T02:30:00\n'
    return posts


@pytest.fixture
def queue(workspace: Callable[..., Path]) -> Path:
    root = workspace(CONFIG, _posts())
    (root / "queue" / "latin1.toml").write_bytes('text = "caf\xe9"\n'.encode("latin-1"))
    (root / "media").mkdir()
    (root / "media" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return root


def _lint(root: Path, **options: Any) -> Report:
    settings, config_path = load_settings(root)
    return engine.lint_files(
        queue_files(root / "queue"),
        settings,
        now=NOW,
        root=root,
        config_path=config_path,
        **options,
    )


def _as_data(report: Report) -> tuple[object, ...]:
    return (
        report.findings,
        [str(e) for e in report.errors],
        [(e.path, e.line, e.key) for e in report.errors],
        report.posts,
        report.files,
    )


@pytest.fixture
def forced(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Force two workers for any size (the real choice also needs cores and one thread);
    return a list that counts the calls of the worker path."""
    calls: list[int] = []
    real = workers.load_and_lint

    def counting(*args: Any, **kwargs: Any) -> Report | None:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(workers, "load_and_lint", counting)
    return calls


def test_workers_report_what_one_process_reports(
    queue: Path, forced: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 10**9)
    serial = _lint(queue)
    assert forced == []
    monkeypatch.setattr(engine, "_workers", lambda count: 2)
    parallel = _lint(queue)
    assert forced == [1]
    assert _as_data(parallel) == _as_data(serial)
    # The queue really holds what the comparison is about.
    codes = {f.code for f in serial.findings}
    assert {"SP101", "SP104", "SP202", "SP306", "SP106", "SP602", "SP608"} <= codes
    assert serial.posts == 38  # 36 + nested + gap; dup, broken, typo and latin1 did not load
    problems = " ".join(str(e) for e in serial.errors)
    for expected in ("invalid TOML", "stauts", "duplicate post id 'p03'", "not UTF-8", "no-such"):
        assert expected in problems
    suppressed = [f for f in serial.findings if f.post_id == "p03" and f.code in {"SP101", "SP102"}]
    assert suppressed == []


def test_workers_and_one_process_print_the_same(
    queue: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("-C", queue, "lint", "--now", "2026-11-20T12:00:00+00:00")
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 10**9)
    outputs = {fmt: cli(*args, "--format", fmt) for fmt in ("text", "json", "sarif")}
    monkeypatch.setattr(engine, "_workers", lambda count: 2)
    for fmt, serial in outputs.items():
        parallel = cli(*args, "--format", fmt)
        assert (parallel.code, parallel.out, parallel.err) == (serial.code, serial.out, serial.err)
        assert serial.code == 2  # broken drafts: reported, and the rest still linted


def test_a_queue_rule_that_needs_whole_posts_keeps_them_in_one_process(
    queue: Path, forced: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_workers", lambda count: 2)
    monkeypatch.setattr(DuplicatePost, "needs_whole_posts", True)
    report = _lint(queue)
    assert forced == []  # summary posts would not do: the posts were loaded here
    assert any(f.code == "SP306" for f in report.findings)


def test_unused_suppression_reports_stay_in_one_process(
    queue: Path, forced: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_workers", lambda count: 2)
    report = _lint(queue, unused_suppressions=True)
    assert forced == []
    assert report.posts > 30


def test_a_post_summary_carries_what_queue_rules_read(queue: Path) -> None:
    settings, _config = load_settings(queue)
    posts, _errors = load_posts(queue_files(queue / "queue"), settings)
    for post in posts:
        copy = Post.from_summary(post.summary(), post.path)
        for name in ("id", "text", "platforms", "at", "status", "tags", "lint", "max_lateness"):
            assert getattr(copy, name) == getattr(post, name), name
        assert (copy.path, copy.raw_text(), copy.time_kind) == (
            post.path,
            post.raw_text(),
            post.time_kind,
        )
        assert (copy.media, copy.variants, copy.thread) == ([], {}, [])


def test_a_rule_failing_in_a_worker_fails_the_run(
    queue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The error reaches the caller (the CLI shows it) and the chunks not started are
    dropped rather than linted first."""
    from soulpost.lint.builtin.platform import TooLong

    def broken(self: TooLong, draft: Any) -> Any:
        raise RuntimeError(f"rule broke on {draft.id}")

    monkeypatch.setattr(engine, "_workers", lambda count: 2)
    monkeypatch.setattr(TooLong, "check", broken)
    with pytest.raises(RuntimeError, match="rule broke on"):
        _lint(queue)
