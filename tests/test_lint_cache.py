"""The lint cache: a warm lint reports exactly what a cold one does, re-lints only what
changed, lives outside the workspace, and shrugs off a broken or forged cache file.

Everything runs the real CLI on real files in tmp dirs; a test's cache folder is its own
(``SOULPOST_CACHE_DIR``). "Re-linted" is observed by counting the posts validated
(``build_post``, which a cached file skips) and the drafts the post rules ran over.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from soulpost.lint import cacheedit, engine, warm, workers
from tests.conftest import REPO, Result, bench_module, count_calls, run_process

NOW = "2026-12-01T00:00:00+00:00"
LATER = "2027-06-01T00:00:00+00:00"

CONFIG = """\
timezone = "Europe/Berlin"
default_platforms = ["mastodon"]

[platforms.mastodon]
adapter = "outbox"
"""

LOUD = 'text = "BUY NOW!!! THIS IS THE LAST CHANCE, ACT NOW!!!"\nat = 2026-12-10T09:00:00\n'
CALM = 'text = "We wrote down what we learned from the workshop. What would you add?"\n'


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SOULPOST_CACHE_DIR", str(folder))
    return folder


class Counts:
    """How many posts the cached path validated, and how many drafts every post rule ran
    over (a lint without the cache loads posts its own way, not counted)."""

    def __init__(self) -> None:
        self.built = 0
        self.linted = 0
        self.queued = 0  # runs of the queue rules: none when the kept report answers

    def reset(self) -> None:
        self.built = self.linted = self.queued = 0


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counts]:
    seen = Counts()

    def built(*args: Any, **kwargs: Any) -> None:
        seen.built += 1

    def linted(drafts: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("rules") is None:  # every post rule, not just the clock's
            seen.linted += len(drafts)

    def queued(*args: Any, **kwargs: Any) -> None:
        seen.queued += 1

    count_calls(monkeypatch, workers, "build_post", built)
    count_calls(monkeypatch, engine.Run, "queue_rules", queued)
    # The queue rules over the kept state of a queue with a few files changed.
    count_calls(monkeypatch, cacheedit, "_queue_findings", queued)
    for module in (engine, warm, workers):
        count_calls(monkeypatch, module, "lint_drafts", linted)
    yield seen


def _lint(cli: Callable[..., Result], root: Path, *args: str) -> Result:
    return cli("-C", root, "lint", "--now", NOW, "--format", "json", *args)


def _same_as_cold(cli: Callable[..., Result], root: Path, *args: str) -> Result:
    """Lint with the cache, then without it: same output and exit code; the cached one."""
    warm_run = _lint(cli, root, *args)
    cold_run = _lint(cli, root, "--no-cache", *args)
    assert warm_run.out == cold_run.out
    assert warm_run.code == cold_run.code
    return warm_run


def _queue(tmp_path: Path, posts: dict[str, str]) -> Path:
    root = tmp_path / "ws"
    (root / "queue").mkdir(parents=True)
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    for name, body in posts.items():
        (root / "queue" / name).write_text(body, encoding="utf-8")
    return root


def _codes(result: Result, post: str) -> list[str]:
    return sorted(f["code"] for f in json.loads(result.out)["findings"] if f["post_id"] == post)


def test_the_example_workspace_lints_the_same_warm_and_cold(
    cli: Callable[..., Result], cache_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "example"
    shutil.copytree(REPO / "queue", root / "queue")
    shutil.copytree(REPO / "rules", root / "rules")
    shutil.copy(REPO / "config.toml", root / "config.toml")
    cold = _lint(cli, root, "--no-cache")
    assert not cache_dir.exists()  # --no-cache writes nothing
    first = _lint(cli, root)
    assert _cache_files(cache_dir)
    for fmt in ("json", "sarif", "text", "github"):
        again = cli("-C", root, "lint", "--now", NOW, "--format", fmt)
        plain = cli("-C", root, "lint", "--now", NOW, "--format", fmt, "--no-cache")
        assert (again.out, again.code) == (plain.out, plain.code), fmt
    assert (first.out, first.code) == (cold.out, cold.code)
    assert json.loads(cold.out)["findings"]  # the example has findings to keep


def test_a_generated_queue_is_read_from_the_cache_and_only_an_edit_is_linted_again(
    cli: Callable[..., Result], cache_dir: Path, counts: Counts, tmp_path: Path
) -> None:
    root = bench_module("lint_bench").make_workspace(
        tmp_path, 240
    )  # media, threads, variants, [lint] ignore
    cold = _lint(cli, root, "--no-cache")
    counts.reset()
    filled = _lint(cli, root)
    assert counts.built == 240
    counts.reset()
    warm_run = _lint(cli, root)
    assert (counts.built, counts.linted) == (0, 0)  # nothing parsed, no post rule ran
    assert (warm_run.out, warm_run.code) == (filled.out, filled.code) == (cold.out, cold.code)
    draft = root / "queue" / "000007.toml"
    draft.write_text(draft.read_text().replace('text = "', 'text = "BUY NOW!!! ', 1))
    counts.reset()
    edited = _same_as_cold(cli, root)
    assert counts.built == 1  # the edited draft (the cold run loads its own way)
    assert edited.out != warm_run.out


def test_a_queue_linted_in_worker_processes_is_the_same_warm(
    cli: Callable[..., Result], cache_dir: Path, tmp_path: Path
) -> None:
    root = bench_module("lint_bench").make_workspace(tmp_path, engine.PARALLEL_THRESHOLD + 100)
    cold = _lint(cli, root, "--no-cache")
    _lint(cli, root)
    draft = root / "queue" / "000011.toml"
    draft.write_text(draft.read_text().replace('text = "', 'text = "ACT NOW!!! ', 1))
    warm_run = _same_as_cold(cli, root)
    assert warm_run.out != cold.out


def test_config_and_rule_packs_are_part_of_the_key(
    cli: Callable[..., Result], cache_dir: Path, counts: Counts, tmp_path: Path
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD, "calm.toml": CALM})
    before = _same_as_cold(cli, root)
    assert "SP101" in _codes(before, "loud")  # shouting
    config = root / "config.toml"
    config.write_text(CONFIG + '\n[lint]\nignore = ["SP101"]\n', encoding="utf-8")
    counts.reset()
    quieter = _same_as_cold(cli, root)
    assert "SP101" not in _codes(quieter, "loud")
    assert counts.built == 2  # every draft again: the settings changed
    (root / "rules").mkdir()
    (root / "rules" / "house.toml").write_text(
        textwrap.dedent(
            """\
            [[rule]]
            code = "HS001"
            name = "workshop-word"
            kind = "phrases"
            severity = "warning"
            lesson = "useful"
            summary = "Says workshop."
            message = "{match!r} is our word of the week"
            options = { phrases = ["workshop"] }
            """
        ),
        encoding="utf-8",
    )
    with_pack = _same_as_cold(cli, root)
    assert _codes(with_pack, "calm") == ["HS001"]
    pack = root / "rules" / "house.toml"
    pack.write_text(pack.read_text().replace('"workshop"', '"learned"'), encoding="utf-8")
    assert _codes(_same_as_cold(cli, root), "calm") == ["HS001"]
    pack.write_text(pack.read_text().replace('"learned"', '"nothing-like-it"'))
    assert _codes(_same_as_cold(cli, root), "calm") == []


def test_the_clock_is_never_cached(
    cli: Callable[..., Result], cache_dir: Path, counts: Counts, tmp_path: Path
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD, "calm.toml": CALM})
    _lint(cli, root)
    counts.reset()
    later = cli("-C", root, "lint", "--now", LATER, "--format", "json")
    assert (counts.built, counts.linted) == (0, 0)
    assert "SP607" in _codes(later, "loud")  # past-time: the draft's time has passed
    cold = cli("-C", root, "lint", "--now", LATER, "--format", "json", "--no-cache")
    assert (later.out, later.code) == (cold.out, cold.code)
    assert "SP607" not in _codes(_lint(cli, root), "loud")


def test_a_changed_media_file_is_linted_again(
    cli: Callable[..., Result], cache_dir: Path, counts: Counts, tmp_path: Path
) -> None:
    body = 'text = "Our chart."\n\n[[media]]\npath = "media/chart.png"\nalt = "A chart"\n'
    root = _queue(tmp_path, {"chart.toml": body, "calm.toml": CALM})
    (root / "media").mkdir()
    image = root / "media" / "chart.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    _lint(cli, root)
    counts.reset()
    _lint(cli, root)
    assert counts.built == 0
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(128))
    counts.reset()
    _lint(cli, root)
    assert counts.built == 1
    image.unlink()
    gone = _same_as_cold(cli, root)
    assert gone.code == 2 or gone.out  # whatever a missing file gives, it is the cold answer


def _cache_files(cache_dir: Path) -> list[Path]:
    """The workspace's cache files (one folder of shards per workspace)."""
    (folder,) = cache_dir.glob("lint-*")
    found = sorted(folder.glob("*.jsonl"))
    assert found
    return found


