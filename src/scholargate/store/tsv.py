"""SELECT answers as SPARQL TSV: one string written by the engine, read here.

Oxigraph writes a whole answer as TSV in Rust; reading it costs a string split per row
and one parse per distinct cell (cached), far less than a Python object for every
variable of every solution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

_XSD_STRING = str(XSD.string)
_XSD_INTEGER = URIRef(str(XSD.integer))
_XSD_DECIMAL = URIRef(str(XSD.decimal))
_XSD_DOUBLE = URIRef(str(XSD.double))
_XSD_BOOLEAN = URIRef(str(XSD.boolean))
_TSV_LITERAL = re.compile(r'"(.*)"(?:@([^"]+)|\^\^<([^>]*)>)?', re.S)
_TSV_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_TSV_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f"}
_TSV_NUMBER = re.compile(r"[+-]?(\d+)?(\.\d+)?([eE][+-]?\d+)?")


def _unescape(match: re.Match) -> str:
    code = match.group(1) or match.group(2)
    if code:
        return chr(int(code, 16))
    char = match.group(3)
    return _TSV_ESCAPES.get(char, char)


@lru_cache(maxsize=1 << 15)
def from_tsv(cell: str) -> Node:
    """An rdflib term for one cell of SPARQL TSV results as Oxigraph writes them
    (N-Triples terms, and bare integers, decimals, doubles and booleans)."""
    if cell.startswith("<<"):
        raise TypeError(f"unsupported RDF term {cell!r}")  # RDF-star triples are not used here
    if cell.startswith("<") and cell.endswith(">"):
        return URIRef(_TSV_ESCAPE.sub(_unescape, cell[1:-1]) if "\\" in cell else cell[1:-1])
    if cell.startswith("_:"):
        return BNode(cell[2:])
    literal = _TSV_LITERAL.fullmatch(cell)
    if literal is not None:
        text, lang, datatype = literal.groups()
        if "\\" in text:
            text = _TSV_ESCAPE.sub(_unescape, text)
        if lang:
            return Literal(text, lang=lang.split("--", 1)[0])  # a base direction is dropped
        if datatype and datatype != _XSD_STRING:
            return Literal(text, datatype=URIRef(datatype))
        return Literal(text)
    if cell in ("true", "false"):
        return Literal(cell, datatype=_XSD_BOOLEAN)
    number = _TSV_NUMBER.fullmatch(cell)
    if number is not None and (number.group(1) or number.group(2)):
        if number.group(3):
            return Literal(cell, datatype=_XSD_DOUBLE)
        return Literal(cell, datatype=_XSD_DECIMAL if number.group(2) else _XSD_INTEGER)
    raise ValueError(f"not a term of SPARQL TSV results: {cell!r}")


@dataclass
class Cells:
    """A SELECT answer as TSV cells, for services that read many rows: ``variables`` gives
    each variable's place in a row, an empty cell is an unbound variable, and
    :func:`from_tsv` turns a cell into a term when it is needed."""

    variables: dict[str, int]
    rows: list[list[str]]


def read_cells(data: bytes) -> Cells:
    """The cells of SPARQL TSV results (escaped tabs and newlines stay in their cell)."""
    text = data.decode("utf-8")
    lines = (text[:-1] if text.endswith("\n") else text).split("\n")
    names = [v[1:] for v in lines[0].split("\t")] if lines[0] else []
    return Cells(
        {name: i for i, name in enumerate(names)},
        [line.split("\t") for line in lines[1:]] if names else [[] for _ in lines[1:]],
    )


def rows_from_tsv(data: bytes) -> tuple[list[str], list[dict[str, Node]]]:
    """The variables and rows of SPARQL TSV results, as rdflib terms by variable."""
    cells = read_cells(data)
    names = list(cells.variables)
    return names, [
        {name: from_tsv(cell) for name, cell in zip(names, row, strict=True) if cell}
        for row in cells.rows
    ]
