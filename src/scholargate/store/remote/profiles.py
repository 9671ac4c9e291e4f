"""What one kind of SPARQL server needs: a server profile.

Servers that all claim SPARQL 1.1 still differ in ways the store must meet: how a
query is best POSTed, how to ask for the union of the named graphs as the default
graph (the :class:`~scholargate.store.Store` contract), how to list the named graphs
cheaply, whether a Graph Store GET without ``?graph`` answers the whole dataset, which
results format it writes to the standard, which graphs are its own, and which of its
answers are wrong and must be asked another way.

``auto`` picks a profile from the ``Server`` header of the server's first answer.
``oxigraph`` and ``virtuoso`` are tested against real servers (the Oxigraph server from
PyPI, Debian's Virtuoso 7.2.5: ``sparql_server`` in tests/conftest.py), each measured
difference named where the profile meets it. ``standard`` (form POSTs, every graph
listed) is for any other server and is tested on the Oxigraph server only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ...terms import iri

Union = Literal["parameter", "native", "list"]


@dataclass(frozen=True)
class Profile:
    """How to talk to one kind of server.

    ``form_post``: queries and updates go as HTML-form POSTs (``query=…``) rather than
    ``application/sparql-query`` bodies. ``union``: how the union of the named graphs
    becomes the default graph — a request ``parameter`` of the server's own, ``native``
    (the server's default graph already is the union), or a ``list`` of every named
    graph as ``default-graph-uri``. ``graph_names``: a SELECT of ``?g``.
    ``dataset_get``: a Graph Store GET of the store URL answers every quad as N-Quads.
    ``results_as``: the one results format the server writes to the standard (SPARQL
    XML for Virtuoso, whose TSV quotes IRIs as strings), asked for instead of any other
    and written again in the format wanted (empty: ask for the format wanted).
    ``system_graphs``: graphs of the server's own, never one of the store's (not listed,
    counted, dumped or in the union). ``data_blank_nodes``: ``INSERT DATA`` takes blank
    nodes (else data with them goes as ``INSERT { … } WHERE {}``). ``drop_all``: the
    server empties itself on ``DROP ALL`` (else each graph is dropped by name).
    ``ask_in_union``: the store's own ASK queries go without a dataset, on the
    server's own default graph. ``labels``: the server answers ``sg:label`` written
    out in standard SPARQL (``labels.py``) rightly; else a query calling it is refused.
    """

    name: str
    form_post: bool
    union: Union
    union_parameter: str = ""
    graph_names: str = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    dataset_get: bool = False
    results_as: str = ""
    system_graphs: tuple[str, ...] = ()
    data_blank_nodes: bool = True
    drop_all: bool = True
    ask_in_union: bool = False
    labels: bool = True

    def hiding(self, variable: str = "?g") -> str:
        """A FILTER that keeps the server's own graphs out of ``variable`` (or "")."""
        if not self.system_graphs:
            return ""
        listed = ", ".join(iri(g) for g in self.system_graphs)
        return f" FILTER({variable} NOT IN ({listed}))"


OXIGRAPH = Profile(
    "oxigraph",
    form_post=False,
    union="parameter",
    union_parameter="union-default-graph",
    graph_names="SELECT ?g WHERE { GRAPH ?g {} }",
    dataset_get=True,
)
_VIRTUOSO_GRAPHS = (
    # what a new Virtuoso 7.2 database holds before anything is loaded
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
VIRTUOSO = Profile(
    # Virtuoso 7.2 hangs on a POST of application/sparql-query. Its default graph is
    # the union of every graph, its own system graphs included: the store lists its
    # graphs (default-graph-uri) instead, so its reads never see the system graphs.
    "virtuoso",
    form_post=True,
    union="list",
    graph_names="SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o }"
    + "".join(f" FILTER(?g != {iri(g)})" for g in _VIRTUOSO_GRAPHS)
    + " }",
    results_as="application/sparql-results+xml",
    system_graphs=_VIRTUOSO_GRAPHS,
    data_blank_nodes=False,
    drop_all=False,  # Virtuoso 7.2 answers DROP ALL with 200 and drops nothing
    # Virtuoso 7.2 finds a pattern of constants in GRAPH <g> when a dataset is given
    # and <g> is not in it: ASK { GRAPH <g> { <s> <p> <o> } } is true for a graph that
    # does not exist. The store's ASKs (of its own IRIs) go on the whole server.
    ask_in_union=True,
    # Virtuoso 7.2 loses a label without a language tag (a person's foaf:name) when the
    # subject is already bound (by VALUES, a join), and drops language tags in MIN and
    # SAMPLE: sg:label written out gives wrong answers there, so it is refused.
    labels=False,
)
STANDARD = Profile("standard", form_post=True, union="list")

PROFILES: dict[str, Profile] = {p.name: p for p in (OXIGRAPH, VIRTUOSO, STANDARD)}


def profile_named(name: str) -> Profile:
    try:
        return PROFILES[name.lower()]
    except KeyError:
        choices = ", ".join(["auto", *PROFILES])
        raise ValueError(
            f"unknown SPARQL server profile {name!r}; choose one of: {choices}"
        ) from None


def detect(server_header: str | None) -> Profile:
    """The profile for a server that calls itself ``server_header``; ``standard`` when
    it is none the store knows."""
    header = (server_header or "").lower()
    if header.startswith("oxigraph"):
        return OXIGRAPH
    if "virtuoso" in header:
        return VIRTUOSO
    return STANDARD
