"""Issue 12, item 1: a draft can name no file outside the workspace. Every media path (the
post's, its thread's, its variants', its variants' threads') must resolve inside the
workspace after following links: otherwise a load error naming the file, key and line,
in every command, while the other posts still publish. The file is checked again when
its bytes are read, so a link swapped in after loading sends nothing either."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from soulpost.clock import ManualClock
from soulpost.posts import Post
from soulpost.publish.adapters.mastodon import MastodonAdapter
from soulpost.publish.base import AdapterConfig, Rejected
from tests.fakes.images import png
from tests.fakes.mastodon import MastodonFake
from tests.hostile._ws import CONFIG, check_all_commands, make, published, soulpost

pytest_plugins = ["tests.fakes.fixtures"]

SECRET = b"\x89PNG\r\n\x1a\nTOP-SECRET-BYTES-FROM-OUTSIDE"
HEAD = 'text = "Look at this: thoughts?"\nat = 2026-12-01T09:30:00\nstatus = "approved"\n'

WHERE = {
    "media": ("[[media]]\npath = '{p}'\nalt = 'x'\n", "media[0].path"),
    "thread": (
        "[[thread]]\ntext = 'two'\n[[thread.media]]\npath = '{p}'\nalt = 'x'\n",
        "thread[0].media[0].path",
    ),
    "variant": (
        "[[variants.mastodon.media]]\npath = '{p}'\nalt = 'x'\n",
        "variants.mastodon.media[0].path",
    ),
    "variant-thread": (
        "[[variants.mastodon.thread]]\ntext = 'two'\n"
        "[[variants.mastodon.thread.media]]\npath = '{p}'\nalt = 'x'\n",
        "variants.mastodon.thread[0].media[0].path",
    ),
}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the workspace holding a secret, and the workspace in ``ws/``."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.png").write_bytes(SECRET)
    (tmp_path / "ws").mkdir()
    return folder


def _paths(root: Path, outside: Path) -> dict[str, str]:
    (root / "media").mkdir(exist_ok=True)
    os.symlink(outside / "secret.png", root / "media" / "link.png")
    os.symlink(outside, root / "media" / "dirlink")
    return {
        "dotdot": "../outside/secret.png",
        "dotdot-inside": "media/../../outside/secret.png",
        "absolute": str(outside / "secret.png"),
        "tilde": "~/secret.png",
        "symlink": "media/link.png",
        "symlinked-folder": "media/dirlink/secret.png",
    }


KINDS = ["dotdot", "dotdot-inside", "absolute", "tilde", "symlink", "symlinked-folder"]


@pytest.mark.parametrize("where", sorted(WHERE))
@pytest.mark.parametrize("kind", KINDS)
def test_media_leading_out_is_a_load_error(
    tmp_path: Path, outside: Path, kind: str, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soulpost.workspace import load_workspace

    monkeypatch.setenv("HOME", str(outside))
    root = make(tmp_path / "ws")
    path = _paths(root, outside)[kind]
    body, key = WHERE[where]
    (root / "queue" / "bad.toml").write_text(HEAD + body.format(p=path), encoding="utf-8")
    ws = load_workspace(root=root)
    assert [p.id for p in ws.posts] == ["good"]
    (error,) = ws.errors
    assert error.path is not None and error.path.name == "bad.toml"
    assert error.key == key and error.line is not None
    assert "outside the workspace" in error.problem


@pytest.mark.parametrize(
    ("kind", "where"), [(k, "media") for k in KINDS] + [("dotdot", w) for w in sorted(WHERE)]
)
def test_every_command_names_the_file_and_key(
    tmp_path: Path, outside: Path, kind: str, where: str
) -> None:
    root = make(tmp_path / "ws")
    path = _paths(root, outside)[kind]
    body, key = WHERE[where]
    (root / "queue" / "bad.toml").write_text(HEAD + body.format(p=path), encoding="utf-8")
    env = {"HOME": str(outside)}
    check_all_commands(root, "bad.toml", key, env=env)
    queue = soulpost(root, "queue", extra_env=env)
    pattern = rf"bad\.toml:\d+: {re.escape(key)}: media file .* outside"
    assert re.search(pattern, queue.err), queue.err


def test_media_inside_the_workspace_still_loads(tmp_path: Path) -> None:
    root = make(tmp_path)
    (root / "media" / "sub").mkdir(parents=True)
    (root / "media" / "pic.png").write_bytes(png())
    os.symlink("../pic.png", root / "media" / "sub" / "alias.png")  # a link that stays inside
    body = "".join(
        f"[[media]]\npath = '{p}'\nalt = 'x'\n"
        for p in ("media/pic.png", str(root / "media" / "pic.png"), "media/sub/alias.png")
    )
    (root / "queue" / "fine.toml").write_text(HEAD + body, encoding="utf-8")
    run = soulpost(root, "queue", "--json")
    assert run.code == 0, run.text
    assert sorted(p["id"] for p in json.loads(run.out)["posts"]) == ["fine", "good"]


def _mastodon_config(url: str) -> str:
    return CONFIG.replace(
        'adapter = "outbox"',
        f'env = {{ token = "SP_TOKEN" }}\noptions = {{ base_url = "{url}", read_timeout = 5 }}',
    )


def test_no_outside_byte_reaches_a_real_upload(
    tmp_path: Path, outside: Path, mastodon_fake: MastodonFake
) -> None:
    root = make(tmp_path / "ws", _mastodon_config(mastodon_fake.url))
    (root / "media").mkdir()
    (root / "media" / "pic.png").write_bytes(png())
    os.symlink(outside / "secret.png", root / "media" / "link.png")
    queue = root / "queue"
    (queue / "inside.toml").write_text(HEAD + "[[media]]\npath = 'media/pic.png'\nalt = 'x'\n")
    (queue / "link.toml").write_text(HEAD + "[[media]]\npath = 'media/link.png'\nalt = 'x'\n")
    (queue / "up.toml").write_text(HEAD + "[[media]]\npath = '../outside/secret.png'\nalt = 'x'\n")
    run = soulpost(root, "publish", "--due", extra_env={"SP_TOKEN": "test-token"})
    assert "Traceback" not in run.text
    assert run.code == 1, run.text  # what a pass with load errors exits with
    assert "link.toml" in run.err and "up.toml" in run.err, run.err
    uploads = [r.file("file") for r in mastodon_fake.received("POST", "/api/v2/media")]
    assert [u.data for u in uploads if u is not None] == [png()]
    assert all(SECRET not in r.body for r in mastodon_fake.requests)
    assert len(mastodon_fake.received("POST", "/api/v1/statuses")) == 2  # good and inside


@pytest.fixture
def adapter(tmp_path: Path, mastodon_fake: MastodonFake) -> MastodonAdapter:
    return MastodonAdapter(
        AdapterConfig(
            platform="mastodon",
            state_dir=tmp_path / "ws" / ".soulpost",
            clock=ManualClock(datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),
            options={"base_url": mastodon_fake.url, "read_timeout": 2.0},
            credentials={"token": "SP_TOKEN"},
            environ={"SP_TOKEN": "test-token"},
            root=tmp_path / "ws",
        )
    )


Swap = Callable[[Path, Path], None]


def _swap_file(media: Path, outside: Path) -> None:
    (media / "pic.png").unlink()
    os.symlink(outside / "secret.png", media / "pic.png")


def _swap_folder(media: Path, outside: Path) -> None:
    (media / "pic.png").unlink()
    media.rmdir()
    (outside / "pic.png").write_bytes(SECRET)
    os.symlink(outside, media)


@pytest.mark.parametrize("swap", [_swap_file, _swap_folder], ids=["file", "folder"])
def test_a_link_swapped_in_after_loading_sends_nothing(
    tmp_path: Path,
    outside: Path,
    adapter: MastodonAdapter,
    mastodon_fake: MastodonFake,
    swap: Swap,
) -> None:
    media = tmp_path / "ws" / "media"
    media.mkdir()
    (media / "pic.png").write_bytes(png())
    post = Post.model_validate(
        {
            "id": "p",
            "text": "Look",
            "platforms": ["mastodon"],
            "media": [{"path": "media/pic.png", "alt": "x"}],
        }
    )
    composed = adapter.compose(post)
    swap(media, outside)
    with pytest.raises(Rejected, match="outside the workspace"):
        adapter.publish(composed.parts[0], "k1")
    assert mastodon_fake.requests == []


def test_a_fifo_as_media_is_refused_without_hanging(
    tmp_path: Path, adapter: MastodonAdapter, mastodon_fake: MastodonFake
) -> None:
    media = tmp_path / "ws" / "media"
    media.mkdir(parents=True)
    os.mkfifo(media / "pic.png")
    payload = {"text": "Look", "media": [{"path": "media/pic.png", "alt": "x"}]}
    with pytest.raises(Rejected, match="not a regular file"):
        adapter.publish(payload, "k1")
    assert mastodon_fake.requests == []


def test_published_good_post_beside_hostile_media(tmp_path: Path, outside: Path) -> None:
    root = make(tmp_path / "ws")
    (root / "queue" / "bad.toml").write_text(
        HEAD + "[[media]]\npath = '../outside/secret.png'\nalt = 'x'\n", encoding="utf-8"
    )
    soulpost(root, "publish", "--due")
    assert published(root) == ["good"]
