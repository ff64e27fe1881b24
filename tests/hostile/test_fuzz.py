"""Issue 12: a fuzz test of drafts and configs with a fixed budget.

Drafts and configs are generated from the real structure (every key a post or config.toml
may hold) with hostile values in its places: huge, infinite and negative numbers, strings
that look like durations or paths out of the workspace, dates at both ends of the
calendar with extreme offsets, tables and arrays where scalars belong, deep nesting and
unknown keys. Each example is written to a real workspace beside a known-good post and
goes through the real loader (:func:`load_workspace`), the planner and the linter.

What must hold: nothing but soulpost's own errors escapes; every error names a file, and
a key where it is about one; the good post still loads and is linted. The run is
derandomized (the same examples on every run) with a budget that keeps it to seconds.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from soulpost.errors import ConfigError, SoulpostError
from tests.hostile._ws import CONFIG, GOOD

NOW = datetime(2026, 12, 1, 9, 31, tzinfo=UTC)

offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
instants = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets),
    st.sampled_from(
        [
            datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=23, minutes=59))),
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59))),
            datetime(2026, 12, 1, 9, 30),
        ]
    ),
)
hostile_numbers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([10**300 % (2**63 - 1), -1, 0, 2**63 - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
)
hostile_strings = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "99999999999w",
            "-1s",
            "0s",
            "2h",
            "1e400",
            "../../etc/passwd",
            "/etc/passwd",
            "~/.ssh/id_rsa",
            "media/../../x.png",
            "\x00",
            "a" * 5000,
            "inf",
            "nan",
            "9999-12-31T23:59:59-23:59",
        ]
    ),
)
scalars = st.one_of(
    hostile_numbers, hostile_strings, st.booleans(), instants, st.dates(), st.times()
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3),
    ),
    max_leaves=8,
)


def deep(depth: int) -> Any:
    value: Any = 1
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


def maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the valid-ish value for a key, sometimes anything."""
    return st.one_of(valid, valid, values, st.integers(20, 60).map(deep))


media = st.fixed_dictionaries(
    {"path": maybe(st.sampled_from(["media/ok.png", "../out.png", "/etc/hosts", "~/x"]))},
    optional={"alt": maybe(st.text(max_size=20)), "extra": values},
)
parts = st.fixed_dictionaries(
    {"text": maybe(st.text(max_size=20))}, optional={"media": st.lists(media, max_size=2)}
)
drafts = st.fixed_dictionaries(
    {"text": maybe(st.text(max_size=40))},
    optional={
        "id": maybe(st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)),
        "platforms": maybe(st.just(["mastodon"])),
        "at": maybe(instants),
        "status": maybe(st.sampled_from(["draft", "approved"])),
        "tags": maybe(st.lists(st.text(max_size=8), max_size=3)),
        "media": maybe(st.lists(media, max_size=2)),
        "thread": maybe(st.lists(st.one_of(st.text(max_size=10), parts), max_size=2)),
        "variants": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "mastodon": st.fixed_dictionaries(
                        {},
                        optional={
                            "text": maybe(st.text(max_size=10)),
                            "media": st.lists(media, max_size=2),
                            "thread": st.lists(parts, max_size=2),
                        },
                    )
                },
            )
        ),
        "lint": maybe(
            st.fixed_dictionaries({}, optional={"ignore": st.lists(st.text(max_size=6))})
        ),
        "max_lateness": maybe(st.sampled_from(["2h", "30m", 3600, "7d"])),
        "unknown": values,
    },
)
durations = st.sampled_from(["1s", "30s", "2h", 5, 0.5])
configs = st.fixed_dictionaries(
    {},
    optional={
        "rescan": maybe(durations),
        "heartbeat": maybe(durations),
        "max_lateness": maybe(durations),
        "retry_delay": maybe(durations),
        "max_attempts": maybe(st.integers(1, 10)),
        "read_timeout": maybe(st.floats(0.1, 30)),
        "lookup_count": maybe(st.integers(1, 100)),
        "media_poll_interval": maybe(st.floats(0.1, 5)),
    },
)

RAW = [
    "tags = " + "[" * 500 + "]" * 500,
    "lint." + ".".join(["a"] * 2000) + " = 1",
    "[lint." + ".".join(["a"] * 990) + "]\nx = 1",
    "text = 'x'\nmax_lateness = inf",
    "text = 'x'\nat = 9999-12-31T23:59:59-23:59",
    "\udcff",
]


def _toml(data: dict[str, Any]) -> str | None:
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError, RecursionError):  # not representable in TOML: skip it
        return None


def _config_text(conf: dict[str, Any]) -> str:
    text = CONFIG
    options = {
        k: conf.pop(k)
        for k in list(conf)
        if k in ("read_timeout", "lookup_count", "media_poll_interval")
    }
    if options:
        inline = _toml({"options": options})
        if inline is not None:
            text = text.replace(
                "[publish]", f"[platforms.mastodon.options]\n{inline.split(chr(10), 1)[1]}[publish]"
            )
    extra = _toml(conf)
    return text + (extra or "")


def _check_errors(errors: list[Any], names: set[str]) -> None:
    for error in errors:
        assert isinstance(error, SoulpostError)
        assert error.path is not None, error
        assert error.path.name in names or error.path.name == "queue", error
        assert "could not be loaded" not in error.problem, error  # the catch-all: a bug
        error.render(None)


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    posts=st.lists(drafts, min_size=1, max_size=6),
    raw=st.lists(st.sampled_from(RAW), max_size=2),
    conf=st.one_of(st.just({}), configs),
)
def test_fuzzed_drafts_and_configs(
    posts: list[dict[str, Any]], raw: list[str], conf: dict[str, Any]
) -> None:
    from soulpost.lint.engine import lint_files
    from soulpost.plan import build_plan
    from soulpost.workspace import load_workspace, queue_files

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "config.toml").write_text(_config_text(dict(conf)), encoding="utf-8")
        queue = root / "queue"
        queue.mkdir()
        (queue / "good.toml").write_text(GOOD, encoding="utf-8")
        (root / "media").mkdir()
        (root / "media" / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        names = {"good.toml", "config.toml"}
        for i, data in enumerate(posts):
            text = _toml(data)
            if text is not None:
                (queue / f"f{i}.toml").write_text(text, encoding="utf-8")
                names.add(f"f{i}.toml")
        for i, text in enumerate(raw):
            (queue / f"r{i}.toml").write_text(text, encoding="utf-8", errors="surrogateescape")
            names.add(f"r{i}.toml")
        try:
            ws = load_workspace(root=root)
        except ConfigError as exc:
            assert conf, f"the fixed config was refused: {exc}"
            assert exc.path is not None and exc.path.name == "config.toml", exc
            exc.render(root)
            return
        _check_errors(ws.errors, names)
        assert "good" in {p.id for p in ws.posts}, [e.render(root) for e in ws.errors]
        build_plan(ws.posts, ws.settings, NOW)
        report = lint_files(
            queue_files(queue), ws.settings, now=NOW, root=root, config_path=ws.config_path
        )
        _check_errors(report.errors, names)
        assert report.posts == len(ws.posts)  # the good post among them
        event(f"{len(ws.errors)} broken file(s) beside {len(ws.posts)} post(s)")
