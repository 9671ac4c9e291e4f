"""The SPARQL 1.1 Graph Store HTTP Protocol's operations, as deltas (issue 14).

``/store?graph=<IRI>`` names one named graph, ``/store?default`` the default graph, and
``/store`` alone the graph store itself. In ScholarGate every triple lives in a named
graph and the default graph is the union of them all, so:

==========================  ===============================================================
GET/HEAD ``?graph=G``       G (404 when G holds nothing)
GET/HEAD ``?default``       the union of every graph
PUT ``?graph=G``            G replaced: what G has removed, the upload added
POST ``?graph=G``           the upload merged into G
DELETE ``?graph=G``         everything G has removed (404 when G holds nothing)
POST ``?default``           the upload merged into the contributed graph
PUT/DELETE ``?default``     405: the union cannot be replaced or removed as one
POST ``/store``             the upload as a new graph, ``…/graph/contributed/<uuid>`` (201)
==========================  ===============================================================

Each write is a :class:`~.delta.Delta` computed from the store as it is, before anything
changes; the caller guards, journals and applies it. A graph "exists" while it holds a
triple: a quad store keeps no empty graphs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import uuid4

from rdflib import URIRef

from ...errors import InputError, MethodNotAllowedError, NotFoundError
from ...namespaces import CONTRIBUTED_GRAPH, CONTRIBUTED_GRAPHS
from ...store import Quad, Store
from ...terms import iri, is_iri, shown
from .delta import Delta, effective, quads_of

METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")
DEFAULT_GRAPH_METHODS = ("GET", "HEAD", "POST")
"""What ``?default`` takes: reading the union, and POST (merged into the contributed graph)."""


@dataclass(frozen=True)
class Target:
    """What one Graph Store request acts on.

    ``graph`` is the named graph read or written, or None for the default graph (the
    union, read only). ``minted`` is true for a POST to the graph store itself: ``graph``
    is then a new name, to answer with 201 and ``Location: <graph>``."""

    graph: URIRef | None
    minted: bool = False


def check_graph_iri(value: str) -> URIRef:
    """The ``?graph=`` value as a graph name: an absolute IRI ``terms`` accepts, or 400."""
    if not is_iri(value):
        raise InputError(
            f"?graph= must be an absolute IRI, such as <{CONTRIBUTED_GRAPH}>; got {shown(value)!r}",
            graph=shown(value),
        )
    return URIRef(value)


def target(method: str, *, graph: str | None, default: bool) -> Target:
    """What a request with ``method`` and its ``?graph=`` / ``?default`` parameters acts
    on. Both at once is a 400; neither is the graph store itself, which takes only POST;
    ``?default`` takes GET, HEAD and POST (405 otherwise, ``details["allow"]``)."""
    method = method.upper()
    if method not in METHODS:
        raise MethodNotAllowedError(
            f"the graph store does not take {shown(method, 20)}", allow=list(METHODS)
        )
    if graph is not None and default:
        raise InputError("name one graph: ?graph=<IRI> or ?default, not both")
    if graph is not None:
        return Target(check_graph_iri(graph))
    if default:
        if method not in DEFAULT_GRAPH_METHODS:
            raise MethodNotAllowedError(
                f"{method} ?default is refused: here the default graph is the union of "
                "every named graph, which cannot be replaced or removed as one; "
                f"{method} each graph with ?graph=<IRI> instead (POST ?default merges into "
                f"<{CONTRIBUTED_GRAPH}>)",
                allow=list(DEFAULT_GRAPH_METHODS),
            )
        return Target(CONTRIBUTED_GRAPH if method == "POST" else None)
    if method == "POST":
        return Target(new_graph_iri(), minted=True)
    raise InputError(
        f"{method} /store needs the graph it acts on: ?graph=<IRI> or ?default "
        "(only POST /store alone, which creates a new graph, names none)"
    )


def new_graph_iri() -> URIRef:
    """A new graph's name, ``https://w3id.org/scholargate/graph/contributed/<32 hex>``:
    under the project's namespace whatever host serves it, and writable by writers."""
    return CONTRIBUTED_GRAPHS[uuid4().hex]


def graph_exists(store: Store, graph: URIRef) -> bool:
    """Whether ``graph`` holds at least one triple."""
    return store.ask(f"ASK {{ GRAPH {iri(str(graph))} {{ ?s ?p ?o }} }}")


def read_graph(store: Store, request: Target) -> URIRef | None:
    """What a GET or HEAD returns: the named graph to dump, or None for the union of
    every graph (``export(store, fmt, out, graph=None)`` in a triple format). A named
    graph that holds nothing is a 404."""
    if request.graph is not None and not graph_exists(store, request.graph):
        raise _missing(request.graph)
    return request.graph


def put_delta(store: Store, graph: URIRef, quads: Iterable[Quad]) -> Delta:
    """PUT: ``graph`` replaced by ``quads`` — what it has and the upload lacks removed,
    what the upload brings and it lacks added."""
    new = _in(graph, quads)
    return effective(store, quads_of(graph, store.graph(graph)), new)


def post_delta(store: Store, graph: URIRef, quads: Iterable[Quad]) -> Delta:
    """POST: ``quads`` merged into ``graph``; only what it lacks is added (a second POST
    of the same ground triples adds nothing; blank nodes are new each time)."""
    return effective(store, (), _in(graph, quads))


def delete_delta(store: Store, graph: URIRef) -> Delta:
    """DELETE: every triple of ``graph`` removed; 404 when it holds nothing."""
    removed = frozenset(quads_of(graph, store.graph(graph)))
    if not removed:
        raise _missing(graph)
    return Delta(removed=removed)


def write_status(existed: bool, delta: Delta) -> int:
    """The status of a PUT or POST: 201 Created when the graph held nothing before
    (``graph_exists`` asked before the delta is applied) and now holds triples, else 204."""
    return 201 if not existed and delta.added else 204


def _in(graph: URIRef, quads: Iterable[Quad]) -> list[Quad]:
    listed = list(quads)
    stray = next((q[3] for q in listed if q[3] != graph), None)
    if stray is not None:
        raise ValueError(f"a quad of <{stray}> given for <{graph}>")
    return listed


def _missing(graph: URIRef) -> NotFoundError:
    return NotFoundError(
        f"there is no graph <{shown(str(graph))}>: it holds no triples", graph=str(graph)
    )
