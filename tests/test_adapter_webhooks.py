"""The generic, Discord and Slack webhook adapters against the fake on 127.0.0.1: signed
bodies the receiver can verify, idempotency keys, URLs kept secret, Discord attachments with
descriptions and its retry_after, Slack's plain-text answers, and follow-ups in order."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from soulpost.errors import ConfigError
from soulpost.posts import Post, build_post
from soulpost.publish.adapters.discord import DiscordAdapter
from soulpost.publish.adapters.slack import SlackAdapter
from soulpost.publish.adapters.webhook import WebhookAdapter
from soulpost.publish.base import (
    Adapter,
    AdapterConfig,
    AuthError,
    RateLimited,
    Receipt,
    Rejected,
    UnknownOutcome,
)
from soulpost.publish.wire import webhook as hook
from tests.fakes.server import Request, Response
from tests.fakes.webhook import WebhookFake

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x03" * 16


class HookFake(WebhookFake):
    """The shared fake plus Discord's ``GET <webhook url>`` (the online check)."""

    def __init__(self) -> None:
        super().__init__()
        self.route("GET", r"/api/webhooks/(?P<id>\d+)/(?P<token>[^/]+)", self._info)

    def _info(self, request: Request, match: re.Match[str]) -> Response:
        if match["token"] != self.discord_token:
            return Response.json(401, {"message": "Invalid Webhook Token", "code": 50027})
        return Response.json(200, {"id": match["id"], "name": "soulbot", "channel_id": "11"})


@pytest.fixture
def fake() -> Any:
    with HookFake() as server:
        yield server


def make(
    cls: type[Adapter],
    tmp_path: Path,
    platform: str,
    env: dict[str, str],
    credentials: dict[str, str],
    **options: Any,
) -> Any:
    return cls(
        AdapterConfig(
            platform=platform,
            state_dir=tmp_path / ".soulpost",
            root=tmp_path,
            clock=ManualClock(T0),
            options={"read_timeout": 0.5, **options},
            credentials=credentials,
            environ=env,
        )
    )


def post(platform: str, text: str, **extra: Any) -> Post:
    data = {"id": "p1", "text": text, "platforms": [platform], **extra}
    return build_post(data, Path("queue/p1.toml"), {"platforms": {platform}})


# --- generic ----------------------------------------------------------------------------------


def generic(tmp_path: Path, fake: WebhookFake, **options: Any) -> WebhookAdapter:
    env = {"HOOK_URL": fake.hook_url, "HOOK_SECRET": "hook-secret"}
    creds = {"url": "HOOK_URL", "secret": "HOOK_SECRET"}
    return make(WebhookAdapter, tmp_path, "webhook", env, creds, **options)  # type: ignore[no-any-return]


def test_generic_body_is_signed_and_keyed(tmp_path: Path, fake: WebhookFake) -> None:
    ad = generic(tmp_path, fake, media_base_url="https://cdn.example.org/")
    p = post("webhook", "Hello hook", media=[{"path": "media/a.png", "alt": "An A"}])
    receipt = ad.publish(ad.compose(p).parts[0], "sp-key-0")
    assert receipt.remote_id == "sp-key-0"  # no "id" in the answer: the key stands for it
    sent = fake.received("POST", "/hook")[0]
    # The receiver can verify origin and freshness with the documented recipe.
    now = int(T0.timestamp())
    assert hook.verify("hook-secret", sent.headers, sent.body, now=now)
    assert sent.headers["Idempotency-Key"] == "sp-key-0"
    assert sent.json["id"] == "p1"
    assert sent.json["text"] == "Hello hook"
    assert sent.json["media"] == [{"url": "https://cdn.example.org/media/a.png", "alt": "An A"}]
    assert fake.deliveries["sp-key-0"]["text"] == "Hello hook"


def test_generic_retry_with_the_same_key_is_not_stored_twice(
    tmp_path: Path, fake: WebhookFake
) -> None:
    ad = generic(tmp_path, fake)
    payload = ad.compose(post("webhook", "Once")).parts[0]
    ad.publish(payload, "k")
    ad.publish(payload, "k")
    assert len(fake.deliveries) == 1


