"""Alerts, end to end on 127.0.0.1: a publication that fails, is missed or is in doubt, and
a daemon whose heartbeat stops, each alerted exactly once per incident through webhook
adapters (generic, Slack, Discord) and by email (a real SMTP server with STARTTLS and
AUTH), and a failing alert channel never blocks publishing."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from soulpost.alerts import after_pass
from soulpost.alerts.check import MAX_TRIES, STATE_FILE
from soulpost.clock import ManualClock
from soulpost.ledger import open_ledger
from soulpost.publish.send import RetryPolicy
from soulpost.run import PassOptions, run_pass
from soulpost.workspace import load_settings
from tests.fakes.webhook import WebhookFake
from tests.localserver import LocalServer, Reply, free_port

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def platform() -> Iterator[LocalServer]:
    """The network posts go to (scripted to fail)."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def hooks() -> Iterator[WebhookFake]:
    """Where alerts go: the generic webhook, Slack and Discord."""
    with WebhookFake(secret=None) as fake:
        yield fake


def make_ws(root: Path, platform_url: str, alerts: str, posts: dict[str, str]) -> Path:
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.news]
            adapter = "webhook"
            options = {{ url = "{platform_url}", read_timeout = 0.5, connect_timeout = 0.5 }}
            [platforms.box]
            adapter = "outbox"
            [publish]
            lint_gate = false
            max_lateness = "1h"
            """
        )
        + textwrap.dedent(alerts),
        encoding="utf-8",
    )
    (root / "queue").mkdir(exist_ok=True)
    for name, body in posts.items():
        (root / "queue" / f"{name}.toml").write_text(body, encoding="utf-8")
    return root


def post(at: str = "2026-12-01T09:00:00Z", platforms: str = '["news"]') -> str:
    return f'text = "Hi, what do you think?"\nplatforms = {platforms}\nat = {at}\n'


def hook_alerts(hooks: WebhookFake) -> str:
    return f"""\
        [platforms.ops]
        adapter = "webhook"
        options = {{ url = "{hooks.url}/hook" }}
        [platforms.team]
        adapter = "slack"
        env = {{ url = "ALERT_SLACK_URL" }}
        [platforms.chat]
        adapter = "discord"
        env = {{ url = "ALERT_DISCORD_URL" }}
        [alerts]
        platforms = ["ops", "team", "chat"]
        history_link = "https://ci.example.org/history/{{id}}"
        timeout = 1
        """


@pytest.fixture
def hook_env(hooks: WebhookFake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALERT_SLACK_URL", f"{hooks.url}/services/T1/B1/slack-secret")
    monkeypatch.setenv("ALERT_DISCORD_URL", f"{hooks.url}/api/webhooks/42/discord-token")


def run(root: Path, clock: ManualClock, kind: str = "publish") -> Any:
    options = PassOptions(policy=RetryPolicy(), jitter=lambda: 0.0, kind=kind)
    lines: list[str] = []
    report = run_pass(root, clock=clock, options=options, log=lines.append)
    report.log_lines = lines
    return report


def alert_texts(hooks: WebhookFake) -> dict[str, list[str]]:
    return {
        "ops": [r.json["text"] for r in hooks.received("POST", "/hook")],
        "team": [r.json["text"] for r in hooks.received("POST", "/services/T1/B1/slack-secret")],
        "chat": [
            r.json["content"] for r in hooks.received("POST", "/api/webhooks/42/discord-token")
        ],
    }


@pytest.mark.usefixtures("hook_env")
def test_failed_publication_alerts_once_per_incident_on_every_webhook(
    tmp_path: Path, platform: LocalServer, hooks: WebhookFake
) -> None:
    root = make_ws(tmp_path, platform.url, hook_alerts(hooks), {"a": post()})
    platform.push(Reply(400, body={"error": "text rejected"}))
    clock = ManualClock(T0 + timedelta(seconds=1))
    first = run(root, clock)
    assert first.results[0].state == "failed"
    texts = alert_texts(hooks)
    for channel, sent in texts.items():
        assert len(sent) == 1, channel
        assert "failed: a on news" in sent[0]
        assert "soulpost history a" in sent[0]
        assert "https://ci.example.org/history/a" in sent[0]
    # Later passes see the same incident: no second alert anywhere.
    clock.advance(timedelta(minutes=5))
    run(root, clock)
    run(root, clock)
    assert {k: len(v) for k, v in alert_texts(hooks).items()} == {"ops": 1, "team": 1, "chat": 1}
    # A person retries; it fails again: a new incident, a new alert.
    ledger = open_ledger(root / ".soulpost")
    ledger.retry("a", "news", clock.now())
    ledger.close()
    platform.push(Reply(400, body={"error": "still rejected"}))
    run(root, clock)  # retried and failed again
    counts = {k: len(v) for k, v in alert_texts(hooks).items()}
    assert counts == {"ops": 2, "team": 2, "chat": 2}
    # The webhook's idempotency key is stable per incident and differs between incidents.
    keys = [r.headers["Idempotency-Key"] for r in hooks.received("POST", "/hook")]
    assert len(set(keys)) == 2 and all(k.startswith("sp-alert-") for k in keys)


@pytest.mark.usefixtures("hook_env")
def test_missed_and_in_doubt_alert(
    tmp_path: Path, platform: LocalServer, hooks: WebhookFake
) -> None:
    posts = {"late": post("2026-12-01T06:00:00Z"), "doubt": post()}
    root = make_ws(tmp_path, platform.url, hook_alerts(hooks), posts)
    platform.push(Reply(drop=True))  # the request went out; no answer came back
    report = run(root, ManualClock(T0 + timedelta(seconds=1)))
    assert {r.post_id: r.state for r in report.results} == {"late": "missed", "doubt": "in_doubt"}
    ops = alert_texts(hooks)["ops"]
    assert len(ops) == 2
    assert any(
        "missed: late on news" in t and "soulpost retry late --platform news" in t for t in ops
    )
    assert any(
        "in doubt: doubt on news" in t and "soulpost resolve doubt --platform news" in t
        for t in ops
    )
    run(root, ManualClock(T0 + timedelta(minutes=3)))
    assert len(alert_texts(hooks)["ops"]) == 2


@pytest.mark.usefixtures("hook_env")
def test_stalled_heartbeat_alerts_once_from_the_next_cron_pass(
    tmp_path: Path, platform: LocalServer, hooks: WebhookFake
) -> None:
    root = make_ws(tmp_path, platform.url, hook_alerts(hooks), {})
    state = root / ".soulpost"
    state.mkdir()

    def beat(at: datetime, status: str = "running") -> None:
        data = {"pid": 4242, "state": status, "at": at.isoformat(), "interval": 30.0}
        (state / "heartbeat.json").write_text(json.dumps({**data, "started_at": T0.isoformat()}))

    beat(T0)
    clock = ManualClock(T0 + timedelta(seconds=60))  # two beats late: not stalled yet
    run(root, clock)
    assert alert_texts(hooks)["ops"] == []
    clock.advance(timedelta(minutes=10))
    run(root, clock, kind="daemon")  # the daemon's own passes do not judge their heartbeat
    assert alert_texts(hooks)["ops"] == []
    run(root, clock)
    run(root, clock)
    ops = alert_texts(hooks)["ops"]
    assert len(ops) == 1 and "heartbeat stopped" in ops[0] and "pid 4242" in ops[0]
    beat(clock.now())  # the daemon is back: the incident closes
    run(root, clock)
    clock.advance(timedelta(minutes=10))
    run(root, clock)  # and stalls again: a new incident
    assert len(alert_texts(hooks)["ops"]) == 2
    beat(clock.now(), status="stopped")  # stopped on purpose (SIGTERM): no alert
    clock.advance(timedelta(hours=1))
    run(root, clock)
    assert len(alert_texts(hooks)["ops"]) == 2


@pytest.mark.usefixtures("hook_env")
def test_doctor_checks_the_heartbeat_and_alerts(
    tmp_path: Path,
    platform: LocalServer,
    hooks: WebhookFake,
    cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_ws(tmp_path, platform.url, hook_alerts(hooks), {})
    (root / ".soulpost").mkdir()
    at = T0.isoformat()
    beat = {"pid": 7, "state": "running", "at": at, "interval": 30, "started_at": at}
    (root / ".soulpost" / "heartbeat.json").write_text(json.dumps(beat))
    monkeypatch.setenv("SOULPOST_NOW", (T0 + timedelta(hours=1)).isoformat())
    result = cli("-C", root, "doctor")
    assert "sent: ops: the daemon's heartbeat stopped" in result.out
    assert len(alert_texts(hooks)["ops"]) == 1
    cli("-C", root, "doctor")
    assert len(alert_texts(hooks)["ops"]) == 1


def test_failing_alert_channels_never_block_publishing(
    tmp_path: Path, platform: LocalServer, hooks: WebhookFake
) -> None:
    dead = free_port()
    alerts = f"""\
        [platforms.ops]
        adapter = "webhook"
        options = {{ url = "{hooks.url}/hook" }}
        [platforms.gone]
        adapter = "webhook"
        options = {{ url = "http://127.0.0.1:{dead}/hook" }}
        [platforms.nokey]
        adapter = "slack"
        env = {{ url = "UNSET_ALERT_URL" }}
        [alerts]
        platforms = ["gone", "nokey", "ops"]
        timeout = 0.5
        [alerts.email]
        host = "127.0.0.1"
        port = {dead}
        sender = "soulpost@example.org"
        to = ["ops@example.org"]
        timeout = 0.5
        """
    posts = {"bad": post(), "good": post(platforms='["box"]')}
    root = make_ws(tmp_path, platform.url, alerts, posts)
    hooks.hang(path="/hook", times=10)  # the one live channel hangs, too
    platform.push(Reply(400, body={"error": "rejected"}))
    clock = ManualClock(T0 + timedelta(seconds=1))
    report = run(root, clock)
    assert {r.post_id: r.state for r in report.results} == {"bad": "failed", "good": "published"}
    assert any("alert not sent: gone" in line for line in report.log_lines)
    assert any(
        "alert not sent: nokey" in line and "UNSET_ALERT_URL" in line for line in report.log_lines
    )
    assert any("alert not sent: email" in line for line in report.log_lines)
    record = json.loads((root / ".soulpost" / STATE_FILE).read_text())
    (incident,) = record["open"].values()
    assert incident["channels"]["gone"]["tries"] == 1 and "sent" not in incident["channels"]["gone"]
    # Each failing channel is tried again at the next passes, at most MAX_TRIES times.
    for _ in range(MAX_TRIES + 2):
        run(root, clock)
    record = json.loads((root / ".soulpost" / STATE_FILE).read_text())
    (incident,) = record["open"].values()
    assert {c["tries"] for c in incident["channels"].values()} == {MAX_TRIES}


def test_after_pass_swallows_even_a_broken_check(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[platforms.ops]\nadapter = "webhook"\n[alerts]\nplatforms = ["ops"]\n'
    )
    (tmp_path / ".soulpost").mkdir()
    (tmp_path / ".soulpost" / "ledger.sqlite3").write_text("not a database")
    settings, _ = load_settings(tmp_path)
    lines: list[str] = []
    after_pass(tmp_path, settings, ManualClock(T0), kind="publish", dry_run=False, log=lines.append)
    assert lines and "the check failed" in lines[0] and "publishing goes on" in lines[0]


# -- email -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it through ``cafile``)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl to make the test certificate (apt-get install openssl)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


class Mailbox:
    """aiosmtpd handler: keeps each message with the user it was sent as."""

    def __init__(self) -> None:
        self.messages: list[tuple[str | None, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        user = session.auth_data.login.decode() if session.auth_data else None
        self.messages.append((user, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(certificate: tuple[Path, Path]) -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        good = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"alerts",
            b"s3cret-smtp",
        )
        return AuthResult(success=good, handled=False, auth_data=data if good else None)

    box = Mailbox()
    port = free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def email_alerts(port: int, cert: Path) -> str:
    return f"""\
        [alerts]
        [alerts.email]
        host = "127.0.0.1"
        port = {port}
        sender = "soulpost@example.org"
        to = ["ops@example.org", "lead@example.org"]
        username_env = "SMTP_USER"
        password_env = "SMTP_PASSWORD"
        cafile = "{cert}"
        timeout = 5
        """


def test_email_over_starttls_once_per_incident(
    tmp_path: Path,
    platform: LocalServer,
    smtp: tuple[Mailbox, int],
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box, port = smtp
    monkeypatch.setenv("SMTP_USER", "alerts")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret-smtp")
    root = make_ws(tmp_path, platform.url, email_alerts(port, certificate[0]), {"a": post()})
    platform.push(Reply(400, body={"error": "rejected"}))
    clock = ManualClock(T0 + timedelta(seconds=1))
    report = run(root, clock)
    assert report.results[0].state == "failed"
    run(root, clock)
    assert len(box.messages) == 1
    user, recipients, raw = box.messages[0]
    assert user == "alerts"  # logged in (only possible after STARTTLS here)
    assert recipients == ["ops@example.org", "lead@example.org"]
    message = message_from_bytes(raw)
    assert message["Subject"] == "soulpost: failed: a on news"
    body = message.get_payload(decode=True).decode()
    assert "soulpost history a" in body
    assert "s3cret-smtp" not in raw.decode()


def test_email_with_a_wrong_password_is_reported_without_the_secret(
    tmp_path: Path,
    platform: LocalServer,
    smtp: tuple[Mailbox, int],
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box, port = smtp
    monkeypatch.setenv("SMTP_USER", "alerts")
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-password-value")
    root = make_ws(tmp_path, platform.url, email_alerts(port, certificate[0]), {"a": post()})
    platform.push(Reply(400, body={"error": "rejected"}))
    report = run(root, ManualClock(T0 + timedelta(seconds=1)))
    assert report.results[0].state == "failed"
    lines = [line for line in report.log_lines if "alert not sent: email" in line]
    assert lines and "SMTPAuthenticationError" in lines[0]
    assert "wrong-password-value" not in "\n".join(report.log_lines)
    assert box.messages == []


def test_email_refuses_an_untrusted_certificate(
    tmp_path: Path,
    platform: LocalServer,
    smtp: tuple[Mailbox, int],
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box, port = smtp
    monkeypatch.setenv("SMTP_USER", "alerts")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret-smtp")
    alerts = email_alerts(port, certificate[0]).replace(f'cafile = "{certificate[0]}"\n', "")
    root = make_ws(tmp_path, platform.url, alerts, {"a": post()})
    platform.push(Reply(400, body={"error": "rejected"}))
    report = run(root, ManualClock(T0 + timedelta(seconds=1)))
    assert any("CERTIFICATE_VERIFY_FAILED" in line for line in report.log_lines)
    assert box.messages == []


@pytest.mark.usefixtures("hook_env")
def test_an_interrupted_pass_stops_without_alerting(
    tmp_path: Path, platform: LocalServer, hooks: WebhookFake
) -> None:
    root = make_ws(tmp_path, platform.url, hook_alerts(hooks), {})
    (root / ".soulpost").mkdir()
    at = T0.isoformat()
    beat = {"pid": 7, "state": "running", "at": at, "interval": 30, "started_at": at}
    (root / ".soulpost" / "heartbeat.json").write_text(json.dumps(beat))
    settings, _ = load_settings(root)
    clock = ManualClock(T0 + timedelta(hours=1))

    def check() -> None:
        after_pass(root, settings, clock, kind="publish", dry_run=False, log=lambda _: None)

    with pytest.raises(KeyboardInterrupt):
        try:
            raise KeyboardInterrupt
        finally:
            check()  # as run_pass's `finally` calls it while Ctrl-C propagates
    assert alert_texts(hooks)["ops"] == []
    check()
    assert len(alert_texts(hooks)["ops"]) == 1
