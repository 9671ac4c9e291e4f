"""What the comparison service returns: a table of columns (methods) and rows (property
shapes), each row's cells holding values ready to show and each row flagged when its
values differ in meaning."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib.term import Node


@dataclass(frozen=True)
class Value:
    """One value in a cell, ready to show: text in a language, maybe a link."""

    text: str
    lang: str | None = None
    iri: str | None = None  # the value itself, when it is a resource
    href: str | None = None  # an outside link (DOI, arXiv, web page)
    link_label: str | None = None  # "DOI", "arXiv" or "link"
    # The value as RDF: the term the query gave, made once from its answer, which the RDF
    # rendering writes as is. None when the value is text made here (a year, a count, a
    # group of originators) or not a term the RDF rendering writes unchanged.
    term: Node | None = field(default=None, compare=False, repr=False)


@dataclass
class Cell:
    values: list[Value]
    key: frozenset  # what "differs" compares: meanings, not strings (differences.py)


@dataclass
class Row:
    id: str  # the property shape's IRI
    label: str
    label_lang: str
    path: str  # the SPARQL property path
    display: str  # local name of the sg:display value
    order: float
    group: str | None
    cells: list[Cell]
    differs: bool


@dataclass
class Column:
    iri: str
    slug: str
    label: str
    label_lang: str


@dataclass
class Comparison:
    lang: str
    columns: list[Column]
    rows: list[Row]
    sparql: str
    shapes_version: str

    @property
    def differing(self) -> list[Row]:
        return [row for row in self.rows if row.differs]