def test_generic_wrong_secret_is_auth_error_without_the_url(
    tmp_path: Path, fake: WebhookFake
) -> None:
    env = {"HOOK_URL": fake.hook_url + "?token=very-secret-q", "HOOK_SECRET": "wrong"}
    creds = {"url": "HOOK_URL", "secret": "HOOK_SECRET"}
    ad = make(WebhookAdapter, tmp_path, "webhook", env, creds)
    with pytest.raises(AuthError) as caught:
        ad.publish(ad.compose(post("webhook", "x")).parts[0], "k")
    assert "very-secret-q" not in caught.value.message
    assert "$HOOK_SECRET (env.secret)" in caught.value.message


def test_generic_thread_parts_go_in_order(tmp_path: Path, fake: WebhookFake) -> None:
    ad = generic(tmp_path, fake)
    rendered = ad.compose(post("webhook", "One", thread=["Two", "Three"]))
    assert ad.validate(post("webhook", "One", thread=["Two"])) == []
    parent = ad.publish(rendered.parts[0], "k0")
    for i, part in enumerate(rendered.parts[1:], start=1):
        parent = ad.reply(parent, part, f"k{i}")
    texts = [r.json["text"] for r in fake.received("POST", "/hook")]
    assert texts == ["One", "Two", "Three"]
    assert [r.json.get("part", 0) for r in fake.received("POST", "/hook")] == [0, 1, 2]


def test_generic_needs_a_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"env\.url"):
        make(WebhookAdapter, tmp_path, "webhook", {}, {})


# --- Discord ----------------------------------------------------------------------------------


def discord(tmp_path: Path, fake: WebhookFake, url: str | None = None, **options: Any) -> Any:
    env = {"DISCORD_URL": url or fake.discord_url()}
    return make(DiscordAdapter, tmp_path, "discord", env, {"url": "DISCORD_URL"}, **options)


def test_discord_message_and_receipt(tmp_path: Path, fake: WebhookFake) -> None:
    ad = discord(tmp_path, fake, guild_id="99", username="Soulpost")
    receipt = ad.publish(ad.compose(post("discord", "Hi @everyone")).parts[0], "k0")
    (message,) = fake.discord
    assert receipt.remote_id == message["id"]
    assert receipt.url == f"https://discord.com/channels/99/{message['channel_id']}/{message['id']}"
    sent = fake.received("POST", "/api/webhooks/")[0]
    assert sent.query["wait"] == ["true"]
    assert sent.json["allowed_mentions"] == {"parse": []}  # no pinging @everyone
    assert sent.json["username"] == "Soulpost"


def test_discord_images_with_descriptions(tmp_path: Path, fake: WebhookFake) -> None:
    (tmp_path / "a.png").write_bytes(PNG)
    ad = discord(tmp_path, fake)
    p = post("discord", "Look", media=[{"path": "a.png", "alt": "A red square"}])
    ad.publish(ad.compose(p).parts[0], "k0")
    (message,) = fake.discord
    assert message["payload"]["attachments"] == [
        {"id": 0, "filename": "a.png", "description": "A red square"}
    ]
    assert message["files"][0].data == PNG


def test_discord_follow_ups_in_order(tmp_path: Path, fake: WebhookFake) -> None:
    ad = discord(tmp_path, fake)
    p = post("discord", "First", thread=["Second", "Third"])
    assert not any("thread" in x for x in ad.validate(p))
    rendered = ad.compose(p)
    parent: Receipt = ad.publish(rendered.parts[0], "k0")
    for part in rendered.parts[1:]:
        parent = ad.reply(parent, part, "k")
    assert [m["content"] for m in fake.discord] == ["First", "Second", "Third"]


def test_discord_429_waits_retry_after(tmp_path: Path, fake: WebhookFake) -> None:
    ad = discord(tmp_path, fake)
    fake.discord_429(2.5)
    with pytest.raises(RateLimited) as caught:
        ad.publish(ad.compose(post("discord", "x")).parts[0], "k0")
    assert caught.value.reset_at == T0 + timedelta(seconds=2.5)


def test_discord_bad_token_never_shows_the_url(tmp_path: Path, fake: WebhookFake) -> None:
    url = f"{fake.url}/api/webhooks/1234567890/leaked-token-abc"
    ad = discord(tmp_path, fake, url=url)
    with pytest.raises(AuthError) as caught:
        ad.publish(ad.compose(post("discord", "x")).parts[0], "k0")
    assert "$DISCORD_URL" in caught.value.message
    assert "leaked-token-abc" not in caught.value.message


