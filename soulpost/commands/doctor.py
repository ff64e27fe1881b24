"""``soulpost doctor``: is every platform of this workspace ready to publish?

For each platform configured in ``config.toml`` or named by a post in ``queue/``:

* the adapter loads and accepts its ``options`` (else a config error);
* every credential role the adapter needs is mapped under ``env`` and the environment
  variable it names is set (values are never printed, only variable names);
* with ``--online``, one cheap authenticated call proves the credential works (LinkedIn
  ``/v2/userinfo``, Facebook ``/me``, Pinterest ``/v5/user_account``, ...; adapters without
  such a call say "no online check");
* when the adapter's tokens have a known lifetime (LinkedIn: 60 days) and the workspace says
  when the token was issued (``options.token_issued = "2026-11-01"``, or ``env.token_issued``
  naming a variable that holds that date), it warns when the token expires before the last
  queued post that needs it, or has expired already.

Exit codes: 0 all fine; 1 problems found; 2 a configuration error (unknown adapter, bad
options) or no workspace.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from soulpost.commands import open_workspace

if TYPE_CHECKING:
    from soulpost.publish.base import Adapter, AdapterConfig
    from soulpost.workspace import Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("platforms", nargs="*", metavar="PLATFORM", help="only these platforms")
    parser.add_argument(
        "--online", action="store_true", help="also make one authenticated call per platform"
    )


@dataclass
class Report:
    """What doctor found about one platform."""

    platform: str
    adapter: str
    ok: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    config_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_issued(value: Any) -> datetime:
    """``2026-11-01`` (midnight UTC) or an ISO instant; ValueError otherwise."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC)
    text = str(value).strip()
    try:
        return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
    except ValueError:
        pass
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def last_queued(ws: Workspace, now: datetime) -> dict[str, datetime]:
    """Per platform, the time of the last post still waiting to go out there."""
    from soulpost.ledger import open_ledger
    from soulpost.plan import Action, build_plan, newest_rows

    try:
        ledger = open_ledger(ws.state_dir, backend=ws.settings.publish.ledger, read_only=True)
    except Exception:
        rows: dict[Any, Any] = {}
        reserved: dict[str, datetime] = {}
    else:
        try:
            rows = newest_rows(ledger.publications())
            reserved = ledger.slots()
        finally:
            ledger.close()
    plan = build_plan(ws.posts, ws.settings, now, ledger_rows=rows, reserved=reserved)
    waiting = {Action.DUE, Action.FUTURE, Action.WAITING, Action.HELD}
    out: dict[str, datetime] = {}
    for item in plan.items:
        if item.action in waiting and item.at is not None:
            out[item.platform] = max(item.at, out.get(item.platform, item.at))
    return out


def check_platform(
    ws: Workspace, platform: str, *, now: datetime, online: bool, last: datetime | None
) -> Report:
    """Everything doctor checks about one platform."""
    from soulpost.errors import ConfigError
    from soulpost.publish.base import AdapterConfig
    from soulpost.publish.http import redact
    from soulpost.publish.registry import load

    settings = ws.settings
    conf = settings.platforms.get(platform)
    name = settings.adapter_for(platform)
    report = Report(platform, name)
    try:
        cls = load(name)
    except ConfigError as exc:
        report.config_errors.append(exc.render())
        return report
    from soulpost.accounts import stored_roles, with_stored_roles
    from soulpost.commands.accounts import doctor_tokens

    env = dict(conf.env) if conf else {}
    options = dict(conf.options) if conf else {}
    account = conf.account if conf else None
    stored = stored_roles(platform, account)
    _check_env(report, cls, env, platform, stored)
    from_store = doctor_tokens(ws, report, platform, account, now=now, last=last)
    config = AdapterConfig(
        platform=platform,
        state_dir=ws.state_dir,
        clock=_FixedClock(now),
        account=account,
        options=options,
        credentials=with_stored_roles(platform, account, env),
        root=ws.root,
    )
    adapter: Adapter | None = None
    try:
        adapter = cls(config)
    except ConfigError as exc:
        report.config_errors.append(exc.render())
    except Exception as exc:
        report.config_errors.append(
            f"adapter {name!r} refused the settings of [platforms.{platform}]: "
            f"{redact(str(exc), config.secrets())}"
        )
    if not from_store:
        _lifetime(report, cls, config, now=now, last=last)
    if online and adapter is not None and not report.problems:
        _check_online(report, adapter, config)
    return report


