"""The site's Jinja environment (soulpost/review/templating.py): outputs escaped without a
Markup per output, globals as one dict; pages byte for byte what plain Jinja writes."""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from jinja2 import DictLoader, Environment, Undefined
from markupsafe import Markup, escape

from soulpost.review.site import environment
from soulpost.review.templating import (
    SiteEnvironment,
    direct_macro,
    escape_text,
    output_escape,
    python_escape,
)

ALPHABET = "ab <>&'\"\n\t;/=é😀\u200b\\{}%#"


class Html:
    """An object that says it is HTML, as Markup does, but is not a str."""

    def __init__(self, text: object) -> None:
        self.text = text

    def __html__(self) -> object:
        return self.text


class Text(str):
    """A str subclass that is not HTML."""


def samples() -> list[Any]:
    rng = random.Random(10)
    texts = ["".join(rng.choices(ALPHABET, k=rng.randrange(0, 30))) for _ in range(2000)]
    return [
        *texts,
        *(Markup(t) for t in texts[:200]),
        *(Text(t) for t in texts[:200]),
        Html("<b>x</b>"),
        Html(42),
        Undefined(),
        None,
        0,
        -3.5,
        True,
        ["<a>", "b&"],
        ("'", '"'),
        {"k": "<v>"},
    ]


def test_output_escape_is_markupsafes_text_for_every_kind_of_value() -> None:
    for value in samples():
        assert output_escape(value) == str(escape(value)), repr(value)
        assert type(output_escape(value)) in (str, Markup)


def test_escape_text_is_markupsafes_for_random_strings() -> None:
    """Both the loop in use (MarkupSafe's C one here) and the Python fallback."""
    rng = random.Random(11)
    for _ in range(5000):
        text = "".join(rng.choices(ALPHABET, k=rng.randrange(0, 60)))
        assert escape_text(text) == str(escape(text))
        assert python_escape(text) == str(escape(text))
        assert type(escape_text(text)) is str


def test_a_markup_output_is_the_markup_itself() -> None:
    html = Markup("<b>x</b> &amp;")
    assert output_escape(html) is html


# Templates that use every way an output reaches a page: extends and blocks, macros and
# their call blocks, filters and filter blocks, ``~``, ``{% set %}`` blocks, loops, include.
TEMPLATES = {
    "base.html": "<title>{% block title %}{{ title }}{% endblock %}</title>{% block main %}{% endblock %}",
    "page.html": (
        '{% extends "base.html" %}{% from "parts.html" import card, wrap %}'
        "{% block main %}{% set joined %}{{ a }}|{{ b }}{% endset %}{{ joined }}"
        "{{ a ~ b }}{{ a|upper }}{{ items|join(', ') }}{{ items|join(sep) }}"
        "{% for i in items %}<li>{{ i }}{{ loop.index }}</li>{% endfor %}"
        "{{ card(a, b) }}{% call wrap(b) %}[{{ a }}]{% endcall %}"
        "{% filter upper %}{{ a }}{% endfilter %}{{ missing }}{{ missing is defined }}{{ missing }}"
        "{{ safe }}{{ a|safe }}{{ a|e }}{{ n }}{{ n + 1 }}{{ none }}{{ html }}"
        '{% include "parts.html" %}{{ "<const>" }}{{ 3 }}{{ glob }}{{ range(2)|list }}'
        "{% endblock %}"
    ),
    "parts.html": (
        '{% macro card(x, y) %}<p title="{{ x }}">{{ y }}</p>{% endmacro %}'
        "{% macro wrap(x) %}<div>{{ x }}{{ caller() }}</div>{% endmacro %}<i>{{ a }}</i>"
    ),
}


def render_both(name: str, **values: Any) -> tuple[str, str]:
    plain = Environment(loader=DictLoader(TEMPLATES), autoescape=True)
    site = SiteEnvironment(loader=DictLoader(TEMPLATES), autoescape=True)
    for env in (plain, site):
        env.globals["glob"] = "<g>"
    return plain.get_template(name).render(**values), site.get_template(name).render(**values)


