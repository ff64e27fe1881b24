"""The packaged site templates' compiled code, kept beside them (soulpost/review/
templatecache.py): used only for the packaged templates and only for the text it was
compiled from; a workspace's own templates are compiled from their text every run."""

from __future__ import annotations

import marshal
import sys
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader

from soulpost.review import templatecache
from soulpost.review.site import environment
from soulpost.review.sitewriter import TEMPLATES
from soulpost.review.templatecache import FORMAT, PackagedTemplateCache
from soulpost.review.templating import SiteEnvironment
from tests.conftest import count_calls

TAG = sys.implementation.cache_tag


@pytest.fixture(autouse=True)
def writes_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    """As Python does unless PYTHONDONTWRITEBYTECODE is set (as it is where the suite runs)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from their text from now on."""
    names: list[str] = []
    count_calls(
        monkeypatch, Environment, "compile", lambda env, source, name, *a: names.append(name)
    )
    return names


def test_the_packaged_templates_are_compiled_once_then_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = compiled(monkeypatch)
    first = environment(None, tmp_path)
    values = {"root": "<r>/", "generated": "g", "page": "index.html"}
    page = first.get_template("base.html").render(values)
    for name in TEMPLATES:
        first.get_template(name)
    assert sorted(set(names)) == sorted({*TEMPLATES, "_macros.html"} & set(names))
    assert {*TEMPLATES} <= set(names)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == sorted({f"{n}.{TAG}.jinja" for n in names})
    names.clear()
    second = environment(None, tmp_path)
    for name in TEMPLATES:
        second.get_template(name)
    assert names == []  # every one read from its file
    assert second.get_template("base.html").render(values) == page
    assert "&lt;r&gt;/static/site.css" in page


def test_a_workspace_template_is_never_read_from_nor_kept_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file in the cache that would answer for the workspace's post.html (planted with
    the key its text would have, were it packaged) is never read: the page is the
    workspace's text, compiled from it; nothing is written for it either."""
    own = tmp_path / "templates"
    own.mkdir()
    source = "WORKSPACE {{ 1 + 1 }}"
    (own / "post.html").write_text(source, encoding="utf-8")
    folder = tmp_path / "cache"
    env = environment(own, folder)
    cache = env.bytecode_cache
    assert isinstance(cache, PackagedTemplateCache)
    planted = env.compile("PLANTED", "post.html", str(own / "post.html"))
    fake = PackagedTemplateCache(own, folder)  # keys as if the workspace's were packaged
    bucket = fake.get_bucket(env, "post.html", str(own / "post.html"), source)
    bucket.code = planted
    fake.dump_bytecode(bucket)
    target = folder / f"post.html.{TAG}.jinja"
    before = target.read_bytes()
    assert before.startswith(FORMAT)
    names = compiled(monkeypatch)
    assert env.get_template("post.html").render() == "WORKSPACE 2"
    assert names == ["post.html"]
    assert target.read_bytes() == before
    assert not cache.packaged(str(own / "post.html"))
    assert cache.packaged(str(templatecache.PACKAGED / "post.html"))


def packaged_copy(tmp_path: Path, text: str) -> tuple[Path, Path]:
    """A folder standing in for the packaged templates, holding page.html, and a cache."""
    templates = tmp_path / "packaged"
    templates.mkdir(exist_ok=True)
    (templates / "page.html").write_text(text, encoding="utf-8")
    return templates, tmp_path / "cache"


def site_env(templates: Path, folder: Path, **options: Any) -> SiteEnvironment:
    return SiteEnvironment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        bytecode_cache=PackagedTemplateCache(templates, folder),
        **options,
    )


def test_a_changed_template_is_compiled_again_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates, folder = packaged_copy(tmp_path, "one {{ x }}")
    assert site_env(templates, folder).get_template("page.html").render(x="<") == "one &lt;"
    (templates / "page.html").write_text("two {{ x }}", encoding="utf-8")
    names = compiled(monkeypatch)
    assert site_env(templates, folder).get_template("page.html").render(x="<") == "two &lt;"
    assert names == ["page.html"]
    names.clear()
    assert site_env(templates, folder).get_template("page.html").render(x="<") == "two &lt;"
    assert names == []  # the new text's code was kept


def test_another_setting_does_not_use_the_code_kept_for_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates, folder = packaged_copy(tmp_path, "{% if x %}\n  a\n{% endif %}\n")
    assert site_env(templates, folder).get_template("page.html").render(x=1) == "\n  a\n"
    names = compiled(monkeypatch)
    trimmed = site_env(templates, folder, trim_blocks=True, lstrip_blocks=True)
    assert trimmed.get_template("page.html").render(x=1) == "  a\n"
    assert names == ["page.html"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: b"",
        lambda data: data.replace(FORMAT, b"soulpost-jinja-code 0\n"),  # another format
        lambda data: data[:-40] + b"\x00" * 40,  # code that is not code
        lambda data: data.split(b"\n", 2)[0] + b"\n" + b"0" * 64 + b"\n" + data.split(b"\n", 2)[2],
    ],
)
def test_a_damaged_or_stale_file_is_compiled_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: Any
) -> None:
    templates, folder = packaged_copy(tmp_path, "page {{ x }}")
    site_env(templates, folder).get_template("page.html")
    kept = folder / f"page.html.{TAG}.jinja"
    kept.write_bytes(damage(kept.read_bytes()))
    names = compiled(monkeypatch)
    assert site_env(templates, folder).get_template("page.html").render(x="&") == "page &amp;"
    assert names == ["page.html"]
    head, code = kept.read_bytes().split(b"\n", 2)[:2], kept.read_bytes().split(b"\n", 2)[2]
    assert head[0] + b"\n" == FORMAT
    assert type(marshal.loads(code)).__name__ == "code"  # written again, whole


def test_nothing_is_written_when_python_writes_no_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    templates, folder = packaged_copy(tmp_path, "page")
    assert site_env(templates, folder).get_template("page.html").render() == "page"
    assert not folder.exists()


def test_an_unwritable_cache_is_done_without(tmp_path: Path) -> None:
    templates, _ = packaged_copy(tmp_path, "page {{ x }}")
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    env = site_env(templates, blocked / "cache")
    assert env.get_template("page.html").render(x=1) == "page 1"


def test_the_default_folder_is_the_packaged_templates_pycache() -> None:
    folder = templatecache.default_folder()
    assert folder is not None
    assert folder.parent == templatecache.PACKAGED or sys.pycache_prefix is not None
