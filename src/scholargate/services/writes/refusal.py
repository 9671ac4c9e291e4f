"""A refused write told to the person who sent it: the message (the first result that
blocks: the node, the property by its name in the asker's language, what is wrong) and
the report as JSON or as a SHACL validation report graph."""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from ...namespaces import bind_prefixes
from ..labels import pick
from ..validation.report import ValidationReport, ValidationResult


def property_name(result: ValidationResult, shapes: Graph, lang: str) -> str:
    """What the shapes call the property of ``result`` (``sh:name`` in ``lang``), else
    its ``rdfs:label`` (the shapes graph given here holds the ontology's labels too),
    else its path as SPARQL."""
    names = [n for n in shapes.objects(result.source_shape, SH.name) if isinstance(n, Literal)]
    if not names and isinstance(result.path, URIRef):
        names = [n for n in shapes.objects(result.path, RDFS.label) if isinstance(n, Literal)]
    chosen = pick(names, lang) if names else None
    return str(chosen) if chosen is not None else result.path_text


def message(report: ValidationReport, shapes: Graph, lang: str) -> str:
    """One line: the first result that blocks, and how many more there are."""
    blocking = [r for r in report.ordered() if r.blocking]
    first = blocking[0]
    name = property_name(first, shapes, lang)
    where = f"<{first.focus_node}>" + (f", {name}" if name else "")
    more = f" (+{len(blocking) - 1})" if len(blocking) > 1 else ""
    return f"{where}: {first.message_in(lang)}{more}"


def as_json(report: ValidationReport, shapes: Graph, lang: str) -> dict[str, Any]:
    """The report's JSON, each result with the name of its property in ``lang``."""
    data = report.to_json()
    for item, result in zip(data["results"], report.ordered(), strict=True):
        item["property"] = property_name(result, shapes, lang) or None
        item["message"] = result.message_in(lang)
    return data


def as_graph(report: ValidationReport) -> Graph:
    """The report as a SHACL ``sh:ValidationReport``, every message in every language."""
    g = Graph()
    bind_prefixes(g)
    root = BNode()
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(report.conforms)))
    for r in report.results:
        node = BNode()
        g.add((root, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus_node))
        g.add((node, SH.resultSeverity, r.severity))
        g.add((node, SH.sourceShape, r.source_shape))
        if r.path is not None and not isinstance(r.path, BNode):
            g.add((node, SH.resultPath, r.path))
        if r.value is not None:
            g.add((node, SH.value, r.value))
        if r.constraint is not None:
            g.add((node, SH.sourceConstraintComponent, r.constraint))
        for language, text in r.messages or (("", r.message),):
            g.add((node, SH.resultMessage, Literal(text, lang=language or None)))
    return g