def _queue_file(cache_dir: Path) -> Path:
    """The workspace's kept whole-queue report (see soulpost.lint.queuecache)."""
    (folder,) = cache_dir.glob("lint-*")
    return folder / "queue.json"


def test_a_kept_answer_is_used_and_no_cache_neither_reads_nor_writes_it(
    cli: Callable[..., Result], cache_dir: Path, tmp_path: Path
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD, "calm.toml": CALM})
    _lint(cli, root)
    # Someone with the user's rights empties the kept findings of the loud draft: a lint
    # through the cache believes it (the cache folder is the user's own) ...
    for path in _cache_files(cache_dir):
        lines = path.read_text(encoding="utf-8").split("\n")
        for i, line in enumerate(lines[1:], start=1):
            digest, name, payload = line.split("\t")
            if name.endswith('loud.toml"'):
                entry = json.loads(payload)
                entry[2] = []
                lines[i] = f"{digest}\t{name}\t{json.dumps(entry)}"
        path.write_text("\n".join(lines), encoding="utf-8")
    _queue_file(cache_dir).unlink()  # the kept whole-queue report would answer first
    stamps = [path.stat().st_mtime_ns for path in _cache_files(cache_dir)]
    assert _codes(_lint(cli, root), "loud") == []
    # ... and --no-cache does not read it, nor write it.
    assert "SP101" in _codes(_lint(cli, root, "--no-cache"), "loud")
    assert [path.stat().st_mtime_ns for path in _cache_files(cache_dir)] == stamps


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "garbage \x00\x01 not json",
        lambda text: "",
        lambda text: text.replace('"format":1', '"format":99'),
        lambda text: text.replace('"SP101"', '"SP101", "extra"'),  # an entry of another shape
        lambda text: text.replace('"warning"', '"fatal"'),  # a severity that does not exist
        lambda text: text.replace('"explicit"', '"sometime"'),  # a time kind that does not
        lambda text: "\n".join(line[:40] for line in text.split("\n")),  # cut short
    ],
)
def test_a_broken_cache_file_is_a_miss_never_an_error(
    cli: Callable[..., Result],
    cache_dir: Path,
    tmp_path: Path,
    damage: Callable[[str], str],
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD, "calm.toml": CALM})
    cold = _lint(cli, root, "--no-cache")
    _lint(cli, root)
    for path in _cache_files(cache_dir):
        path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = _lint(cli, root)
    assert (result.out, result.code) == (cold.out, cold.code)
    assert "Traceback" not in result.err
    assert (result.out, result.code) == (_lint(cli, root).out, cold.code)  # and mended


