"""A remote store written out: one graph, the whole store as a dataset, or the union
of its graphs as triples, in any RDF format, leaving out the graphs ScholarGate keeps for
itself (``sgg:state``, ``sgg:journal``) and a server's own system graphs."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

import pyoxigraph as ox
from rdflib import URIRef

from ...errors import InputError
from ...formats import Format
from ...namespaces import PREFIXES, PRIVATE_GRAPHS
from ..conversion import native_format
from .answers import NQUADS, NTRIPLES, copy, expect, quads, triples, write_quads, write_triples
from .profiles import Profile
from .state import copy_data, not_private

if TYPE_CHECKING:
    from .store import RemoteStore

__all__ = ["dump", "every_quad"]

_EVERY_QUAD = "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } " + not_private("g") + " }"


def every_quad(profile: Profile) -> str:
    """A pattern that matches each quad of the store once (per graph holding it)."""
    if profile.system_graphs:  # every triple is in a named graph, some the server's
        return "GRAPH ?g { ?s ?p ?o }" + profile.hiding("?g") + " " + not_private("g")
    if profile.union == "native":
        return "GRAPH ?g { ?s ?p ?o } " + not_private("g")
    return _EVERY_QUAD


def dump(store: RemoteStore, fmt: Format, out: IO[bytes], graph: URIRef | None) -> None:
    """``store``'s graph ``graph`` (or all of it) written to ``out`` in ``fmt``."""
    if fmt.kind not in ("graph", "dataset"):
        raise InputError(f"{fmt.label} is not an RDF format")
    if graph is not None:
        _dump_graph(store, graph, fmt, out)
    elif fmt.holds_graphs:
        _dump_dataset(store, fmt, out)
    else:
        # A triple format for the whole store: the union of every graph (a triple
        # stated in two graphs may be written twice, which reads back as one).
        pattern = every_quad(store.profile)
        sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}"
        with store.endpoint.query(sparql, NTRIPLES, union=False, deadline=False) as response:
            expect(response, NTRIPLES)
            if fmt.name == "nt":
                copy(response, out)
            else:
                write_triples(triples(response), fmt, out)


def _dump_graph(store: RemoteStore, graph: URIRef, fmt: Format, out: IO[bytes]) -> None:
    response = store._graph(graph)
    if response is None:
        write_triples((), fmt, out)
        return
    with response:
        expect(response, NTRIPLES)
        if fmt.name == "nt":
            copy(response, out)
        elif fmt.holds_graphs:
            write_quads(triples(response), graph, fmt, out)  # keeps the graph's name
        else:
            write_triples(triples(response), fmt, out)


def _dump_dataset(store: RemoteStore, fmt: Format, out: IO[bytes]) -> None:
    endpoint = store.endpoint
    if endpoint.gsp_url is not None and store.profile.dataset_get:
        response = endpoint.get(None, NQUADS)
        assert response is not None
        with response:
            expect(response, NQUADS)
            if fmt.name == "nq":
                copy_data(response, out)
            else:
                private = {ox.NamedNode(str(g)) for g in PRIVATE_GRAPHS}
                kept = (q for q in quads(response) if q.graph_name not in private)
                ox.serialize(kept, out, native_format(fmt), prefixes=PREFIXES)
        return
    # Graph by graph: N-Quads and TriG documents may follow one another.
    for name in store.graph_names():
        response = store._graph(name)
        if response is None:
            continue
        with response:
            expect(response, NTRIPLES)
            write_quads(triples(response), name, fmt, out)
