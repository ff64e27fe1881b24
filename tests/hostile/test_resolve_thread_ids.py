"""Issue 12 item 3: a person's answer never drops or misthreads a thread.

A part in the middle of a thread is left in doubt (its answer never came and the lookup
failed); a person finds it on the platform and runs `soulpost resolve --published URL` with
the URL the platform shows. The next pass must send the rest of the thread as replies to the
platform's *id* of that part, which each adapter reads from the URL (a Mastodon status id, an
X post id, a Bluesky AT-URI), never to the URL itself. Where the URL cannot tell the id and a
later part needs it, `resolve` refuses until the person gives `--remote-id`.

Everything goes through the real CLI against the local fakes; only the pass that creates
the doubt runs through ``run_pass`` with a manual clock (its lookup waits are then not real).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soulpost.clock import ManualClock
from tests.fakes.bluesky import DID, HANDLE, PASSWORD, BlueskyFake
from tests.fakes.mastodon import MastodonFake
from tests.fakes.x import XFake
from tests.hostile.ledger_helpers import make_ws, post, rows, run
from tests.localserver import LocalServer, Reply

pytest_plugins = ["tests.fakes.fixtures"]

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATER = "2026-12-01T09:10:00Z"
THREAD = """\
    text = "Part one: three things we learned this week, what do you think?"
    platforms = ["{platform}"]
    at = 2026-12-01T09:00:00Z
    thread = ["Part two: people skim.", "Part three: they want examples."]
    """


def workspace(root: Path, platform: str, options: str, env: str) -> Path:
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.{platform}]
            env = {{ {env} }}
            options = {{ {options}, read_timeout = 0.3, connect_timeout = 0.5 }}
            [publish]
            lint_gate = false
            """
        ),
        encoding="utf-8",
    )
    (root / "queue").mkdir()
    (root / "queue" / "t.toml").write_text(
        textwrap.dedent(THREAD.format(platform=platform)), encoding="utf-8"
    )
    return root


def left_in_doubt(root: Path, platform: str) -> None:
    """The first pass: part one lands, part two is in doubt, part three is not sent."""
    report = run(root, ManualClock(T0))
    assert [(r.post_id, r.state) for r in report.results] == [("t", "in_doubt")]
    row = rows(root)[("t", platform)]
    assert [(p.index, p.state) for p in row.parts] == [(0, "sent"), (1, "sending")]


