"""The numbers the descriptions give, measured on the store (triples per graph and in
all, entities, classes, properties), and what is remembered per store until
:func:`forget`: counting a large store takes seconds, so it is not done per request."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ...store import Store
from ...terms import iri as sparql_iri

T = TypeVar("T")

_GRAPH_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH %s { ?s ?p ?o } }"

# The default graph of a query is the union (RDF merge) of the named graphs, so a
# triple stated in two graphs counts once. This one scans the whole store.
_DISTINCT_TRIPLES = (
    "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
)

_CLASSES = """SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
WHERE { GRAPH ?g { ?s a ?class } } GROUP BY ?class"""

# Entities: the resources that have a type.
_ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?class } }"

_PROPERTIES = "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"


def as_int(node: Node | None) -> int:
    """A count read from a SELECT answer (0 when unbound)."""
    return int(node) if node is not None else 0  # type: ignore[call-overload]


def count_literal(value: int) -> Literal:
    """A count as the ``xsd:integer`` literal VoID and the Service Description give."""
    return Literal(value, datatype=XSD.integer)


@dataclass(frozen=True)
class Statistics:
    """The numbers VoID and the Service Description give, measured on one store."""

    graphs: dict[URIRef, int]  # triples per named graph
    triples: int  # distinct triples in the default graph (the union of the named graphs)
    entities: int  # resources that have a type
    classes: tuple[tuple[URIRef, int], ...]  # (class, instances)
    properties: tuple[URIRef, ...]  # every predicate in use


# What the descriptions measured or built for a store, kept while the store object lives
# and its state stays the same (its generation: a write, here or followed from the
# journal, moves it on). Counting a large store takes seconds (a DISTINCT over every
# triple), so it is not done per request.
_MEMO: WeakKeyDictionary[Store, dict[Hashable, Any]] = WeakKeyDictionary()
_GENERATION: WeakKeyDictionary[Store, int] = WeakKeyDictionary()
_MEMO_SIZE = 128


def remembered(store: Store, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s value for ``store`` and ``key``, computed once until :func:`forget`.

    Keep only immutable values here (numbers, tuples, bytes, frozen dataclasses).
    """
    if _GENERATION.get(store) != store.generation:
        _MEMO.pop(store, None)
        _GENERATION[store] = store.generation
    memo = _MEMO.setdefault(store, {})
    if key not in memo:
        if len(memo) >= _MEMO_SIZE:  # keys may hold a Host header: keep the memo bounded
            for old in [k for k in memo if k != "statistics"]:
                del memo[old]
        memo[key] = compute()
    return memo[key]


def forget(store: Store) -> None:
    """Drop everything remembered about ``store``: call it after a write."""
    _MEMO.pop(store, None)


forget_statistics = forget  # the name the statistics were first documented under


def statistics(store: Store) -> Statistics:
    """Triples per graph and in all, entities, classes and properties of ``store``.

    Measured on the store itself (the ``void:triples`` in the metadata graph may be a
    source's own count, made before the build completed the graph), once per store.
    """
    return remembered(store, "statistics", lambda: _measure(store))


def _measure(store: Store) -> Statistics:
    graphs = {}
    for name in store.graph_names():
        rows = store.select(_GRAPH_SIZE % sparql_iri(name))
        graphs[name] = as_int(rows[0]["n"]) if rows else 0
    triples = store.select(_DISTINCT_TRIPLES)
    entities = store.select(_ENTITIES)
    return Statistics(
        graphs=graphs,
        triples=as_int(triples[0]["n"]) if triples else 0,
        entities=as_int(entities[0]["n"]) if entities else 0,
        classes=tuple(
            sorted((URIRef(str(r["class"])), as_int(r["n"])) for r in store.select(_CLASSES))
        ),
        properties=tuple(sorted(URIRef(str(r["p"])) for r in store.select(_PROPERTIES))),
    )