@pytest.mark.parametrize("seed", range(20))
def test_site_templates_render_what_markupsafe_escaping_renders(seed: int) -> None:
    rng = random.Random(seed)

    def text() -> str:
        return "".join(rng.choices(ALPHABET, k=rng.randrange(0, 20)))

    values = {
        "title": text(),
        "a": text(),
        "b": Markup(text()),
        "items": [text(), Markup(text()), rng.randrange(100)],
        "sep": text(),
        "safe": Markup("<em>" + text() + "</em>"),
        "n": rng.randrange(-5, 5),
        "none": None,
        "html": Html(text()),
    }
    plain, site = render_both("page.html", **values)
    assert site == plain
    assert "&lt;" in render_both("page.html", **{**values, "a": "<x>"})[1]


def test_the_site_environment_escapes_by_output_escape(tmp_path: Path) -> None:
    """Each compiled template of the site (packaged, or a workspace's own) escapes with
    output_escape, and a hostile value still comes out escaped."""
    (tmp_path / "index.html").write_text("{{ x }}", encoding="utf-8")
    env = environment(tmp_path)
    for name in ("post.html", "base.html", "_post_parts.html", "_entry.html", "index.html"):
        template = env.get_template(name)
        assert template.root_render_func.__globals__["escape"] is output_escape, name
        assert type(template.globals) is dict, name  # copied in C into each page's context
        assert template.globals["badge"] is env.globals["badge"], name
    hostile = "<script>alert('x')</script>&\""
    assert env.get_template("index.html").render(x=hostile) == str(escape(hostile))
    entry = env.get_template("_entry.html").module.entry  # type: ignore[attr-defined]
    view = SimpleNamespace(
        href="posts/a.html",
        time=SimpleNamespace(iso="<iso>", short="'s'"),
        short="<id>",
        meta=Markup("<span>kept</span>"),
    )
    assert str(entry(view, '"root/')) == (
        '<a class="entry" href="&#34;root/posts/a.html"><time datetime="&lt;iso&gt;">'
        '&#39;s&#39;</time> <span class="entry-id">&lt;id&gt;</span> <span>kept</span></a>'
    )


# Macros of every shape a workspace's own _post_parts.html or _entry.html may have.
MACROS = (
    '{% macro two(x, y) %}<p title="{{ x }}">{{ y }}</p>{% endmacro %}'
    "{% macro one(x) %}{{ x|upper }}{% endmacro %}"
    "{% macro default(x, y='<d>') %}{{ x }}{{ y }}{% endmacro %}"
    "{% macro rest(x) %}{{ x }}{{ varargs|join }}{{ kwargs }}{% endmacro %}"
    "{% macro called(x) %}{{ x }}{{ caller() if caller else '' }}{% endmacro %}"
)


@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize("name", ["two", "one", "default", "rest", "called"])
def test_a_macro_called_directly_gives_what_calling_it_gives(name: str, autoescape: bool) -> None:
    """direct_macro skips Jinja's argument handling only where it does nothing: the
    same text, and the same type (a Markup where the macro autoescapes, else a str)."""
    env = SiteEnvironment(loader=DictLoader({"m.html": MACROS}), autoescape=autoescape)
    macro = getattr(env.get_template("m.html").module, name)
    rng = random.Random(name)
    for _ in range(200):
        args = ["".join(rng.choices(ALPHABET, k=rng.randrange(0, 20))) for _ in range(2)]
        args[1] = Markup(args[1]) if rng.random() < 0.5 else args[1]
        arity = len(macro.arguments)
        direct = direct_macro(macro, arity)
        made, expected = direct(*args[:arity]), macro(*args[:arity])
        assert made == expected
        assert type(made) is type(expected)


def test_only_a_plain_call_skips_jinjas_argument_handling() -> None:
    """Defaults, catch-alls, a caller, or another number of arguments: the macro itself."""
    env = SiteEnvironment(loader=DictLoader({"m.html": MACROS}), autoescape=True)
    module = env.get_template("m.html").module
    assert direct_macro(module.two, 2) is not module.two
    raw = SiteEnvironment(loader=DictLoader({"m.html": MACROS})).get_template("m.html").module
    assert direct_macro(raw.two, 2) is raw.two._func  # no Markup: it does not escape
    assert direct_macro(module.two, 1) is module.two
    assert direct_macro(module.default, 1) is module.default
    assert direct_macro(module.rest, 1) is module.rest
    assert direct_macro(module.called, 1) is module.called
    assert direct_macro(len, 1) is len  # not a macro at all (a page's module may hold anything)
