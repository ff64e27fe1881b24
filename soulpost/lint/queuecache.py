"""The whole queue's answer, kept on top of the per-draft lint cache (:mod:`soulpost.lint.cache`).

With every draft kept, a lint of an unchanged queue still rebuilt each post from its
entry, ran the queue rules over all of them and sorted the findings again: work whose
answer cannot have changed. So a lint of the whole queue also keeps its report, under
one key: a digest of the environment (settings, rules, packs, soulpost itself: see
:func:`soulpost.lint.cache.environment`) and of every draft file's path and text, in
order. The next lint reads every file (to be sure of its text), hashes them, and when
the key, the media files' stamps and the clock agree, prints the kept report.

**The clock.** Rules that read the clock (``reads_clock``, such as ``past-time``) still
decide on every lint: each says, per post, until when it surely finds nothing
(:meth:`~soulpost.lint.rule.PostRule.quiet_until`), and the report keeps the earliest
such time of the queue. A lint at a later time (or for a rule that makes no promise)
does not use the kept report, and the drafts' entries answer as before. Queue rules do
not read the clock (tests/test_lint_cache.py checks their code).

**What is not kept:** a queue with load errors, problems in ``[lint] ignore``, or any
post the per-draft cache does not keep (series, evergreen), and every run that lints a
few files rather than the whole queue. The file is checked as the shards are: the
user's own file, the same format and environment, every value of the right type, or a
miss.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soulpost.errors import InputError
    from soulpost.lint.cache import LintCache
    from soulpost.lint.draft import Draft
    from soulpost.lint.model import Finding, Report
    from soulpost.lint.rule import PostRule
    from soulpost.lint.select import RuleSet

FORMAT = 1
NAME = "queue.json"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
# A post that a clock rule will never fire on (no time at all).
NEVER = datetime.max.replace(tzinfo=UTC)


def queue_key(env: str, names: Sequence[str], digests: Sequence[str]) -> str:
    """The key of one whole-queue lint: the environment and every file's name and digest."""
    import hashlib

    joined = "\n".join(f"{name}\t{digest}" for name, digest in zip(names, digests, strict=True))
    h = hashlib.blake2b(digest_size=16)
    h.update(env.encode("ascii"))
    h.update(b"\0")
    h.update(joined.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def micros(when: datetime) -> int | None:
    """*when* as whole microseconds since 1970 (exact, unlike a float); None when naive."""
    if when.tzinfo is None:
        return None
    return (when - _EPOCH) // _MICRO


def quiet_until(drafts: Sequence[Draft], live: Sequence[PostRule]) -> int | None:
    """The earliest time (see :func:`micros`) until which every rule of *live* surely
    finds nothing in any of *drafts*; None when one of them cannot tell."""
    earliest = never()
    for rule in live:
        for draft in drafts:
            bound = rule.quiet_until(draft)
            if bound is None:
                return None
            value = micros(bound)
            if value is None:
                return None
            earliest = min(earliest, value)
    return earliest


def never() -> int:
    """:func:`micros` of a time no clock rule ever speaks at (see ``quiet``)."""
    return (NEVER - _EPOCH) // _MICRO


def previous(store: LintCache) -> tuple[dict[str, Any], bytes] | None:
    """The kept whole-queue report of this environment: its header, and its findings
    not yet parsed (a queue that changed needs them only when its state is kept too)."""
    import json

    from soulpost.lint.cachefiles import read_owned

    data = read_owned(store.folder / NAME)
    if data is None:
        return None
    # The header comes first, on a line of its own: a queue that changed reads no more.
    head, _newline, body = data.partition(b"\n")
    try:
        kept = json.loads(head)
    except (ValueError, RecursionError):
        return None
    if not isinstance(kept, dict) or kept.get("format") != FORMAT:
        return None
    if kept.get("env") != store.env:
        return None
    return kept, body


def recall(  # noqa: PLR0917 (the run's parts)
    store: LintCache,
    key: str,
    now: datetime,
    root: Path,
    ruleset: RuleSet,
    errors: Sequence[InputError],
    kept: tuple[dict[str, Any], bytes] | None,
) -> Report | None:
    """The *kept* report (see :func:`previous`) if it is that of the queue whose key is
    *key* and holds at *now*; else None."""
    import json

    if kept is None or kept[0].get("key") != key:
        return None
    head, body = kept
    quiet, media, posts, files = (head.get(k) for k in ("quiet", "media", "posts", "files"))
    now_us = micros(now)
    if type(quiet) is not int or now_us is None or now_us > quiet:
        return None  # a rule that reads the clock may speak now: the drafts' entries answer
    if not (type(posts) is int and type(files) is int and isinstance(media, list)):
        return None
    if media and store.stamps(root, media) != media:
        return None
    try:
        findings = decode_findings(json.loads(body))
    except (ValueError, RecursionError):
        return None
    from soulpost.lint.model import Report

    return Report(findings, ruleset.infos, list(errors), posts, files)


def remember(
    store: LintCache,
    key: str,
    report: Report,
    quiet: int | None,
    media: Iterable[list[Any]],
) -> None:
    """Keep *report* (whose own errors are none) as the answer for the queue *key*."""
    import json

    if quiet is None:
        return
    live = store.live
    distinct: dict[str, list[Any]] = {}
    for stamp in media:
        distinct.setdefault(str(stamp[0]), stamp)
    head = {
        "format": FORMAT,
        "env": store.env,
        "key": key,
        "quiet": quiet,
        "media": [distinct[path] for path in sorted(distinct)],
        "posts": report.posts,
        "files": report.files,
    }
    row = _ROW  # each finding as a tuple, made in C (JSON writes it as an array)
    findings = [row(f) for f in report.findings if f.code not in live]
    # ASCII (other characters escaped): parsed back as 1-byte text, a third faster than
    # UTF-8 holding one emoji, which makes the whole text 4 bytes a character.
    dumps = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
    try:
        data = f"{dumps(head)}\n{dumps(findings)}".encode("utf-8", "surrogatepass")
    except (ValueError, TypeError):
        return
    from soulpost.lint.cachefiles import write_atomic

    write_atomic(store.folder / NAME, data)


# The fields of a finding, in the order they are kept.
_FIELDS = (
    "code", "name", "lesson", "severity", "message", "path", "line", "column", "post_id",
    "platform", "hint",
)  # fmt: skip
_ROW = operator.attrgetter(*_FIELDS)


_SEVERITIES = ("error", "warning", "info")  # a tuple: `in` on it never hashes


def decode_findings(raw: object) -> list[Finding]:
    """Findings from their kept form, every value checked; raises ValueError."""
    from soulpost.lint.model import Finding

    if not isinstance(raw, list):
        raise ValueError("findings")
    out = []
    for item in raw:
        if not isinstance(item, list) or len(item) != 11:
            raise ValueError("finding")
        code, name, lesson, severity, message, path, line, column, post_id, platform, hint = item
        if not (
            type(code) is str
            and type(name) is str
            and type(lesson) is str
            and type(message) is str
            and severity in _SEVERITIES
            and type(line) is int
            and type(column) is int
            and line >= 0
            and column >= 0
            and (path is None or type(path) is str)
            and (post_id is None or type(post_id) is str)
            and (platform is None or type(platform) is str)
            and (hint is None or type(hint) is str)
        ):
            raise ValueError("finding")
        out.append(
            Finding(code, name, lesson, severity, message, path, line, column, post_id,
                    platform, hint)
        )  # fmt: skip
    return out