def test_discord_too_long_and_server_errors(tmp_path: Path, fake: WebhookFake) -> None:
    ad = discord(tmp_path, fake)
    assert any("2000" in x for x in ad.validate(post("discord", "x" * 2001)))
    fake.fail(400, {"code": 50035, "message": "Invalid Form Body"})
    with pytest.raises(Rejected, match="Invalid Form Body"):
        ad.publish(ad.compose(post("discord", "x")).parts[0], "k0")
    fake.fail(502, "bad gateway")
    with pytest.raises(UnknownOutcome):
        ad.publish(ad.compose(post("discord", "x")).parts[0], "k0")


def test_discord_online_check(tmp_path: Path, fake: HookFake) -> None:
    assert "soulbot" in discord(tmp_path, fake).check()


# --- Slack ------------------------------------------------------------------------------------


def slack(tmp_path: Path, fake: WebhookFake, url: str | None = None, **options: Any) -> Any:
    env = {"SLACK_URL": url or fake.slack_url()}
    return make(SlackAdapter, tmp_path, "slack", env, {"url": "SLACK_URL"}, **options)


def test_slack_message(tmp_path: Path, fake: WebhookFake) -> None:
    ad = slack(tmp_path, fake)
    receipt = ad.publish(ad.compose(post("slack", "Hello Slack")).parts[0], "k0")
    assert fake.slack == [{"text": "Hello Slack"}]
    assert receipt.remote_id == "k0" and receipt.url is None


def test_slack_image_by_url_with_alt(tmp_path: Path, fake: WebhookFake) -> None:
    ad = slack(tmp_path, fake, media_base_url="https://cdn.example.org/")
    p = post("slack", "Pic", media=[{"path": "m/a.png", "alt": "An A"}])
    assert ad.validate(p) == []
    ad.publish(ad.compose(p).parts[0], "k0")
    image = fake.slack[0]["blocks"][1]
    assert image == {
        "type": "image",
        "image_url": "https://cdn.example.org/m/a.png",
        "alt_text": "An A",
    }
    bare = slack(tmp_path, fake)
    assert any("media_base_url" in x for x in bare.validate(p))


def test_slack_errors(tmp_path: Path, fake: WebhookFake) -> None:
    bad = slack(tmp_path, fake, url=f"{fake.url}/services/T000FAKE/B000FAKE/wrong-secret-z")
    with pytest.raises(AuthError) as caught:
        bad.publish(bad.compose(post("slack", "x")).parts[0], "k0")
    assert "$SLACK_URL" in caught.value.message
    assert "wrong-secret-z" not in caught.value.message
    ad = slack(tmp_path, fake)
    fake.fail(400, "invalid_payload")
    with pytest.raises(Rejected, match="invalid_payload"):
        ad.publish(ad.compose(post("slack", "x")).parts[0], "k0")
    fake.fail(429, "rate_limited", headers={"Retry-After": "3"})
    with pytest.raises(RateLimited) as limited:
        ad.publish(ad.compose(post("slack", "x")).parts[0], "k0")
    assert limited.value.reset_at == T0 + timedelta(seconds=3)
    fake.drop(processed=True)
    with pytest.raises(UnknownOutcome):
        ad.publish(ad.compose(post("slack", "x")).parts[0], "k0")


def test_slack_follow_ups_in_order(tmp_path: Path, fake: WebhookFake) -> None:
    ad = slack(tmp_path, fake)
    rendered = ad.compose(post("slack", "One", thread=["Two"]))
    parent = ad.publish(rendered.parts[0], "k0")
    ad.reply(parent, rendered.parts[1], "k1")
    assert [m["text"] for m in fake.slack] == ["One", "Two"]


def test_missing_url_variable_is_a_clear_error(tmp_path: Path, fake: WebhookFake) -> None:
    ad = make(SlackAdapter, tmp_path, "slack", {}, {"url": "SLACK_URL"})
    with pytest.raises(AuthError, match="SLACK_URL"):
        ad.publish(ad.compose(post("slack", "x")).parts[0], "k0")


