"""What the queue rules read of a whole queue, kept so that a lint with a draft edited
runs them from there (:mod:`soulpost.lint.cache`, :mod:`soulpost.lint.queuecache`).

The whole queue's report answers a lint of a queue that did not change at all. With one
draft edited, it missed, and every other draft's entry was decoded, its post and draft
rebuilt, and the queue rules run over all of them: two thirds of the run, for one draft.
So beside that report, the cache keeps the queue's **state**: per post file, in queue
order, its name and digest, its post's id and platforms, the codes its ``[lint] ignore``
hides, until when the clock's rules are sure to be silent on it and its media files'
stamps (columns, read on every use), then its time and the day it is shown as, and
each queue rule's row (what the rule reads of it: the duplicate rule's key and shape, a
share rule's flag) in a *tail* per file, one JSON line each, read only when a rule
needs it. Plus what a rule found that the next run can start from (the duplicate rule's
orders of keys and pairs).

A lint whose files differ from the kept ones (edited, added, removed, renamed) then
loads and lints only the files that changed (and those whose media changed), takes
every other file's post-rule findings from the kept report, and runs each queue rule
over the state (``check_state``, the same code as ``check_queue`` over drafts).
Anything it cannot vouch for (a file that does not load, a problem in ``[lint]
ignore``, a series or evergreen post, two posts with one id, many files changed, a
clock rule that may now speak on a kept draft, a state of another environment or
queue, a broken tail) sends the lint the long way, which keeps a new state. The report
is the one a lint without the cache gives (tests/test_lint_edited.py compares them in
every format).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.lint.draft import _lazy

if TYPE_CHECKING:
    from soulpost.lint.cache import LintCache
    from soulpost.lint.draft import Draft
    from soulpost.lint.rule import PostRule, QueueRule
    from soulpost.lint.select import RuleSet
    from soulpost.lint.suppress import Suppressions

FORMAT = 3
FILE = "state.json"
# Above this many changed files, linting them the long way (in workers) is as quick.
MOST_CHANGED = 200

# One post file as kept: name, digest, post id, quiet until (microseconds), codes its
# [lint] ignore hides, media stamps, platforms (the columns, read on every lint that
# uses the state), then time (POSIX seconds or None), day shown, and the queue rules'
# rows in the rule set's order (the tail, read when a rule needs it).
Row = list[Any]
NAME, DIGEST, ID, QUIET, HIDDEN, MEDIA, PLATFORMS, TIME, DAY, RULES = range(10)
_COLUMNS = ("names", "digests", "ids", "quiet", "hidden", "media", "platforms")
_TAIL = TIME  # where a row's tail starts


class _Unsound(ValueError):
    """A kept tail that is not what :func:`row_of` writes: the lint that reads it goes
    the long way (:func:`soulpost.lint.cacheedit.relint` catches it as a ValueError)."""


class State:
    """A queue's kept state: the columns of every post file, in queue order, and each
    file's tail, parsed when first asked for (most lints with one draft edited read the
    tails of a few dozen files: those next to it in the duplicate rule's orders)."""

    def __init__(
        self,
        columns: list[list[Any]],
        lines: list[bytes | None],
        tails: list[list[Any] | None],
        rules: Sequence[QueueRule],
    ) -> None:
        self.names, self.digests, self.ids, self.quiet, self.hidden, self.media = columns[:6]
        self.platforms: list[list[str]] = columns[6]
        self.lines, self.tails, self.rules = lines, tails, rules

    @classmethod
    def of(cls, rows: Sequence[Row], rules: Sequence[QueueRule]) -> State:
        """The state of fresh *rows* (see :func:`row_of`)."""
        columns = [[row[k] for row in rows] for k in range(_TAIL)]
        tails: list[list[Any] | None] = [row[_TAIL:] for row in rows]
        return cls(columns, [None] * len(rows), tails, rules)

    def __len__(self) -> int:
        return len(self.names)

    def columns(self) -> list[list[Any]]:
        return [
            self.names, self.digests, self.ids, self.quiet, self.hidden, self.media,
            self.platforms,
        ]  # fmt: skip

    def tail(self, index: int) -> list[Any]:
        """[time, day, rules' rows] of the file at *index*; raises ValueError."""
        found = self.tails[index]
        if found is None:
            import json

            line = self.lines[index]
            try:
                found = json.loads(line) if line is not None else None
            except (ValueError, RecursionError):
                raise _Unsound("tail") from None
            if not isinstance(found, list) or not _tails_sound([found], self.rules):
                raise _Unsound("tail")
            self.tails[index] = found
        return found

    def all_tails(self) -> list[list[Any]]:
        """Every tail, those not parsed yet with one call; raises ValueError."""
        missing = [i for i, tail in enumerate(self.tails) if tail is None]
        if missing:
            import json

            try:
                parsed = json.loads(b"[%b]" % b",".join(self.lines[i] or b"" for i in missing))
            except (ValueError, RecursionError):
                raise _Unsound("tails") from None
            if not (isinstance(parsed, list) and len(parsed) == len(missing)):
                raise _Unsound("tails")
            if not _tails_sound(parsed, self.rules):
                raise _Unsound("tails")
            for i, tail in zip(missing, parsed, strict=True):
                self.tails[i] = tail
        return self.tails  # type: ignore[return-value]

    def row(self, index: int) -> Row:
        """The whole row of the file at *index* (see :func:`row_of`); raises ValueError."""
        return [column[index] for column in self.columns()] + self.tail(index)


