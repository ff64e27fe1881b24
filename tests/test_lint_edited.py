"""A lint with a few drafts changed since the last (soulpost.lint.cacheedit): only those
are linted, the queue rules run over the kept state of the queue, and the report is
byte for byte the one a lint without the cache gives, in every format.

Each case fills the cache on the bench's generated queue (realistic drafts: duplicates,
promotions, threads, media, per-platform variants, ``[lint] ignore``), changes the queue
as a writer would (edit, add, remove, rename, make two drafts duplicates or part them,
move a draft in time or to other platforms, suppress a queue rule), and lints again with
the real CLI. The case asserts that the change shows in the output (so a path that
missed it would fail), that the short path answered (the changed files alone were
loaded; no queue rule ran over drafts), and that the output is the cold one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from soulpost.lint import cacheedit, cachestate, engine, workers
from tests.conftest import Result, bench_module, count_calls

NOW = "2026-12-01T00:00:00+00:00"
FORMATS = ("json", "sarif", "text", "github")
SIZE = 240  # drafts: a few dozen duplicates and share windows, quick to lint cold


class Seen:
    """What the cached lint did: posts validated, queue-rule runs over drafts and over
    the kept state."""

    def __init__(self) -> None:
        self.built = self.over_drafts = self.over_state = 0


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Iterator[Seen]:
    counts = Seen()

    def bump(field: str) -> Callable[..., None]:
        return lambda *args, **kwargs: setattr(counts, field, getattr(counts, field) + 1)

    count_calls(monkeypatch, workers, "build_post", bump("built"))
    count_calls(monkeypatch, engine.Run, "queue_rules", bump("over_drafts"))
    count_calls(monkeypatch, cacheedit, "_queue_findings", bump("over_state"))
    yield counts


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOULPOST_CACHE_DIR", str(tmp_path / "cache"))
    return bench_module("lint_bench").make_workspace(tmp_path, SIZE)  # type: ignore[no-any-return]


def _lint(cli: Callable[..., Result], root: Path, form: str = "json", *args: str) -> Result:
    return cli("-C", root, "lint", "--now", NOW, "--format", form, *args)


def _findings(result: Result) -> list[dict[str, Any]]:
    return json.loads(result.out)["findings"]  # type: ignore[no-any-return]


def _queue(root: Path) -> Path:
    return root / "queue"


def _set(path: Path, key: str, value: str) -> None:
    """Give the top-level *key* of the draft at *path* the TOML *value*."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{key} = "))
    lines[at] = f"{key} = {value}"
    path.write_text("\n".join(lines), encoding="utf-8")


def _get(path: Path, key: str) -> str:
    line = next(
        x for x in path.read_text(encoding="utf-8").split("\n") if x.startswith(f"{key} = ")
    )
    return line.split(" = ", 1)[1]


def _edited_as_cold(
    cli: Callable[..., Result], root: Path, seen: Seen, change: Callable[[], int]
) -> Result:
    """Fill the cache, make *change* (it says how many files it changed or added), lint
    again: the short path answers, the output changed, and it is the cold one."""
    before = _lint(cli, root)
    assert before.code in (0, 1)
    changed = change()
    seen.__init__()  # type: ignore[misc]
    edited = _lint(cli, root)
    assert (seen.built, seen.over_drafts, seen.over_state) == (changed, 0, 1)
    assert edited.out != before.out  # the change shows: a path that missed it fails here
    cold = _lint(cli, root, "json", "--no-cache")
    assert (edited.out, edited.code) == (cold.out, cold.code)
    seen.__init__()  # type: ignore[misc]
    again = _lint(cli, root)  # what the short path kept answers the next lint whole
    assert (again.out, seen.built, seen.over_drafts, seen.over_state) == (cold.out, 0, 0, 0)
    return edited


def _duplicate_pair(result: Result) -> tuple[str, str]:
    """(later, earlier) ids of a duplicate-post finding of *result*."""
    found = next(f for f in _findings(result) if f["code"] == "SP306")
    earlier = found["message"].split("the text of ", 1)[1].split(" ", 1)[0]
    return found["post_id"], earlier


def _file(root: Path, post_id: str) -> Path:
    return _queue(root) / f"{post_id.removeprefix('bench-')}.toml"


