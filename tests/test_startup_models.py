"""The pydantic models a soulpost process builds before its work (issues 9 and 13).

Building a model (its core schema and validator) costs every process that imports it, each
one-draft lint and each publishing pass: the settings' rare sections (``[alerts]``,
``[evergreen]``, ``[[feeds]]``, a platform's ``[login]``) and the adapters' option bases
are built only when a run validates them. Each test runs the real command line in a fresh
interpreter, where nothing else has built them, and asks pydantic which are complete.
The errors of those sections are pinned here too: they must read as they did when the
models were built at import (their locations come through a nested ValidationError).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from soulpost.config import AlertSettings, EmailAlerts, FeedSettings
from soulpost.workspace import load_settings
from tests.conftest import Result

RARE = ("LoginSettings", "EvergreenSettings", "FeedSettings", "EmailAlerts", "AlertSettings")
OPTION_BASES = ("HttpOptions", "ApiOptions", "MediaOptions", "TokenOptions", "CardOptions")

# Runs soulpost's command line in-process, then prints which of the named models are built.
BUILT = """
import contextlib, io, json, sys
from soulpost.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
import soulpost.config as config
import soulpost.publish.options as options
models = {**{n: getattr(config, n) for n in %r}, **{n: getattr(options, n) for n in %r}}
print(json.dumps({"code": code, "built": sorted(n for n, m in models.items()
                                                 if m.__pydantic_complete__)}))
""" % (RARE, OPTION_BASES)  # noqa: UP031 (the snippet's own braces)


def built_after(root: Path, *args: str) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", BUILT, "-C", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.splitlines()[-1])
    return answer["code"], answer["built"]


def make(tmp_path: Path, config: str) -> Path:
    (tmp_path / "queue").mkdir()
    (tmp_path / "config.toml").write_text('timezone = "UTC"\n' + config, encoding="utf-8")
    (tmp_path / "queue" / "a.toml").write_text(
        'text = "A calm update. Replies welcome."\nplatforms = ["mastodon"]\n',
        encoding="utf-8",
    )
    return tmp_path


def test_a_lint_builds_no_rare_section_and_no_option_base(tmp_path: Path) -> None:
    root = make(tmp_path, '[platforms.mastodon]\nadapter = "outbox"\n')
    assert built_after(root, "lint", "--no-cache", "queue/a.toml") == (0, [])


def test_listing_the_adapters_builds_no_option_base(tmp_path: Path) -> None:
    root = make(tmp_path, "")
    code, built = built_after(root, "adapters")
    assert code == 0
    assert not set(built) & set(OPTION_BASES)


def test_a_section_that_is_there_is_validated_into_its_models(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        '[alerts]\non = ["failed"]\n[alerts.email]\nhost = "smtp.example.org"\n'
        'sender = "a@example.org"\nto = ["b@example.org"]\n'
        '[[feeds]]\nname = "blog"\nurl = "https://example.org/feed"\n',
    )
    settings, _ = load_settings(root)
    assert isinstance(settings.alerts, AlertSettings)
    assert isinstance(settings.alerts.email, EmailAlerts)
    assert settings.alerts.email.port == 587 and settings.alerts.on == ["failed"]
    assert [type(feed) for feed in settings.feeds] == [FeedSettings]
    assert settings.evergreen is None
    # What the lint cache keys its entries by: the same JSON as the models in place give.
    assert '"email":{"host":"smtp.example.org","port":587' in settings.model_dump_json()


def test_errors_inside_rare_sections_name_the_nested_key_and_line(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = make(
        tmp_path,
        '[[feeds]]\nname = "blog"\nurl = "https://example.org/feed"\n'
        '[[feeds]]\nname = "news"\nurl = 3\n',
    )
    done = cli("-C", str(root), "queue")
    assert done.code == 2
    assert "config.toml:7: feeds[1].url: " in done.err
    assert "Input should be a valid string" in done.err


def test_an_unknown_key_in_a_rare_section_is_named_with_its_line(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = make(tmp_path, '[platforms.mastodon.login]\nclient_id = "x"\nscope = ["a"]\n')
    done = cli("-C", str(root), "queue")
    assert done.code == 2
    assert done.err.endswith("config.toml:4: platforms.mastodon.login.scope: unknown key\n")


def test_a_rare_section_of_the_wrong_type_says_what_it_expects(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = make(tmp_path, 'evergreen = 5\nalerts = "on"\n')
    done = cli("-C", str(root), "queue")
    assert done.code == 2
    assert done.err.endswith(
        "config.toml:3: alerts: Input should be a valid dictionary or instance of "
        "AlertSettings (and 1 more problem(s)) (got 'on')\n"
    )


# In a fresh interpreter, as the command line runs it: which named tuples that importing
# dataclasses makes (inspect's, dis's, tokenize's) came through the kept code.
NAMED_TUPLES = """
import sys
assert "dataclasses" not in sys.modules and "inspect" not in sys.modules
from soulpost import codecache
codecache.install("probe")
kept = codecache._kept.codes.get("eval", {})
print(sum(text.startswith("lambda _cls,") for text in kept))
"""


def test_the_named_tuples_of_dataclasses_imports_come_from_the_kept_code(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pyc")
    done = subprocess.run(
        [sys.executable, "-S", "-c", NAMED_TUPLES],
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) >= 8  # FullArgSpec, Instruction, TokenInfo, Parameter...
