"""``/.well-known/``: the dataset's VoID description and the example queries, as RDF.

Both are negotiated over the graph formats of the one format table (Turtle first, then
JSON-LD, N-Triples and RDF/XML); ``?format=`` beats ``Accept``; nothing acceptable → 406.
Each is built once per store and format (``render/documents.py``'s
:class:`~scholargate.render.documents.RememberedGraph`), JSON-LD compacted with the
project's prefixes and the vocabularies the descriptions use.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for

from ..formats import Format
from ..namespaces import PREFIXES
from ..render.documents import RememberedGraph
from ..render.registry import formats_for
from ..services.description import EXTRA_PREFIXES, example_queries, void_description
from .context import get_store
from .negotiate import choose
from .releases import releases
from .respond import respond

bp = Blueprint("wellknown", __name__, url_prefix="/.well-known")

CANDIDATES: tuple[Format, ...] = formats_for(RememberedGraph)  # ttl first: the default
JSONLD_CONTEXT = {**PREFIXES, **EXTRA_PREFIXES}


@bp.get("/void")
def void() -> Response:
    """VoID and DCAT for the dataset: sizes, classes, graphs, licences, endpoint, dumps,
    and the latest release (``/releases``) when there is one."""
    fmt = choose(CANDIDATES)
    store, endpoint, root = get_store(), sparql_url(), request.url_root
    release = releases().latest()  # a release made since the last answer changes the key
    described = RememberedGraph(
        store,
        ("void", root, endpoint, release["version"] if release else None),
        lambda: void_description(store, root, sparql_endpoint=endpoint, release=release),
    )
    return respond(described, fmt, jsonld_context=JSONLD_CONTEXT)


@bp.get("/sparql-examples")
def sparql_examples() -> Response:
    """The example queries (``sh:SPARQLExecutable``) with labels in en, fa and tr."""
    fmt = choose(CANDIDATES)
    store = get_store()
    examples = RememberedGraph(store, ("sparql-examples",), lambda: example_queries(store))
    return respond(examples, fmt, jsonld_context=JSONLD_CONTEXT)


def sparql_url() -> str:
    """The absolute URL of the SPARQL endpoint: the app's ``/sparql`` route when it has
    one (built with url_for), else ``/sparql`` under this server's root."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule == "/sparql":
            return url_for(rule.endpoint, _external=True)
    return request.url_root + "sparql"