def test_an_edited_text(cli: Callable[..., Result], workspace: Path, seen: Seen) -> None:
    draft = _queue(workspace) / "000005.toml"

    def change() -> int:
        draft.write_text(draft.read_text().replace('text = "', 'text = "BUY NOW!!! ', 1))
        return 1

    _edited_as_cold(cli, workspace, seen, change)


def test_a_new_exact_duplicate(cli: Callable[..., Result], workspace: Path, seen: Seen) -> None:
    source = _queue(workspace) / "000010.toml"
    copy = _queue(workspace) / "000010b.toml"

    def change() -> int:
        text = source.read_text().replace('id = "bench-000010"', 'id = "bench-000010b"')
        copy.write_text(text, encoding="utf-8")
        _set(copy, "at", "2027-02-01T09:00:00+00:00")  # later: the copy is the repeat
        return 1

    edited = _edited_as_cold(cli, workspace, seen, change)
    assert any(
        f["code"] == "SP306" and f["post_id"] == "bench-000010b" and "bench-000010 " in f["message"]
        for f in _findings(edited)
    )


def test_two_duplicates_parted(cli: Callable[..., Result], workspace: Path, seen: Seen) -> None:
    later, earlier = _duplicate_pair(_lint(cli, workspace))

    def change() -> int:
        _set(_file(workspace, later), "text", '"Something else entirely: what would you ask us?"')
        return 1

    edited = _edited_as_cold(cli, workspace, seen, change)
    assert not any(f["code"] == "SP306" and f["post_id"] == later for f in _findings(edited))
    assert earlier


def test_the_earlier_of_two_duplicates_removed(
    cli: Callable[..., Result], workspace: Path, seen: Seen
) -> None:
    later, earlier = _duplicate_pair(_lint(cli, workspace))

    def change() -> int:
        _file(workspace, earlier).unlink()
        return 0

    edited = _edited_as_cold(cli, workspace, seen, change)
    assert not any(earlier in f["message"] for f in _findings(edited) if f["code"] == "SP306")
    assert later


def test_a_renamed_file(cli: Callable[..., Result], workspace: Path, seen: Seen) -> None:
    later, _earlier = _duplicate_pair(_lint(cli, workspace))
    source = _file(workspace, later)

    def change() -> int:
        source.rename(source.with_name("renamed.toml"))
        return 1

    edited = _edited_as_cold(cli, workspace, seen, change)
    assert any(f["path"] == "queue/renamed.toml" for f in _findings(edited))


def test_a_draft_moved_in_time_and_to_other_platforms(
    cli: Callable[..., Result], workspace: Path, seen: Seen
) -> None:
    """Into a crowded hour of another draft's platforms: spacing and share windows move."""
    target = _queue(workspace) / "000040.toml"
    neighbour = _queue(workspace) / "000041.toml"

    def change() -> int:
        _set(target, "at", _get(neighbour, "at"))
        _set(target, "platforms", '["mastodon", "bluesky", "linkedin", "x"]')
        return 1

    _edited_as_cold(cli, workspace, seen, change)


def test_a_burst_of_promotions(cli: Callable[..., Result], workspace: Path, seen: Seen) -> None:
    """Five calm drafts turned into sales in one week: the 80/20 share rule speaks."""
    drafts = [_queue(workspace) / f"{i:06d}.toml" for i in range(60, 70)]

    def change() -> int:
        for draft in drafts:
            _set(draft, "text", '"Buy now: 50% off our course, this week only. Book a demo today."')
        return len(drafts)

    edited = _edited_as_cold(cli, workspace, seen, change)
    assert any(f["code"] == "SP401" for f in _findings(edited))


def test_a_queue_rule_suppressed_on_a_draft(
    cli: Callable[..., Result], workspace: Path, seen: Seen
) -> None:
    later, _earlier = _duplicate_pair(_lint(cli, workspace))
    draft = _file(workspace, later)

    def change() -> int:
        text = draft.read_text(encoding="utf-8")
        if "[lint]" in text:
            text = text.replace('ignore = ["', 'ignore = ["duplicate-post", "', 1)
        else:
            text += '\n[lint]\nignore = ["duplicate-post"]\nreason = "on purpose"\n'
        draft.write_text(text, encoding="utf-8")
        return 1

    edited = _edited_as_cold(cli, workspace, seen, change)
    assert not any(f["code"] == "SP306" and f["post_id"] == later for f in _findings(edited))


