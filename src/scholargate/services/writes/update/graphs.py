"""Graph management: CLEAR, DROP, CREATE, ADD, MOVE and COPY, in a store where every
triple is in a named graph and the default graph is their union.

* A graph exists while it holds triples: the store keeps no empty graph. So ``CREATE
  GRAPH <g>`` changes nothing (it fails, unless SILENT, when ``<g>`` already holds
  triples), and ``CLEAR``/``DROP GRAPH <g>``, or ``ADD``/``MOVE``/``COPY`` from ``<g>``,
  fail (404, unless SILENT) when ``<g>`` holds none — even right after a ``CREATE``
  in the same request.
* ``DEFAULT`` is the union: ``CLEAR DEFAULT``, ``CLEAR NAMED`` and ``CLEAR ALL`` (and
  ``DROP``) empty every graph; as a source, ``DEFAULT`` is every graph's triples; as the
  destination of ADD, MOVE or COPY, triples are written into the insert graph, as an
  INSERT without GRAPH is, and the destination that COPY and MOVE first empty is every
  graph.
* The source is read before anything is emptied, COPY never empties its source, and
  what MOVE and COPY write stays: ``COPY <g> TO DEFAULT`` leaves ``<g>`` as it was, the
  insert graph holding what ``<g>`` holds, and every other graph empty (the union is
  then ``<g>``'s triples, as the spec's default graph would be); ``MOVE <g> TO
  DEFAULT`` the same with ``<g>`` emptied; ``MOVE DEFAULT TO <g>`` leaves every triple
  in ``<g>`` alone. A source that is its destination changes nothing.

Deltas here are exact: the quads removed are read from the store, and a quad written
is added only when its graph lacks it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from ....errors import ConflictError, NotFoundError
from ....store import Quad, Store
from ....terms import iri
from ..delta import Delta
from .operation import MAX_QUADS, Budget, Operation, Triple

DEFAULT = "DEFAULT"
GraphRef = URIRef | str
"""A graph's IRI, or ``DEFAULT``, ``NAMED``, ``ALL``."""


def _named(ref: GraphRef) -> str:
    if isinstance(ref, URIRef):
        return f"<{ref}>"
    return str(ref)


def _missing(graph: URIRef, keyword: str) -> NotFoundError:
    return NotFoundError(
        f"{keyword}: no graph <{graph}> (a graph exists while it holds triples); "
        f"{keyword} SILENT does nothing instead",
        graph=str(graph),
    )


@dataclass(frozen=True, repr=False)
class ClearGraph(Operation):
    """``CLEAR`` or ``DROP``: a graph's triples removed, or every graph's."""

    keyword: str  # CLEAR or DROP
    target: GraphRef  # a graph, DEFAULT, NAMED or ALL
    silent: bool = False

    @property
    def summary(self) -> str:
        graph = "GRAPH " if isinstance(self.target, URIRef) else ""
        return f"{self.keyword}{' SILENT' if self.silent else ''} {graph}{_named(self.target)}"

    def delta(self, store: Store, *, insert_graph: URIRef, max_quads: int = MAX_QUADS) -> Delta:
        budget = Budget(max_quads, self.summary)
        if isinstance(self.target, URIRef):
            count = store.count(self.target)
            if not count:
                if self.silent:
                    return Delta()
                raise _missing(self.target, self.keyword)
            graphs = [self.target]
        else:
            count = store.count()
            graphs = store.graph_names()
        budget.check(count)
        removed: set[Quad] = set()
        for name in graphs:
            removed.update((s, p, o, name) for s, p, o in store.graph(name))
        return Delta(removed=frozenset(removed))


@dataclass(frozen=True, repr=False)
class CreateGraph(Operation):
    """``CREATE GRAPH``: nothing to write (no empty graph is kept); fails when the graph
    already holds triples, unless SILENT."""

    target: URIRef
    silent: bool = False

    @property
    def summary(self) -> str:
        return f"CREATE{' SILENT' if self.silent else ''} GRAPH <{self.target}>"

    def delta(self, store: Store, *, insert_graph: URIRef, max_quads: int = MAX_QUADS) -> Delta:
        if not self.silent and store.count(self.target):
            raise ConflictError(
                f"CREATE GRAPH: <{self.target}> already exists (it holds triples); "
                "CREATE SILENT does nothing instead",
                graph=str(self.target),
            )
        return Delta()


@dataclass(frozen=True, repr=False)
class Transfer(Operation):
    """``ADD``, ``MOVE`` or ``COPY`` from one graph (or DEFAULT) to another."""

    keyword: str  # ADD, MOVE or COPY
    source: GraphRef
    target: GraphRef
    silent: bool = False

    @property
    def summary(self) -> str:
        silent = " SILENT" if self.silent else ""
        return f"{self.keyword}{silent} {_named(self.source)} TO {_named(self.target)}"

    def delta(self, store: Store, *, insert_graph: URIRef, max_quads: int = MAX_QUADS) -> Delta:
        if self.source == self.target:
            return Delta()
        budget = Budget(max_quads, self.summary)
        contents: dict[URIRef, set[Triple]] = {}
        if isinstance(self.source, URIRef):
            count = store.count(self.source)
            if not count:
                if self.silent:
                    return Delta()
                raise _missing(self.source, self.keyword)
            budget.check_read(count)
            contents[self.source] = set(store.graph(self.source))
            moved = contents[self.source]
        else:
            budget.check_read(store.count())
            for name in store.graph_names():
                contents[name] = set(store.graph(name))
            moved = set().union(*contents.values())
        write = insert_graph if self.target == DEFAULT else self.target
        assert isinstance(write, URIRef)
        emptied: set[URIRef] = set()
        if self.keyword in ("COPY", "MOVE"):
            emptied |= self._every(store, self.target)
            if self.keyword == "COPY":
                emptied.discard(self.source)  # type: ignore[arg-type]  # COPY keeps it
        if self.keyword == "MOVE":
            emptied |= self._every(store, self.source)
        missing = [g for g in emptied if g not in contents]
        budget.check_read(sum(store.count(g) for g in missing) + sum(map(len, contents.values())))
        for name in missing:
            contents[name] = set(store.graph(name))
        if write in contents or not isinstance(self.source, URIRef):
            there = contents.get(write, set())  # every graph was read for DEFAULT
        else:
            there = self._shared(store, write)
        written = {(s, p, o, write) for s, p, o in moved}
        removed = {(s, p, o, g) for g in emptied for s, p, o in contents[g]} - written
        added = {(s, p, o, write) for s, p, o in moved - there}
        budget.check(len(removed) + len(added))
        return Delta(removed=frozenset(removed), added=frozenset(added))

    @staticmethod
    def _every(store: Store, ref: GraphRef) -> set[URIRef]:
        return {ref} if isinstance(ref, URIRef) else set(store.graph_names())

    def _shared(self, store: Store, write: URIRef) -> set[Triple]:
        """The source's triples that ``write`` holds already (the source is a graph)."""
        rows = store.select(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH {iri(str(self.source))} {{ ?s ?p ?o }} "
            f"GRAPH {iri(str(write))} {{ ?s ?p ?o }} }}"
        )
        return {(r["s"], r["p"], r["o"]) for r in rows}
