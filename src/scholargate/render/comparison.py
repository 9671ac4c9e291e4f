"""A comparison table as JSON, CSV, RDF and terminal text — one function per format —
and the renderers of a :class:`~scholargate.services.compare.Comparison` for
``/compare`` and ``/comparison/{id}``: the page (render/comparison_page.py), JSON, CSV
and the graph formats.

Context a view gives: ``lang``, ``iri`` (a saved comparison's IRI, or None),
``record_version`` and ``diff_only`` (see render/comparison_page.py); for RDF,
``source`` (the URL asked, written as ``dcterms:source``) and ``record`` (a saved
comparison's own statements, an rdflib ``Graph`` added to the table's).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from ..formats import GRAPH_FORMATS, Format
from ..namespaces import SG, bind_prefixes
from ..services.compare import Comparison
from .comparison_page import page
from .registry import Rendered, render, renderer
from .text import table as text_table

CSV_DISPOSITION = 'inline; filename="comparison.csv"'


@dataclass(frozen=True)
class SavedComparison:
    """What ``POST /compare/save`` tells a script: the comparison's IRI, the ``url`` of
    its page (also the ``Location``), and whether this request ``created`` it."""

    iri: str
    url: str
    created: bool


@renderer(SavedComparison, "data-json")
def saved_comparison(result: SavedComparison, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    """ASCII JSON under ``application/json`` without a charset, and no ``Vary``: the answer
    this POST has always given."""
    body = {"comparison": result.iri, "url": result.url, "created": result.created}
    headers = {"Content-Type": "application/json", "Location": result.url}
    return Rendered(json.dumps(body), headers=headers, vary=())


@renderer(Comparison, "html", "data-json", "csv")  # html first: the default
def comparison(table: Comparison, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    headers: dict[str, str] = {}
    if fmt.name == "data-json":
        body: str | bytes = json.dumps(to_json(table, iri=context.get("iri")), ensure_ascii=False)
    elif fmt.name == "csv":
        body = to_csv(table)
        headers["Content-Disposition"] = CSV_DISPOSITION
    else:
        body = page(table, context)
    return Rendered(body, headers=headers, vary=("Accept", "Accept-Language"))


@renderer(Comparison, *(f.name for f in GRAPH_FORMATS))
def comparison_graph(table: Comparison, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    """The graph of :func:`to_graph`, with a saved comparison's ``record`` added; it
    varies on ``Accept`` only (labels in every language the table shows)."""
    graph = to_graph(table, iri=context.get("iri"), source=context.get("source"))
    record = context.get("record")
    if record is not None:
        graph += record
    return Rendered(render(graph, fmt).body, vary=("Accept",))


def to_json(table: Comparison, *, iri: str | None = None) -> dict[str, Any]:
    return {
        "comparison": iri,
        "lang": table.lang,
        "shapes_version": table.shapes_version,
        "columns": [
            {"iri": c.iri, "slug": c.slug, "label": c.label, "lang": c.label_lang or None}
            for c in table.columns
        ],
        "rows": [
            {
                "id": r.id,
                "label": r.label,
                "lang": r.label_lang or None,
                "display": r.display,
                "path": r.path,
                "differs": r.differs,
                "cells": [
                    [
                        {k: v for k, v in vars(value).items() if v is not None and k != "term"}
                        for value in cell.values
                    ]
                    for cell in r.cells
                ],
            }
            for r in table.rows
        ],
        "sparql": table.sparql,
    }


def cell_text(values: list) -> str:  # noqa: ANN001 - list[Value]
    return "; ".join(v.text for v in values)


def to_csv(table: Comparison) -> bytes:
    """UTF-8 with a byte-order mark (spreadsheets then read Persian and Turkish right),
    a header row, and one row per property."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["property", "differs", *[c.label for c in table.columns]])
    for row in table.rows:
        writer.writerow(
            [row.label, "≠" if row.differs else "", *[cell_text(c.values) for c in row.cells]]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_text(table: Comparison) -> str:
    headers = ["", *[c.label for c in table.columns]]
    rows = [
        [row.label + (" ≠" if row.differs else ""), *[cell_text(c.values) for c in row.cells]]
        for row in table.rows
    ]
    return text_table(headers, rows, max_cell=48)


# the properties every comparison's RDF uses, made once
_TYPE, _VALUE, _PREDICATE, _LABEL = RDF.type, RDF.value, RDF.predicate, RDFS.label
_METHOD, _POSITION, _DIFFERS_ON = SG.method, SG.position, SG.differsOn
_HAS_PART = DCTERMS.hasPart


def to_graph(table: Comparison, *, iri: str | None = None, source: str | None = None) -> Graph:
    """The comparison as RDF: which methods in which order, which rows differ, and
    every cell's values as labelled statements about the methods.

    A value the query gave is written as the term it was read into (``Value.term``),
    not rebuilt from its text; only text the service made (a year, a count, a group of
    originators, a label) becomes a literal here.
    """
    g = Graph()
    bind_prefixes(g)
    add = g.add
    node = URIRef(iri) if iri else BNode()
    add((node, _TYPE, SG.Comparison))
    add((node, SG.shapesVersion, Literal(table.shapes_version)))
    add((node, DCTERMS.language, Literal(table.lang)))
    if source:
        add((node, DCTERMS.source, URIRef(source)))
    methods = [URIRef(column.iri) for column in table.columns]
    for position, (column, method) in enumerate(zip(table.columns, methods, strict=True), 1):
        col = URIRef(f"{iri}#{position}") if iri else BNode()
        add((node, _METHOD, method))
        add((node, _HAS_PART, col))
        add((col, _METHOD, method))
        add((col, _POSITION, Literal(position, datatype=XSD.integer)))
        add((method, _LABEL, Literal(column.label, lang=column.label_lang or None)))
    for row in table.rows:
        shape = URIRef(row.id)
        add((shape, _LABEL, Literal(row.label, lang=row.label_lang or None)))
        if row.differs:
            add((node, _DIFFERS_ON, shape))
        resources = row.display in ("LabelList", "PersonList", "Citation", "CitedAmong")
        for method, cell in zip(methods, row.cells, strict=True):
            for value in cell.values:
                obj = value.term  # the term the query gave, as it gave it
                if obj is None:  # text the service made
                    obj = (
                        URIRef(value.iri)
                        if value.iri and resources
                        else Literal(value.text, lang=value.lang or None)
                    )
                cell_node = BNode()
                add((node, _HAS_PART, cell_node))
                add((cell_node, _METHOD, method))
                add((cell_node, _PREDICATE, shape))
                add((cell_node, _VALUE, obj))
                if isinstance(obj, URIRef):
                    add((obj, _LABEL, Literal(value.text, lang=value.lang or None)))
    return g