def test_many_changes_at_once(cli: Callable[..., Result], workspace: Path, seen: Seen) -> None:
    queue = _queue(workspace)

    def change() -> int:
        (queue / "000001.toml").unlink()
        (queue / "000002.toml").rename(queue / "000002x.toml")
        _set(queue / "000003.toml", "text", '"LAST CHANCE!!! Buy now, 70% off."')
        new = (queue / "000004.toml").read_text().replace('"bench-000004"', '"bench-new"')
        (queue / "new.toml").write_text(new, encoding="utf-8")
        return 3

    _edited_as_cold(cli, workspace, seen, change)


@pytest.mark.parametrize("form", FORMATS)
def test_every_format_is_the_cold_one(
    cli: Callable[..., Result], workspace: Path, seen: Seen, form: str
) -> None:
    _lint(cli, workspace)
    later, _earlier = _duplicate_pair(_lint(cli, workspace))
    _set(_file(workspace, later), "text", '"A post of its own now. What do you think?"')
    seen.__init__()  # type: ignore[misc]
    edited = _lint(cli, workspace, form)
    assert (seen.built, seen.over_drafts, seen.over_state) == (1, 0, 1)
    cold = _lint(cli, workspace, form, "--no-cache")
    assert (edited.out, edited.code) == (cold.out, cold.code)


def _state_file(root: Path) -> Path:
    (found,) = (root.parent / "cache").glob(f"lint-*/{cachestate.FILE}")
    return found


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "not json at all",
        lambda text: text.split("\n")[0],  # the header alone
        lambda text: text.replace(f'"format":{cachestate.FORMAT}', '"format":0', 1),
        lambda text: text.replace('"key":"', '"key":"0', 1),  # another queue's state
        lambda text: text.replace('"bench-000007"', "7", 1),  # an id of another type
        lambda text: text.replace('"quiet":[', '"quiet":["soon",', 1),
        lambda text: text[: len(text) // 2],  # cut short
    ],
)
def test_a_broken_state_is_a_miss_never_an_error(
    cli: Callable[..., Result], workspace: Path, seen: Seen, damage: Callable[[str], str]
) -> None:
    _lint(cli, workspace)
    state = _state_file(workspace)
    state.write_text(damage(state.read_text(encoding="utf-8")), encoding="utf-8")
    draft = _queue(workspace) / "000009.toml"
    draft.write_text(draft.read_text().replace('text = "', 'text = "Edited: ', 1))
    seen.__init__()  # type: ignore[misc]
    edited = _lint(cli, workspace)
    assert (seen.over_drafts, seen.over_state) == (1, 0)  # the long way
    assert "Traceback" not in edited.err
    cold = _lint(cli, workspace, "json", "--no-cache")
    assert (edited.out, edited.code) == (cold.out, cold.code)
    head = json.loads(_state_file(workspace).read_text().split("\n")[0])
    assert head["format"] == cachestate.FORMAT  # mended


def test_a_draft_that_no_longer_loads_goes_the_long_way(
    cli: Callable[..., Result], workspace: Path, seen: Seen
) -> None:
    _lint(cli, workspace)
    (_queue(workspace) / "000012.toml").write_text('text = "unclosed\n', encoding="utf-8")
    seen.__init__()  # type: ignore[misc]
    edited = _lint(cli, workspace)
    assert seen.over_drafts == 1
    cold = _lint(cli, workspace, "json", "--no-cache")
    assert (edited.out, edited.code) == (cold.out, cold.code) and edited.code == 2


SMALL_CONFIG = """\
timezone = "Europe/Berlin"
default_platforms = ["mastodon"]

[platforms.mastodon]
adapter = "outbox"

[platforms.bluesky]
adapter = "outbox"
"""

