"""What every adapter on Meta's Graph APIs (Facebook Pages, Threads, Instagram) reads the
same way: an error answer, where the error *code* decides rather than the HTTP status, and
Graph's times (``2026-12-01T08:00:00+0000``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from soulpost.publish.adapters._common import ErrorAnswer
from soulpost.publish.base import AuthError, RateLimited, Rejected, UnknownOutcome
from soulpost.publish.wire import facebook as fb


class GraphErrors:
    """Mixin (before :class:`HttpAdapter`): how a Graph API error answer is worded and what
    it means."""

    def error_text(self, answer: ErrorAnswer) -> str:
        error = fb.parse_error(answer.status, answer.body())
        code = f" (#{error.code})" if error.code is not None else ""
        return f"HTTP {answer.status}{code}: {error.message}"

    def error_outcome(self, answer: ErrorAnswer) -> str:
        """The Graph API error *code* decides, not the status: 190 and permission codes are
        auth, 4/17/32/613/80001 throttling; a 5xx without a code is unknown."""
        error = fb.parse_error(answer.status, answer.body())
        if answer.status >= 500 and error.code is None:
            return UnknownOutcome.outcome
        if error.kind == "auth":
            return AuthError.outcome
        if error.kind == "throttled":
            return RateLimited.outcome
        return UnknownOutcome.outcome if answer.status >= 500 else Rejected.outcome


def graph_time(value: Any) -> datetime | None:
    """An instant with an offset: ISO 8601, or Graph's ``2026-12-01T08:00:00+0000``; None
    for anything else (no time, or one without an offset)."""
    if not isinstance(value, str) or not value:
        return None
    for parse in (datetime.fromisoformat, lambda v: datetime.strptime(v, "%Y-%m-%dT%H:%M:%S%z")):
        try:
            found = parse(value)
        except ValueError:
            continue
        return found if found.tzinfo is not None else None
    return None
