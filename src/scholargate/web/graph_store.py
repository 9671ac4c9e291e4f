"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol
(https://www.w3.org/TR/sparql11-http-rdf-update/), indirect identification.

* ``GET``/``HEAD /store?graph=IRI`` — the graph, negotiated (Turtle first), 404 when the
  store holds no triple in it; ``?default`` — the default graph: the union of all
  graphs (the triples, each once).
* ``PUT ?graph=IRI`` — replace the graph with the body; ``POST ?graph=IRI`` — add the
  body to it; ``DELETE ?graph=IRI`` — remove it (404 when it holds nothing). 201 when a
  PUT or POST created the graph, 200 with the write's receipt otherwise.
* ``POST ?default`` — add to the contributed graph (where a write that names no graph
  lands); ``PUT``/``DELETE ?default`` are refused: the union of every graph cannot be
  replaced or deleted as one graph.
* ``POST /store`` — a new graph with the body, 201 with its ``Location``.
* Writes need a bearer token (``web/auth.py``), go through the strict parser
  (``services/writes/upload.py``: no DTD in RDF/XML, no JSON-LD context fetched, at
  most ``MAX_UPLOAD_TRIPLES`` triples) and the store's one write path (the shapes, the
  journal); a refused write changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, request, url_for
from flask.typing import ResponseReturnValue
from rdflib import URIRef

from ..errors import InputError
from ..formats import Format, by_name
from ..services.writes.delta import Delta
from ..services.writes.graphs import (
    Target,
    delete_delta,
    graph_exists,
    post_delta,
    put_delta,
    read_graph,
    target,
)
from ..services.writes.upload import parse_upload
from ..store import Store
from .context import get_store
from .export.dumps import dump_response
from .negotiate import choose
from .writes import Plan, write

bp = Blueprint("graph_store", __name__)

GRAPH_FORMATS: tuple[Format, ...] = tuple(by_name(n) for n in ("ttl", "nt", "jsonld", "rdf"))


def _target() -> Target:
    graphs = request.args.getlist("graph")
    if len(graphs) > 1:
        raise InputError(f"the request names {len(graphs)} graphs; name one: ?graph=<IRI>")
    return target(
        request.method, graph=graphs[0] if graphs else None, default="default" in request.args
    )


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def store() -> ResponseReturnValue:
    asked = _target()
    if request.method in ("GET", "HEAD"):
        graph = read_graph(get_store(), asked)
        fmt = choose(GRAPH_FORMATS)
        return dump_response(graph, fmt, filename="graph", disposition="inline", vary_accept=True)
    graph = asked.graph
    assert graph is not None  # target() gives a graph for every write
    if request.method == "DELETE":
        return write(_plan(graph, "DELETE", body=False))
    created: list[bool] = []  # told by the write, under its lock: the graph held nothing
    plan = _plan(graph, request.method, minted=asked.minted, created=created)
    response = write(plan, status=lambda: 201 if created[0] else 200)
    if response.status_code == 201:
        # indirect identification: the graph's address on this server
        response.headers["Location"] = url_for(
            "graph_store.store", graph=str(graph), _external=True
        )
    return response


def _plan(
    graph: URIRef,
    method: str,
    *,
    body: bool = True,
    minted: bool = False,
    created: list[bool] | None = None,
) -> Plan:
    """The write a PUT, POST or DELETE asks for, read once its token is checked;
    ``created`` is told whether the graph held nothing when the write ran."""

    def plan() -> tuple[list, str]:
        if not body:
            return [lambda store: delete_delta(store, graph)], f"DELETE <{graph}>"
        quads = parse_upload(
            request.get_data(cache=False),
            request.content_type or "",
            graph=graph,
            max_triples=int(current_app.config["MAX_UPLOAD_TRIPLES"]),
            root=Path(current_app.config["ROOT"]),
        )
        if not quads and minted:
            raise InputError("the body holds no triples: POST /store makes a graph from them")
        make = put_delta if method == "PUT" else post_delta

        def step(store: Store) -> Delta:
            if created is not None:
                created.append(not graph_exists(store, graph))
            return make(store, graph, quads)

        return [step], f"{method} <{graph}> ({len(quads)} triples)"

    return plan