# Near-duplicates: the later post's key sorts first (it is a prefix of the earlier's).
EARLIER = 'text = "Our spring workshop notes are online now"\nat = 2027-04-01T09:00:00\n'
LATER = 'text = "Our spring workshop notes are online"\nat = 2027-04-08T09:00:00\n'
# Its key sorts between theirs, for another platform: it pairs with neither.
BETWEEN = (
    'text = "Our spring workshop notes are online again"\nat = 2027-04-05T09:00:00\n'
    'platforms = ["bluesky"]\n'
)


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOULPOST_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "small"
    (root / "queue").mkdir(parents=True)
    (root / "config.toml").write_text(SMALL_CONFIG, encoding="utf-8")
    for name, body in (("earlier.toml", EARLIER), ("later.toml", LATER)):
        (root / "queue" / name).write_text(body, encoding="utf-8")
    return root


def _pairs(result: Result) -> list[tuple[str, str]]:
    return [(f["post_id"], f["message"]) for f in _findings(result) if f["code"] == "SP306"]


def test_a_draft_put_between_two_near_duplicates_parts_them(
    cli: Callable[..., Result], small: Path, seen: Seen
) -> None:
    """The pair is made of neighbours in the order of keys: a draft that comes between
    them breaks it, and the pair's later post, next to the new one, must be looked at."""
    assert [post for post, _message in _pairs(_lint(cli, small))] == ["later"]

    def change() -> int:
        (small / "queue" / "between.toml").write_text(BETWEEN, encoding="utf-8")
        return 1

    assert _pairs(_edited_as_cold(cli, small, seen, change)) == []


def test_a_draft_taken_from_between_two_near_duplicates_joins_them(
    cli: Callable[..., Result], small: Path, seen: Seen
) -> None:
    """Both posts next to the gap must be looked at: here the later post comes first."""
    (small / "queue" / "between.toml").write_text(BETWEEN, encoding="utf-8")
    assert _pairs(_lint(cli, small)) == []

    def change() -> int:
        (small / "queue" / "between.toml").unlink()
        return 0

    assert [post for post, _m in _pairs(_edited_as_cold(cli, small, seen, change))] == ["later"]


def test_a_kept_share_finding_moves_with_its_draft(
    cli: Callable[..., Result], workspace: Path, seen: Seen, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text added above `at` in a promotional draft: the share rule's inputs are the same
    (it is not run again), and its finding on that draft is located in the new text."""
    share = next(f for f in _findings(_lint(cli, workspace)) if f["code"] == "SP401")
    draft = _file(workspace, share["post_id"])
    ran: list[str] = []
    from soulpost.lint.kinds import queue as kinds

    check_state = kinds.QueueShare.check_state

    def counted(rule: Any, view: Any) -> Any:
        ran.append(rule.spec.code)
        return check_state(rule, view)

    monkeypatch.setattr(kinds.QueueShare, "check_state", counted)

    def change() -> int:
        text = draft.read_text(encoding="utf-8")
        draft.write_text(
            text.replace('text = "', 'text = """\nP.S.\n', 1).replace(
                '"\nplatforms', '"""\nplatforms', 1
            )
        )
        return 1

    edited = _edited_as_cold(cli, workspace, seen, change)
    assert "SP401" not in ran  # kept, not run again
    moved = [
        f for f in _findings(edited) if f["code"] == "SP401" and f["post_id"] == share["post_id"]
    ]
    assert [f["line"] for f in moved] == [share["line"] + 2]


def test_a_broken_tail_is_a_miss_when_read(
    cli: Callable[..., Result], workspace: Path, seen: Seen
) -> None:
    """Tails are read when a rule needs them: a draft moved in time makes the share rules
    read every one, and a broken one sends the lint the long way, which mends the state."""
    _lint(cli, workspace)
    state = _state_file(workspace)
    state.write_text(state.read_text().replace("[true,", '["yes",'), encoding="utf-8")
    _set(_queue(workspace) / "000009.toml", "at", "2027-03-01T10:00:00+00:00")
    seen.__init__()  # type: ignore[misc]
    moved = _lint(cli, workspace)
    assert (seen.over_drafts, seen.over_state) == (1, 1)  # tried, then the long way
    assert "Traceback" not in moved.err
    cold = _lint(cli, workspace, "json", "--no-cache")
    assert (moved.out, moved.code) == (cold.out, cold.code)
    assert '["yes",' not in state.read_text()  # mended
