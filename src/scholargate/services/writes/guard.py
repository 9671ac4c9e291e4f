"""The guard: a write's delta checked against the shapes for the nodes it touches.

Only the touched nodes are validated (the shapes compiled once with a placeholder for
the focus nodes, ``validation.run.validate_nodes``), on the graph as it would be after
the write: the writer has applied the delta to its own copy, and takes it back if the
guard refuses. A write is refused for what *it* breaks: a result that blocks after the
write but was already there before (an imported method already missing a field) does
not refuse an unrelated correction.

Touched nodes: every subject of the delta; an object where a shape targets the
objects of its predicate (``sh:targetObjectsOf``: an alias, a foundational work) — a
class, a scheme or a person a new method merely names is not changed by it, and
checking such popular nodes cost most of a write in memory; and, when a node's
``rdf:type`` changes, the nodes that point at it (their ``sh:class`` checks read it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ...namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH, sparql_prefixes
from ...store import Store
from ...terms import iri as sparql_iri
from ..validation.compiler import Query
from ..validation.report import ValidationReport, ValidationResult
from ..validation.run import focused_queries, validate_nodes
from .delta import Delta

_MOST_REFERRERS = 5000  # nodes pointing at a node whose class changed, checked with it


@dataclass(frozen=True)
class _Rules:
    shapes: Graph
    queries: list[Query]
    strict_graphs: frozenset[Node]
    names: Graph  # the shapes and the ontology's labels: what a refusal calls a property
    #: the predicates whose objects some shape targets (``sh:targetObjectsOf``)
    object_targets: frozenset[Node] = frozenset()


class Guard:
    """The shapes of one graph, compiled for writes; :meth:`forget` after a write to the
    shapes or the graphs' metadata. ``store`` is where the graph is read unless a call
    names another store holding the same graph (the primary a ``serve`` worker on disk
    writes, while ``store`` is the snapshot it reads)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._rules: _Rules | None = None

    def forget(self) -> None:
        self._rules = None

    def rules(self, store: Store | None = None) -> _Rules:
        if self._rules is None:
            store = store or self.store
            shapes = store.graph(SHAPES_GRAPH)
            rows = store.select(
                sparql_prefixes() + "SELECT DISTINCT ?g WHERE { ?g sg:validationPolicy sg:Strict }"
            )
            strict = frozenset(r["g"] for r in rows if "g" in r)
            names = Graph()
            names += shapes
            for row in store.select(
                f"SELECT ?p ?label WHERE {{ GRAPH {sparql_iri(str(ONTOLOGY_GRAPH))} "
                f"{{ ?p {sparql_iri(str(RDFS.label))} ?label }} }}"
            ):
                names.add((row["p"], RDFS.label, row["label"]))
            targets = frozenset(shapes.objects(None, SH.targetObjectsOf))
            self._rules = _Rules(shapes, focused_queries(shapes), strict, names, targets)
        return self._rules

    def touched(self, delta: Delta, store: Store | None = None) -> list[Node]:
        """The nodes to validate for ``delta`` (see the module)."""
        store = store or self.store
        targets = self.rules(store).object_targets
        # every subject; an object only where a shape targets objects of the predicate
        # (a class, a scheme or a person a new method names is not changed by it)
        nodes = {q[0] for q in delta.removed | delta.added}
        nodes |= {q[2] for q in delta.removed | delta.added if q[1] in targets}
        retyped = {q[0] for q in delta.removed | delta.added if q[1] == RDF.type}
        for node in sorted((n for n in retyped if isinstance(n, URIRef)), key=str):
            rows = store.select(
                f"SELECT DISTINCT ?s WHERE {{ ?s ?p {sparql_iri(str(node))} }} "
                f"LIMIT {_MOST_REFERRERS}"
            )
            nodes.update(r["s"] for r in rows if "s" in r)
        return sorted((n for n in nodes if isinstance(n, URIRef)), key=str)

    def check(self, delta: Delta, *, lang: str, store: Store | None = None) -> ValidationReport:
        """The report of what ``delta`` (applied to the store now) breaks: ``conforms``
        unless a result it brings blocks. Leaves the store with the delta applied."""
        store = store or self.store
        rules = self.rules(store)
        nodes = self.touched(delta, store)
        strict = frozenset(q[0] for q in delta.removed | delta.added if q[3] in rules.strict_graphs)
        after = validate_nodes(
            store, nodes, rules.queries, rules.shapes, strict_nodes=strict, lang=lang
        )
        if after.conforms:
            return _only_new(after, set())
        store.change(delta.added, delta.removed)  # as it was: what blocked already?
        try:
            before = validate_nodes(
                store, nodes, rules.queries, rules.shapes, strict_nodes=strict, lang=lang
            )
        finally:
            store.change(delta.removed, delta.added)
        return _only_new(after, {_key(r) for r in before.results})


def _key(result: ValidationResult) -> tuple:
    return (result.focus_node, result.path, result.value, result.source_shape, result.constraint)


def _only_new(report: ValidationReport, known: set[tuple]) -> ValidationReport:
    new = [r for r in report.results if _key(r) not in known]
    return replace(
        report,
        conforms=not any(r.blocking for r in new),
        results=new,
        graph=None,  # type: ignore[arg-type]
        graph_factory=None,
    )
