"""The site's cheaper autoescaping (soulpost/review/escaping.py) writes what MarkupSafe's
escape writes, for every kind of value a template outputs."""

from __future__ import annotations

from jinja2 import DictLoader, Environment, Undefined
from markupsafe import Markup, escape

from soulpost.review.escaping import SiteTemplate, output_escape
from soulpost.review.site import environment

HOSTILE = [
    "",
    "plain text",
    "<script>alert('x')</script>",
    "a \"quoted\" & <tagged> 'value'",
    "emoji 🎉 and CJK 漢字 < >",
    "\x00 control \x1b chars",
]


class _Html:
    def __html__(self) -> str:
        return "<b>already safe</b>"


class _Str(str):
    """A str subclass that is not Markup: it must be escaped like a str."""


def test_output_escape_is_markupsafe_escape_as_text() -> None:
    values: list[object] = [
        *HOSTILE,
        *(Markup(v) for v in HOSTILE),
        Markup("<em>safe</em>"),
        _Str("<i>sub</i>"),
        0,
        42,
        -7,
        3.5,
        True,
        None,
        _Html(),
        Undefined(),
        ["<a>", 1],
    ]
    for value in values:
        got = output_escape(value)
        assert str(got) == str(escape(value)), value
        assert isinstance(got, str)


TEMPLATES = {
    "base.html": "<title>{% block title %}{% endblock %}</title>{% block body %}{% endblock %}",
    "page.html": (
        '{% extends "base.html" %}{% from "parts.html" import item %}'
        "{% block title %}{{ title }}{% endblock %}"
        "{% block body %}{% for v in values %}{{ item(v) }}|{{ v ~ '<x>' }}|"
        "{{ v|upper }}|{{ [v, v]|join('<') }}{% endfor %}"
        "{% set captured %}{{ title }}&{% endset %}{{ captured }}{{ safe }}{{ n }}{% endblock %}"
    ),
    "parts.html": '{% macro item(v) %}<li data-v="{{ v }}">{{ v }}</li>{% endmacro %}',
}


def test_templates_render_the_same_bytes_with_the_cheaper_escape() -> None:
    plain = Environment(loader=DictLoader(TEMPLATES), autoescape=True)
    site = Environment(loader=DictLoader(TEMPLATES), autoescape=True)
    site.template_class = SiteTemplate
    context = {"title": "<T&'>", "values": HOSTILE, "safe": Markup("<hr>"), "n": 5}
    expected = plain.get_template("page.html").render(**context)
    assert site.get_template("page.html").render(**context) == expected
    assert "&lt;script&gt;" in expected and "<script>" not in expected


def test_the_site_environment_uses_it_in_pages_and_macros() -> None:
    env = environment(None)
    page = env.get_template("post.html")
    assert page.root_render_func.__globals__["escape"] is output_escape
    parts = env.get_template("_post_parts.html").module
    assert parts.head._func.__globals__["escape"] is output_escape
