"""The two engines that find the results: compiled SPARQL queries run on a store, or
pySHACL on an rdflib graph; each turns what it finds into a :class:`ValidationReport`
under the severity policy.

A compiled query runs through a *runner*: on a store in place (:func:`store_runner`, the
data graphs and the ontology as its default graph), or on a scratch store in memory
holding an rdflib graph (:func:`graph_runner`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from ...namespaces import GRAPH, bind_prefixes
from ...store import Store, new_store
from .compiler import Query
from .report import (
    PREFIXED,
    ValidationReport,
    ValidationResult,
    blocks,
    fill,
    path_text,
    pick_message,
)

Rows = list[dict[str, Node]]
Runner = Callable[[str], Rows]

#: The one graph of a scratch store: data and ontology together, so that a triple in
#: both is read once (a query over several graphs sees it once per graph).
_SCRATCH = GRAPH["validation-scratch"]


# ---- where the compiled queries run ---------------------------------------------------


def graph_runner(data: Graph, ontology: Graph | None = None) -> Runner:
    """Run queries over ``data`` and ``ontology``, copied into a store in memory."""
    store = new_store()
    store.extend(_SCRATCH, data)
    if ontology is not None:
        store.extend(_SCRATCH, ontology)
    return store.select


def store_runner(store: Store, default_graphs: Sequence[str]) -> Runner:
    """Run queries on ``store`` in place, with ``default_graphs`` as the default graph."""
    graphs = list(default_graphs)

    def run(sparql: str) -> Rows:
        return store.query(sparql, default_graphs=graphs).rows

    return run


# ---- the compiled engine --------------------------------------------------------------


def run_compiled(
    queries: list[Query],
    run: Runner,
    shapes: Graph,
    strict_nodes: frozenset[Node],
    lang: str,
) -> ValidationReport:
    started = time.perf_counter()
    found: list[tuple[Query, Node, Node | None, Node | None]] = []
    seen: set[tuple] = set()
    for query in queries:
        for row in run(query.sparql):
            focus = row.get("this")
            if focus is None:
                continue
            value = row.get("value")
            path = query.path if query.constraint is None else row.get("path")
            key = (focus, value, query.shape, query.component, query.constraint, row.get("lang"))
            if key not in seen:
                seen.add(key)
                found.append((query, focus, value, path))
    path_texts: dict[Node, str] = {}
    results = []
    for query, focus, value, path in found:
        if query.constraint is not None:
            bindings = {"this": focus, "value": value, "path": path}
            messages = tuple((m.language or "", fill(str(m), bindings)) for m in query.messages)
        else:
            messages = tuple((m.language or "", str(m)) for m in query.messages)
        if path is not None and path not in path_texts:
            path_texts[path] = path_text(shapes if isinstance(path, BNode) else PREFIXED, path)
        results.append(
            ValidationResult(
                focus_node=focus,
                path=path,
                value=value,
                source_shape=query.shape,
                severity=query.severity,
                message=pick_message(messages, lang),
                blocking=blocks(query.severity, focus, strict_nodes),
                constraint=query.constraint or query.component,
                messages=messages,
                path_text=path_texts.get(path, "") if path is not None else "",
            )
        )
    found_for_graph = list(zip(found, results, strict=True))
    return ValidationReport(
        conforms=not any(r.blocking for r in results),
        results=results,
        lang=lang,
        engine="compiled",
        seconds=time.perf_counter() - started,
        graph_factory=lambda: report_graph(found_for_graph, shapes),
    )


def report_graph(
    found: list[tuple[tuple[Query, Node, Node | None, Node | None], ValidationResult]],
    shapes: Graph,
) -> Graph:
    """The SHACL validation report of the compiled engine, as pySHACL would write it."""
    report = Graph()
    bind_prefixes(report)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    report.add((root, SH.conforms, Literal(not found)))
    for (query, focus, value, path), result in found:
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, focus))
        report.add((node, SH.sourceShape, query.shape))
        report.add((node, SH.sourceConstraintComponent, query.component))
        report.add((node, SH.resultSeverity, query.severity))
        if query.constraint is not None:
            report.add((node, SH.sourceConstraint, query.constraint))
        if value is not None:
            report.add((node, SH.value, value))
        if path is not None:
            report.add((node, SH.resultPath, path))
            _copy_path(shapes, report, path)
        for language, text in result.messages:
            report.add((node, SH.resultMessage, Literal(text, lang=language or None)))
    return report


def _copy_path(shapes: Graph, report: Graph, path: Node) -> None:
    """Copy the blank nodes of a complex path into the report graph."""
    todo = [path]
    while todo:
        node = todo.pop()
        if not isinstance(node, BNode):
            continue
        for p, o in shapes.predicate_objects(node):
            if (node, p, o) not in report:
                report.add((node, p, o))
                todo.append(o)


# ---- pySHACL ---------------------------------------------------------------------------


def run_pyshacl(
    data: Graph, shapes: Graph, strict_nodes: frozenset[Node], lang: str
) -> ValidationReport:
    started = time.perf_counter()
    _, report_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        allow_warnings=False,
        inplace=True,
    )
    if not isinstance(report_graph, Graph):  # pySHACL returns its failure instead of a graph
        raise RuntimeError(f"the shapes could not be applied: {report_graph}")
    nodes = list(report_graph.objects(None, SH.result))  # top level only, not sh:detail
    _restore_sparql_messages(report_graph, shapes, nodes)
    return _report(report_graph, nodes, strict_nodes, lang, "pyshacl", started)


def _restore_sparql_messages(report: Graph, shapes: Graph, nodes: list[Node]) -> None:
    """Give SPARQL-constraint results their messages back with language tags.

    pySHACL fills ``{$this}``/``{?value}`` into the messages of a SPARQL constraint but
    returns them untagged; this rewrites them from the tagged ``sh:message`` values.
    """
    for node in nodes:
        constraint = report.value(node, SH.sourceConstraint)
        if constraint is None:
            continue
        tagged = [m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal)]
        if not tagged:
            continue
        bindings = {
            "this": report.value(node, SH.focusNode),
            "value": report.value(node, SH.value),
            "path": report.value(node, SH.resultPath),
        }
        report.remove((node, SH.resultMessage, None))
        for message in tagged:
            text = fill(str(message), bindings)
            report.add((node, SH.resultMessage, Literal(text, lang=message.language)))


def _report(
    report_graph: Graph,
    nodes: list[Node],
    strict_nodes: frozenset[Node],
    lang: str,
    engine: str,
    started: float,
) -> ValidationReport:
    bind_prefixes(report_graph)
    results = [_result(report_graph, node, strict_nodes, lang) for node in nodes]
    return ValidationReport(
        conforms=not any(r.blocking for r in results),
        results=results,
        graph=report_graph,
        lang=lang,
        engine=engine,
        seconds=time.perf_counter() - started,
    )


def _result(
    report: Graph, node: Node, strict_nodes: frozenset[Node], lang: str
) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    severity = report.value(node, SH.resultSeverity)
    if not isinstance(severity, URIRef):
        severity = SH.Violation
    path = report.value(node, SH.resultPath)
    messages = tuple(
        (m.language or "", str(m))
        for m in sorted(
            report.objects(node, SH.resultMessage), key=lambda m: (m.language or "", str(m))
        )
        if isinstance(m, Literal)
    )
    return ValidationResult(
        focus_node=focus,
        path=path,
        value=report.value(node, SH.value),
        source_shape=report.value(node, SH.sourceShape),
        severity=severity,
        message=pick_message(messages, lang),
        blocking=blocks(severity, focus, strict_nodes),
        constraint=report.value(node, SH.sourceConstraint)
        or report.value(node, SH.sourceConstraintComponent),
        messages=messages,
        path_text=path_text(report, path) if path is not None else "",
    )
