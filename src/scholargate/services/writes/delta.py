"""What a write does to the graph, before it does it: a :class:`Delta`, the quads
removed and the quads added, each in one named graph.

Every write (a SPARQL Update, a Graph Store request, a saved comparison) becomes a
delta first; the guard checks it, the journal records it, the store applies it. Deltas
here are *effective*: ``removed`` holds only quads the graph has, ``added`` only quads
it lacks (:func:`effective` makes them so), so that two of them compose with
:meth:`Delta.then` and a delta applied twice changes nothing the second time.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from ...errors import InputError
from ...namespaces import BASE
from ...store import Quad, Store
from ...terms import term

_BATCH = 200  # quads looked up per query


@dataclass(frozen=True)
class Delta:
    """Quads removed and quads added; an IRI of every graph it touches."""

    removed: frozenset[Quad] = field(default_factory=frozenset)
    added: frozenset[Quad] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.removed or self.added)

    def then(self, later: Delta) -> Delta:
        """This delta followed by ``later`` (both effective where they apply) as one."""
        return Delta(
            removed=(self.removed | (later.removed - self.added)) - later.added,
            added=(self.added - later.removed) | (later.added - self.removed),
        )

    def inverse(self) -> Delta:
        """The delta that undoes this one."""
        return Delta(removed=self.added, added=self.removed)

    @property
    def graphs(self) -> frozenset[URIRef]:
        """Every named graph the delta touches."""
        return frozenset(q[3] for q in self.removed | self.added)

    def nodes(self) -> frozenset[Node]:
        """The nodes the delta touches: subjects, and objects that are not literals."""
        found: set[Node] = set()
        for s, _p, o, _g in self.removed | self.added:
            found.add(s)
            if isinstance(o, (URIRef, BNode)):
                found.add(o)
        return frozenset(found)


GENID = BASE + ".well-known/genid/"  # skolem IRIs (RDF 1.1 Concepts, 3.5)


def skolemised(delta: Delta) -> Delta:
    """The delta with each blank node it adds replaced by a new skolem IRI (one per
    label), for a store that cannot name a blank node it holds (a SPARQL server); a
    delta that removes a triple with a blank node is refused (400): the server's blank
    nodes cannot be named in an update."""
    if any(_has_blank(q) for q in delta.removed):
        raise InputError(
            "this write removes triples with a blank node, which a SPARQL server store "
            "cannot name in an update; give the node an IRI, or make the change on the "
            "server directly"
        )
    if not any(_has_blank(q) for q in delta.added):
        return delta
    names: dict[BNode, URIRef] = {}

    def named(node: Node) -> Node:
        if not isinstance(node, BNode):
            return node
        if node not in names:
            names[node] = URIRef(GENID + secrets.token_hex(12))
        return names[node]

    added = frozenset((named(s), p, named(o), g) for s, p, o, g in delta.added)
    return Delta(removed=delta.removed, added=added)


def quads_of(name: URIRef, graph: Graph) -> Iterator[Quad]:
    """The triples of an rdflib graph as quads of the named graph ``name``."""
    for s, p, o in graph:
        yield (s, p, o, name)


def effective(store: Store, removed: Iterable[Quad], added: Iterable[Quad]) -> Delta:
    """The delta that removes ``removed`` and adds ``added`` from the graph as it is now:
    only quads the store holds are removed, only those it lacks are added (a quad in
    both is added: the later word wins). A blank node is never looked up: one in
    ``removed`` came from the store, one in ``added`` is new."""
    gone, new = set(removed), set(added)
    gone -= new
    present = _present(store, [q for q in gone | new if not _has_blank(q)])
    return Delta(
        removed=frozenset(q for q in gone if _has_blank(q) or q in present),
        added=frozenset(q for q in new if _has_blank(q) or q not in present),
    )


def _has_blank(quad: Quad) -> bool:
    return isinstance(quad[0], BNode) or isinstance(quad[2], BNode)


def _present(store: Store, quads: list[Quad]) -> set[Quad]:
    """Which of ``quads`` the store holds."""
    found: set[Quad] = set()
    for start in range(0, len(quads), _BATCH):
        batch = quads[start : start + _BATCH]
        rows = " ".join(f"({term(s)} {term(p)} {term(o)} {term(g)})" for s, p, o, g in batch)
        answer = store.select(
            f"SELECT ?s ?p ?o ?g WHERE {{ VALUES (?s ?p ?o ?g) {{ {rows} }} "
            "GRAPH ?g { ?s ?p ?o } }"
        )
        found.update((r["s"], r["p"], r["o"], r["g"]) for r in answer)  # type: ignore[misc]
    return found
