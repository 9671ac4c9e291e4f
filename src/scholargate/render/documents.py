"""RDF documents in the graph formats (Turtle, JSON-LD, N-Triples, RDF/XML).

- :class:`Document`: the CONSTRUCT of a resource's RDF document (``/method/lora.ttl``),
  written by the store itself; JSON-LD compacted with the project prefixes it uses.
- an rdflib ``Graph``: serialised by rdflib; JSON-LD compacted with the context
  ``jsonld_context`` when the view gives one, else as rdflib writes it.
- :class:`RememberedGraph`: a graph the dataset says about itself (VoID, the example
  queries), built and serialised once per store, key and format until the data change.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, URIRef

from ..formats import GRAPH_FORMATS, Format
from ..namespaces import PREFIXES, bind_prefixes
from ..services.description import remembered
from ..store import Store
from .registry import Rendered, render, renderer

GRAPH_FORMAT_NAMES = tuple(f.name for f in GRAPH_FORMATS)  # ttl first: the default


@dataclass(frozen=True)
class Document:
    """A CONSTRUCT ``query`` whose answer in ``store`` is the document (a resource's
    statements, its aliases, what points at it, and labels: ``Resources.document_query``)."""

    store: Store
    query: str


@renderer(Document, *GRAPH_FORMAT_NAMES)
def document(result: Document, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    """The store writes Turtle, N-Triples and RDF/XML; JSON-LD goes through rdflib to be
    compacted with the project's prefixes that the document uses."""
    if fmt.name == "jsonld":
        graph = result.store.construct(result.query)
        bind_prefixes(graph)
        used = {p: ns for p, ns in PREFIXES.items() if _uses(graph, ns)}
        return Rendered(graph.serialize(format="json-ld", context=used, auto_compact=True))
    out = io.BytesIO()
    result.store.query_to(result.query, fmt, out)
    return Rendered(out.getvalue())


def _uses(graph: Graph, namespace: str) -> bool:
    """True when an IRI or datatype in ``graph`` lies in ``namespace``."""
    for triple in graph:
        for term in triple:
            iri = getattr(term, "datatype", None) or term
            if isinstance(iri, URIRef) and str(iri).startswith(namespace):
                return True
    return False


@renderer(Graph, *GRAPH_FORMAT_NAMES)
def graph(result: Graph, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    """``result`` as UTF-8 bytes in ``fmt``; JSON-LD compacted with ``jsonld_context``
    (a prefix → namespace mapping) when the context gives one."""
    return Rendered(serialize(result, fmt, jsonld_context=context.get("jsonld_context")))


def serialize(
    result: Graph, fmt: Format, *, jsonld_context: Mapping[str, str] | None = None
) -> bytes:
    if fmt.name == "jsonld" and jsonld_context is not None:
        return result.serialize(
            format="json-ld", context=dict(jsonld_context), auto_compact=True, encoding="utf-8"
        )
    return result.serialize(format=fmt.rdflib or fmt.name, encoding="utf-8")


@dataclass(frozen=True)
class RememberedGraph:
    """A graph ``build`` makes, remembered for ``store`` as bytes per format under
    ``(*key, format name)`` (``services.description.remembered``, forgotten after a
    write): the dataset's own descriptions are asked for often and change rarely."""

    store: Store
    key: tuple[Hashable, ...]
    build: Callable[[], Graph]


@renderer(RememberedGraph, *GRAPH_FORMAT_NAMES)
def remembered_graph(result: RememberedGraph, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    body = remembered(
        result.store,
        (*result.key, fmt.name),
        lambda: render(result.build(), fmt, **context).body,
    )
    return Rendered(body)
