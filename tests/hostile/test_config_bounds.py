"""Issue 12, item 8: every duration and number in config.toml and in a post has a range.
Out of it, the command stops with one line naming the file, the key and the allowed range
(exit 2); the daemon refuses such a config instead of spinning on a negative rescan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile._ws import CONFIG, assert_clean, make, soulpost

PUBLISH = [
    ("rescan", '"-1s"'),
    ("rescan", "0"),
    ("rescan", '"2h"'),
    ("rescan", "-inf"),
    ("heartbeat", '"-5s"'),
    ("heartbeat", '"0s"'),
    ("heartbeat", '"2d"'),
    ("heartbeat", "nan"),
    ("max_lateness", "-3600"),
    ("max_lateness", '"400d"'),
    ("max_lateness", f"{10**300}"),
    ("retry_delay", "-1"),
    ("retry_delay", '"2d"'),
    ("max_attempts", "0"),
    ("max_attempts", "1000"),
]


@pytest.mark.parametrize(("key", "value"), PUBLISH)
def test_publish_settings_out_of_range(tmp_path: Path, key: str, value: str) -> None:
    root = make(tmp_path, CONFIG + f"{key} = {value}\n")
    run = soulpost(root, "queue")
    assert_clean(run)
    assert run.code == 2, run.text
    assert run.err.count("\n") == 1, run.err  # one line
    assert "config.toml" in run.err and f"publish.{key}" in run.err, run.err


OPTIONS = [
    ("read_timeout", "-1"),
    ("read_timeout", "0"),
    ("read_timeout", "inf"),
    ("read_timeout", "1e9"),
    ("read_timeout", '"abc"'),
    ("connect_timeout", "-0.5"),
    ("media_poll_interval", "0"),
    ("media_poll_timeout", "1e12"),
    ("lookup_count", "0"),
    ("lookup_count", "2.5"),
    ("max_image_bytes", "-1"),
]


@pytest.mark.parametrize(("key", "value"), OPTIONS)
def test_adapter_options_out_of_range(tmp_path: Path, key: str, value: str) -> None:
    config = CONFIG.replace(
        'adapter = "outbox"', f'adapter = "outbox"\noptions = {{ {key} = {value} }}'
    )
    root = make(tmp_path, config)
    run = soulpost(root, "queue")
    assert_clean(run)
    assert run.code == 2, run.text
    assert "config.toml" in run.err and f"options.{key}" in run.err, run.err
    assert " from " in run.err and " to " in run.err, run.err  # the allowed range


def test_values_in_range_still_work(tmp_path: Path) -> None:
    config = CONFIG.replace(
        'adapter = "outbox"',
        'adapter = "outbox"\noptions = { read_timeout = 0.5, lookup_count = 20 }',
    )
    config += 'rescan = "0.2s"\nheartbeat = "30s"\nmax_lateness = "7d"\nretry_delay = 0\n'
    root = make(tmp_path, config)
    run = soulpost(root, "queue", "--json")
    assert run.code == 0, run.text
    assert [p["id"] for p in json.loads(run.out)["posts"]] == ["good"]


@pytest.mark.parametrize("setting", ['rescan = "-1s"', 'heartbeat = "-1s"', "rescan = 0"])
def test_daemon_refuses_a_config_that_would_spin(tmp_path: Path, setting: str) -> None:
    root = make(tmp_path, CONFIG + setting + "\n")
    run = soulpost(root, "daemon", timeout=30)  # a spinning daemon would time out here
    assert_clean(run)
    assert run.code == 2, run.text
    key = setting.split(" ", maxsplit=1)[0]
    assert f"publish.{key}" in run.err and "between" in run.err, run.err


@pytest.mark.parametrize("value", ["-3600", '"400d"', '"-1h"'])
def test_a_posts_max_lateness_out_of_range(tmp_path: Path, value: str) -> None:
    root = make(tmp_path)
    body = f'text = "Late: thoughts?"\nat = 2026-12-01T09:30:00\nmax_lateness = {value}\n'
    (root / "queue" / "bad.toml").write_text(body, encoding="utf-8")
    run = soulpost(root, "queue", "--json")
    assert_clean(run)
    assert run.code == 2 and "bad.toml:3: max_lateness" in run.err, run.text
    assert [p["id"] for p in json.loads(run.out)["posts"]] == ["good"]
