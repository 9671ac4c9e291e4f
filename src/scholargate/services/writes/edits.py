"""What a range of journal entries changed, per graph (``scholargate export-edits``).

The entries' deltas are composed with :meth:`Delta.then` into one net delta (a triple
added and later removed again is in neither side), then cut by graph: for each graph
the range touched, the triples to add to it and the triples to remove from it. Applied
to the graph as it was before the range (the sources, and the earlier entries), they
give the graph as the range left it.

Methods (IRIs typed ``sg:Method`` in some graph) are summed up: *added* (a method
after the range and not before), *removed* (the reverse), *changed* (a method before
and after, with triples about it, as their subject, added or removed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce

from rdflib import RDF, BNode, URIRef
from rdflib.term import Node

from ...namespaces import SG
from ...store import Quad, Store
from ...terms import term
from .delta import Delta, effective
from .journal import Entry

Triple = tuple[Node, Node, Node]

_BATCH = 200  # subjects looked up per query


@dataclass(frozen=True)
class GraphEdits:
    """What the range did to one graph: the entries that touched it and the net triples
    added and removed (both empty when what it added it also took back)."""

    graph: URIRef
    entries: tuple[Entry, ...]
    added: frozenset[Triple]
    removed: frozenset[Triple]


@dataclass(frozen=True)
class Edits:
    """A range of entries: every graph they touched (by IRI) and the methods they made,
    changed and took away."""

    entries: tuple[Entry, ...]
    graphs: tuple[GraphEdits, ...]
    methods_added: tuple[URIRef, ...]
    methods_changed: tuple[URIRef, ...]
    methods_removed: tuple[URIRef, ...]


def net(entries: Iterable[Entry]) -> Delta:
    """The entries' deltas as one, in journal order."""
    return reduce(Delta.then, (entry.delta for entry in entries), Delta())


def catch_up(store: Store, entries: Iterable[Entry]) -> None:
    """Apply ``entries`` to ``store`` as a build replays them (each as far as it still
    applies): the graph before a range that starts after them."""
    for entry in entries:
        delta = effective(store, entry.delta.removed, entry.delta.added)
        store.change(delta.removed, delta.added)


def edits(entries: Sequence[Entry], before: Store) -> Edits:
    """What ``entries`` did, with ``before`` holding the graph as it was before them
    (read only to tell which IRIs were methods)."""
    total = net(entries)
    graphs = sorted({g for entry in entries for g in entry.delta.graphs}, key=str)
    per_graph = tuple(
        GraphEdits(
            graph,
            tuple(e for e in entries if graph in e.delta.graphs),
            _triples(total.added, graph),
            _triples(total.removed, graph),
        )
        for graph in graphs
    )
    added, changed, removed = _methods(total, before)
    return Edits(tuple(entries), per_graph, added, changed, removed)


def _triples(quads: frozenset[Quad], graph: URIRef) -> frozenset[Triple]:
    return frozenset((s, p, o) for s, p, o, g in quads if g == graph)


def _methods(
    total: Delta, before: Store
) -> tuple[tuple[URIRef, ...], tuple[URIRef, ...], tuple[URIRef, ...]]:
    subjects = {q[0] for q in total.added | total.removed if isinstance(q[0], URIRef)}
    was = _typed(before, subjects)  # (method, graph) before the range
    now = (was - _types(total.removed)) | _types(total.added)
    methods_before = {s for s, _g in was}
    methods_after = {s for s, _g in now}
    return (
        tuple(sorted(methods_after - methods_before, key=str)),
        tuple(sorted(methods_before & methods_after & subjects, key=str)),
        tuple(sorted(methods_before - methods_after, key=str)),
    )


def _types(quads: frozenset[Quad]) -> set[tuple[Node, Node]]:
    """(subject, graph) of the quads that type an IRI as a method."""
    return {
        (s, g)
        for s, p, o, g in quads
        if p == RDF.type and o == SG.Method and not isinstance(s, BNode)
    }


def _typed(store: Store, subjects: set[URIRef]) -> set[tuple[Node, Node]]:
    """(subject, graph) for each graph of ``store`` that types one of ``subjects`` as a
    method."""
    found: set[tuple[Node, Node]] = set()
    ordered = sorted(subjects, key=str)
    for start in range(0, len(ordered), _BATCH):
        values = " ".join(term(s) for s in ordered[start : start + _BATCH])
        rows = store.select(
            f"SELECT ?s ?g WHERE {{ VALUES ?s {{ {values} }} "
            f"GRAPH ?g {{ ?s {term(RDF.type)} {term(SG.Method)} }} }}"
        )
        found.update((row["s"], row["g"]) for row in rows)
    return found