@pytest.mark.skipif(not hasattr(os, "chown") or os.geteuid() != 0, reason="needs root to chown")
def test_a_cache_file_of_another_owner_is_not_trusted(
    cli: Callable[..., Result], cache_dir: Path, tmp_path: Path
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD})
    _lint(cli, root)
    for path in _cache_files(cache_dir):
        path.write_text(path.read_text().replace('"SP101"', '"SP999"'), encoding="utf-8")
        os.chown(path, 4242, 4242)
    assert "SP101" in _codes(_lint(cli, root), "loud")


def test_the_cache_lives_outside_the_workspace(tmp_path: Path) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD, "calm.toml": CALM})
    home = tmp_path / "home"
    home.mkdir()
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    env = {"SOULPOST_CACHE_DIR": "", "XDG_CACHE_HOME": "", "HOME": str(home)}
    for _ in range(2):
        result = run_process("lint", "--now", NOW, cwd=root, env=env)
        assert "SP101" in result.out, result.err
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert _cache_files(home / ".cache" / "soulpost")
    xdg = tmp_path / "xdg"
    env = {"SOULPOST_CACHE_DIR": "", "XDG_CACHE_HOME": str(xdg), "HOME": str(home)}
    run_process("lint", "--now", NOW, cwd=root, env=env)
    assert _cache_files(xdg / "soulpost")


