"""An adapter that lies or blows up is contained and classified (issue 12 item 14).

``publish`` returning None or something that is not a receipt, or raising SystemExit (or any
other BaseException), must not kill the publisher nor leave the row claimed: something may
have been sent, so it is an unknown outcome, settled by the adapter's lookup when it has one
and otherwise held in doubt for a person. The other posts of the pass still go out.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from soulpost.clock import ManualClock
from soulpost.ledger import open_ledger
from soulpost.publish import registry
from soulpost.publish.adapters.outbox import OutboxAdapter
from soulpost.publish.base import Adapter, Payload, Receipt
from soulpost.publish.send import RetryPolicy
from soulpost.run import PassOptions, PassReport, run_pass

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Lying(Adapter):
    """Answers ``publish`` with whatever ``behaviour`` says; cannot look anything up."""

    name = "lying"
    behaviour: ClassVar[Callable[[], Any]] = staticmethod(lambda: None)
    calls: ClassVar[list[str]] = []

    def publish(self, payload: Payload, key: str) -> Receipt:
        type(self).calls.append(key)
        return type(self).behaviour()  # type: ignore[no-any-return]


class LyingOutbox(OutboxAdapter):
    """Writes the outbox line, then returns None; its lookup reads the line back."""

    name = "lying-outbox"

    def publish(self, payload: Payload, key: str) -> Receipt:
        super().publish(payload, key)
        return None  # type: ignore[return-value]


class ExitingLookup(Lying):
    """Times out, then its lookup raises SystemExit."""

    name = "exiting-lookup"
    supports_lookup = True

    def lookup(self, key: str, payload: Payload) -> Receipt | None:
        raise SystemExit(3)


def workspace(root: Path, adapter: str) -> Path:
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.odd]
            adapter = "{adapter}"
            [platforms.box]
            adapter = "outbox"
            [publish]
            lint_gate = false
            """
        ),
        encoding="utf-8",
    )
    (root / "queue").mkdir()
    for name, platform in (("a", "odd"), ("b", "box")):
        (root / "queue" / f"{name}.toml").write_text(
            f'text = "Post {name}, what do you think?"\nplatforms = ["{platform}"]\n'
            "at = 2026-12-01T09:00:00Z\n",
            encoding="utf-8",
        )
    return root


def run(root: Path) -> PassReport:
    options = PassOptions(policy=RetryPolicy(), jitter=lambda: 0.0)
    return run_pass(root, clock=ManualClock(T0), options=options, log=lambda _: None)


def ledger_states(root: Path) -> dict[str, str]:
    ledger = open_ledger(root / ".soulpost", read_only=True)
    try:
        return {p.platform: p.state for p in ledger.publications()}
    finally:
        ledger.close()


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    for cls in (Lying, LyingOutbox, ExitingLookup):
        monkeypatch.setitem(registry._loaded, cls.name, cls)
    Lying.calls = []


def not_a_receipt() -> Any:
    return {"id": "123", "url": "https://example.org/123"}


def naive_time() -> Receipt:
    return Receipt("123", None, datetime(2026, 12, 1, 9, 0))


def empty_id() -> Receipt:
    return Receipt("", None, T0)


def exits() -> Receipt:
    raise SystemExit(0)


class Odd(BaseException):
    """A BaseException that is neither Exception nor one Python names."""


def odd() -> Receipt:
    raise Odd("odd")


@pytest.mark.parametrize(
    "behaviour",
    [lambda: None, not_a_receipt, naive_time, empty_id, exits, odd],
    ids=["none", "dict", "naive-time", "empty-id", "system-exit", "base-exception"],
)
def test_held_in_doubt_and_the_pass_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, behaviour: Callable[[], Any]
) -> None:
    monkeypatch.setattr(Lying, "behaviour", staticmethod(behaviour))
    root = workspace(tmp_path, "lying")
    report = run(root)
    assert sorted((r.platform, r.state) for r in report.results) == [
        ("box", "published"),
        ("odd", "in_doubt"),
    ]
    assert ledger_states(root) == {"odd": "in_doubt", "box": "published"}
    assert len(Lying.calls) == 1  # never re-sent blindly
    reason = next(r.reason for r in report.results if r.platform == "odd")
    assert reason and "lying" in reason


def test_a_lookup_settles_a_publish_that_returned_none(tmp_path: Path) -> None:
    root = workspace(tmp_path, "lying-outbox")
    report = run(root)
    assert sorted((r.platform, r.state) for r in report.results) == [
        ("box", "published"),
        ("odd", "published"),
    ]
    lines = (root / ".soulpost" / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2  # the lying adapter's post went out once, not again


def test_a_lookup_raising_system_exit_is_in_doubt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ExitingLookup, "behaviour", staticmethod(lambda: None))
    root = workspace(tmp_path, "exiting-lookup")
    report = run(root)
    assert sorted((r.platform, r.state) for r in report.results) == [
        ("box", "published"),
        ("odd", "in_doubt"),
    ]


def test_a_keyboard_interrupt_stops_the_pass_but_flags_the_post(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted() -> Receipt:
        raise KeyboardInterrupt

    monkeypatch.setattr(Lying, "behaviour", staticmethod(interrupted))
    root = workspace(tmp_path, "lying")
    with pytest.raises(KeyboardInterrupt):
        run(root)
    assert ledger_states(root).get("odd") == "in_doubt"