def _discord_pass(
    tmp_path: Path, fake: WebhookFake, monkeypatch: pytest.MonkeyPatch, text: str = ""
) -> Any:
    from soulpost.publish.send import RetryPolicy
    from soulpost.run import PassOptions, run_pass

    (tmp_path / "config.toml").write_text(
        'timezone = "UTC"\n[platforms.discord]\nenv = { url = "DISCORD_URL" }\n'
        "options = { read_timeout = 0.5 }\n[publish]\nlint_gate = false\n",
        encoding="utf-8",
    )
    (tmp_path / "queue").mkdir(exist_ok=True)
    (tmp_path / "queue" / "a.toml").write_text(
        f'text = "{text or "Hello channel, what do you think?"}"\nplatforms = ["discord"]\n'
        "at = 2026-12-01T09:00:00Z\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DISCORD_URL", fake.discord_url())
    clock = ManualClock(T0)
    options = PassOptions(policy=RetryPolicy(), jitter=lambda: 0.0)
    report = run_pass(tmp_path, clock=clock, options=options, log=lambda line: None)
    return report, clock


def test_engine_waits_out_discords_retry_after(
    tmp_path: Path, fake: WebhookFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.discord_429(1.5)
    report, clock = _discord_pass(tmp_path, fake, monkeypatch)
    assert [r.state for r in report.results] == ["published"]
    assert clock.slept == [1.5]  # the injected clock waited; the test did not
    assert len(fake.discord) == 1


def test_engine_explains_a_too_long_discord_message_and_sends_nothing(
    tmp_path: Path, fake: WebhookFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, _ = _discord_pass(tmp_path, fake, monkeypatch, text="x" * 2001)
    (result,) = report.results
    assert result.state == "invalid"
    assert result.reason == "part 1 has 2001 characters; Discord webhook allows 2000"
    assert fake.received("POST", "/api/webhooks/") == []


def test_engine_holds_a_lost_discord_message_for_a_person(
    tmp_path: Path, fake: WebhookFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.drop(path="/api/webhooks/", processed=True)
    report, _ = _discord_pass(tmp_path, fake, monkeypatch)
    (result,) = report.results
    assert result.state == "in_doubt"
    assert "soulpost resolve" in (result.reason or "")
    assert fake.discord_token not in (result.reason or "")
    assert len(fake.received("POST", "/api/webhooks/")) == 1  # never re-sent blindly


def test_connection_errors_never_quote_a_secret_url(tmp_path: Path) -> None:
    """``requests`` names only the path of a URL it could not reach: that path holds the
    token of a Discord or Slack webhook, so it is redacted as well."""
    from soulpost.publish.base import NotSent
    from tests.localserver import free_port

    base = f"http://127.0.0.1:{free_port()}"
    cases = [
        (DiscordAdapter, "discord", f"{base}/api/webhooks/123/tok-discord-secret-1", "tok-discord"),
        (SlackAdapter, "slack", f"{base}/services/T1/B1/slack-secret-part-2", "slack-secret"),
        (WebhookAdapter, "webhook", f"{base}/in/hook-secret-path-3?sig=q-secret-4", "secret"),
    ]
    for cls, platform, url, needle in cases:
        ad = make(cls, tmp_path, platform, {"URL": url}, {"url": "URL"}, connect_timeout=0.5)
        with pytest.raises(NotSent) as caught:
            ad.publish(ad.compose(post(platform, "x")).parts[0], "k")
        assert needle not in caught.value.message, caught.value.message
        assert "[redacted]" in caught.value.message


def test_slack_text_is_escaped_so_it_cannot_ping(tmp_path: Path, fake: WebhookFake) -> None:
    # Issue 11 item 2: Slack reads <!channel>, <!here> and <@U123> as pings and & < > as
    # its own markup; a post's text must arrive as the literal characters.
    ad = slack(tmp_path, fake, media_base_url="https://cdn.example.org/")
    text = "Hey <!channel> & <@U123>, see <https://evil.example|bank> > 2"
    ad.publish(ad.compose(post("slack", text)).parts[0], "k0")
    pic = post("slack", "<!here> pic", media=[{"path": "m/a.png", "alt": "An A"}])
    ad.publish(ad.compose(pic).parts[0], "k1")
    escaped = (
        "Hey &lt;!channel&gt; &amp; &lt;@U123&gt;, see &lt;https://evil.example|bank&gt; &gt; 2"
    )
    assert fake.slack[0] == {"text": escaped}
    assert fake.slack[1]["text"] == "&lt;!here&gt; pic"
    assert fake.slack[1]["blocks"][0]["text"]["text"] == "&lt;!here&gt; pic"
    assert "<" not in json.dumps(fake.slack)