def test_cache_false_in_the_config_keeps_nothing(
    cli: Callable[..., Result], cache_dir: Path, tmp_path: Path
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD})
    (root / "config.toml").write_text(CONFIG + "\n[lint]\ncache = false\n", encoding="utf-8")
    assert "SP101" in _codes(_lint(cli, root), "loud")
    assert not cache_dir.exists()


def test_review_commands_are_the_same_warm_and_cold(
    cli: Callable[..., Result], cache_dir: Path, counts: Counts, tmp_path: Path
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD, "calm.toml": CALM})
    args = ("-C", root, "preview", "--format", "json", "--now", NOW)
    cold = cli(*args, "--no-cache")
    assert not cache_dir.exists()
    counts.reset()
    filled = cli(*args)
    assert counts.linted == 2
    counts.reset()
    again = cli(*args)
    assert counts.linted == 0  # the cache answered for both drafts
    assert cold.out == filled.out == again.out
    assert "SP101" in cold.out
    _lint(cli, root)  # `soulpost lint` reads what preview kept, and the other way round
    assert cli(*args).out == cold.out


def test_every_post_rule_that_reads_the_clock_says_so() -> None:
    """A rule reading ``draft.now`` or ``draft.time`` must not be cached (reads_clock)."""
    from soulpost.config import LintSettings
    from soulpost.lint.registry import load_registry
    from soulpost.lint.select import configure

    ruleset = configure(load_registry(REPO), LintSettings())
    for rule in ruleset.post_rules:
        source = inspect.getsource(type(rule))
        if re.search(r"\bdraft\.(?:now|time)\b", source):
            assert rule.reads_clock, rule.spec.code
    assert any(rule.reads_clock for rule in ruleset.post_rules)


def test_a_suppressed_clock_rule_stays_suppressed_on_a_cached_draft(
    cli: Callable[..., Result], cache_dir: Path, counts: Counts, tmp_path: Path
) -> None:
    quiet = LOUD + '\n[lint]\nignore = ["past-time"]\nreason = "an old post kept for the record"\n'
    root = _queue(tmp_path, {"loud.toml": quiet, "calm.toml": CALM})
    _lint(cli, root)
    counts.reset()
    later = cli("-C", root, "lint", "--now", LATER, "--format", "json")
    assert counts.built == 0
    assert "SP607" not in _codes(later, "loud")
    cold = cli("-C", root, "lint", "--now", LATER, "--format", "json", "--no-cache")
    assert (later.out, later.code) == (cold.out, cold.code)


def test_a_cache_folder_inside_the_workspace_is_not_used(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD})
    monkeypatch.setenv("SOULPOST_CACHE_DIR", str(root / ".cache"))
    assert "SP101" in _codes(_lint(cli, root), "loud")
    assert not (root / ".cache").exists()


def test_entries_of_deleted_drafts_are_dropped(
    cli: Callable[..., Result], cache_dir: Path, tmp_path: Path
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD, "calm.toml": CALM})
    _lint(cli, root)
    kept = "".join(path.read_text(encoding="utf-8") for path in _cache_files(cache_dir))
    assert "loud.toml" in kept and "calm.toml" in kept
    (root / "queue" / "loud.toml").unlink()
    _same_as_cold(cli, root)
    kept = "".join(path.read_text(encoding="utf-8") for path in _cache_files(cache_dir))
    assert "loud.toml" not in kept and "calm.toml" in kept


