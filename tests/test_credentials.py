"""Credential presence, offline (issue 11 item 5): ``soulpost doctor`` without ``--online``
never calls a platform ok that cannot sign in, and ``soulpost lint`` and ``publish
--dry-run`` warn once per platform, naming it and the variable to set, instead of the real
pass failing at send time. Through the real CLI on workspaces in tmp_path; nothing is sent.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from soulpost.credentials import BUILTIN_NEEDS, missing
from soulpost.publish.registry import available, load

CLEAN = ("SP_X_TOKEN", "SP_MASTODON_TOKEN", "SP_BSKY_HANDLE", "SP_BSKY_PASSWORD")


@pytest.fixture(autouse=True)
def no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CLEAN:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOULPOST_NOW", "2026-12-01T09:00:00Z")


def make(root: Path, config: str, posts: dict[str, str]) -> Path:
    (root / "config.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    (root / "queue").mkdir()
    for name, body in posts.items():
        (root / "queue" / f"{name}.toml").write_text(textwrap.dedent(body), encoding="utf-8")
    return root


POST = 'text = "Notes from the workshop: what would you add?"\nplatforms = {platforms}\nat = {at}\n'


def x_only(root: Path) -> Path:
    """A post for X; [platforms.x] sets only an option, no credentials."""
    return make(
        root,
        """\
        timezone = "UTC"
        [platforms.x]
        options = { username = "soulpost" }
        [publish]
        lint_gate = false
        """,
        {"a": POST.format(platforms='["x"]', at="2026-12-01T08:30:00Z")},
    )


def test_doctor_offline_does_not_call_x_ok_without_credentials(cli: Any, tmp_path: Path) -> None:
    result = cli("doctor", cwd=x_only(tmp_path))
    assert result.code == 1, result.out
    assert "x (adapter x): PROBLEMS" in result.out
    assert 'env = { token = "VARIABLE" }' in result.out
    assert "consumer_key" in result.out


def test_doctor_offline_for_a_platform_only_a_post_names(cli: Any, tmp_path: Path) -> None:
    root = make(
        tmp_path,
        'timezone = "UTC"\n',
        {"a": POST.format(platforms='["bluesky"]', at="2026-12-01T10:00:00Z")},
    )
    result = cli("doctor", cwd=root)
    assert result.code == 1, result.out
    assert "bluesky (adapter bluesky): PROBLEMS" in result.out


def test_doctor_offline_is_ok_once_the_variable_is_set(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = x_only(tmp_path)
    config = (root / "config.toml").read_text("utf-8")
    config = config.replace("[platforms.x]\n", '[platforms.x]\nenv = { token = "SP_X_TOKEN" }\n')
    (root / "config.toml").write_text(config, encoding="utf-8")
    monkeypatch.setenv("SP_X_TOKEN", "a-token-value")
    result = cli("doctor", cwd=root)
    assert result.code == 0, result.out
    assert "a-token-value" not in result.out


TWO = """\
    timezone = "UTC"
    [platforms.x]
    env = { token = "SP_X_TOKEN" }
    [platforms.mastodon]
    options = { base_url = "https://example.social" }
    [platforms.box]
    adapter = "outbox"
    [publish]
    lint_gate = false
    """


def test_lint_warns_once_per_platform_naming_the_variable(cli: Any, tmp_path: Path) -> None:
    posts = {
        name: POST.format(platforms='["x", "mastodon", "box"]', at=f"2026-12-0{n}T10:00:00Z")
        for n, name in enumerate(("a", "b", "c"), start=2)
    }
    root = make(tmp_path, TWO, posts)
    result = cli("lint", cwd=root)
    err = result.err
    lines = [line for line in err.splitlines() if "warning" in line]
    assert len(lines) == 2, err
    (x_line,) = [line for line in lines if "x:" in line]
    assert "$SP_X_TOKEN is not set" in x_line
    (m_line,) = [line for line in lines if "mastodon:" in line]
    assert 'env = { token = "VARIABLE" } under [platforms.mastodon]' in m_line
    assert "SP_X_TOKEN" not in result.out  # findings unchanged
    assert result.code == 0  # a warning, not a failure


def test_lint_says_nothing_when_every_credential_is_there(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make(
        tmp_path,
        TWO.replace(
            'options = { base_url = "https://example.social" }',
            'env = { token = "SP_MASTODON_TOKEN" }',
        ),
        {"a": POST.format(platforms='["x", "mastodon"]', at="2026-12-02T10:00:00Z")},
    )
    monkeypatch.setenv("SP_X_TOKEN", "t1")
    monkeypatch.setenv("SP_MASTODON_TOKEN", "t2")
    result = cli("lint", cwd=root)
    assert "warning" not in result.err


def test_dry_run_warns_once_per_platform_it_would_send_to(cli: Any, tmp_path: Path) -> None:
    posts = {
        "a": POST.format(platforms='["x", "box"]', at="2026-12-01T08:40:00Z"),
        "b": POST.format(platforms='["x"]', at="2026-12-01T08:50:00Z").replace(
            "Notes", "More notes"
        ),
    }
    root = make(tmp_path, TWO, posts)
    result = cli("publish", "--due", "--dry-run", cwd=root)
    err = result.err
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert warnings == [
        "soulpost: warning: x: no credentials: $SP_X_TOKEN is not set; export it before publishing"
    ], err
    assert not (root / ".soulpost" / "outbox.jsonl").exists()


def test_the_table_matches_what_each_builtin_adapter_declares() -> None:
    """BUILTIN_NEEDS saves lint importing the adapters; it must say what they say."""
    for name in available():
        if name not in BUILTIN_NEEDS:
            continue
        cls = load(name)
        required = tuple(role for role, s in cls.env_roles.items() if s.required)
        declared = getattr(cls, "credential_sets", None) or (required,)
        assert BUILTIN_NEEDS[name] == tuple(declared), name
        for roles in BUILTIN_NEEDS[name]:
            assert set(roles) <= set(cls.env_roles), name
    builtins = {n for n in available() if load(n).__module__.startswith("soulpost.")}
    assert builtins <= set(BUILTIN_NEEDS)


def test_missing_names_unset_variables_before_unmapped_roles() -> None:
    env = {"consumer_key": "K", "token_issued": "WHEN"}
    gap = missing("x", env, BUILTIN_NEEDS["x"], environ={})
    assert gap is not None and gap.variables == ("K",)  # the issue date is no credential
    assert missing("x", {"token": "T"}, BUILTIN_NEEDS["x"], environ={"T": "v"}) is None
    gap = missing("x", {"consumer_key": "K"}, BUILTIN_NEEDS["x"], environ={"K": "v"})
    assert gap is not None and "consumer_secret" in gap.message


def test_a_half_configured_sign_in_is_called_incomplete() -> None:
    gap = missing("x", {"consumer_key": "K"}, BUILTIN_NEEDS["x"], environ={"K": "v"})
    assert gap is not None and gap.message.startswith(
        "x: incomplete credentials: run `soulpost login x`, or set "
    )
    gap = missing("x", {}, BUILTIN_NEEDS["x"], environ={})
    assert gap is not None and gap.message.startswith(
        "x: no credentials configured: run `soulpost login x`, or set "
    )


def test_a_token_from_soulpost_login_counts_as_credentials(tmp_path: Path) -> None:
    """The presence check asks the token store (issue 11): after `soulpost login x`, lint,
    `publish --dry-run` and doctor stop saying X has no credentials."""
    import os
    import subprocess
    import sys

    from soulpost.accounts.store import Record, Store

    root = tmp_path / "ws"
    (root / "queue").mkdir(parents=True)
    (root / "config.toml").write_text('timezone = "UTC"\n[platforms.x]\nadapter = "x"\n')
    (root / "queue" / "a.toml").write_text(
        'text = "A post. What do you think?"\nplatforms = ["x"]\nat = 2026-12-01T09:00:00Z\n'
    )

    def lint() -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SP_")}
        done = subprocess.run(
            [sys.executable, "-m", "soulpost", "-C", str(root), "lint"],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        return done.stderr

    assert "x: no credentials configured: run `soulpost login x`" in lint()
    store = Store()
    with store.locked():
        store.save(Record("x", "default", "x", access_token="stored-token-123"))
    said = lint()
    assert "no credentials" not in said and "stored-token-123" not in said
