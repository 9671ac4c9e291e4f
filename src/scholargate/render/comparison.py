"""A comparison table as JSON, CSV, RDF and terminal text — one function per format."""

from __future__ import annotations

import csv
import io
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from ..namespaces import SG, bind_prefixes
from ..services.compare import Comparison
from .text import table as text_table


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
                        {k: v for k, v in vars(value).items() if v is not None}
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


def to_graph(table: Comparison, *, iri: str | None = None, source: str | None = None) -> Graph:
    """The comparison as RDF: which methods in which order, which rows differ, and
    every cell's values as labelled statements about the methods."""
    g = Graph()
    bind_prefixes(g)
    node = URIRef(iri) if iri else BNode()
    g.add((node, RDF.type, SG.Comparison))
    g.add((node, SG.shapesVersion, Literal(table.shapes_version)))
    g.add((node, DCTERMS.language, Literal(table.lang)))
    if source:
        g.add((node, DCTERMS.source, URIRef(source)))
    for position, column in enumerate(table.columns, start=1):
        method = URIRef(column.iri)
        col = URIRef(f"{iri}#{position}") if iri else BNode()
        g.add((node, SG.method, method))
        g.add((node, DCTERMS.hasPart, col))
        g.add((col, SG.method, method))
        g.add((col, SG.position, Literal(position, datatype=XSD.integer)))
        g.add((method, RDFS.label, Literal(column.label, lang=column.label_lang or None)))
    for row in table.rows:
        shape = URIRef(row.id)
        g.add((shape, RDFS.label, Literal(row.label, lang=row.label_lang or None)))
        if row.differs:
            g.add((node, SG.differsOn, shape))
        for column, cell in zip(table.columns, row.cells, strict=True):
            for value in cell.values:
                obj = (
                    URIRef(value.iri)
                    if value.iri and row.display in ("LabelList", "PersonList", "Citation")
                    else Literal(value.text, lang=value.lang or None)
                )
                cell_node = BNode()
                g.add((node, DCTERMS.hasPart, cell_node))
                g.add((cell_node, SG.method, URIRef(column.iri)))
                g.add((cell_node, RDF.predicate, shape))
                g.add((cell_node, RDF.value, obj))
                if isinstance(obj, URIRef):
                    g.add((obj, RDFS.label, Literal(value.text, lang=value.lang or None)))
    return g