def test_lints_running_at_once_leave_a_sound_cache(cache_dir: Path, tmp_path: Path) -> None:
    """Each shard is written to a temporary file and renamed: runs that overlap leave the
    old shard or a new one, never half of one, and the next lint reads it as usual."""
    import subprocess
    import sys

    posts = {f"p{k:03d}.toml": CALM.replace("workshop", f"workshop number {k}") for k in range(60)}
    root = _queue(tmp_path, {**posts, "loud.toml": LOUD})
    exe = str(Path(sys.executable).with_name("soulpost"))
    argv = [exe, "lint", "--now", NOW, "--format", "json"]
    env = {**os.environ, "SOULPOST_CACHE_DIR": str(cache_dir)}
    for round_ in range(3):
        if round_:
            loud = root / "queue" / "loud.toml"
            loud.write_text(LOUD.replace("BUY", f"BUY {round_}"), encoding="utf-8")
        runs = [
            subprocess.Popen(argv, cwd=root, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        outs = {run.communicate(timeout=120)[0] for run in runs}
        assert len(outs) == 1
    for path in _cache_files(cache_dir):
        header, *lines = path.read_text(encoding="utf-8").split("\n")
        assert json.loads(header)["format"] == 1
        for line in lines:
            json.loads(line.split("\t", 2)[2])
    cold = run_process("lint", "--now", NOW, "--format", "json", "--no-cache", cwd=root)
    assert run_process("lint", "--now", NOW, "--format", "json", cwd=root).out == cold.out
    assert cold.out in outs


def test_a_rule_plugin_turns_the_cache_off(
    cli: Callable[..., Result],
    cache_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A plugin's code can change without a new version: nothing is kept while one is
    installed, and every lint runs its rule."""
    from soulpost.lint import registry
    from tests.test_lint_registry import PLUGIN, install_plugin

    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "mondayrules", PLUGIN, "mondayrules:NoMondays")
    monkeypatch.syspath_prepend(str(site))
    registry._CACHE.clear()
    try:
        root = _queue(tmp_path, {"monday.toml": 'text = "Happy Monday, what are you up to?"\n'})
        for _ in range(2):
            assert _codes(_lint(cli, root), "monday") == ["MON100"]
        assert not cache_dir.exists()
    finally:
        registry._CACHE.clear()


def test_an_unchanged_queue_is_answered_by_its_kept_report(
    cli: Callable[..., Result], cache_dir: Path, counts: Counts, tmp_path: Path
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD, "calm.toml": CALM})
    filled = _lint(cli, root)
    kept = _queue_file(cache_dir)
    head, findings = kept.read_text(encoding="utf-8").split("\n")
    assert json.loads(findings)
    counts.reset()
    assert _lint(cli, root).out == filled.out
    assert (counts.built, counts.linted, counts.queued) == (0, 0, 0)  # no rule ran at all
    # What answered is the kept report: someone with the user's rights empties it, and a
    # lint through the cache believes it (as it believes a draft's entry).
    kept.write_text(f"{head}\n[]", encoding="utf-8")
    assert json.loads(_lint(cli, root).out)["findings"] == []
    assert "SP101" in _codes(_lint(cli, root, "--no-cache"), "loud")


@pytest.mark.parametrize(
    "case", [("2026-12-10T10:00:00+00:00", False), ("2026-12-10T10:00:00.000001+00:00", True)]
)
def test_the_kept_report_holds_only_while_the_clock_rules_are_silent(
    cli: Callable[..., Result],
    cache_dir: Path,
    counts: Counts,
    tmp_path: Path,
    case: tuple[str, bool],
) -> None:
    """LOUD is at 09:00 in Berlin (08:00 UTC), with two hours' grace: past-time fires from
    the first microsecond after 10:00 UTC, and the kept report must step aside then."""
    now, fires = case
    root = _queue(tmp_path, {"loud.toml": LOUD, "calm.toml": CALM})
    _lint(cli, root)
    counts.reset()
    result = cli("-C", root, "lint", "--now", now, "--format", "json")
    assert ("SP607" in _codes(result, "loud")) is fires
    assert counts.queued == fires  # silent: the kept report; else the drafts' entries
    cold = cli("-C", root, "lint", "--now", now, "--format", "json", "--no-cache")
    assert (result.out, result.code) == (cold.out, cold.code)


def test_every_file_name_is_part_of_the_queue_key(
    cli: Callable[..., Result], cache_dir: Path, counts: Counts, tmp_path: Path
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD, "calm.toml": CALM})
    _lint(cli, root)
    queue = root / "queue"
    (queue / "loud.toml").rename(queue / "noisy.toml")  # the same text under another name
    counts.reset()
    renamed = _lint(cli, root)
    assert counts.queued == 1
    assert renamed.out == _lint(cli, root, "--no-cache").out
    assert "SP101" in _codes(renamed, "noisy") and "loud" not in renamed.out
    shutil.copy(queue / "noisy.toml", queue / "again.toml")  # the same text twice
    assert "SP306" in _codes(_same_as_cold(cli, root), "noisy")  # repeats again.toml


@pytest.mark.parametrize(
    "bad",
    [
        'text = "unclosed\n',  # does not load
        CALM + '\n[lint]\nignore = ["no-such-rule"]\nreason = "typo"\n',  # loads, one problem
    ],
)
def test_a_queue_with_errors_keeps_no_report(
    cli: Callable[..., Result], cache_dir: Path, counts: Counts, tmp_path: Path, bad: str
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD, "bad.toml": bad})
    first = _same_as_cold(cli, root)
    assert first.code == 2
    assert not _queue_file(cache_dir).exists()
    counts.reset()
    assert _lint(cli, root).out == first.out
    assert counts.queued == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "garbage \x00\x01 not json",
        lambda text: "",
        lambda text: text.replace('"format":1', '"format":99'),
        lambda text: text.replace('"SP101"', '["SP101"]'),  # a code of another type
        lambda text: text.replace('"warning"', '"fatal"'),  # a severity that does not exist
        lambda text: text.replace('"quiet":', '"quiet":"soon","was":'),
        lambda text: text.replace('"key":"', '"key":"0'),  # another queue's report
        lambda text: text[: len(text) // 2],  # cut short
        lambda text: text.split("\n")[0],  # the header alone
        lambda text: text.replace('"media":[]', '"media":{}'),
        lambda text: text.replace('["SP101",', '["SP101",null,', 1),  # a finding too long
    ],
)
def test_a_broken_queue_report_is_a_miss_never_an_error(
    cli: Callable[..., Result],
    cache_dir: Path,
    counts: Counts,
    tmp_path: Path,
    damage: Callable[[str], str],
) -> None:
    root = _queue(tmp_path, {"loud.toml": LOUD, "calm.toml": CALM})
    cold = _lint(cli, root, "--no-cache")
    _lint(cli, root)
    kept = _queue_file(cache_dir)
    kept.write_text(damage(kept.read_text(encoding="utf-8")), encoding="utf-8")
    counts.reset()
    result = _lint(cli, root)
    assert (result.out, result.code) == (cold.out, cold.code)
    assert "Traceback" not in result.err
    assert counts.queued == 1  # the drafts' entries answered
    head = kept.read_text(encoding="utf-8").split("\n")[0]
    assert json.loads(head)["format"] == 1  # and mended


def test_queue_rules_do_not_read_the_clock() -> None:
    """The kept report of a queue holds whatever the time (past-time aside): no queue
    rule may read ``now``, from the queue or from a draft."""
    from soulpost.config import LintSettings
    from soulpost.lint.registry import load_registry
    from soulpost.lint.select import configure

    ruleset = configure(load_registry(REPO), LintSettings())
    assert ruleset.queue_rules
    for rule in ruleset.queue_rules:
        source = inspect.getsource(type(rule))
        assert not re.search(r"\.now\b|\bnow\(", source), rule.spec.code


def test_a_draft_that_changes_while_it_is_linted_keeps_no_report(
    cli: Callable[..., Result],
    cache_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The queue's key is taken from the texts read first; a draft the cache does not
    know is then loaded again to be linted. If it changed in between, the report is of
    another text than the key says, and must not be kept under that key."""
    root = _queue(tmp_path, {"loud.toml": LOUD, "calm.toml": CALM})
    _lint(cli, root)
    draft = root / "queue" / "loud.toml"
    seen = LOUD.replace("LAST CHANCE", "FINAL CALL")  # what the first read sees ...
    draft.write_text(CALM, encoding="utf-8")  # ... and what is on disk when it is linted
    read = warm._text
    monkeypatch.setattr(warm, "_text", lambda path: seen if path == draft else read(path))
    _lint(cli, root)
    monkeypatch.setattr(warm, "_text", read)
    draft.write_text(seen, encoding="utf-8")  # the text the key was taken from, for real
    after = _same_as_cold(cli, root)
    assert "SP101" in _codes(after, "loud")
