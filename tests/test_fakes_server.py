"""The shared fake-server machinery: recording, parsing and scripted misbehaviour."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import requests

from tests.fakes.server import FakeServer, Request, Response


class Echo(FakeServer):
    """A minimal fake: POST /things creates a thing and echoes what it parsed."""

    name = "echo"

    def __init__(self) -> None:
        super().__init__()
        self.things: list[str] = []
        self.route("POST", r"/things", self._create)

    def _create(self, request: Request, _: re.Match[str]) -> Response:
        self.things.append(request.field("name") or str((request.json or {}).get("name")))
        return Response.json(201, {"n": len(self.things)})


@pytest.fixture
def echo() -> Iterator[Echo]:
    with Echo() as fake:
        yield fake


def test_records_json_form_and_multipart(echo: Echo) -> None:
    requests.post(f"{echo.url}/things?x=1", json={"name": "a"}, timeout=5)
    requests.post(
        f"{echo.url}/things", data=[("name", "b"), ("ids[]", "1"), ("ids[]", "2")], timeout=5
    )
    requests.post(
        f"{echo.url}/things",
        data={"name": "c"},
        files={"file": ("pic.png", b"\x89PNG-bytes", "image/png")},
        timeout=5,
    )
    first, second, third = echo.received("POST", "/things")
    assert first.json == {"name": "a"} and first.query == {"x": ["1"]}
    assert first.headers["content-type"] == "application/json"
    assert second.fields("ids[]") == ["1", "2"] and second.field("name") == "b"
    upload = third.file("file")
    assert upload is not None and upload.filename == "pic.png"
    assert upload.content_type == "image/png" and upload.data == b"\x89PNG-bytes"
    assert third.field("name") == "c"
    assert echo.things == ["a", "b", "c"]


def test_unknown_paths_and_methods(echo: Echo) -> None:
    assert requests.get(f"{echo.url}/nope", timeout=5).status_code == 404
    assert requests.get(f"{echo.url}/things", timeout=5).status_code == 405


def test_fail_next_n_matching_requests(echo: Echo) -> None:
    echo.fail(503, {"error": "down"}, headers={"Retry-After": "7"}, times=2, path="/things")
    answers = [requests.post(f"{echo.url}/things", json={"name": i}, timeout=5) for i in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 201]
    assert answers[0].headers["Retry-After"] == "7" and answers[0].json() == {"error": "down"}
    assert echo.things == ["2"]  # scripted answers did no work
    assert len(echo.received()) == 3  # but every request was recorded


def test_script_matches_method_and_path(echo: Echo) -> None:
    echo.fail(500, "boom", method="GET")
    assert requests.post(f"{echo.url}/things", json={"name": "a"}, timeout=5).status_code == 201
    answer = requests.get(f"{echo.url}/anything", timeout=5)
    assert answer.status_code == 500 and answer.text == "boom"


def test_delay(echo: Echo) -> None:
    echo.delay(0.3)
    with pytest.raises(requests.ReadTimeout):
        requests.post(f"{echo.url}/things", json={"name": "slow"}, timeout=(2, 0.1))
    started = time.monotonic()
    assert requests.post(f"{echo.url}/things", json={"name": "fast"}, timeout=5).ok
    assert time.monotonic() - started < 0.3


def test_hang_gives_a_read_timeout_and_does_no_work(echo: Echo) -> None:
    echo.hang()
    with pytest.raises(requests.ReadTimeout):
        requests.post(f"{echo.url}/things", json={"name": "lost"}, timeout=(2, 0.2))
    assert echo.things == []
    assert len(echo.received("POST")) == 1


def test_hang_after_processing_models_an_unknown_outcome(echo: Echo) -> None:
    echo.hang(processed=True)
    with pytest.raises(requests.ReadTimeout):
        requests.post(f"{echo.url}/things", json={"name": "done"}, timeout=(2, 0.2))
    assert echo.things == ["done"]  # it happened; the client just never heard


def test_drop(echo: Echo) -> None:
    echo.drop()
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{echo.url}/things", json={"name": "x"}, timeout=5)
    assert echo.things == []
    echo.drop(processed=True)
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{echo.url}/things", json={"name": "y"}, timeout=5)
    assert echo.things == ["y"]
    assert requests.post(f"{echo.url}/things", json={"name": "z"}, timeout=5).status_code == 201


def test_keep_alive_session_survives_scripts(echo: Echo) -> None:
    with requests.Session() as session:
        echo.fail(429, {"error": "slow down"})
        assert session.post(f"{echo.url}/things", json={"name": "a"}, timeout=5).status_code == 429
        assert session.post(f"{echo.url}/things", json={"name": "b"}, timeout=5).status_code == 201


def test_a_stopped_fake_refuses_connections() -> None:
    fake = Echo().start()
    url = fake.url
    fake.stop()
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{url}/things", json={}, timeout=2)
