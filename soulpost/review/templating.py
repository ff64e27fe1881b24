"""The site's Jinja environment: what it does per page, made cheaper, the pages the same.

**Escaping** ``{{ value }}`` outputs without a ``Markup`` per output.

With autoescape on, Jinja compiles every ``{{ value }}`` into ``escape(value)``, a name it
looks up in the compiled template's module namespace at run time, and joins what that
returns into the page (or into a macro's output, which it then marks safe as a whole).
MarkupSafe's ``escape`` is Python that builds a new ``Markup`` (another Python call) for
every result: on a 10,000-post site, about 470,000 calls and a fifth of the page writers'
time. Only the text of the result is ever used, so :func:`output_escape` returns the same
text as a plain ``str``: MarkupSafe's own replacements for text (its C loop when there is
one, :func:`escape_text`), a ``Markup`` as it is, ``__html__()`` for other values that
are HTML already, and the text of anything else, escaped.

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

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, Template
from markupsafe import Markup

if TYPE_CHECKING:
    from collections.abc import MutableMapping
    from types import CodeType


def python_escape(s: str) -> str:
    """``str(markupsafe.escape(s))`` for a ``str``: the same five replacements, in the
    order MarkupSafe's pure-Python fallback makes them."""
    return (
        s.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


# A text with every character MarkupSafe replaces, and some it leaves alone.
_PROBE = "a&b<c>d'e\"f é😀\n"


def _fastest_escape() -> Callable[[str], str]:
    """MarkupSafe's own replacement loop for a ``str`` (``_escape_inner``: C when its
    speedups are built), which ``markupsafe.escape`` runs before wrapping the text in a
    ``Markup``: five times faster than :func:`python_escape` on a page's short values. It
    is not public, so it is taken only when it is there and gives :func:`python_escape`'s
    text for a probe; otherwise :func:`python_escape` does the work."""
    import markupsafe

    inner: Any = getattr(markupsafe, "_escape_inner", None)
    try:
        same = callable(inner) and inner(_PROBE) == python_escape(_PROBE)
        if same and type(inner(_PROBE)) is str:
            return inner  # type: ignore[no-any-return]
    except Exception:  # a changed signature: the Python loop is right, if slower
        pass
    return python_escape


#: ``str(markupsafe.escape(s))`` for a ``str``.
escape_text = _fastest_escape()


def output_escape(s: Any) -> str:
    """The text ``markupsafe.escape(s)`` gives, as a plain ``str`` (see the module's
    docstring): a template output needs the text, not a ``Markup`` around it."""
    kind = type(s)
    if kind is str:
        return escape_text(s)
    if kind is Markup:  # HTML already; its __html__() is itself
        html: str = s
        return html
    if hasattr(s, "__html__"):
        made = s.__html__()
        return made if isinstance(made, str) else str(made)
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


def direct_macro(macro: Any, arity: int) -> Callable[..., Any]:
    """What calling the template macro *macro* with *arity* positional arguments gives,
    without Jinja's handling of the call.

    A macro is a :class:`jinja2.runtime.Macro` around the function Jinja compiled its body
    into. Its ``__call__`` matches the arguments against the macro's names, defaults,
    ``caller``, ``varargs`` and ``kwargs`` in Python before it calls that function, and
    wraps the text in a ``Markup`` when the macro autoescapes: for a site's macros, called
    with every argument in place, that was a third of rendering a calendar entry or a
    card's body. When the call would do nothing else (exactly *arity* names, no caller,
    no catch-alls, not async), this returns the compiled function itself, wrapped in a
    ``Markup`` as ``__call__`` would; otherwise the macro, called as usual. Jinja renders
    the text either way."""
    from jinja2.runtime import Macro

    func: Any = getattr(macro, "_func", None)
    environment = getattr(macro, "_environment", None)
    plain = (
        type(macro) is Macro
        and callable(func)
        and environment is not None
        and not environment.is_async
        and len(macro.arguments) == arity
        and not (macro.caller or macro.catch_kwargs or macro.catch_varargs)
        and not macro.explicit_caller
        and isinstance(getattr(macro, "_default_autoescape", None), bool)
    )
    if not plain:
        return macro  # type: ignore[no-any-return]
    if macro._default_autoescape:
        return lambda *args: Markup(func(*args))
    return func  # type: ignore[no-any-return]
