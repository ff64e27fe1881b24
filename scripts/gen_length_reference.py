"""Write tests/data/length_reference.json: the official counts of the length corpus.

Runs tests/reference/lengths.js under Node with twitter-text 3.1.0 from npm (what .ci/run
installs: ``npm install --prefix .ci/tools twitter-text@3.1.0``) over
tests/data/length_corpus.json. The suite checks soulpost against this file, and re-derives
it whenever Node and that package are there (tests/test_length_conformance.py).

    python scripts/gen_length_reference.py
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TWITTER_TEXT = ROOT / ".ci" / "tools" / "node_modules" / "twitter-text"


def official(texts_file: Path) -> dict[str, list[int]]:
    """``{"x": [...], "mastodon": [...]}`` for the texts in *texts_file*."""
    answer = subprocess.run(
        ["node", str(ROOT / "tests" / "reference" / "lengths.js"), str(TWITTER_TEXT)],
        stdin=texts_file.open("rb"),
        capture_output=True,
        check=True,
    )
    result: dict[str, list[int]] = json.loads(answer.stdout)
    return result


def main() -> None:
    corpus = ROOT / "tests" / "data" / "length_corpus.json"
    reference = official(corpus)
    version = json.loads((TWITTER_TEXT / "package.json").read_text("utf-8"))["version"]
    out = {"twitter-text": version, **reference}
    target = ROOT / "tests" / "data" / "length_reference.json"
    target.write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
