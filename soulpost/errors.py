"""The one error hierarchy of soulpost, drawn whole.

Two roots, because an error either stops for a person or is an outcome the engine acts on::

    SoulpostError               reaches the CLI: one line, no traceback, exit_code (2)
    ├── InputError              a draft, a config file or an argument is wrong (path, line, key)
    │   ├── ConfigError         the workspace settings are wrong; nothing can run
    │   └── PostInvalid         one draft cannot be loaded; carries each problem as an
    │                           InputError. Loading collects these per file (Workspace.errors)
    │                           so the other drafts still load, lint and publish
    ├── UsageError              the command line is wrong
    ├── AlertNotSent            (alerts/channels.py) an alert channel failed: logged, tried
    │                           again at the next check, never stops a pass
    ├── CardUnavailable         (publish/cards.py) a link's card cannot be had: the post goes
    │                           out with its link as plain text, never fails for a card
    ├── FactsUnavailable        (mediafacts.py) no media parser here reads a video's length:
    │                           lint checks the rest and says what to install
    ├── LoginError              (accounts/flows.py) `soulpost login` did not complete: the
    │                           platform refused, or the redirect never came
    ├── WorkspaceNotFound       no config.toml / [tool.soulpost] above the current directory
    └── StateError              the machine state in .soulpost cannot be used as asked
        ├── LedgerError         (ledger/base.py) a request the ledger's state does not allow,
        │   │                   e.g. resolving a publication that is already published
        │   └── LedgerUnusable  (ledger/base.py) corrupt, lost, locked, full, read-only, or
        │                       from a newer soulpost; nothing is sent
        ├── LockUnavailable     (lock.py) the pass lock file cannot be created or opened
        ├── ScanLost            (run/scanahead.py) a queue scan's stamps were lost and the
        │                       queue changed since its digest: the pass loads it whole
        └── StoreError          (accounts/store.py) the token store cannot be read or
                                written (a broken file, a locked keyring)

    PublishError                an outcome of sending one publication; never reaches the CLI.
    │                           The adapter picks the class, the engine acts on it, the ledger
    │                           records it, and the pass report (exit 1) tells a person
    ├── NotSent                 certainly never reached the platform: retried with backoff
    ├── RateLimited             the platform asked to wait (reset_at): pending until then
    ├── Rejected                refused (4xx): failed, with the platform's message
    │   └── AuthError           credentials missing, invalid or revoked: failed
    └── UnknownOutcome          went out, result unknown: looked up where the adapter can,
        │                       else in doubt; never re-sent blindly
        └── ErrorAnswer         (publish/adapters/_common.py) a non-2xx answer an HTTP adapter
                                has not classified yet; should one ever escape, it is unknown

The two roots stay apart on purpose: ``except SoulpostError`` in the CLI must never swallow
a publishing outcome (that would be a bug in the engine, and keeps its traceback), and the
engine's ``except PublishError`` must never swallow a person's problem. Whatever else an
adapter raises (a bug, ``SystemExit``, a receipt that is not one) is contained by
``publish/send.py`` and treated as an unknown outcome.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar


class SoulpostError(Exception):
    """Base class: a problem a person can fix, reported without a stack trace."""

    exit_code = 2


class InputError(SoulpostError):
    """A file or value is wrong; the message names the file, the line, the key and the fix."""

    def __init__(
        self,
        problem: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = Path(path) if path is not None else None
        self.line = line
        self.key = key
        self.hint = hint
        super().__init__(self.render())

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only fields: rebuild from them so errors cross process boundaries intact.
        fields = {"path": self.path, "line": self.line, "key": self.key, "hint": self.hint}
        return (_rebuild_input_error, (type(self), self.problem, fields))

    def render(self, base: Path | None = None) -> str:
        """``path:line: key: problem (hint)``, with the path relative to *base* when given."""
        where = ""
        if self.path is not None:
            shown: Path | str = self.path
            if base is not None:
                try:  # the entry as named (not a link's target); a link loop must not raise
                    real = self.path.parent.resolve() / self.path.name
                    shown = real.relative_to(base.resolve())
                except (ValueError, OSError, RuntimeError):
                    shown = self.path
            where = f"{shown}:{self.line}: " if self.line else f"{shown}: "
        key = f"{self.key}: " if self.key else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{key}{self.problem}{hint}"


def _rebuild_input_error(cls: type[InputError], problem: str, fields: dict[str, Any]) -> InputError:
    return cls(problem, **fields)


class ConfigError(InputError):
    """The workspace settings cannot be used."""


class PostInvalid(InputError):
    """One post file could not be loaded; ``errors`` holds one InputError per problem.

    It reads as its first problem (plus how many more), so a command that raises it prints a
    useful line; loading catches it and keeps every problem in ``Workspace.errors``.
    """

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors or [InputError("the post could not be loaded")]
        first = self.errors[0]
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        super().__init__(
            first.problem + more, path=first.path, line=first.line, key=first.key, hint=first.hint
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (PostInvalid, (self.errors,))


class UsageError(SoulpostError):
    """The command line itself is wrong."""


class WorkspaceNotFound(SoulpostError):
    """No workspace above the starting directory."""

    def __init__(self, start: Path) -> None:
        self.start = start
        super().__init__(
            f"no soulpost workspace at or above {start} "
            "(looked for config.toml or [tool.soulpost] in pyproject.toml; "
            "run `soulpost init` to create one)"
        )


class StateError(SoulpostError):
    """The machine state in ``.soulpost`` (ledger, lock) cannot be used as asked."""


# --- publishing outcomes: decided by adapters, acted on by the engine, never shown raw ------


class PublishError(Exception):
    """A publication did not (certainly) succeed. ``message`` is safe to show and store."""

    outcome: ClassVar[str] = "error"

    def __init__(self, message: str, *, platform: str | None = None) -> None:
        self.message = message
        self.platform = platform
        super().__init__(message)


class NotSent(PublishError):
    """The request certainly never reached the platform; retrying is safe."""

    outcome = "not-sent"


class RateLimited(PublishError):
    """The platform asked us to wait; ``reset_at`` is when it will accept again (if known)."""

    outcome = "rate-limited"

    def __init__(
        self, message: str, *, reset_at: datetime | None = None, platform: str | None = None
    ) -> None:
        self.reset_at = reset_at
        super().__init__(message, platform=platform)


class Rejected(PublishError):
    """The platform refused the post (a 4xx); sending it again unchanged will not help."""

    outcome = "rejected"

    def __init__(
        self, message: str, *, status: int | None = None, platform: str | None = None
    ) -> None:
        self.status = status
        super().__init__(message, platform=platform)


class AuthError(Rejected):
    """Credentials are missing, invalid or revoked; a person must fix them."""

    outcome = "auth"


class UnknownOutcome(PublishError):
    """The request went out but its result is unknown: the post may or may not be live."""

    outcome = "unknown"