class _Part(Sequence[Any]):
    """One part of every tail (times, a rule's rows...), by post index."""

    def __init__(self, state: State, at: int, inner: int | None = None) -> None:
        self.state, self.at, self.inner = state, at, inner

    def __len__(self) -> int:
        return len(self.state)

    def __getitem__(self, index: int) -> Any:  # type: ignore[override]
        value = self.state.tail(index)[self.at]
        return value if self.inner is None else value[self.inner]

    def __iter__(self) -> Iterator[Any]:
        at, inner = self.at, self.inner
        tails = self.state.all_tails()
        if inner is None:
            return (tail[at] for tail in tails)
        return (tail[at][inner] for tail in tails)


class StateView:
    """What the queue rules read of a queue, by post index (``check_state``). Ids and
    platforms are at hand; the rest is read from each post's tail when a rule asks
    (iterating a part reads every tail at once)."""

    def __init__(
        self,
        state: State,
        codes: Sequence[str],
        extra: dict[str, Any],
        moved: list[int] | None = None,
        old: int = 0,
    ) -> None:
        self.ids: list[str] = state.ids
        self.platforms: list[list[str]] = state.platforms
        self.times: Sequence[float | None] = _Part(state, TIME - _TAIL)
        self.days: Sequence[str] = _Part(state, DAY - _TAIL)
        # Each rule's rows, by its code.
        self.rows: dict[str, Sequence[Any]] = {
            code: _Part(state, RULES - _TAIL, k) for k, code in enumerate(codes)
        }
        # What each rule kept from the last run (its ``state_extra``), by code.
        self.extra = extra
        # Each post's index in the last run's state (-1: new or changed), and how many
        # posts that state held: a rule may start from what it found then.
        self.moved, self.old = moved, old

    def day(self, index: int) -> str:
        """The day the post at *index* is shown as (:func:`~soulpost.lint.kinds.queue.day_of`)."""
        return self.days[index]

    @_lazy
    def timelines(self) -> dict[str, list[tuple[float, str, int]]]:
        """Platform -> (POSIX time, id, index) in time order, as
        :attr:`soulpost.lint.draft.QueueView.timelines` makes them from drafts."""
        out: dict[str, list[tuple[float, str, int]]] = {}
        ids = self.ids
        for index, (when, platforms) in enumerate(zip(self.times, self.platforms, strict=True)):
            if when is None:
                continue
            row = (when, ids[index], index)
            for platform in platforms:
                out.setdefault(platform, []).append(row)
        for line in out.values():
            line.sort(key=lambda row: (row[0], row[1]))
        return out


def supports(ruleset: RuleSet) -> bool:
    """Whether every queue rule of *ruleset* can run over a kept state."""
    return all(
        all(hasattr(rule, name) for name in ("state_row", "state_sound", "check_state"))
        for rule in ruleset.queue_rules
    )


def row_of(  # noqa: PLR0917 (one post file's parts)
    draft: Draft,
    name: str,
    digest: str,
    supp: Suppressions | None,
    media: list[list[Any]],
    live: Sequence[PostRule],
    rules: Sequence[QueueRule],
) -> Row | None:
    """The kept row of the post file *name* whose draft is *draft*; None when a rule
    that reads the clock cannot tell until when it is silent on it."""
    from soulpost.lint.kinds.queue import day_of
    from soulpost.lint.queuecache import quiet_until

    quiet = quiet_until([draft], live)
    if quiet is None:
        return None
    when = draft.time
    return [
        name,
        digest,
        draft.id,
        quiet,
        sorted(supp.codes) if supp is not None else [],
        media,
        list(draft.post.platforms),
        when.timestamp() if when is not None else None,
        day_of(draft),
        [rule.state_row(draft) for rule in rules],  # type: ignore[attr-defined]
    ]


