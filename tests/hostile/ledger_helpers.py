"""Shared by the ledger/run/daemon hostile tests: a workspace publishing to a local
webhook server (or the outbox), run through the real CLI or :func:`run_pass`."""

from __future__ import annotations

import textwrap
from pathlib import Path

from soulpost.clock import ManualClock
from soulpost.ledger import Publication, open_ledger
from soulpost.publish.send import RetryPolicy
from soulpost.run import PassOptions, PassReport, run_pass


def make_ws(
    root: Path,
    url: str,
    posts: dict[str, str],
    *,
    publish: str = "",
    options: str = "",
    read_timeout: float = 0.5,
) -> Path:
    """A workspace with a webhook platform ``hook`` at *url* and an outbox ``box``."""
    opts = f'url = "{url}", read_timeout = {read_timeout}, connect_timeout = 0.5{options}'
    (root / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            timezone = "UTC"
            [platforms.hook]
            adapter = "webhook"
            options = {{ {opts} }}
            [platforms.box]
            adapter = "outbox"
            [publish]
            lint_gate = false
            {publish}
            """
        ),
        encoding="utf-8",
    )
    (root / "queue").mkdir(exist_ok=True)
    for name, body in posts.items():
        (root / "queue" / f"{name}.toml").write_text(textwrap.dedent(body), encoding="utf-8")
    return root


def post(at: str = "2026-12-01T09:00:00Z", platforms: str = '["hook"]', text: str = "Hi") -> str:
    return f'text = "{text}, what do you think?"\nplatforms = {platforms}\nat = {at}\n'


def run(root: Path, clock: ManualClock, **opts: object) -> PassReport:
    options = PassOptions(policy=RetryPolicy(), jitter=lambda: 0.0, **opts)  # type: ignore[arg-type]
    return run_pass(root, clock=clock, options=options, log=lambda line: None)


def rows(root: Path) -> dict[tuple[str, str], Publication]:
    ledger = open_ledger(root / ".soulpost", read_only=True)
    try:
        return {(p.post_id, p.platform): p for p in ledger.publications()}
    finally:
        ledger.close()
