"""Between pyoxigraph and the rest of the project: rdflib terms for Oxigraph's and back,
Oxigraph's formats for the format table's, and Oxigraph's syntax errors as
:class:`~scholargate.errors.ParseError` with a line and a column. Used by the embedded
store and by the remote store (which reads a server's answers with pyoxigraph)."""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from ..errors import ParseError
from ..formats import Format

_SPARQL_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.S)
_LANG_STRING = str(RDF.langString)
_XSD_STRING = str(XSD.string)


@lru_cache(maxsize=1 << 15)
def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """An rdflib term for a pyoxigraph term.

    Cached: building an rdflib Literal parses its value (10–20 µs), and the same
    labels, years and IRIs come back in answer after answer.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"unsupported RDF term {term!r}")  # RDF-star triples are not used here


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) != _LANG_STRING:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported RDF term {term!r}")


@cache
def native_format(fmt: Format) -> ox.RdfFormat | ox.QueryResultsFormat | None:
    """Oxigraph's format for one of the format table's RDF or SPARQL results formats."""
    if fmt.kind in ("graph", "dataset"):
        return ox.RdfFormat.from_media_type(fmt.media_type)
    if fmt.kind == "results":
        return ox.QueryResultsFormat.from_media_type(fmt.media_type)
    return None


def sparql_parse_error(error: SyntaxError) -> ParseError:
    """A ParseError with line and column from Oxigraph's SPARQL syntax error."""
    text = str(error)
    match = _SPARQL_POSITION.search(text)
    if match:
        return ParseError(
            f"SPARQL syntax error: {match.group(3).strip()}",
            line=int(match.group(1)),
            column=int(match.group(2)),
        )
    return ParseError(f"SPARQL syntax error: {text}")


def rdf_parse_error(error: SyntaxError, source: str) -> ParseError:
    """A ParseError with line and column from Oxigraph's RDF parser error."""
    line, column = getattr(error, "lineno", None), getattr(error, "offset", None)
    message = error.msg if hasattr(error, "msg") else str(error)
    message = re.sub(r"^Parser error (between|at) [^:]*: ", "", message)
    return ParseError(message, source=source or None, line=line, column=column)
