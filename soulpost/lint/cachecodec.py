"""How the lint cache writes its entries down, and reads them back with every value checked.

The cache file lives outside the workspace, but it is still a file that anything running
as the user could have written: every value read back is checked for its type before it
becomes part of a post or a finding, and anything unexpected raises :class:`ValueError`,
which the cache treats as a miss.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soulpost.lint.model import Finding

if TYPE_CHECKING:
    from soulpost.errors import InputError
    from soulpost.lint.suppress import Suppressions
    from soulpost.posts import PostSummary
    from soulpost.timeutil import LocalTimeKind

# Values that rules cache on a draft and that are safe to keep: plain text, flags, None,
# and tuples of whole numbers (the duplicate rule's shape of a text). A rule must cache
# only what every process computes alike from the draft: ``hash()`` of a string, salted
# per process, must not go into one (the duplicate rule's mask uses CRC-32 for this).
KEPT_TYPES = (str, bool, type(None), tuple)


def keepable(value: object) -> bool:
    """Whether *value*, cached on a draft, can be kept (see KEPT_TYPES)."""
    if type(value) is tuple:
        return all(type(v) is int for v in value)
    return isinstance(value, KEPT_TYPES)


class _Unsound(ValueError):
    """A cache entry that does not have the shape this version writes (callers catch it
    as the ValueError it is, and treat the entry as a miss)."""


def encode_summary(summary: PostSummary) -> list[Any]:
    post_id, text, platforms, at, status, tags, lint, lateness, _raw, kind = summary
    zone = getattr(at.tzinfo, "key", None) if at is not None else None
    return [
        post_id,
        text,
        list(platforms),
        at.isoformat() if at is not None else None,
        zone,
        status,
        list(tags),
        [lateness.days, lateness.seconds, lateness.microseconds] if lateness is not None else None,
        str(kind) if kind is not None else None,
        [list(lint.ignore), lint.reason] if lint is not None else None,
    ]


def decode_summary(raw: list[Any], text: str) -> PostSummary:
    """A summary from its stored form and the file's *text*; raises ValueError."""
    try:
        post_id, body, platforms, at, zone, status, tags, lateness, kind, lint = raw
        if not (type(post_id) is str and type(body) is str):
            raise _Unsound("id and text")
        if status not in ("draft", "approved"):
            raise _Unsound("status")
        if not _strings(platforms) or not _strings(tags):
            raise _Unsound("platforms or tags")
        when = _time(at, zone)
        grace = None
        if lateness is not None:
            days, seconds, micros = lateness
            grace = timedelta(days=days, seconds=seconds, microseconds=micros)
        how = _time_kinds()[kind] if kind is not None else None
        ignore = None
        if lint is not None:
            from soulpost.posts import PostLint

            ignore = PostLint.model_validate({"ignore": lint[0], "reason": lint[1]})
    except (TypeError, ValueError, KeyError, OverflowError, IndexError) as exc:
        raise _Unsound(str(exc)) from None
    return (post_id, body, platforms, when, status, tags, ignore, grace, text, how)


@cache
def _time_kinds() -> dict[str, LocalTimeKind]:
    """Each local time kind by its value (a dict look-up, cheaper than calling the enum)."""
    from soulpost.timeutil import LocalTimeKind

    return {str(kind): kind for kind in LocalTimeKind}


@cache
def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _time(at: object, zone: object) -> datetime | None:
    if at is None:
        return None
    if type(at) is not str:
        raise _Unsound("at")
    when = datetime.fromisoformat(at)
    if when.tzinfo is None:
        raise _Unsound("at without offset")
    if zone is not None:
        if type(zone) is not str:
            raise _Unsound("zone")
        when = when.astimezone(_zone(zone))
    return when


_STR = {str}


def _strings(value: object) -> bool:
    """Whether *value* is a list of strings (the types gathered in C, not checked in a loop)."""
    return type(value) is list and (not value or set(map(type, value)) == _STR)


_SEVERITIES = ("error", "warning", "info")


def encode_finding(f: Finding) -> list[Any]:
    return [f.code, f.name, f.lesson, f.severity, f.message, f.line, f.column, f.platform, f.hint]


def decode_findings(raw: list[Any], path: str | None, post_id: str) -> list[Finding]:
    """Findings from their stored form, for the post *post_id* shown as *path*."""
    out = []
    try:
        for code, name, lesson, severity, message, line, column, platform, hint in raw:
            if not all(isinstance(v, str) for v in (code, name, lesson, message)):
                raise _Unsound("finding")
            if severity not in _SEVERITIES or not _ints(line, column):
                raise _Unsound("finding")
            if not (platform is None or isinstance(platform, str)):
                raise _Unsound("platform")
            if not (hint is None or isinstance(hint, str)):
                raise _Unsound("hint")
            out.append(
                Finding(code, name, lesson, severity, message, path, line, column, post_id,
                        platform, hint)
            )  # fmt: skip
    except (TypeError, ValueError) as exc:
        raise _Unsound(str(exc)) from None
    return out


def _ints(*values: object) -> bool:
    return all(type(v) is int and v >= 0 for v in values)


def decode_extra(extra: dict[str, Any], path: Path) -> tuple[Suppressions | None, list[InputError]]:
    """The suppressions and the [lint] ignore problems kept with an entry."""
    if not extra:  # most drafts: no media, no [lint] ignore
        return None, []
    from soulpost.errors import InputError
    from soulpost.lint.suppress import Suppressions

    supp = None
    try:
        entries = extra.get("u")
        if entries is not None:
            if not isinstance(entries, dict) or not all(map(_strings, entries.values())):
                raise _Unsound("suppressions")
            supp = Suppressions({entry: frozenset(codes) for entry, codes in entries.items()})
        problems = []
        for problem, line, key, hint in extra.get("p", []):
            if not isinstance(problem, str) or not (line is None or _ints(line)):
                raise _Unsound("problem")
            if not all(v is None or isinstance(v, str) for v in (key, hint)):
                raise _Unsound("problem")
            problems.append(InputError(problem, path=path, line=line, key=key, hint=hint))
    except (TypeError, ValueError) as exc:
        raise _Unsound(str(exc)) from None
    return supp, problems


def decode_values(raw: dict[str, Any]) -> dict[str, Any]:
    """The values rules cached on a draft; a tuple is kept as a JSON list of numbers."""
    for key, value in raw.items():
        kind = type(value)
        if kind is list:
            if value and set(map(type, value)) != _INT:
                raise _Unsound("draft values")
            raw[key] = tuple(value)
        elif kind is not str and kind is not bool and value is not None:
            raise _Unsound("draft values")
    return raw


_INT = {int}