def save(  # noqa: PLR0917 (the state's parts)
    store: LintCache,
    key: str,
    state: State,
    ruleset: RuleSet,
    root: Path,
    carried: dict[str, Any] | None = None,
) -> None:
    """Keep *state* (every post file of the queue whose key is *key*, in order) with what
    each queue rule learnt in this run (*carried*: what the rules that did not run
    learnt before). A tail read from the kept state is written back as read."""
    import json

    from soulpost.lint.cachefiles import write_atomic

    carried = carried or {}
    extra = {
        rule.spec.code: rule.state_extra()
        for rule in ruleset.queue_rules
        if hasattr(rule, "state_extra") and rule.spec.code not in carried
    } | carried
    head = {
        "format": FORMAT,
        "env": store.env,
        "key": key,
        "root": str(root),
        "rules": [rule.spec.code for rule in ruleset.queue_rules],
    }
    # ASCII (other characters escaped): parsed back as 1-byte text, a third faster than
    # UTF-8 holding one emoji, which makes the whole text 4 bytes a character.
    dumps = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
    try:
        out = [dumps(head), dumps(extra), dumps(dict(zip(_COLUMNS, state.columns(), strict=True)))]
        data = [part.encode("ascii") for part in out]
        data += [
            line if line is not None else dumps(tail).encode("ascii")
            for line, tail in zip(state.lines, state.tails, strict=True)
        ]
    except (ValueError, TypeError):
        return
    write_atomic(store.folder / FILE, b"\n".join(data))


def load(
    store: LintCache, key: str, root: Path, ruleset: RuleSet
) -> tuple[State, dict[str, Any]] | None:
    """The kept state and the rules' extras of the queue whose report's key is *key*, its
    columns and the extras checked (the tails are checked when read); None when there
    are none, or not for this environment and queue."""
    import json

    from soulpost.lint.cachefiles import read_owned

    data = read_owned(store.folder / FILE)
    if data is None:
        return None
    try:
        head_line, extra_line, columns_line, *lines = data.split(b"\n")
        head = json.loads(head_line)
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            return None
        codes = [rule.spec.code for rule in ruleset.queue_rules]
        if (head.get("env"), head.get("key"), head.get("root"), head.get("rules")) != (
            store.env, key, str(root), codes
        ):  # fmt: skip
            return None
        extra = json.loads(extra_line)
        columns = json.loads(columns_line)
    except (ValueError, RecursionError):
        return None
    if not (isinstance(columns, dict) and _columns_sound(columns, len(lines))):
        return None
    if not (isinstance(extra, dict) and _extras_sound(extra, ruleset.queue_rules, len(lines))):
        return None
    tails: list[list[Any] | None] = [None] * len(lines)
    state = State([columns[name] for name in _COLUMNS], list(lines), tails, ruleset.queue_rules)
    return state, extra


def _types(values: Sequence[Any], *kinds: type) -> bool:
    """Whether every one of *values* is of one of *kinds* (the types gathered in C)."""
    return set(map(type, values)) <= set(kinds)


def _columns_sound(columns: dict[str, Any], count: int) -> bool:
    """Whether *columns* are those :meth:`State.of` makes, for *count* post files."""
    values: list[Any] = [columns.get(name) for name in _COLUMNS]
    if not all(isinstance(column, list) and len(column) == count for column in values):
        return False
    names, digests, ids, quiet, hidden, media, platforms = values
    return (
        _types(platforms, list)
        and _types(list(chain.from_iterable(platforms)), str)
        and _types(names, str)
        and _types(digests, str)
        and _types(ids, str)
        and _types(quiet, int)
        and _types(hidden, list)
        and _types(list(chain.from_iterable(hidden)), str)
        and _types(media, list)
    )


def _extras_sound(extra: dict[str, Any], rules: Sequence[QueueRule], count: int) -> bool:
    """Whether each rule's extra is what its ``state_extra`` gives (none without one)."""
    for rule in rules:
        found = extra.get(rule.spec.code)
        sound = getattr(rule, "extra_sound", None)
        if (found is not None or sound is not None) and (sound is None or not sound(found, count)):
            return False
    return True


def _tails_sound(tails: list[Any], rules: Sequence[QueueRule]) -> bool:
    """Whether *tails* have the shape :func:`row_of` gives them, the rules' rows checked
    by the rules (``state_sound``)."""
    if not _types(tails, list) or not set(map(len, tails)) <= {RULES - _TAIL + 1}:
        return False
    times, days, rows = zip(*tails, strict=True) if tails else ((),) * 3
    if not (
        _types(times, float, type(None))
        and _types(days, str)
        and _types(rows, list)
        and set(map(len, rows)) <= {len(rules)}
    ):
        return False
    return all(
        rule.state_sound([row[k] for row in rows])  # type: ignore[attr-defined]
        for k, rule in enumerate(rules)
    )
