"""The one table of renderers: which function writes which result type in which format.

Datasette's ``renderers`` are the model. A service returns a result (a
:class:`~scholargate.services.resources.Description`, a ``Listing``, ``Stats``, an RDF
``Document`` …); a renderer is a small function ``(result, fmt, context) -> Rendered``
registered for that result type and the names of the formats of ``scholargate.formats``
it writes. A route offers exactly the formats registered for the result types it
answers with, HTML included, so a format is never offered without a renderer, and a
renderer is never written twice for one (type, format)::

    @renderer(Listing, "html", "data-json")  # registration order: html is the default
    def listing(result: Listing, fmt: Format, context: Mapping[str, Any]) -> Rendered:
        ...

- :func:`formats_for` ``(*result_types)``: the formats a route offers, each type's in
  registration order, the types in the order given; the first is the default when a
  request has no ``Accept``. Register all of a type's formats in one module, the default
  first.
- :func:`render` ``(result, fmt, **context)``: the :class:`Rendered` answer: ``body``
  (bytes, str, or an iterable of bytes to stream), extra ``headers`` (``Link``,
  ``Content-Disposition`` …) and ``vary`` (the request headers the choice depended on).
  ``context`` is what the view parsed from the request that the result does not hold
  (the page language, the ``?lang=`` to keep in links …); a renderer takes what it needs.
- ``web/respond.py`` turns a :class:`Rendered` into a response: ``Content-Type`` from the
  format, then ``Vary`` and the headers.

Adding a route family's formats (what web/resources.py, web/browse.py and
web/wellknown.py did):

1. Move its page building (``render_template`` and its helpers) and its JSON/CSV/RDF
   writing into a render/ module named for the result it renders, one ``@renderer``
   function per result type (or per group of formats written the same way); read the
   request in the view and pass what the renderer needs as context. An rdflib ``Graph``
   already has a renderer in the graph formats (render/documents.py): a result whose
   RDF form is a graph registers those formats and returns ``render(graph, fmt)``.
2. Add that module to the import in :func:`_load` at the bottom of this file.
3. In the view: ``fmt = choose(formats_for(Result), suffix=ext)``, call one service, then
   ``return respond(result, fmt, lang=lang, ...)``; build the route's ``.<ext>`` rule
   from ``formats_for`` too, so the suffixes follow the table. When two formats need
   different services (a page, an RDF document), pick by ``fmt in formats_for(Type)``.
   A route whose ``.<ext>`` used to take any suffix (406 for one it does not offer)
   keeps that with ``negotiate.other_suffixes`` (web/compare.py).
4. Add the route to ``ROUTES`` in tests/test_renderers.py: it then checks that every
   offered format answers, by suffix and by ``Accept``, under its own Content-Type.

Renderers may use Flask's ``render_template`` and ``url_for`` (templates need them) but
never import web/, cli or the server (tests/test_layers.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..formats import Format, by_name


@dataclass(frozen=True)
class Rendered:
    """What a renderer writes: the body, extra headers, and the request headers the
    answer varies on (``Vary``; empty: no ``Vary`` header)."""

    body: bytes | str | Iterable[bytes]
    headers: Mapping[str, str] = field(default_factory=dict)
    vary: tuple[str, ...] = ("Accept",)


Renderer = Callable[[Any, Format, Mapping[str, Any]], Rendered]
R = TypeVar("R", bound=Renderer)


class DuplicateRendererError(Exception):
    """A second renderer for one (result type, format): a programming error, raised
    when the module registering it is imported."""


class Registry:
    """Result type → format name → (format, renderer), in registration order."""

    def __init__(self) -> None:
        self._table: dict[type, dict[str, tuple[Format, Renderer]]] = {}

    def renderer(self, result_type: type, *names: str) -> Callable[[R], R]:
        """Register the decorated function for ``result_type`` in the formats ``names``."""
        if not names:
            raise ValueError(f"a renderer for {result_type.__name__} names no format")
        formats = [by_name(name) for name in names]

        def register(function: R) -> R:
            table = self._table.setdefault(result_type, {})
            seen = [f.name for f in formats]
            taken = [n for n in seen if n in table] + [n for n in set(seen) if seen.count(n) > 1]
            if taken:
                raise DuplicateRendererError(
                    f"{result_type.__name__} already has a renderer for {', '.join(taken)}; "
                    f"{function.__module__}.{function.__qualname__} would be a second one"
                )
            for fmt in formats:
                table[fmt.name] = (fmt, function)
            return function

        return register

    def formats_for(self, *result_types: type) -> tuple[Format, ...]:
        """The formats a route answering with ``result_types`` offers (see the module)."""
        offered: dict[str, Format] = {}
        for result_type in result_types:
            own = [fmt for fmt, _ in self._entries(result_type).values()]
            if not own:
                raise LookupError(f"no renderer is registered for {result_type.__name__}")
            for fmt in own:
                if fmt.name in offered:
                    raise LookupError(
                        f"{fmt.name} is registered for more than one of "
                        f"{', '.join(t.__name__ for t in result_types)}: which one answers?"
                    )
                offered[fmt.name] = fmt
        return tuple(offered.values())

    def render(self, result: Any, fmt: Format, **context: Any) -> Rendered:
        """``result`` written in ``fmt`` by its registered renderer."""
        entry = self._entries(type(result)).get(fmt.name)
        if entry is None:
            raise LookupError(f"no renderer writes {type(result).__name__} as {fmt.name}")
        return entry[1](result, fmt, context)

    def registered(self) -> dict[type, tuple[Format, ...]]:
        """Every result type and the formats registered for it (for tests and docs)."""
        return {t: tuple(f for f, _ in entries.values()) for t, entries in self._table.items()}

    def _entries(self, result_type: type) -> dict[str, tuple[Format, Renderer]]:
        """The renderers of ``result_type``: its own first, then its bases' for the
        formats it does not have."""
        found: dict[str, tuple[Format, Renderer]] = {}
        for cls in result_type.__mro__:
            for name, entry in self._table.get(cls, {}).items():
                found.setdefault(name, entry)
        return found


RENDERERS = Registry()
renderer = RENDERERS.renderer


def formats_for(*result_types: type) -> tuple[Format, ...]:
    """:meth:`Registry.formats_for` of the one registry, its renderers loaded."""
    _load()
    return RENDERERS.formats_for(*result_types)


def render(result: Any, fmt: Format, **context: Any) -> Rendered:  # noqa: ANN401
    """:meth:`Registry.render` with the one registry, its renderers loaded."""
    _load()
    return RENDERERS.render(result, fmt, **context)


_loaded = False


def _load() -> None:
    """Import the modules that register renderers, once, on first use (they import
    ``renderer`` from here, so they cannot be imported at the top of this module).
    Add a route family's render module to this import. A render module must not call
    :func:`formats_for` or :func:`render` while it is being imported."""
    global _loaded
    if not _loaded:  # set after the import: another thread waits for it on the import lock
        from . import (  # noqa: F401
            comparison,
            documents,
            error_page,
            export,
            home,
            listing,
            query_page,
            releases,
            resource_page,
            search,
            stats,
        )

        _loaded = True
