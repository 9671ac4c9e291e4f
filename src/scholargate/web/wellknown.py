"""``/.well-known/``: the dataset's VoID description and the example queries, as RDF.

Both are negotiated over the graph formats of the one format table (Turtle first, then
JSON-LD, N-Triples and RDF/XML); ``?format=`` beats ``Accept``; nothing acceptable → 406.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from rdflib import Graph

from ..formats import GRAPH_FORMATS, Format
from ..namespaces import PREFIXES
from ..services.description import (
    EXTRA_PREFIXES,
    example_queries,
    remembered,
    void_description,
)
from .context import get_store
from .negotiate import choose

bp = Blueprint("wellknown", __name__, url_prefix="/.well-known")

CANDIDATES: tuple[Format, ...] = GRAPH_FORMATS  # ttl first: the default


@bp.get("/void")
def void() -> Response:
    """VoID and DCAT for the dataset: sizes, classes, graphs, licences, endpoint, dumps."""
    fmt = choose(CANDIDATES)
    store, endpoint = get_store(), sparql_url()
    body = remembered(
        store,
        ("void", request.url_root, endpoint, fmt.name),
        lambda: serialize(void_description(store, request.url_root, sparql_endpoint=endpoint), fmt),
    )
    return rdf_response(body, fmt)


@bp.get("/sparql-examples")
def sparql_examples() -> Response:
    """The example queries (``sh:SPARQLExecutable``) with labels in en, fa and tr."""
    fmt = choose(CANDIDATES)
    store = get_store()
    body = remembered(
        store, ("sparql-examples", fmt.name), lambda: serialize(example_queries(store), fmt)
    )
    return rdf_response(body, fmt)


def sparql_url() -> str:
    """The absolute URL of the SPARQL endpoint: the app's ``/sparql`` route when it has
    one (built with url_for), else ``/sparql`` under this server's root."""
    from flask import url_for

    for rule in current_app.url_map.iter_rules():
        if rule.rule == "/sparql":
            return url_for(rule.endpoint, _external=True)
    return request.url_root + "sparql"


def serialize(graph: Graph, fmt: Format) -> bytes:
    """``graph`` as bytes in ``fmt``; JSON-LD compacted with the project's prefixes."""
    if fmt.name == "jsonld":
        context = {**PREFIXES, **EXTRA_PREFIXES}
        return graph.serialize(
            format="json-ld", context=context, auto_compact=True, encoding="utf-8"
        )
    return graph.serialize(format=fmt.rdflib or fmt.name, encoding="utf-8")


def rdf_response(body: bytes, fmt: Format) -> Response:
    """``body`` under ``fmt``'s own media type, negotiated (``Vary: Accept``)."""
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response