def _check_env(
    report: Report, cls: type[Adapter], env: dict[str, str], platform: str, stored: set[str]
) -> None:
    """Every credential role the adapter needs is named in config and set in the environment,
    or held by the token store (*stored*, from ``soulpost login``)."""
    for role, setting in cls.env_roles.items():
        if setting.required and role not in env and role not in stored:
            report.problems.append(
                f'env.{role} is not configured: add env.{role} = "VARIABLE_NAME" under '
                f"[platforms.{platform}] ({setting.doc})"
            )
    for role, variable in env.items():
        if os.environ.get(variable):
            report.ok.append(f"env.{role}: ${variable} is set")
        elif role in stored:
            report.ok.append(f"env.{role}: ${variable} is not set; the token store has it")
        else:
            report.problems.append(f"env.{role}: environment variable ${variable} is not set")
    if not report.problems:  # e.g. X: no role is required alone, but one way to sign in is
        from soulpost.credentials import BUILTIN_NEEDS, missing

        required = tuple(role for role, s in cls.env_roles.items() if s.required)
        gap = missing(platform, env, BUILTIN_NEEDS.get(cls.name) or (required,), stored=stored)
        if gap is not None:
            report.problems.append(gap.message.removeprefix(f"{platform}: "))


def _check_online(report: Report, adapter: Adapter, config: AdapterConfig) -> None:
    """``--online``: ask the platform itself; every message is redacted of the secrets."""
    from soulpost.publish.base import PublishError
    from soulpost.publish.http import redact

    try:
        said = adapter.check()
    except PublishError as exc:
        report.problems.append(f"online: {redact(exc.message, config.secrets())}")
    except Exception as exc:
        report.problems.append(
            f"online: {type(exc).__name__}: {redact(str(exc), config.secrets())}"
        )
    else:
        report.ok.append(f"online: {redact(said, config.secrets())}")
    finally:
        adapter.close()


def _lifetime(
    report: Report, cls: type[Adapter], config: Any, *, now: datetime, last: datetime | None
) -> None:
    lifetime: timedelta | None = cls.token_lifetime_for(config.credentials)
    if lifetime is None:
        return
    raw: Any = config.options.get("token_issued")
    source = "options.token_issued"
    if raw is None and "token_issued" in config.credentials:
        variable = config.credentials["token_issued"]
        raw = os.environ.get(variable)
        source = f"${variable}"
    days = lifetime.total_seconds() / 86400
    span = f"{days:g} days" if days >= 1 else f"{lifetime.total_seconds() / 3600:g} hours"
    if not raw:
        report.notes.append(
            f"tokens last {span}; set options.token_issued (the date it was issued) to be "
            "warned before it expires"
        )
        return
    try:
        issued = parse_issued(raw)
    except ValueError:
        report.config_errors.append(
            f"{source} = {raw!r}: expected a date such as 2026-11-01 or an ISO instant"
        )
        return
    expires = issued + lifetime
    when = expires.astimezone(UTC).isoformat(timespec="minutes")
    if expires <= now:
        report.problems.append(f"the token expired at {when} ({span} after issue): renew it")
    elif last is not None and expires < last:
        report.problems.append(
            f"the token expires at {when}, before the last queued post at "
            f"{last.astimezone(UTC).isoformat(timespec='minutes')}: renew it before then"
        )
    else:
        report.ok.append(f"token valid until {when}")


class _FixedClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        return None


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.publish import clock_for
    from soulpost.errors import UsageError

    ws = open_workspace(args)
    now = clock_for().now()
    used = {p for post in ws.posts for p in post.platforms}
    platforms = sorted(set(ws.settings.platforms) | used)
    if args.platforms:
        unknown = [p for p in args.platforms if p not in platforms]
        if unknown:
            raise UsageError(
                f"platform {', '.join(unknown)} is neither configured nor used by a post; "
                f"known here: {', '.join(platforms) or 'none'}"
            )
        platforms = list(args.platforms)
    if not platforms:
        print("no platforms configured and no posts in queue/: nothing to check")
        return 0
    last = last_queued(ws, now)
    reports = [
        check_platform(ws, p, now=now, online=args.online, last=last.get(p)) for p in platforms
    ]
    for report in reports:
        bad = report.config_errors or report.problems
        print(f"{report.platform} (adapter {report.adapter}): {'PROBLEMS' if bad else 'ok'}")
        for line in report.config_errors:
            print(f"  config error: {line}")
        for line in report.problems:
            print(f"  problem: {line}")
        for line in report.ok:
            print(f"  ok: {line}")
        for line in report.notes:
            print(f"  note: {line}")
    config_errors = sum(len(r.config_errors) for r in reports)
    problems = sum(len(r.problems) for r in reports)
    from soulpost.alerts.check import doctor_lines  # [alerts]: check and say (issue 15)

    alert_lines, alert_problems = doctor_lines(ws.root, ws.settings, clock_for())
    for line in alert_lines:
        print(line)
    problems += alert_problems
    if config_errors:
        print(f"{config_errors} configuration error(s), {problems} problem(s)")
        return 2
    if problems:
        print(f"{problems} problem(s) found")
        return 1
    print(
        f"all {len(reports)} platform(s) look ready" + ("" if args.online else " (offline check)")
    )
    return 0
