"""What the queue rules read of a whole queue, kept so that a lint with a draft edited
runs them from there (:mod:`soulpost.lint.cache`, :mod:`soulpost.lint.queuecache`).

The whole queue's report answers a lint of a queue that did not change at all. With one
draft edited, it missed, and every other draft's entry was decoded, its post and draft
rebuilt, and the queue rules run over all of them: two thirds of the run, for one draft.
So beside that report, the cache keeps the queue's **state**: per post file, in queue
order, its name and digest, its post's id, platforms and time (as the queue rules'
timelines hold it, and the day it is shown as), the codes its ``[lint] ignore`` hides,
until when the clock's rules are sure to be silent on it, its media files' stamps, and
each queue rule's row (what the rule reads of it: the duplicate rule's key and shape, a
share rule's flag), plus what a rule learnt that it may keep (the duplicate rule's
word-by-word answers). One file, one JSON parse.

A lint whose files differ from the kept ones (edited, added, removed, renamed) then
loads and lints only the files that changed (and those whose media changed, or whose
time a clock rule may now speak about), takes every other file's post-rule findings
from the kept report, and runs each queue rule over the state (``check_state``, the
same code as ``check_queue`` over drafts). Anything it cannot vouch for (a file that
does not load, a problem in ``[lint] ignore``, a series or evergreen post, two posts
with one id, many files changed, a state of another environment or queue) sends the
lint the long way, which keeps a new state. The report is the one a lint without the
cache gives (tests/test_lint_edited.py compares them in every format).
"""

from __future__ import annotations

from collections.abc import Sequence
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

FORMAT = 1
FILE = "state.json"
# Above this many changed files, linting them the long way (in workers) is as quick.
MOST_CHANGED = 200

# One post file as kept: name, digest, post id, quiet until (microseconds), codes its
# [lint] ignore hides, media stamps, platforms, time (POSIX seconds or None), day shown,
# and the queue rules' rows (in the rule set's order).
Row = list[Any]
NAME, DIGEST, ID, QUIET, HIDDEN, MEDIA, PLATFORMS, TIME, DAY, RULES = range(10)


class StateView:
    """What the queue rules read of a queue, by post index (``check_state``)."""

    def __init__(
        self,
        rows: Sequence[Row],
        codes: Sequence[str],
        extra: dict[str, Any],
        moved: list[int] | None = None,
        old: int = 0,
    ) -> None:
        self.ids: list[str] = [row[ID] for row in rows]
        self.platforms: list[list[str]] = [row[PLATFORMS] for row in rows]
        self.times: list[float | None] = [row[TIME] for row in rows]
        self.days: list[str] = [row[DAY] for row in rows]
        # Each rule's rows, by its code.
        self.rows: dict[str, list[Any]] = {
            code: [row[RULES][k] for row in rows] for k, code in enumerate(codes)
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
        for index, when in enumerate(self.times):
            if when is None:
                continue
            row = (when, self.ids[index], index)
            for platform in self.platforms[index]:
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
    rows: Sequence[Row],
    lines: Sequence[bytes | None] | None,
    ruleset: RuleSet,
    root: Path,
    carried: dict[str, Any] | None = None,
) -> None:
    """Keep *rows* (every post file of the queue whose key is *key*, in order) with what
    each queue rule learnt in this run (*carried*: what the rules that did not run
    learnt before). *lines*: each row's JSON as read from the kept state, None for a new
    row (a row read is not encoded again)."""
    import json

    from soulpost.lint.cachefiles import write_atomic

    extra = {
        rule.spec.code: rule.state_extra()
        for rule in ruleset.queue_rules
        if hasattr(rule, "state_extra") and rule.spec.code not in (carried or {})
    } | (carried or {})
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
    if lines is None:
        lines = [None] * len(rows)
    try:
        out = [dumps(head).encode("utf-8"), dumps(extra).encode("utf-8", "surrogatepass")]
        out += [
            line if line is not None else dumps(row).encode("utf-8", "surrogatepass")
            for row, line in zip(rows, lines, strict=True)
        ]
    except (ValueError, TypeError):
        return
    write_atomic(store.folder / FILE, b"\n".join(out))


def load(
    store: LintCache, key: str, root: Path, ruleset: RuleSet
) -> tuple[list[Row], list[bytes], dict[str, Any]] | None:
    """The kept rows (with the JSON line of each) and the rules' extras of the queue whose
    report's key is *key*, every value checked; None when there are none, or not for
    this environment and queue. A row is a line, all parsed with one call."""
    import json

    from soulpost.lint.cachefiles import read_owned

    data = read_owned(store.folder / FILE)
    if data is None:
        return None
    try:
        head_line, extra_line, *lines = data.split(b"\n")
        head = json.loads(head_line)
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            return None
        codes = [rule.spec.code for rule in ruleset.queue_rules]
        if (head.get("env"), head.get("key"), head.get("root"), head.get("rules")) != (
            store.env, key, str(root), codes
        ):  # fmt: skip
            return None
        extra = json.loads(extra_line)
        rows = json.loads(b"[%b]" % b",".join(lines))
    except (ValueError, RecursionError):
        return None
    if not (isinstance(extra, dict) and isinstance(rows, list) and len(rows) == len(lines)):
        return None  # not one row a line
    if not _sound(rows, len(codes)):
        return None
    for k, rule in enumerate(ruleset.queue_rules):
        code = rule.spec.code
        if not rule.state_sound([row[RULES][k] for row in rows], extra.get(code)):  # type: ignore[attr-defined]
            return None
    return rows, lines, extra


def _types(values: Sequence[Any], *kinds: type) -> bool:
    """Whether every one of *values* is of one of *kinds* (the types gathered in C)."""
    return set(map(type, values)) <= set(kinds)


def _sound(rows: list[Any], rules: int) -> bool:
    """Whether *rows* have the shape :func:`row_of` gives them (the rules' own rows are
    checked by the rules: ``state_sound``)."""
    if not _types(rows, list) or not set(map(len, rows)) <= {RULES + 1}:
        return False
    columns = list(zip(*rows, strict=True)) if rows else [()] * (RULES + 1)
    return (
        _types(columns[NAME], str)
        and _types(columns[DIGEST], str)
        and _types(columns[ID], str)
        and _types(columns[QUIET], int)
        and _types(columns[HIDDEN], list)
        and _types(list(chain.from_iterable(columns[HIDDEN])), str)
        and _types(columns[MEDIA], list)
        and _types(columns[PLATFORMS], list)
        and _types(list(chain.from_iterable(columns[PLATFORMS])), str)
        and _types(columns[TIME], float, type(None))
        and _types(columns[DAY], str)
        and _types(columns[RULES], list)
        and set(map(len, columns[RULES])) <= {rules}
    )
