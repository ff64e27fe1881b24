"""Where alerts go: a configured webhook platform (through its own adapter) or email.

A channel's ``send`` either returns or raises :class:`AlertNotSent` with a message fit for
a log line (secrets redacted); nothing else escapes, so one broken channel never stops the
others, nor the pass that asked.

Webhook channels reuse the publishing adapters (Slack, Discord, the generic webhook): the
same URL handling, secrets from the environment and redaction, with the alert's timeout as
the adapter's connect and read timeouts. Email goes through :mod:`smtplib` with STARTTLS
(or implicit TLS), verifying the server's certificate (``cafile`` for a private CA).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from soulpost.errors import SoulpostError

if TYPE_CHECKING:
    from soulpost.clock import Clock
    from soulpost.config import EmailAlerts, Settings


class AlertNotSent(SoulpostError):
    """The alert did not go out through this channel (the message says why). The check
    logs it and tries again later; it never reaches a pass or the CLI."""


class Channel(Protocol):
    """Something that delivers one alert."""

    name: str

    def send(self, subject: str, text: str, key: str) -> None: ...


class WebhookChannel:
    """An alert posted through the adapter of a configured ``[platforms.NAME]``."""

    def __init__(
        self, name: str, settings: Settings, root: Path, state_dir: Path, clock: Clock
    ) -> None:
        self.name = name
        self.settings = settings
        self.root = root
        self.state_dir = state_dir
        self.clock = clock

    def send(self, subject: str, text: str, key: str) -> None:
        from soulpost.posts import Post
        from soulpost.publish.base import AdapterConfig
        from soulpost.publish.registry import load

        adapter = None
        try:
            conf = self.settings.platforms[self.name]
            cls = load(self.settings.adapter_for(self.name))
            options = dict(conf.options)
            timeout = self.settings.alerts.timeout if self.settings.alerts else 5.0
            for option in ("connect_timeout", "read_timeout"):
                if option in cls.options:
                    options[option] = min(float(options.get(option, timeout)), timeout)
            adapter = cls(
                AdapterConfig(
                    platform=self.name,
                    state_dir=self.state_dir,
                    clock=self.clock,
                    account=conf.account,
                    options=options,
                    credentials=dict(conf.env),
                    root=self.root,
                )
            )
            post = Post.model_validate(
                {"id": "soulpost-alert", "text": text, "platforms": [self.name]}
            )
            adapter.publish(adapter.compose(post).parts[0], alert_key(key))
        except Exception as exc:  # any failure is this channel's, never the pass's
            raise AlertNotSent(f"{type(exc).__name__}: {exc}") from None
        finally:
            if adapter is not None:
                adapter.close()


class EmailChannel:
    """An alert by email over SMTP; the user name and password come from the environment."""

    name = "email"

    def __init__(
        self, conf: EmailAlerts, root: Path, environ: Mapping[str, str] | None = None
    ) -> None:
        self.conf = conf
        self.root = root
        self.environ = os.environ if environ is None else environ

    def send(self, subject: str, text: str, key: str) -> None:
        import smtplib
        import ssl
        from email.message import EmailMessage
        from email.utils import formatdate, make_msgid

        conf = self.conf
        user, password = self._credentials()
        message = EmailMessage()
        message["Subject"] = f"soulpost: {subject}"
        message["From"] = conf.sender
        message["To"] = ", ".join(conf.to)
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(idstring=alert_key(key), domain="soulpost.invalid")
        message.set_content(text)
        try:
            context = ssl.create_default_context(cafile=self._cafile())
            smtp = (
                smtplib.SMTP_SSL(conf.host, conf.port, timeout=conf.timeout, context=context)
                if conf.security == "ssl"
                else smtplib.SMTP(conf.host, conf.port, timeout=conf.timeout)
            )
            with smtp:
                if conf.security == "starttls":
                    smtp.starttls(context=context)
                if user is not None and password is not None:
                    smtp.login(user, password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException, ssl.SSLError, ValueError) as exc:
            raise AlertNotSent(_redact(f"{type(exc).__name__}: {exc}", user, password)) from None

    def _credentials(self) -> tuple[str | None, str | None]:
        conf = self.conf
        names = [n for n in (conf.username_env, conf.password_env) if n]
        missing = [n for n in names if not self.environ.get(n)]
        if missing:
            raise AlertNotSent(f"environment variable {', '.join(missing)} is not set")
        if names and conf.security == "none":
            raise AlertNotSent(
                'security = "none" would send the SMTP password in clear; use starttls or ssl'
            )
        user = self.environ.get(conf.username_env) if conf.username_env else None
        password = self.environ.get(conf.password_env) if conf.password_env else None
        return user, password

    def _cafile(self) -> str | None:
        if self.conf.cafile is None:
            return None
        path = Path(self.conf.cafile)
        return str(path if path.is_absolute() else self.root / path)


def alert_key(key: str) -> str:
    """A short, stable idempotency key for an incident (the same on every retry)."""
    return "sp-alert-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def _redact(text: str, *secrets: str | None) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def configured(settings: Settings, root: Path, state_dir: Path, clock: Clock) -> list[Channel]:
    """Every channel ``[alerts]`` names, webhooks first."""
    alerts = settings.alerts
    if alerts is None:
        return []
    channels: list[Channel] = [
        WebhookChannel(name, settings, root, state_dir, clock) for name in alerts.platforms
    ]
    if alerts.email is not None:
        channels.append(EmailChannel(alerts.email, root))
    return channels