def settle_and_continue(
    root: Path, platform: str, url: str, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person resolves part two with *url*; the next pass (the real CLI) sends part three;
    `status` is clean at the end."""
    monkeypatch.setenv("SOULPOST_NOW", LATER)
    done = cli("-C", root, "resolve", "t", "--platform", platform, "--published", url)
    assert done.code == 0, done.err
    assert "continues with part 3" in done.out
    assert done.out.strip().endswith(
        f"the next part replies to {rows(root)[('t', platform)].parts[1].remote_id}"
    )
    sent = cli("-C", root, "publish", "--due")
    assert sent.code == 0, sent.out + sent.err
    row = rows(root)[("t", platform)]
    assert row.state == "published"
    assert [p.state for p in row.parts] == ["sent", "sent", "sent"]
    assert row.parts[1].url == url
    status = cli("-C", root, "status")
    assert status.code == 0, status.out + status.err


@pytest.fixture
def bluesky_fake() -> Iterator[BlueskyFake]:
    with BlueskyFake() as fake:
        yield fake


def test_mastodon_thread_continues_as_a_reply_to_the_status_id(
    tmp_path: Path,
    mastodon_fake: MastodonFake,
    cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = mastodon_fake
    monkeypatch.setenv("SP_MASTODON_TOKEN", fake.token)
    root = workspace(
        tmp_path, "mastodon", f'base_url = "{fake.url}"', 'token = "SP_MASTODON_TOKEN"'
    )
    statuses = "/api/v1/statuses"
    fake.delay(0, method="POST", path=statuses)  # part one: answered as usual
    fake.hang(method="POST", path=statuses, processed=True)  # part two lands, no answer
    # the adapter's own repeat of the key, then the lookup's replay (twice): 500s
    fake.fail(500, {"error": "boom"}, method="POST", path=statuses, times=3)
    left_in_doubt(root, "mastodon")
    assert len(fake.received("POST", statuses)) == 5
    (two,) = [s for s in fake.statuses.values() if "Part two" in s["content"]]
    assert two["url"].endswith(f"/@soulpost/{two['id']}")  # what a person sees and copies

    settle_and_continue(root, "mastodon", two["url"], cli, monkeypatch)
    (three,) = [s for s in fake.statuses.values() if "Part three" in s["content"]]
    assert three["in_reply_to_id"] == two["id"]
    last = fake.received("POST", statuses)[-1]
    assert last.json is not None and last.json["in_reply_to_id"] == two["id"]
    assert rows(root)[("t", "mastodon")].parts[1].remote_id == two["id"]


def test_x_thread_continues_as_a_reply_to_the_post_id(
    tmp_path: Path, x_fake: XFake, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = x_fake
    monkeypatch.setenv("SP_X_TOKEN", fake.token)
    root = workspace(
        tmp_path, "x", f'base_url = "{fake.url}", username = "soulpost"', 'token = "SP_X_TOKEN"'
    )
    fake.delay(0, method="POST", path="/2/tweets")  # part one: answered as usual
    fake.hang(method="POST", path="/2/tweets", processed=True)  # part two lands, no answer
    fake.fail(503, method="GET", path="/2/users/", times=5)  # the lookup cannot tell
    left_in_doubt(root, "x")
    (two,) = [t for t in fake.tweets.values() if "Part two" in t["text"]]
    url = f"https://x.com/soulpost/status/{two['id']}"

    settle_and_continue(root, "x", url, cli, monkeypatch)
    last = fake.received("POST", "/2/tweets")[-1]
    assert last.json is not None and "Part three" in last.json["text"]
    assert last.json["reply"] == {"in_reply_to_tweet_id": two["id"]}
    assert rows(root)[("t", "x")].parts[1].remote_id == two["id"]


def test_bluesky_thread_continues_as_a_reply_to_the_records_at_uri(
    tmp_path: Path,
    bluesky_fake: BlueskyFake,
    cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = bluesky_fake
    monkeypatch.setenv("SP_BSKY_HANDLE", HANDLE)
    monkeypatch.setenv("SP_BSKY_PASSWORD", PASSWORD)
    root = workspace(
        tmp_path,
        "bluesky",
        f'base_url = "{fake.url}"',
        'handle = "SP_BSKY_HANDLE", password = "SP_BSKY_PASSWORD"',
    )
    create, get = r"createRecord", r"getRecord"
    fake.delay(0, method="POST", path=create)  # part one: answered as usual
    fake.hang(method="POST", path=create, processed=True)  # part two lands, no answer
    fake.fail(500, method="GET", path=get, times=2)  # the adapter's check and the lookup
    left_in_doubt(root, "bluesky")
    (one,) = [r for r in fake.records.values() if "Part one" in r["value"]["text"]]
    (two,) = [r for r in fake.records.values() if "Part two" in r["value"]["text"]]
    rkey = two["uri"].rsplit("/", 1)[1]
    url = f"https://bsky.app/profile/{HANDLE}/post/{rkey}"  # as the app shows it

    settle_and_continue(root, "bluesky", url, cli, monkeypatch)
    last = fake.received("POST", create)[-1]
    assert last.json is not None
    record = last.json["record"]
    assert "Part three" in record["text"]
    assert record["reply"] == {
        "root": {"uri": one["uri"], "cid": one["cid"]},
        "parent": {"uri": f"at://{DID}/app.bsky.feed.post/{rkey}", "cid": two["cid"]},
    }


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def test_a_url_that_does_not_tell_the_id_is_refused_until_remote_id_is_given(
    tmp_path: Path, server: LocalServer, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = post() + 'thread = ["part two", "part three"]\n'
    root = make_ws(tmp_path, server.url, {"t": thread}, read_timeout=0.3)
    server.push(Reply(200), Reply(hang=True))  # the webhook cannot look up: a person must
    assert run(root, ManualClock(T0)).results[0].state == "in_doubt"
    monkeypatch.setenv("SOULPOST_NOW", LATER)

    refused = cli("-C", root, "resolve", "t", "--platform", "hook", "--published", "https://x/2")
    assert refused.code == 2
    line = refused.err.strip()
    assert "\n" not in line and "Traceback" not in line
    assert re.search(r"t on hook: part 2 of 3 .*--remote-id", line), line
    assert "receiver answered" in line  # what the id looks like for a webhook
    before = rows(root)[("t", "hook")]
    assert before.state == "in_doubt" and before.parts[1].state == "sending"  # nothing written
    assert cli("-C", root, "status").code == 1  # still needs the person

    done = cli(
        "-C", root, "resolve", "t", "-p", "hook", "--published", "https://x/2",
        "--remote-id", "delivery-2",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert cli("-C", root, "publish", "--due").code == 0
    third = [r for r in server.received if r.body["payload"]["text"] == "part three"]
    assert len(third) == 1 and third[0].body["reply_to"] == "delivery-2"
    row = rows(root)[("t", "hook")]
    assert (row.parts[1].remote_id, row.parts[1].url) == ("delivery-2", "https://x/2")
    assert cli("-C", root, "status").code == 0


def test_the_last_part_or_a_single_post_needs_no_id(
    tmp_path: Path, server: LocalServer, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing replies to the last part: its URL is enough, as before."""
    thread = post() + 'thread = ["part two"]\n'
    solo = post(at="2026-12-01T09:05:00Z", text="Solo")
    root = make_ws(tmp_path, server.url, {"t": thread, "s": solo}, read_timeout=0.3)
    server.push(Reply(200), Reply(hang=True))
    run(root, ManualClock(T0))
    server.push(Reply(hang=True))
    run(root, ManualClock(T0 + timedelta(minutes=5)))
    assert {k: r.state for k, r in rows(root).items()} == {
        ("s", "hook"): "in_doubt",
        ("t", "hook"): "in_doubt",
    }
    monkeypatch.setenv("SOULPOST_NOW", LATER)
    for pid in ("t", "s"):
        done = cli("-C", root, "resolve", pid, "-p", "hook", "--published", f"https://x/{pid}")
        assert done.code == 0, done.err
        assert rows(root)[(pid, "hook")].state == "published"
    assert cli("-C", root, "status").code == 0


def test_remote_id_without_published_is_a_usage_error(
    tmp_path: Path, server: LocalServer, cli: Callable[..., Any]
) -> None:
    root = make_ws(tmp_path, server.url, {"t": post()})
    done = cli("-C", root, "resolve", "t", "-p", "hook", "--not-published", "--remote-id", "1")
    assert done.code == 2 and "--remote-id goes with --published" in done.err
