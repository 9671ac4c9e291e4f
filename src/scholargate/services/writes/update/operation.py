"""What every operation of an update request is: an :class:`Operation` that gives its
:class:`~..delta.Delta` against the store as it is now, and the pieces they share —
the quad budget and a template's instantiation for one solution."""

from __future__ import annotations

from abc import ABC, abstractmethod
from uuid import uuid4

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.term import Node

from ....errors import LimitExceededError
from ....store import Store
from ..delta import Delta

MAX_QUADS = 100_000
"""How many quads one operation's delta may remove and add together, by default."""

Pattern = tuple[Node, Node, Node, Node | None]
"""A template or data triple and its graph: an IRI, a variable, or None (no GRAPH)."""

Triple = tuple[Node, Node, Node]


class Operation(ABC):
    """One operation of an update request, read and checked, not yet applied."""

    summary: str
    """What it does, in a few words: ``INSERT DATA (3 triples)``, ``DROP GRAPH <g>``."""

    @abstractmethod
    def delta(self, store: Store, *, insert_graph: URIRef, max_quads: int = MAX_QUADS) -> Delta:
        """The quads this operation removes and adds when applied to ``store`` as it is
        now (an effective delta); triples without ``GRAPH`` are inserted into
        ``insert_graph``. Nothing is written. Raises ``LimitExceededError`` (413) past
        ``max_quads``, ``NotFoundError`` (404) or ``ConflictError`` (409) for a graph
        that is missing or already there (unless SILENT)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.summary}>"


class Budget:
    """Counts the quads of one delta while they are made, and stops past the limit
    before a huge set is built."""

    def __init__(self, max_quads: int, summary: str) -> None:
        self.max_quads = max_quads
        self.summary = summary

    def check(self, count: int) -> None:
        """Refuse a delta of more than ``max_quads`` quads (``count`` so far)."""
        if count > self.max_quads:
            raise self._refusal("changes")

    def check_read(self, count: int) -> None:
        """Refuse to read more than ``max_quads`` quads from the store to make the delta."""
        if count > self.max_quads:
            raise self._refusal("reads")

    def _refusal(self, verb: str) -> LimitExceededError:
        return LimitExceededError(
            f"{self.summary} {verb} more than {self.max_quads} quads, the most one "
            "operation may: split it (smaller data blocks, a narrower WHERE, or one graph "
            "at a time)",
            status=413,
            limit=self.max_quads,
        )


def instantiate(
    pattern: Pattern, row: dict[str, Node], fresh: dict[BNode, BNode] | None
) -> tuple[Triple, Node | None] | None:
    """A template triple and its graph for one solution (SPARQL 1.1 Update §3.1.3), or
    None when a variable is unbound or the result is not a valid triple (a literal
    subject, a blank node or literal as graph): such a triple is skipped. Blank nodes
    are replaced by the fresh ones in ``fresh``, minted on first use (inserts only)."""
    terms: list[Node | None] = []
    for node in pattern:
        if isinstance(node, Variable):
            node = row.get(str(node))
            if node is None:
                return None
        elif isinstance(node, BNode) and fresh is not None:
            node = fresh.setdefault(node, BNode(uuid4().hex))
        terms.append(node)
    s, p, o, g = terms
    if not isinstance(s, (URIRef, BNode)) or not isinstance(p, URIRef):
        return None
    if not isinstance(o, (URIRef, BNode, Literal)):
        return None
    if g is not None and not isinstance(g, URIRef):
        return None
    return (s, p, o), g


def fresh_blank(node: Node, minted: set[Node]) -> bool:
    """Whether ``node`` is a blank node this operation minted (new in the store)."""
    return isinstance(node, BNode) and node in minted


def count_quads(n: int) -> str:
    return f"{n} triple" + ("" if n == 1 else "s")
