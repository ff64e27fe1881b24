"""Images made fit to send (the ``images`` extra, Pillow): the GPS block is removed from what
is uploaded, an image over the platform's limit is scaled down until it fits, and the
workspace's own file is never changed. Checked through the real Mastodon adapter against its
fake on 127.0.0.1 (and the Facebook one, whose limit an option tightens), reading back the
bytes each fake received."""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from soulpost.clock import ManualClock
from soulpost.posts import build_post
from soulpost.publish import images
from soulpost.publish.adapters.facebook import FacebookAdapter
from soulpost.publish.adapters.mastodon import MastodonAdapter
from soulpost.publish.base import AdapterConfig, Rejected
from tests.fakes.mastodon import MastodonFake
from tests.test_adapter_facebook import PAGE, TOKEN, PageFake

pytest_plugins = ["tests.fakes.fixtures"]
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def photo(path: Path, size: tuple[int, int], *, gps: bool, noise: bool = False) -> bytes:
    """A JPEG like a phone's: camera make in EXIF and, with *gps*, where it was taken."""
    if noise:  # noise does not compress: a big file from few lines of code
        rng = random.Random(7)
        image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (120, 160, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        exif[images.GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 18.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    path.write_bytes(out.getvalue())
    return out.getvalue()


@pytest.fixture
def make(tmp_path: Path, mastodon_fake: MastodonFake) -> Callable[..., MastodonAdapter]:
    def build(**options: Any) -> MastodonAdapter:
        return MastodonAdapter(
            AdapterConfig(
                platform="mastodon",
                state_dir=tmp_path / ".soulpost",
                clock=ManualClock(T0),
                options={"base_url": mastodon_fake.url, "read_timeout": 5, **options},
                credentials={"token": "TOKEN"},
                environ={"TOKEN": mastodon_fake.token},
                root=tmp_path,
            )
        )

    return build


def uploaded(fake: MastodonFake) -> bytes:
    (upload,) = fake.received("POST", "/api/v2/media")
    part = upload.file("file")
    assert part is not None
    return part.data


def send(adapter: MastodonAdapter, path: str) -> None:
    data = {
        "id": "p",
        "text": "A photo",
        "platforms": ["mastodon"],
        "media": [{"path": path, "alt": "a"}],
    }
    post = build_post(data, Path("queue/p.toml"), {"platforms": {"mastodon"}})
    assert adapter.validate(post) == []
    adapter.publish(adapter.compose(post).parts[0], "k")


def test_location_is_removed_and_the_rest_kept(
    make: Any, mastodon_fake: MastodonFake, tmp_path: Path
) -> None:
    original = photo(tmp_path / "walk.jpg", (40, 30), gps=True)
    send(make(), "walk.jpg")
    sent = Image.open(io.BytesIO(uploaded(mastodon_fake)))
    assert images.GPS_IFD not in sent.getexif()
    assert sent.getexif()[0x010F] == "PhoneMaker"
    assert sent.size == (40, 30)
    assert (tmp_path / "walk.jpg").read_bytes() == original  # the workspace file is untouched


def test_a_photo_without_location_goes_out_byte_for_byte(
    make: Any, mastodon_fake: MastodonFake, tmp_path: Path
) -> None:
    original = photo(tmp_path / "plain.jpg", (40, 30), gps=False)
    send(make(), "plain.jpg")
    assert uploaded(mastodon_fake) == original


def facebook(tmp_path: Path, fake: PageFake, **options: Any) -> FacebookAdapter:
    return FacebookAdapter(
        AdapterConfig(
            platform="facebook",
            state_dir=tmp_path / ".soulpost",
            root=tmp_path,
            clock=ManualClock(T0),
            options={"base_url": fake.url, "page_id": PAGE, **options},
            credentials={"token": "FB_TOKEN"},
            environ={"FB_TOKEN": TOKEN},
        )
    )


def fb_post(path: str) -> Any:
    data = {
        "id": "p",
        "text": "A photo",
        "platforms": ["facebook"],
        "media": [{"path": path, "alt": "a"}],
    }
    return build_post(data, Path("queue/p.toml"), {"platforms": {"facebook"}})


def test_an_image_over_the_limit_is_shrunk_to_fit(tmp_path: Path) -> None:
    original = photo(tmp_path / "big.jpg", (900, 700), gps=True, noise=True)
    digest = hashlib.sha256(original).hexdigest()
    limit = 150_000
    assert len(original) > 3 * limit
    with PageFake() as fake:
        adapter = facebook(tmp_path, fake, max_image_bytes=limit)
        assert adapter.validate(fb_post("big.jpg")) == []
        adapter.publish(adapter.compose(fb_post("big.jpg")).parts[0], "k")
        (photo_sent,) = fake.photos.values()
    sent = photo_sent["bytes"]
    assert len(sent) <= limit
    shrunk = Image.open(io.BytesIO(sent))
    assert shrunk.width < 900 and shrunk.height < 700
    assert abs(shrunk.width / shrunk.height - 900 / 700) < 0.02  # the same proportions
    assert images.GPS_IFD not in shrunk.getexif()
    assert hashlib.sha256((tmp_path / "big.jpg").read_bytes()).hexdigest() == digest


def test_without_pillow_an_oversized_image_is_refused_with_the_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo(tmp_path / "big.jpg", (300, 300), gps=False, noise=True)
    monkeypatch.setattr(images, "available", lambda: False)
    with PageFake() as fake:
        adapter = facebook(tmp_path, fake, max_image_bytes=20_000)
        post = fb_post("big.jpg")
        assert any("accepts at most 20000" in p for p in adapter.validate(post))
        with pytest.raises(Rejected, match=r"install soulpost\[images\]"):
            adapter.publish(adapter.compose(post).parts[0], "k")
        assert fake.requests == []
