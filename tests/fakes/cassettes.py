"""Read the recorded (VCR.py) Mastodon and X interactions in shared/conformance.

The recordings are the ground truth the fakes and wire modules are compared with: request
bodies as the real clients sent them, and response status, headers and bodies as the real
servers answered.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tests.fakes.lexicon import CONFORMANCE

MASTODON = CONFORMANCE / "mastodon-py-cassettes"
TWEEPY = CONFORMANCE / "tweepy-cassettes"


@dataclass(frozen=True)
class Interaction:
    """One recorded request and its response."""

    method: str
    uri: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    headers: dict[str, str]  # lower-cased names, first value
    body: bytes

    def json(self) -> Any:
        """The response body as JSON."""
        return json.loads(self.body)


def _bytes(value: Any) -> bytes:
    if value is None:
        return b""
    data = value if isinstance(value, bytes) else str(value).encode("utf-8")
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def _headers(raw: dict[str, list[str]] | None) -> dict[str, str]:
    return {k.lower(): v[0] for k, v in (raw or {}).items() if v}


@cache
def load(path: Path) -> tuple[Interaction, ...]:
    """All interactions of one cassette file."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for item in doc["interactions"]:
        request, response = item["request"], item["response"]
        out.append(
            Interaction(
                method=request["method"],
                uri=request["uri"],
                request_headers=_headers(request.get("headers")),
                request_body=_bytes(request.get("body")),
                status=int(response["status"]["code"]),
                headers=_headers(response.get("headers")),
                body=_bytes(response["body"].get("string")),
            )
        )
    return tuple(out)


def mastodon(name: str) -> tuple[Interaction, ...]:
    """A Mastodon.py cassette by file stem, e.g. ``test_status_empty``."""
    return load(MASTODON / f"{name}.yaml")


def tweepy(name: str) -> tuple[Interaction, ...]:
    """A tweepy cassette by file stem."""
    return load(TWEEPY / f"{name}.yaml")


def every_mastodon() -> list[Interaction]:
    """Every interaction of every Mastodon cassette."""
    return [i for path in sorted(MASTODON.glob("*.yaml")) for i in load(path)]
