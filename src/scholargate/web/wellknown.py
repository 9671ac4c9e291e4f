"""``/.well-known/``: the dataset's VoID description and the example queries, as RDF.

Both are negotiated over the graph formats of the one format table (Turtle first, then
JSON-LD, N-Triples and RDF/XML); ``?format=`` beats ``Accept``; nothing acceptable → 406.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from rdflib import Graph

from ..formats import GRAPH_FORMATS, Format
from ..namespaces import PREFIXES
from ..services.description import EXTRA_PREFIXES, example_queries, void_description
from .context import get_store
from .negotiate import choose

bp = Blueprint("wellknown", __name__, url_prefix="/.well-known")

CANDIDATES: tuple[Format, ...] = GRAPH_FORMATS  # ttl first: the default


@bp.get("/void")
def void() -> Response:
    """VoID and DCAT for the dataset: sizes, classes, graphs, licences, endpoint, dumps."""
    fmt = choose(CANDIDATES)
    graph = void_description(get_store(), request.url_root, sparql_endpoint=sparql_url())
    return rdf_response(graph, fmt)


@bp.get("/sparql-examples")
def sparql_examples() -> Response:
    """The example queries (``sh:SPARQLExecutable``) with labels in en, fa and tr."""
    fmt = choose(CANDIDATES)
    return rdf_response(example_queries(get_store()), fmt)


def sparql_url() -> str:
    """The absolute URL of the SPARQL endpoint: the app's ``/sparql`` route when it has
    one (built with url_for), else ``/sparql`` under this server's root."""
    from flask import url_for

    for rule in current_app.url_map.iter_rules():
        if rule.rule == "/sparql":
            return url_for(rule.endpoint, _external=True)
    return request.url_root + "sparql"


def rdf_response(graph: Graph, fmt: Format) -> Response:
    """``graph`` serialised in ``fmt`` under that format's own media type."""
    if fmt.name == "jsonld":
        context = {**PREFIXES, **EXTRA_PREFIXES}
        body = graph.serialize(format="json-ld", context=context, auto_compact=True)
    else:
        body = graph.serialize(format=fmt.rdflib or fmt.name)
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response
