"""Which named graphs hold a triple: what a delete without ``GRAPH`` removes (the triple
from every graph that holds it) and how a quad with a blank node is known to be there.

A triple of IRIs and literals is looked up by value (``VALUES``, 200 a query). A blank
node cannot be written into a query, so a triple with one is found by the rest of it:
every triple of the store with the same predicate and the same IRIs and literals, with
blank nodes where this one has them, is read and compared here. That reads more rows
than it keeps, but only for blank nodes, and never more than the store holds of that
shape.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, URIRef
from rdflib.term import Node

from ....store import Store
from ....terms import term

Triple = tuple[Node, Node, Node]

_BATCH = 200


def holders(store: Store, triples: Iterable[Triple]) -> dict[Triple, set[URIRef]]:
    """The named graphs that hold each of ``triples`` (an empty set: none does)."""
    found: dict[Triple, set[URIRef]] = {t: set() for t in triples}
    ground = [t for t in found if not _blank(t)]
    for start in range(0, len(ground), _BATCH):
        batch = ground[start : start + _BATCH]
        rows = " ".join(f"({i} {term(s)} {term(p)} {term(o)})" for i, (s, p, o) in enumerate(batch))
        answer = store.select(
            f"SELECT ?i ?g WHERE {{ VALUES (?i ?s ?p ?o) {{ {rows} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        )
        for row in answer:
            found[batch[int(row["i"])]].add(row["g"])  # type: ignore[arg-type, call-overload]
    _blank_holders(store, [t for t in found if _blank(t)], found)
    return found


def _blank_holders(store: Store, triples: list[Triple], found: dict[Triple, set[URIRef]]) -> None:
    """Fill ``found`` for triples with a blank node, read by their shape."""
    # each shape once, in the order met (terms of mixed kinds do not sort)
    both = list(dict.fromkeys(t[1] for t in triples if _blank(t[:1]) and _blank(t[2:])))
    subject = list(dict.fromkeys((t[1], t[2]) for t in triples if not _blank(t[2:])))
    obj = list(dict.fromkeys((t[0], t[1]) for t in triples if not _blank(t[:1])))
    for start in range(0, len(both), _BATCH):
        batch = both[start : start + _BATCH]
        rows = " ".join(f"({i} {term(p)})" for i, p in enumerate(batch))
        for row in store.select(
            f"SELECT ?i ?s ?o ?g WHERE {{ VALUES (?i ?p) {{ {rows} }} "
            "GRAPH ?g { ?s ?p ?o } FILTER(isBlank(?s) && isBlank(?o)) }"
        ):
            _found(found, (row["s"], batch[int(row["i"])], row["o"]), row["g"])  # type: ignore[call-overload]
    for start in range(0, len(subject), _BATCH):
        pairs = subject[start : start + _BATCH]
        rows = " ".join(f"({i} {term(p)} {term(o)})" for i, (p, o) in enumerate(pairs))
        for row in store.select(
            f"SELECT ?i ?s ?g WHERE {{ VALUES (?i ?p ?o) {{ {rows} }} "
            "GRAPH ?g { ?s ?p ?o } FILTER(isBlank(?s)) }"
        ):
            p, o = pairs[int(row["i"])]  # type: ignore[call-overload]
            _found(found, (row["s"], p, o), row["g"])
    for start in range(0, len(obj), _BATCH):
        pairs = obj[start : start + _BATCH]
        rows = " ".join(f"({i} {term(s)} {term(p)})" for i, (s, p) in enumerate(pairs))
        for row in store.select(
            f"SELECT ?i ?o ?g WHERE {{ VALUES (?i ?s ?p) {{ {rows} }} "
            "GRAPH ?g { ?s ?p ?o } FILTER(isBlank(?o)) }"
        ):
            s, p = pairs[int(row["i"])]  # type: ignore[call-overload]
            _found(found, (s, p, row["o"]), row["g"])


def _blank(terms: tuple[Node, ...]) -> bool:
    """Whether a triple, or a slice of one, holds a blank node (never the predicate)."""
    return any(isinstance(t, BNode) for t in terms)


def _found(found: dict[Triple, set[URIRef]], triple: Triple, graph: Node) -> None:
    holding = found.get(triple)
    if holding is not None and isinstance(graph, URIRef):
        holding.add(graph)
