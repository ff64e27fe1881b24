"""The site's Jinja environment: what it does per page, made cheaper, the pages the same.

**Escaping** ``{{ value }}`` outputs without a ``Markup`` per output.

With autoescape on, Jinja compiles every ``{{ value }}`` into ``escape(value)``, a name it
looks up in the compiled template's module namespace at run time, and joins what that
returns into the page (or into a macro's output, which it then marks safe as a whole).
MarkupSafe's ``escape`` is Python that builds a new ``Markup`` (another Python call) for
every result: on a 10,000-post site, about 470,000 calls and a fifth of the page writers'
time. Only the text of the result is ever used, so :func:`output_escape` returns the same
text as a plain ``str``: MarkupSafe's own replacements for text, ``__html__()`` for values
that are HTML already (``Markup``), and the text of anything else, escaped.

:class:`SiteTemplate` puts it into each template's namespace once the template is
compiled; everything else about compiling and rendering is Jinja's. If a later Jinja stops
looking ``escape`` up there, the pages stay right and are only slower.

**Globals as one dict.** Jinja gives each template a ``ChainMap`` over the environment's
globals, and every render copies it into the page's context key by key, in Python
(``ChainMap.__iter__`` and ``__getitem__``: two calls a key). :class:`SiteEnvironment`
makes each template's globals a plain dict (``make_globals``, Jinja's own hook), copied in
C. Jinja asks that globals not change once a template is loaded; the site sets its own
before it loads any.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jinja2 import Environment, Template

if TYPE_CHECKING:
    from collections.abc import Callable, MutableMapping
    from types import CodeType


def escape_text(s: str) -> str:
    """``str(markupsafe.escape(s))`` for a ``str``: the same five replacements, in the
    order MarkupSafe's pure-Python fallback makes them."""
    return (
        s.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def output_escape(s: Any) -> str:
    """The text ``markupsafe.escape(s)`` gives, as a plain ``str`` (see the module's
    docstring): a template output needs the text, not a ``Markup`` around it."""
    if type(s) is str:
        return escape_text(s)
    if hasattr(s, "__html__"):
        html = s.__html__()  # a Markup's is itself: no copy
        return html if isinstance(html, str) else str(html)
    return escape_text(str(s))


class SiteTemplate(Template):
    """A template whose outputs are escaped by :func:`output_escape`."""

    @classmethod
    def from_code(
        cls,
        environment: Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        # Every function of a compiled template (its root, blocks and macros) reads its
        # module's namespace, which is this dict.
        namespace = template.root_render_func.__globals__
        if "escape" in namespace:
            namespace["escape"] = output_escape
        return template


class SiteEnvironment(Environment):
    """An environment whose templates are :class:`SiteTemplate` and whose templates'
    globals are one dict each (see the module's docstring)."""

    template_class = SiteTemplate

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}
