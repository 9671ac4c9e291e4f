"""INSERT DATA and DELETE DATA: quads written out in the request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import uuid4

from rdflib import BNode, URIRef
from rdflib.term import Node

from ....store import Quad, Store
from ..delta import Delta, effective
from .lookups import holders
from .operation import MAX_QUADS, Budget, Operation, Pattern, count_quads


@dataclass(frozen=True, repr=False)
class InsertData(Operation):
    """``INSERT DATA``: each triple into its GRAPH, or into the insert graph. Blank
    nodes are new: one fresh node per label in the operation (the same label in two
    GRAPH blocks is one node)."""

    quads: Sequence[Pattern]

    @property
    def summary(self) -> str:
        return f"INSERT DATA ({count_quads(len(self.quads))})"

    def delta(self, store: Store, *, insert_graph: URIRef, max_quads: int = MAX_QUADS) -> Delta:
        budget = Budget(max_quads, self.summary)
        budget.check(len(self.quads))
        fresh: dict[BNode, BNode] = {}

        def new(node: Node) -> Node:
            if isinstance(node, BNode):
                return fresh.setdefault(node, BNode(uuid4().hex))
            return node

        added = {(new(s), p, new(o), insert_graph if g is None else g) for s, p, o, g in self.quads}
        return effective(store, (), added)


@dataclass(frozen=True, repr=False)
class DeleteData(Operation):
    """``DELETE DATA``: each triple from its GRAPH; one without GRAPH from every graph
    that holds it (the default graph is the union of them all)."""

    quads: Sequence[Pattern]

    @property
    def summary(self) -> str:
        return f"DELETE DATA ({count_quads(len(self.quads))})"

    def delta(self, store: Store, *, insert_graph: URIRef, max_quads: int = MAX_QUADS) -> Delta:
        budget = Budget(max_quads, self.summary)
        budget.check(len(self.quads))
        removed: set[Quad] = {(s, p, o, g) for s, p, o, g in self.quads if g is not None}
        everywhere = [(s, p, o) for s, p, o, g in self.quads if g is None]
        for (s, p, o), graphs in holders(store, everywhere).items():
            removed.update((s, p, o, g) for g in graphs)
            budget.check(len(removed))
        return effective(store, removed, ())
